package dev.claw.image.oci;

import dev.claw.ClawException;
import dev.claw.host.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A folder written in full beside its final place and then renamed into it, so whoever looks
 * at the final path sees nothing, an earlier complete layout, or the new complete layout;
 * never a half-written one. Closing it without {@link #publish} removes what was written.
 *
 * <p>The final path may be missing, an empty folder, or an earlier layout (a folder with
 * {@code oci-layout} and {@code index.json}), which is replaced whole: blobs of the old image
 * do not linger in the new one. Anything else there is the user's, and is refused untouched.
 */
final class StagedDirectory implements AutoCloseable {
  private final Path target;
  private final Path staging;
  private boolean published;

  private StagedDirectory(Path target, Path staging) {
    this.target = target;
    this.staging = staging;
  }

  /** Checks that {@code dir} may be written and creates the staging folder beside it. */
  static StagedDirectory beside(Path dir) throws IOException {
    Path target = dir.toAbsolutePath().normalize();
    if (target.getParent() == null) {
      throw new ClawException("cannot write an OCI layout as the root folder itself",
          "give a folder below the root, such as ./image");
    }
    checkReplaceable(target);
    Files.createDirectories(target.getParent());
    // Same parent, so the final rename stays on one filesystem and is atomic. A plain
    // createDirectory keeps the user's umask, unlike a temp directory's fixed 0700.
    Path staging = Files.createDirectory(sibling(target, "partial"));
    return new StagedDirectory(target, staging);
  }

  /** The folder to write into. */
  Path path() {
    return staging;
  }

  /** Moves the staged folder to its final path, replacing an earlier layout there. */
  void publish() throws IOException {
    checkReplaceable(target);
    if (!isEarlierLayout(target)) {
      // rename(2) also replaces an empty folder, atomically.
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      published = true;
      return;
    }

    // Linux can swap two folders atomically (renameat2 RENAME_EXCHANGE), but Java cannot ask
    // for it. Between these two renames the path is briefly missing; it is never partial.
    Path aside = Files.createDirectory(sibling(target, "old"));
    Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
    try {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
      throw e;
    }
    published = true;
    Trees.deleteQuietly(aside);
  }

  @Override
  public void close() {
    if (!published) {
      Trees.deleteQuietly(staging);
    }
  }

  private static Path sibling(Path target, String purpose) {
    return target.resolveSibling("." + target.getFileName() + "." + purpose + "-"
        + UUID.randomUUID());
  }

  private static void checkReplaceable(Path target) throws IOException {
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.isSymbolicLink(target)) {
      throw new ClawException(target + " is a symbolic link, not a folder for the OCI layout",
          "give the real folder's path, or remove the link");
    }
    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new ClawException(target + " is a file, not a folder for the OCI layout",
          "choose a new folder for the layout, or remove " + target);
    }
    if (!isEmpty(target) && !isEarlierLayout(target)) {
      throw new ClawException(target + " already holds files and is not an OCI layout",
          "choose a new or empty folder for the layout, or remove " + target + " first");
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> children = Files.list(dir)) {
      return children.findAny().isEmpty();
    }
  }

  private static boolean isEarlierLayout(Path dir) {
    return Files.isRegularFile(dir.resolve("oci-layout"), LinkOption.NOFOLLOW_LINKS)
        && Files.isRegularFile(dir.resolve("index.json"), LinkOption.NOFOLLOW_LINKS);
  }
}
