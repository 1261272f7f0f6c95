package dev.claw.scan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The Debian security tracker's JSON export: source package → vulnerability id → details,
 * with per-release {@code status} (resolved, open, undetermined), {@code fixed_version},
 * {@code urgency} and, for issues Debian will not issue an advisory for, {@code nodsa} and
 * {@code nodsa_reason}.
 *
 * <p>How the tracker's fields become one status, first match wins:
 *
 * <ol>
 *   <li>resolved with fixed version "0": not affected (the code was never in Debian's build)
 *   <li>urgency "end-of-life": end-of-life
 *   <li>urgency "unimportant": unimportant
 *   <li>a {@code nodsa} field: no-DSA, with {@code nodsa_reason} (postponed, ignored) or
 *       "minor issue" as the reason
 *   <li>resolved: fixed, in {@code fixed_version}
 *   <li>open or undetermined: open ("undetermined" kept as the reason)
 * </ol>
 */
final class TrackerFormat {
  private TrackerFormat() {}

  /** Source names map to objects whose keys look like vulnerability ids. */
  static boolean looksLike(JsonNode json) {
    if (!json.isObject() || json.isEmpty()) {
      return false;
    }
    JsonNode first = json.elements().next();
    if (!first.isObject()) {
      return false;
    }
    Iterator<Map.Entry<String, JsonNode>> ids = first.fields();
    return !ids.hasNext() || ids.next().getValue().has("releases");
  }

  static List<Advisory> read(JsonNode json, String release) {
    List<Advisory> advisories = new ArrayList<>();
    json.fields().forEachRemaining(source -> source.getValue().fields().forEachRemaining(
        issue -> {
          JsonNode details = issue.getValue().path("releases").path(release);
          if (details.isObject()) {
            advisories.add(advisory(source.getKey(), issue.getKey(), details));
          }
        }));
    return advisories;
  }

  private static Advisory advisory(String source, String id, JsonNode details) {
    String status = details.path("status").asText("");
    String fixed = details.hasNonNull("fixed_version") ? details.get("fixed_version").asText()
        : null;
    String urgency = details.path("urgency").asText("");
    Severity severity = Severity.parse(urgency);

    if (status.equals("resolved") && "0".equals(fixed)) {
      return advisory(source, id, Finding.Status.NOT_AFFECTED, "", severity, null);
    }
    if (urgency.equals("end-of-life")) {
      return advisory(source, id, Finding.Status.END_OF_LIFE, "", severity, fixed);
    }
    if (severity == Severity.NONE) {
      return advisory(source, id, Finding.Status.UNIMPORTANT, "", severity, fixed);
    }
    if (details.has("nodsa")) {
      String reason = details.path("nodsa_reason").asText("");
      return advisory(source, id, Finding.Status.NO_DSA, reason.isEmpty() ? "minor issue"
          : reason, severity, fixed);
    }
    if (status.equals("resolved")) {
      return advisory(source, id, Finding.Status.FIXED, "", severity, fixed);
    }
    return advisory(source, id, Finding.Status.OPEN,
        status.equals("undetermined") ? "undetermined" : "", severity, fixed);
  }

  private static Advisory advisory(String source, String id, Finding.Status status,
      String reason, Severity severity, String fixed) {
    return new Advisory(source, id, status, reason, severity, fixed, List.of(), List.of(),
        "tracker");
  }
}
