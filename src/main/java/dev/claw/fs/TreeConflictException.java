package dev.claw.fs;

import java.util.Optional;

/**
 * An entry that cannot go into a {@link FileTree}: below a link or a file, at a path already
 * taken, or a hard link to nothing. Callers add what the entry came from (which package, which
 * profile line) and what to do.
 */
public final class TreeConflictException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String path;

  public TreeConflictException(String message) {
    this(message, null);
  }

  /** A conflict for the entry at {@code path}, so that callers can say where it came from. */
  public TreeConflictException(String message, String path) {
    super(message);
    this.path = path;
  }

  /** The path of the entry that was refused, when known. */
  public Optional<String> path() {
    return Optional.ofNullable(path);
  }
}
