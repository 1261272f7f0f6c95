package dev.claw.debian;

import dev.claw.ClawException;
import dev.claw.host.Exec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the repositories the host's apt uses: {@code sources.list} and
 * {@code sources.list.d/*.list} in the one-line format, and {@code sources.list.d/*.sources}
 * in deb822. Files with any other name are ignored, as apt ignores them. Only binary
 * ({@code deb}) entries count; disabled ones ({@code Enabled: no}) are skipped.
 *
 * <p>claw downloads with its own HTTP client, so only http and https repositories are
 * accepted, and it checks every signature, so {@code trusted=yes} is refused.
 */
public final class AptSources {
  private static final Pattern DIST_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~/-]*");

  private AptSources() {}

  /**
   * The host's sources, in apt's file order.
   *
   * @param etcApt apt's configuration folder, normally {@code /etc/apt}
   * @throws ClawException if a file is malformed or names what claw cannot use
   */
  public static List<AptSource> fromHost(Path etcApt) {
    List<AptSource> sources = new ArrayList<>();
    try {
      Path main = etcApt.resolve("sources.list");
      if (Files.isRegularFile(main)) {
        sources.addAll(oneLineFile(main, etcApt));
      }
      for (Path file : sourceParts(etcApt.resolve("sources.list.d"))) {
        String name = file.getFileName().toString();
        sources.addAll(name.endsWith(".list") ? oneLineFile(file, etcApt)
            : deb822File(file, etcApt));
      }
    } catch (IOException e) {
      throw new ClawException("could not read apt's sources in " + etcApt + ": " + e,
          "check that " + etcApt + " is readable");
    }

    if (sources.isEmpty()) {
      throw new ClawException("apt has no Debian repository configured in " + etcApt,
          "add one, such as /etc/apt/sources.list.d/debian.sources for deb.debian.org");
    }
    return List.copyOf(sources);
  }

  /** The host's dpkg architecture, such as "amd64". */
  public static String hostArchitecture() {
    Path dpkg = Exec.which("dpkg").orElseThrow(() -> new ClawException(
        "dpkg is not installed, so claw cannot tell the host's Debian architecture",
        "run claw on a Debian or Ubuntu host"));
    try {
      Exec.Result result = Exec.run(null, List.of(dpkg.toString(), "--print-architecture"));
      String architecture = result.stdout().strip();
      LockRules.checkArchitecture(architecture);
      if (!result.ok()) {
        throw new IllegalArgumentException(result.tail(3));
      }
      return architecture;
    } catch (IOException | IllegalArgumentException e) {
      throw new ClawException("dpkg --print-architecture failed: " + e.getMessage(),
          "check that dpkg works on this host");
    }
  }

  /** apt's parts, sorted by name as apt reads them; only .list and .sources files. */
  private static List<Path> sourceParts(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(file -> {
            String name = file.getFileName().toString();
            return name.endsWith(".list") || name.endsWith(".sources");
          })
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    }
  }

  // ---- one-line format: deb [ options ] uri suite [component...]

  static List<AptSource> oneLineFile(Path file, Path etcApt) throws IOException {
    List<AptSource> sources = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String where = file + " line " + (i + 1);
      String line = lines.get(i).replaceFirst("#.*", "").strip();
      if (line.isEmpty() || line.startsWith("deb-src")) {
        continue;
      }
      sources.addAll(oneLine(line, where, etcApt));
    }
    return sources;
  }

  private static List<AptSource> oneLine(String line, String where, Path etcApt) {
    if (!line.startsWith("deb ") && !line.startsWith("deb\t")) {
      throw malformed(where, "expected a line starting with 'deb' or 'deb-src'");
    }
    String rest = line.substring(4).strip();
    Map<String, String> options = new TreeMap<>();
    if (rest.startsWith("[")) {
      int close = rest.indexOf(']');
      if (close < 0) {
        throw malformed(where, "the options '[' are not closed with ']'");
      }
      options = oneLineOptions(rest.substring(1, close), where);
      rest = rest.substring(close + 1).strip();
    }

    String[] words = rest.split("\\s+");
    if (words.length < 2) {
      throw malformed(where, "expected 'deb URI SUITE COMPONENT...'");
    }
    List<String> components = Arrays.asList(words).subList(2, words.length);
    return List.of(source(words[0], words[1], components, options.get("signed-by"),
        options.get("trusted"), where, etcApt));
  }

  private static Map<String, String> oneLineOptions(String text, String where) {
    Map<String, String> options = new TreeMap<>();
    for (String option : text.strip().split("\\s+")) {
      if (option.isEmpty()) {
        continue;
      }
      int equals = option.indexOf('=');
      if (equals <= 0) {
        throw malformed(where, "option '" + option + "' is not name=value");
      }
      options.put(option.substring(0, equals).toLowerCase(Locale.ROOT),
          option.substring(equals + 1));
    }
    return options;
  }

  // ---- deb822 format

  static List<AptSource> deb822File(Path file, Path etcApt) throws IOException {
    List<Map<String, String>> stanzas = new ArrayList<>();
    try {
      ControlFile.parse(new BufferedReader(new StringReader(Files.readString(file,
          StandardCharsets.UTF_8))), true, stanza -> stanzas.add(caseless(stanza)));
    } catch (ControlFile.SyntaxException e) {
      throw malformed(file + " " + e.getMessage(), "it is not in deb822 format");
    }

    List<AptSource> sources = new ArrayList<>();
    for (int i = 0; i < stanzas.size(); i++) {
      sources.addAll(deb822Stanza(stanzas.get(i), file + " entry " + (i + 1), etcApt));
    }
    return sources;
  }

  private static Map<String, String> caseless(Map<String, String> stanza) {
    Map<String, String> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    fields.putAll(stanza);
    return fields;
  }

  private static List<AptSource> deb822Stanza(Map<String, String> fields, String where,
      Path etcApt) {
    List<String> types = words(fields.get("Types"));
    boolean enabled = !isNo(fields.getOrDefault("Enabled", "yes"));
    if (!types.contains("deb") || !enabled) {
      return List.of();
    }
    List<String> uris = words(fields.get("URIs"));
    List<String> suites = words(fields.get("Suites"));
    if (uris.isEmpty() || suites.isEmpty()) {
      throw malformed(where, "an entry needs URIs and Suites");
    }

    List<AptSource> sources = new ArrayList<>();
    for (String uri : uris) {
      for (String suite : suites) {
        sources.add(source(uri, suite, words(fields.get("Components")),
            fields.get("Signed-By"), fields.get("Trusted"), where, etcApt));
      }
    }
    return sources;
  }

  private static List<String> words(String value) {
    return value == null || value.isBlank() ? List.of() : List.of(value.strip().split("\\s+"));
  }

  private static boolean isNo(String value) {
    return List.of("no", "false", "without", "off", "0").contains(value.strip()
        .toLowerCase(Locale.ROOT));
  }

  // ---- what both formats share

  private static AptSource source(String uri, String suite, List<String> components,
      String signedBy, String trusted, String where, Path etcApt) {
    if (trusted != null && !isNo(trusted)) {
      throw new ClawException(where + " marks the repository " + uri + " as trusted, which"
          + " turns off signature checks", "claw checks every signature: remove 'trusted'"
          + " and give the repository's key with Signed-By");
    }
    String base = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    try {
      LockRules.checkRepository(base);
    } catch (IllegalArgumentException e) {
      throw new ClawException(where + ": " + e.getMessage(), "claw fetches only over http"
          + " and https: use an http(s) mirror such as http://deb.debian.org/debian");
    }
    if (suite.endsWith("/")) {
      throw malformed(where, "flat repositories (suite '" + suite + "') are not supported");
    }
    if (components.isEmpty()) {
      throw malformed(where, "no components (such as main) are given for " + suite);
    }
    for (String name : concat(suite, components)) {
      // Both become parts of URLs and of nothing else; keep them to what Debian uses.
      if (!DIST_NAME.matcher(name).matches() || name.contains("..")) {
        throw malformed(where, "'" + name + "' is not a suite or component name");
      }
    }
    return new AptSource(base, suite, components, keyring(signedBy, where, etcApt));
  }

  private static Path keyring(String signedBy, String where, Path etcApt) {
    if (signedBy == null || signedBy.isBlank()) {
      Path trusted = etcApt.resolve("trusted.gpg.d");
      if (!Files.isDirectory(trusted)) {
        throw new ClawException(where + " names no Signed-By keyring, and " + trusted
            + " does not exist", "add Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
            + " (from the package debian-archive-keyring) to the source");
      }
      return trusted;
    }
    String value = signedBy.strip();
    if (value.contains("\n") || value.contains(",") || !value.startsWith("/")) {
      throw new ClawException(where + " gives Signed-By as an embedded key, a fingerprint or"
          + " several files; claw supports one keyring file", "save the key in a file, such as"
          + " /etc/apt/keyrings/NAME.asc, and set Signed-By to its absolute path");
    }
    Path keyring = Path.of(value);
    if (!Files.isRegularFile(keyring)) {
      throw new ClawException(where + " names the keyring " + keyring + ", which does not"
          + " exist", "install the package that ships it (for Debian: debian-archive-keyring)"
          + " or correct Signed-By");
    }
    return keyring;
  }

  private static List<String> concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>(rest);
    all.add(0, first);
    return all;
  }

  private static ClawException malformed(String where, String why) {
    return new ClawException(where + ": " + why, "correct the apt source so apt and claw can"
        + " read it (see man sources.list)");
  }
}
