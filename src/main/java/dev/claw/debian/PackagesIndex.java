package dev.claw.debian;

import dev.claw.ClawException;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Turns a Packages index (already verified against its signed Release) into records. */
final class PackagesIndex {
  private PackagesIndex() {}

  /**
   * Parses every stanza of an index.
   *
   * @param repository the base URI the records' filenames are relative to
   * @param indexName what to call the index in errors, such as its URL
   */
  static List<PackageRecord> parse(BufferedReader reader, String repository, String indexName)
      throws IOException {
    List<PackageRecord> records = new ArrayList<>();
    try {
      ControlFile.parse(reader, false, stanza -> records.add(record(stanza, repository,
          indexName)));
    } catch (ControlFile.SyntaxException e) {
      throw new ClawException("the package index " + indexName + " is malformed at "
          + e.getMessage(), "report it to the mirror's operators, or use another mirror");
    }
    return records;
  }

  static PackageRecord record(Map<String, String> stanza, String repository, String indexName) {
    String name = required(stanza, "Package", indexName, "?");
    String version = required(stanza, "Version", indexName, name);
    String filename = required(stanza, "Filename", indexName, name);
    String sha256 = required(stanza, "SHA256", indexName, name);
    String size = required(stanza, "Size", indexName, name);
    try {
      DebianVersion.parse(version);
      LockRules.checkFilename(filename);
      LockRules.checkSha256(sha256);
      // Checked here so one bad entry is reported with its index, not later as a mystery.
      Dependency.parseRelations(stanza.get("Provides"));
      return new PackageRecord(name, version, required(stanza, "Architecture", indexName, name),
          sourceName(stanza.get("Source"), name), Long.parseUnsignedLong(size), sha256,
          filename, repository, keptFields(stanza));
    } catch (IllegalArgumentException e) {
      throw malformed(indexName, name, e.getMessage());
    }
  }

  /** "glibc (2.36-9)" is built from source glibc; no Source field means the package's name. */
  static String sourceName(String sourceField, String packageName) {
    if (sourceField == null || sourceField.isBlank()) {
      return packageName;
    }
    int space = sourceField.indexOf(' ');
    return space < 0 ? sourceField : sourceField.substring(0, space);
  }

  private static Map<String, String> keptFields(Map<String, String> stanza) {
    Map<String, String> kept = new HashMap<>();
    for (String field : PackageRecord.KEPT_FIELDS) {
      String value = stanza.get(field);
      if (value != null) {
        kept.put(field, value);
      }
    }
    return kept;
  }

  private static String required(Map<String, String> stanza, String field, String indexName,
      String packageName) {
    String value = stanza.get(field);
    if (value == null || value.isEmpty()) {
      throw malformed(indexName, packageName, "the field " + field + " is missing");
    }
    return value;
  }

  private static ClawException malformed(String indexName, String packageName, String why) {
    return new ClawException("the package index " + indexName + " has a bad entry for "
        + packageName + ": " + why, "report it to the mirror's operators, or use another mirror");
  }
}
