package dev.claw.scan;

import java.nio.charset.StandardCharsets;

/** Percent-encoding of package URL parts, as the purl specification asks. */
final class Purls {
  private Purls() {}

  /**
   * A version with everything but letters, digits and {@code .-_~} encoded: Debian's epoch
   * colon and the {@code +} of {@code +deb12u1} become {@code %3A} and {@code %2B}.
   */
  static String encode(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if (c < 128 && (Character.isLetterOrDigit(c) || ".-_~".indexOf(c) >= 0)) {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }
}
