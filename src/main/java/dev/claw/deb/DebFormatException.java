package dev.claw.deb;

/**
 * Bytes that are not a well-formed .deb. It says what is wrong with the bytes; {@link
 * DebPackage} adds which file it is and what to do.
 */
final class DebFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  DebFormatException(String message) {
    super(message);
  }

  DebFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
