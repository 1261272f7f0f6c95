package dev.claw.image;

import dev.claw.ClawException;
import dev.claw.fs.FileTree;
import dev.claw.host.Exec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How an agent's root filesystem reaches its VM. An initramfs is unpacked into guest memory
 * before init runs: the fastest to boot, but every byte of the image costs guest RAM for the
 * whole run. A disk image is read on demand from a read-only virtio disk, so images larger
 * than the guest's memory boot too; claw's init then mounts it as the root.
 */
public enum ImageFormat {
  /** The whole root in guest memory (the default). */
  INITRAMFS(null),
  /** An ext4 disk image, mounted read-only. */
  EXT4("ext4"),
  /** An EROFS disk image: made to be read-only, and smaller than ext4 for the same tree. */
  EROFS("erofs");

  private final String filesystem;

  ImageFormat(String filesystem) {
    this.filesystem = filesystem;
  }

  /** The format named on the command line ({@code initramfs}, {@code ext4}, {@code erofs}). */
  public static ImageFormat named(String name) {
    for (ImageFormat format : values()) {
      if (format.cliName().equals(name.strip().toLowerCase(Locale.ROOT))) {
        return format;
      }
    }
    throw new ClawException("--format " + name + " is not an image format claw writes",
        "use initramfs, ext4 or erofs");
  }

  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the root is a disk image rather than the initramfs. */
  public boolean isDisk() {
    return filesystem != null;
  }

  /** The disk's filesystem type as the guest kernel names it; only for disk formats. */
  public String filesystem() {
    if (!isDisk()) {
      throw new IllegalStateException(this + " is not a disk format");
    }
    return filesystem;
  }

  /**
   * Does once, without writing anything, what first costs a cold JVM tens of milliseconds
   * each when a disk image is written: spawning a process, and the unix attribute views that
   * stage owners and modes. For a warm-up thread; the writers work without it.
   */
  public static void warmUpDiskWriters() throws IOException {
    Files.readAttributes(Path.of("/"), "unix:*", LinkOption.NOFOLLOW_LINKS);
    Optional<Path> noop = Exec.which("true");
    if (noop.isPresent()) {
      Exec.run(null, List.of(noop.get().toString()));
    }
  }

  /** Writes {@code tree} as a disk image of this format at {@code out}. */
  public void writeDisk(FileTree tree, Path out) throws IOException {
    switch (this) {
      case EXT4:
        Ext4Image.write(tree, out);
        break;
      case EROFS:
        ErofsImage.write(tree, out);
        break;
      default:
        throw new IllegalStateException(this + " is not a disk format");
    }
  }
}
