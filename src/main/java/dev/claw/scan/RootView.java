package dev.claw.scan;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A root filesystem to scan, read-only: an image's {@link dev.claw.fs.FileTree} in memory, or
 * an unpacked root on the host ({@link DirectoryRoot}). A scan reads only through this, so
 * both are scanned by the same code.
 */
public interface RootView {

  /** What a node is; devices, fifos and sockets are OTHER. */
  enum Kind { DIRECTORY, FILE, SYMLINK, OTHER }

  /**
   * One path of the root.
   *
   * @param path absolute inside the root, such as {@code /usr/bin/python3.11}
   * @param mode permission bits including setuid, setgid and sticky (07777)
   * @param size a regular file's bytes; 0 for everything else and for a second hard link
   * @param layer the claw layer that brought it; the root's name for a host folder
   */
  record Node(String path, Kind kind, int mode, long size, String layer) {}

  /** Every path of the root, sorted, without the root itself. */
  List<Node> nodes() throws IOException;

  /** The bytes of the regular file at exactly {@code node}'s path (no links followed). */
  byte[] read(Node node) throws IOException;

  /**
   * The bytes of the regular file that {@code path} leads to, following symbolic links as a
   * process chrooted into the root would: never above the root. Empty when the path leads
   * nowhere, to something that is not a regular file, or loops.
   */
  Optional<byte[]> readResolved(String path) throws IOException;

  /** Names of the files directly in the folder {@code path} leads to; empty if none. */
  List<String> list(String path) throws IOException;
}
