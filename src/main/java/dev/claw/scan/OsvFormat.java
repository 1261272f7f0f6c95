package dev.claw.scan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claw.ClawException;
import dev.claw.debian.DebianVersion;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * OSV records (https://ossf.github.io/osv-schema/) for Debian: one record, a JSON list of
 * them, or an object with a {@code vulns} list. Only {@code affected} entries of the
 * ecosystem "Debian:12" (or plain "Debian") count; their package name is the source package,
 * as in Debian's own OSV feed. Severity is the record's Debian urgency
 * ({@code ecosystem_specific.urgency}), else {@code database_specific.severity}, else the
 * rating of a CVSS v3 base score in {@code severity}.
 */
final class OsvFormat {
  private OsvFormat() {}

  static boolean looksLike(JsonNode json) {
    JsonNode first = records(json).stream().findFirst().orElse(null);
    return first != null && first.has("id") && first.has("affected");
  }

  static List<Advisory> read(JsonNode json, Path file) {
    List<Advisory> advisories = new ArrayList<>();
    for (JsonNode record : records(json)) {
      String id = record.path("id").asText();
      for (JsonNode affected : record.path("affected")) {
        String ecosystem = affected.path("package").path("ecosystem").asText();
        if (ecosystem.equals("Debian:12") || ecosystem.equals("Debian")) {
          advisories.add(advisory(id, record, affected, file));
        }
      }
    }
    return advisories;
  }

  private static List<JsonNode> records(JsonNode json) {
    List<JsonNode> records = new ArrayList<>();
    JsonNode list = json.isObject() && json.has("vulns") ? json.get("vulns") : json;
    if (list.isArray()) {
      list.forEach(records::add);
    } else if (list.isObject()) {
      records.add(list);
    }
    return records;
  }

  private static Advisory advisory(String id, JsonNode record, JsonNode affected, Path file) {
    String source = affected.path("package").path("name").asText();
    List<Advisory.Range> ranges = new ArrayList<>();
    for (JsonNode range : affected.path("ranges")) {
      if (range.path("type").asText().equals("ECOSYSTEM")) {
        ranges.addAll(ranges(range.path("events"), id, file));
      }
    }
    List<String> versions = new ArrayList<>();
    affected.path("versions").forEach(v -> versions.add(checked(v.asText(), id, file)));
    boolean fixable = ranges.stream().anyMatch(r -> r.fixed() != null);
    return new Advisory(source, id, fixable ? Finding.Status.FIXED : Finding.Status.OPEN, "",
        severity(record, affected), null, ranges, versions, "osv");
  }

  /** Events in order: each "introduced" opens a range that the next fixed or last closes. */
  private static List<Advisory.Range> ranges(JsonNode events, String id, Path file) {
    List<Advisory.Range> ranges = new ArrayList<>();
    String introduced = null;
    for (JsonNode event : events) {
      if (event.has("introduced")) {
        if (introduced != null) {
          ranges.add(new Advisory.Range(introduced, null, null));
        }
        introduced = checked(event.get("introduced").asText(), id, file);
      } else if (event.has("fixed") || event.has("last_affected")) {
        String fixed = event.has("fixed") ? checked(event.get("fixed").asText(), id, file)
            : null;
        String last = event.has("last_affected")
            ? checked(event.get("last_affected").asText(), id, file) : null;
        ranges.add(new Advisory.Range(introduced == null ? "0" : introduced, fixed, last));
        introduced = null;
      }
    }
    if (introduced != null) {
      ranges.add(new Advisory.Range(introduced, null, null));
    }
    return ranges;
  }

  private static String checked(String version, String id, Path file) {
    if (version.equals("0")) {
      return version;
    }
    try {
      DebianVersion.parse(version);
      return version;
    } catch (IllegalArgumentException e) {
      throw new ClawException(file + ": " + id + " gives '" + version + "', which is not a "
          + "Debian version: " + e.getMessage(), "import only records of the Debian ecosystem");
    }
  }

  private static Severity severity(JsonNode record, JsonNode affected) {
    Severity urgency = Severity.parse(affected.path("ecosystem_specific").path("urgency")
        .asText(null));
    if (urgency != Severity.UNKNOWN) {
      return urgency;
    }
    Severity word = Severity.parse(record.path("database_specific").path("severity")
        .asText(null));
    if (word != Severity.UNKNOWN) {
      return word;
    }
    for (JsonNode score : record.path("severity")) {
      if (score.path("type").asText().startsWith("CVSS_V3")) {
        return Cvss3.baseScore(score.path("score").asText())
            .map(Severity::ofScore).orElse(Severity.UNKNOWN);
      }
    }
    return Severity.UNKNOWN;
  }
}
