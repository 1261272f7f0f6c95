package dev.claw.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What claw needs to know about the terminal it prints to, and how to print guest text. */
final class Terminal {
  /** Select Graphic Rendition 0: default colours, nothing hidden or blinking. */
  static final String RESET = "\u001b[0m";

  private Terminal() {}

  /** Whether file descriptor {@code fd} of this process is a terminal. */
  static boolean isTerminal(int fd) {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /**
   * Guest-controlled text (console lines, init's messages) with control characters shown as
   * {@code ^X} instead of sent to the terminal. Newlines and tabs stay.
   */
  static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().forEach(c -> {
      if (c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0))) {
        out.appendCodePoint(c);
      } else if (c != '\r') {
        out.append('^').append((char) ((c + 64) & 0x7f));
      }
    });
    return out.toString();
  }
}
