package dev.claw.deb;

import dev.claw.fs.FileTree;
import dev.claw.fs.FileTree.Entry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * dpkg's record of an installed package in the form distroless images use, one file per
 * package, which Trivy, Grype and Syft read when there is no {@code /var/lib/dpkg/status}:
 * {@code status.d/NAME} holds the package's stanza, {@code status.d/NAME.md5sums} its
 * md5sums. Syft takes the file list from the md5sums (and licences from
 * {@code /usr/share/doc/NAME/copyright}); Trivy reads the stanza and skips the md5sums.
 */
final class DpkgStatus {
  static final String FOLDER = "/var/lib/dpkg/status.d";

  /**
   * The fields written, in this order: what scanners use to name, version and relate
   * packages, and to tell a package's source (which security advisories are filed under).
   */
  static final List<String> FIELDS = List.of("Package", "Version", "Architecture", "Source",
      "Maintainer", "Installed-Size", "Depends", "Pre-Depends", "Provides", "Description",
      "Homepage");

  private DpkgStatus() {}

  /** The stanza of {@code deb} as written to its status file. */
  static String stanza(DebPackage deb) {
    StringBuilder text = new StringBuilder();
    for (String field : FIELDS) {
      Optional<String> value = deb.field(field);
      value.ifPresent(v -> text.append(ControlFile.format(field, v)));
    }
    return text.toString();
  }

  /**
   * The folders down to {@link #FOLDER}, attributed to {@code layer} (the first layer packages
   * went into) rather than to whichever package's file happens to sort first below them.
   */
  static List<Entry> folders(String layer) {
    return List.of("/var", "/var/lib", "/var/lib/dpkg", FOLDER).stream()
        .map(path -> FileTree.directoryEntry(path, 0755).inLayer(layer)).toList();
  }

  /** The status file, and the md5sums file if anything listed in it was kept. */
  static List<Entry> entries(PackageInstaller.InstalledPackage installed) {
    String name = installed.deb().name();
    List<Entry> entries = new ArrayList<>();
    entries.add(file(FOLDER + "/" + name, stanza(installed.deb()), installed.layer()));
    if (!installed.md5sums().isEmpty()) {
      entries.add(file(FOLDER + "/" + name + ".md5sums", installed.md5sums(),
          installed.layer()));
    }
    return entries;
  }

  private static Entry file(String path, String text, String layer) {
    return FileTree.fileEntry(path, 0644, text.getBytes(StandardCharsets.UTF_8)).inLayer(layer);
  }
}
