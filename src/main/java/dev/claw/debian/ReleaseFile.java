package dev.claw.debian;

import dev.claw.ClawException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The signed part of a suite's InRelease: which suite it is, until when it may be trusted,
 * and the size and SHA-256 of every index file below it.
 *
 * @param architectures as listed; empty when the Release does not say
 * @param files by path relative to {@code dists/<suite>/}, such as main/binary-amd64/Packages.xz
 */
record ReleaseFile(String suite, String codename, Optional<Instant> validUntil,
    List<String> architectures, boolean acquireByHash, Map<String, FileEntry> files) {

  // Debian writes "Sat, 11 Jul 2026 10:16:37 UTC"; RFC 1123's parser does not know "UTC".
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss z", Locale.ROOT);

  /** One line of the SHA256 section. */
  record FileEntry(String path, String sha256, long size) {}

  /** Parses signed Release text; {@code what} names it in errors. */
  static ReleaseFile parse(String text, String what) {
    Map<String, String> fields = firstStanza(text, what);
    String suite = fields.getOrDefault("Suite", "");
    String codename = fields.getOrDefault("Codename", "");
    String sha256 = fields.get("SHA256");
    if (sha256 == null) {
      throw malformed(what, "it has no SHA256 section (claw does not trust MD5 or SHA-1)");
    }
    Optional<Instant> validUntil = Optional.ofNullable(fields.get("Valid-Until"))
        .map(date -> parseDate(date, what));
    // Without the field apt assumes every architecture; so does claw.
    String listed = fields.get("Architectures");
    List<String> architectures = listed == null ? List.of()
        : List.of(listed.strip().split("\\s+"));
    boolean byHash = "yes".equalsIgnoreCase(fields.getOrDefault("Acquire-By-Hash", "no"));
    return new ReleaseFile(suite, codename, validUntil, architectures, byHash,
        entries(sha256, what));
  }

  private static Map<String, String> firstStanza(String text, String what) {
    List<Map<String, String>> stanzas = new ArrayList<>();
    try {
      ControlFile.parse(new BufferedReader(new StringReader(text)), false, stanzas::add);
    } catch (ControlFile.SyntaxException e) {
      throw malformed(what, e.getMessage());
    } catch (IOException e) {
      throw new IllegalStateException("reading a string cannot fail", e);
    }
    if (stanzas.size() != 1) {
      throw malformed(what, "it has " + stanzas.size() + " stanzas, not 1");
    }
    return stanzas.get(0);
  }

  private static Map<String, FileEntry> entries(String section, String what) {
    Map<String, FileEntry> entries = new HashMap<>();
    for (String line : section.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] words = line.strip().split("\\s+");
      try {
        if (words.length != 3) {
          throw new IllegalArgumentException("expected 'sha256 size path'");
        }
        LockRules.checkSha256(words[0]);
        LockRules.checkFilename(words[2]);
        entries.put(words[2], new FileEntry(words[2], words[0], Long.parseUnsignedLong(words[1])));
      } catch (IllegalArgumentException e) {
        throw malformed(what, "bad SHA256 line '" + line.strip() + "': " + e.getMessage());
      }
    }
    return entries;
  }

  private static Instant parseDate(String date, String what) {
    try {
      return ZonedDateTime.parse(date.strip(), DATE).toInstant();
    } catch (DateTimeParseException e) {
      throw malformed(what, "Valid-Until '" + date + "' is not a date");
    }
  }

  private static ClawException malformed(String what, String why) {
    return new ClawException(what + " is malformed: " + why,
        "use another mirror, or report it to the repository's operators");
  }

  /** Whether the suite has packages for {@code architecture}, as far as it says. */
  boolean offers(String architecture) {
    return architectures.isEmpty() || architectures.contains(architecture);
  }

  /** Whether this Release describes {@code requested}, by suite ("stable") or codename. */
  boolean describes(String requested) {
    return requested.equals(suite) || requested.equals(codename);
  }
}
