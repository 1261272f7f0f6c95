package dev.claw.debian;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads Debian control data (deb822): Packages indexes, Release files and apt's .sources files.
 * Stanzas are separated by blank lines; a field is {@code Name: value}; a line starting with a
 * space or tab continues the previous field. Continuation lines are kept verbatim, leading
 * space included, joined with newlines, so that a field such as Description can be written
 * back exactly as Debian published it.
 */
final class ControlFile {
  private ControlFile() {}

  /** A line the format does not allow; {@code line} counts from 1. */
  static final class SyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    SyntaxException(int line, String message) {
      super("line " + line + ": " + message);
    }
  }

  /**
   * Hands each stanza, fields in file order, to {@code stanzas}.
   *
   * @param allowComments whether lines starting with {@code #} are comments (apt's .sources
   *     files) rather than errors (Packages and Release files have none)
   */
  static void parse(BufferedReader reader, boolean allowComments,
      Consumer<Map<String, String>> stanzas) throws IOException, SyntaxException {
    Map<String, String> stanza = new LinkedHashMap<>();
    String field = null;
    int number = 0;
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      number++;
      if (allowComments && line.startsWith("#")) {
        continue;
      }

      if (line.isBlank()) {
        if (!stanza.isEmpty()) {
          stanzas.accept(stanza);
          stanza = new LinkedHashMap<>();
        }
        field = null;
      } else if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        if (field == null) {
          throw new SyntaxException(number, "continuation line without a field before it");
        }
        stanza.merge(field, line, (before, more) -> before + "\n" + more);
      } else {
        field = addField(stanza, line, number);
      }
    }
    if (!stanza.isEmpty()) {
      stanzas.accept(stanza);
    }
  }

  private static String addField(Map<String, String> stanza, String line, int number)
      throws SyntaxException {
    int colon = line.indexOf(':');
    if (colon <= 0) {
      throw new SyntaxException(number, "expected 'Field: value', found '" + abbreviate(line)
          + "'");
    }
    String name = line.substring(0, colon);
    if (stanza.putIfAbsent(name, line.substring(colon + 1).strip()) != null) {
      throw new SyntaxException(number, "field " + name + " appears twice in one stanza");
    }
    return name;
  }

  private static String abbreviate(String line) {
    return line.length() <= 60 ? line : line.substring(0, 60) + "...";
  }
}
