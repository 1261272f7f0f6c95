package dev.claw.image;

import dev.claw.ClawException;
import dev.claw.fs.FileTree;
import dev.claw.fs.FileTree.Entry;
import dev.claw.host.Exec;
import dev.claw.host.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What the ext4 and erofs writers share: their tools, an image's identity, host failures. */
final class DiskImages {
  private DiskImages() {}

  /** The tool {@code name} from Debian's {@code debianPackage}, or how to install it. */
  static Path tool(String name, String debianPackage) {
    return Exec.which(name).orElseThrow(() -> new ClawException(name + " is not installed; "
        + "claw writes disk images with it", "run scripts/setup, or: apt-get install "
        + debianPackage));
  }

  /**
   * Runs an image tool with nothing of claw's environment but PATH: a locale changes the order
   * mke2fs sorts names in, and variables such as MKE2FS_FIRST_META_BG change the layout.
   */
  static Exec.Result run(Map<String, String> variables, List<String> command)
      throws IOException {
    Map<String, String> environment = new HashMap<>(variables);
    environment.put("PATH", System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin"));
    environment.put("LC_ALL", "C");
    environment.put("TZ", "UTC");
    return Exec.runWithOnly(environment, command);
  }

  /**
   * A UUID that names the tree: the same tree always gets the same one, another tree (almost
   * surely) another. Built from the entries' names, kinds, owners, modes, sizes and link
   * texts, not their bytes, so it costs nothing on a large image. {@code purpose} tells apart
   * the several identifiers one image needs (its UUID, its directory hash seed).
   */
  static UUID uuid(FileTree tree, String purpose) {
    Sha256 digest = Sha256.start().add("claw disk image " + purpose);
    for (Entry entry : tree.entries()) {
      digest.add(entry.path() + " " + entry.type() + " " + entry.uid() + ":" + entry.gid()
          + " " + Integer.toOctalString(entry.mode()) + " " + entry.size() + " "
          + entry.rdevMajor() + ":" + entry.rdevMinor() + " " + entry.target());
    }
    ByteBuffer bytes = ByteBuffer.wrap(HexFormat.of().parseHex(digest.hex()));
    long high = bytes.getLong();
    long low = bytes.getLong();
    // RFC 9562 version 8 (custom) with the standard variant, as a UUID made from a hash is.
    high = (high & ~0xF000L) | 0x8000L;
    low = (low & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low);
  }

  /** Moves the finished image into place in one step, replacing an older one. */
  static void moveInto(Path finished, Path image) throws IOException {
    Files.move(finished, image, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  /** Fails with a {@link ClawException} if {@code failure} is the host's, not claw's. */
  static void throwIfHostProblem(Exception failure, Path image) {
    String message = String.valueOf(failure.getMessage());
    if (message.contains("No space left on device")) {
      throw hostDiskFull(image, failure);
    }
    if (message.contains("Operation not permitted") && !(failure instanceof ClawException)) {
      throw new ClawException("cannot give the image's files their owners, or make its device "
          + "nodes, as this user (" + message + ")",
          "run claw as root to write disk images, or use --format initramfs", failure);
    }
  }

  /** The host's disk filled up while an image was written there. */
  static ClawException hostDiskFull(Path image, Throwable cause) {
    return new ClawException("the disk that holds " + image.toAbsolutePath().getParent()
        + " is full; the image could not be written",
        "free some space there, or set CLAW_RUNTIME to a folder on a larger disk", cause);
  }

  /**
   * A tool that failed, with its own last words, for the caller to throw; a full host disk is
   * the user's to fix and is thrown here as a {@link ClawException} instead.
   */
  static IOException toolFailed(Exec.Result result, Path image) {
    String tail = result.tail(5);
    if (tail.contains("No space left on device")) {
      throw hostDiskFull(image, new IOException(tail));
    }
    return new IOException(result.command().get(0) + " failed (exit " + result.exitCode()
        + ") writing " + image + ":\n" + tail);
  }
}
