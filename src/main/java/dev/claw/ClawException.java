package dev.claw;

/**
 * A failure the user can do something about. It carries two sentences: what went wrong, and
 * what to do about it. Front ends show both; nothing else in claw formats advice.
 */
public class ClawException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String fix;

  public ClawException(String problem, String fix) {
    super(problem);
    this.fix = fix;
  }

  public ClawException(String problem, String fix, Throwable cause) {
    super(problem, cause);
    this.fix = fix;
  }

  /** What the user should do next; never empty. */
  public String fix() {
    return fix;
  }
}
