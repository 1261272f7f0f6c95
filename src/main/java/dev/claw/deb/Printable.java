package dev.claw.deb;

import dev.claw.ClawException;

/**
 * Text from a package (tar names, link targets, control values) made safe to print: a hostile
 * package must not be able to move the cursor or clear the screen through an error message.
 */
final class Printable {
  private Printable() {}

  /** {@code text} with control and bidirectional-override characters shown as escapes. */
  static String of(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().forEach(c -> {
      if (isControl(c)) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.toString();
  }

  private static boolean isControl(int c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029;
  }

  /** A {@link ClawException} whose two sentences are both printable. */
  static ClawException exception(String problem, String fix, Throwable cause) {
    return new ClawException(of(problem), of(fix), cause);
  }
}
