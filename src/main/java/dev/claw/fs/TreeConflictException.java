package dev.claw.fs;

/**
 * An entry that cannot go into a {@link FileTree}: below a link or a file, at a path already
 * taken, or a hard link to nothing. Callers add what the entry came from (which package, which
 * profile line) and what to do.
 */
public final class TreeConflictException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TreeConflictException(String message) {
    super(message);
  }
}
