package dev.claw.scan;

import dev.claw.debian.LockedPackage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The packages installed in a root, from dpkg's records: {@code /var/lib/dpkg/status} as a
 * full Debian system keeps it, and {@code /var/lib/dpkg/status.d/NAME} as distroless-style
 * images (and claw's) do. Licences come from each package's machine-readable
 * {@code /usr/share/doc/NAME/copyright}, which claw keeps in its images.
 */
public final class DpkgRecords {
  static final String STATUS = "/var/lib/dpkg/status";
  static final String STATUS_D = "/var/lib/dpkg/status.d";

  private DpkgRecords() {}

  /**
   * The installed packages of {@code root}, sorted by name and architecture.
   *
   * @param lock what claw.lock says of each package (for the .deb's hash and URL); empty for a
   *     root claw did not build
   */
  public static List<InstalledPackage> read(RootView root, List<LockedPackage> lock)
      throws IOException {
    Map<String, LockedPackage> pinned = new TreeMap<>();
    lock.forEach(p -> pinned.put(p.name() + ":" + p.architecture() + "=" + p.version(), p));

    Map<String, InstalledPackage> packages = new TreeMap<>();
    for (Map<String, String> stanza : stanzas(root)) {
      if (!installed(stanza) || !stanza.containsKey("Package")
          || !stanza.containsKey("Version")) {
        continue;
      }
      InstalledPackage pkg = toPackage(root, stanza, pinned);
      packages.put(pkg.name() + ":" + pkg.architecture(), pkg);
    }
    return List.copyOf(packages.values());
  }

  private static List<Map<String, String>> stanzas(RootView root) throws IOException {
    List<Map<String, String>> stanzas = new ArrayList<>();
    Optional<byte[]> status = root.readResolved(STATUS);
    if (status.isPresent()) {
      stanzas.addAll(parse(text(status.get())));
    }
    for (String name : root.list(STATUS_D)) {
      if (!name.endsWith(".md5sums")) {
        Optional<byte[]> record = root.readResolved(STATUS_D + "/" + name);
        if (record.isPresent()) {
          stanzas.addAll(parse(text(record.get())));
        }
      }
    }
    return stanzas;
  }

  /** A full dpkg status file also lists removed packages; status.d records have no field. */
  private static boolean installed(Map<String, String> stanza) {
    String status = stanza.get("Status");
    return status == null || status.endsWith(" installed");
  }

  private static InstalledPackage toPackage(RootView root, Map<String, String> stanza,
      Map<String, LockedPackage> pinned) throws IOException {
    String name = stanza.get("Package");
    String version = stanza.get("Version");
    String architecture = stanza.getOrDefault("Architecture", "all");

    // "Source: glibc" or, when the versions differ, "Source: glibc (2.36-9)".
    String source = stanza.getOrDefault("Source", name);
    String sourceVersion = version;
    int paren = source.indexOf('(');
    if (paren > 0 && source.endsWith(")")) {
      sourceVersion = source.substring(paren + 1, source.length() - 1).strip();
      source = source.substring(0, paren).strip();
    }

    LockedPackage lock = pinned.get(name + ":" + architecture + "=" + version);
    return new InstalledPackage(name, version, architecture, source, sourceVersion,
        lock == null ? "" : lock.layer(),
        Optional.ofNullable(lock).map(LockedPackage::sha256),
        Optional.ofNullable(lock).map(LockedPackage::url),
        licenses(root, name));
  }

  /**
   * The licence short names of a DEP-5 copyright file ("License: GPL-2+" lines, the first
   * word group only; the lines after it are the licence text). A free-form copyright file
   * names no licence in a way a program can read, so it gives none.
   */
  static List<String> licenses(RootView root, String name) throws IOException {
    Optional<byte[]> file = root.readResolved("/usr/share/doc/" + name + "/copyright");
    if (file.isEmpty()) {
      return List.of();
    }
    String text = text(file.get());
    if (!text.startsWith("Format:") || !text.contains("copyright-format")) {
      return List.of();
    }
    Set<String> names = new LinkedHashSet<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("License:")) {
        String value = line.substring("License:".length()).strip();
        if (!value.isEmpty()) {
          names.add(value);
        }
      }
    }
    return List.copyOf(names);
  }

  /** Stanzas separated by blank lines; continuation lines start with a space or tab. */
  static List<Map<String, String>> parse(String text) {
    List<Map<String, String>> stanzas = new ArrayList<>();
    Map<String, String> current = new LinkedHashMap<>();
    String field = null;
    for (String line : text.split("\n", -1)) {
      if (line.isBlank()) {
        if (!current.isEmpty()) {
          stanzas.add(current);
          current = new LinkedHashMap<>();
        }
        field = null;
      } else if ((line.startsWith(" ") || line.startsWith("\t")) && field != null) {
        current.merge(field, "\n" + line.strip(), String::concat);
      } else if (line.indexOf(':') > 0) {
        field = line.substring(0, line.indexOf(':'));
        current.put(field, line.substring(line.indexOf(':') + 1).strip());
      }
    }
    if (!current.isEmpty()) {
      stanzas.add(current);
    }
    return stanzas;
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
