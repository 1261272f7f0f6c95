package dev.claw.deb;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A package's control stanza (deb-control(5)): "Field: value" lines, where a line starting with
 * a space or tab continues the field above. Field order is kept; names are matched without
 * regard to case, as dpkg does.
 */
final class ControlFile {
  private ControlFile() {}

  /**
   * The fields of {@code text}, in order. A value is its first line without leading blanks,
   * then each continuation line as written (with its leading blank), joined by newlines.
   */
  static Map<String, String> parse(String text) throws DebFormatException {
    Map<String, String> fields = new LinkedHashMap<>();
    List<String> lines = text.lines().map(String::stripTrailing).toList();
    String field = null;
    boolean ended = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isEmpty()) {
        ended = !fields.isEmpty();
        continue;
      }
      if (ended) {
        throw new DebFormatException("its control file holds more than one stanza (line "
            + (i + 1) + ")");
      }
      if (line.startsWith(" ") || line.startsWith("\t")) {
        if (field == null) {
          throw new DebFormatException("its control file starts with a continuation line");
        }
        fields.put(field, fields.get(field) + "\n" + line);
        continue;
      }
      field = fieldName(line, i + 1);
      if (find(fields, field).isPresent()) {
        throw new DebFormatException("its control file gives field " + field + " twice");
      }
      fields.put(field, line.substring(field.length() + 1).stripLeading());
    }
    return Collections.unmodifiableMap(fields);
  }

  /** The value of {@code name} in {@code fields}, whatever its case. */
  static Optional<String> find(Map<String, String> fields, String name) {
    for (Map.Entry<String, String> field : fields.entrySet()) {
      if (field.getKey().equalsIgnoreCase(name)) {
        return Optional.of(field.getValue());
      }
    }
    return Optional.empty();
  }

  /** One field in control-file form, ending with a newline. */
  static String format(String name, String value) {
    boolean firstLineEmpty = value.isEmpty() || value.startsWith("\n");
    return name + ":" + (firstLineEmpty ? "" : " ") + value + "\n";
  }

  private static String fieldName(String line, int number) throws DebFormatException {
    int colon = line.indexOf(':');
    String name = colon > 0 ? line.substring(0, colon) : "";
    boolean valid = !name.isEmpty() && name.charAt(0) != '#' && name.charAt(0) != '-'
        && name.chars().allMatch(c -> c > ' ' && c < 127);
    if (!valid) {
      throw new DebFormatException("line " + number + " of its control file is not a"
          + " \"Field: value\" line");
    }
    return name;
  }
}
