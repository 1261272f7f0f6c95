package dev.claw.run;

import dev.claw.fs.FileTree;
import dev.claw.guest.RunSpec;
import dev.claw.image.ImageFormat;
import dev.claw.image.Initramfs;
import dev.claw.vm.VmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a VM boots from, written into its private folder. For an initramfs run that is the
 * whole image. For a disk run the image is split in two: a tiny initramfs with what init needs
 * before the disk is mounted (itself, the run spec, the console, the mount points), and a
 * read-only disk image with everything else, on which init then makes its root.
 */
final class BootImages {
  /** Where init mounts the disk before making it the root (see docs/GUEST-PROTOCOL.md). */
  static final String SYSROOT = "/sysroot";

  /** The parts of claw's image that stay in the initramfs when the root is a disk. */
  private static final List<String> INIT_PARTS = List.of("/init", RunSpec.PATH, "/dev/console");

  /**
   * Folders init mounts over or moves into the disk's root, with the modes they get if the
   * image has none: the kernel's filesystems at /dev and /proc, and a tmpfs at /tmp. A
   * read-only root cannot have them made at boot, so the disk must hold them.
   */
  private static final Map<String, Integer> MOUNT_POINTS = Map.of("/dev", 0755, "/proc", 0555,
      "/tmp", 01777);

  /**
   * @param initramfs the archive the kernel unpacks
   * @param rootDisk the disk init mounts as root, for a disk run
   */
  record Written(Path initramfs, Optional<VmSpec.RootDisk> rootDisk) {
    /** Bytes the guest holds in memory from the start: the initramfs, unpacked. */
    long bytesInMemory() throws IOException {
      return Files.size(initramfs);
    }
  }

  private BootImages() {}

  /** Writes {@code image} into {@code dir} as {@code format} asks. */
  static Written write(FileTree image, ImageFormat format, Path dir) throws IOException {
    Path initramfs = dir.resolve("initramfs.cpio");
    if (!format.isDisk()) {
      Initramfs.writeTo(image, initramfs);
      return new Written(initramfs, Optional.empty());
    }

    Path disk = dir.resolve("root." + format.cliName());
    Initramfs.writeTo(initPart(image), initramfs);
    format.writeDisk(diskPart(image), disk);
    return new Written(initramfs, Optional.of(new VmSpec.RootDisk(disk, format.filesystem())));
  }

  /** Init, its spec and console, and the folders init mounts on before the disk is root. */
  static FileTree initPart(FileTree image) {
    FileTree part = new FileTree();
    for (String path : INIT_PARTS) {
      FileTree.Entry entry = image.get(path);
      if (entry == null) {
        throw new IllegalStateException("the image has no " + path + " for the initramfs");
      }
      part.put(entry);
    }
    // The seccomp filter too: init reads it before it switches to the disk.
    image.entries().stream().filter(e -> e.path().startsWith("/claw/")
        && !INIT_PARTS.contains(e.path())).forEach(part::put);
    part.directory("/proc", 0555).directory(SYSROOT, 0755);
    return part;
  }

  /** Everything but what only the initramfs needs, and the folders init mounts on. */
  static FileTree diskPart(FileTree image) {
    FileTree part = new FileTree();
    List<FileTree.Entry> links = new ArrayList<>();
    for (FileTree.Entry entry : image.added()) {
      if (belongsToInit(entry.path())) {
        continue;
      }
      if (entry.type() == FileTree.Type.HARDLINK) {
        links.add(entry); // after the file it names, which may sort later
      } else {
        part.put(entry);
      }
    }
    links.stream().filter(link -> part.contains(link.target())).forEach(part::put);

    MOUNT_POINTS.forEach((path, mode) -> {
      if (!part.contains(path)) {
        part.directory(path, mode);
      } else if (!part.get(path).isDirectory()) {
        throw new IllegalStateException(path + " must be a folder in a disk image, not a "
            + part.get(path).type());
      }
    });
    return part;
  }

  private static boolean belongsToInit(String path) {
    return INIT_PARTS.contains(path) || path.equals("/claw") || path.startsWith("/claw/");
  }
}
