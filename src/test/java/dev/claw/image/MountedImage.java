package dev.claw.image;

import dev.claw.fs.FileTree;
import dev.claw.fs.FileTree.Entry;
import dev.claw.host.Exec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A disk image mounted read-only on the host with the host kernel's own driver, to read back
 * what the guest kernel will see. Needs root and a loop device; {@link #tryMount} says so with
 * an empty result where the host has neither.
 */
final class MountedImage implements AutoCloseable {
  private final Path mountPoint;

  private MountedImage(Path mountPoint) {
    this.mountPoint = mountPoint;
  }

  static java.util.Optional<MountedImage> tryMount(Path image, String type, Path mountPoint)
      throws IOException {
    Files.createDirectories(mountPoint);
    Exec.Result mount = Exec.run(null, List.of("mount", "-t", type,
        "-o", "loop,ro,nosuid,nodev,noexec", image.toString(), mountPoint.toString()));
    return mount.ok() ? java.util.Optional.of(new MountedImage(mountPoint))
        : java.util.Optional.empty();
  }

  Path root() {
    return mountPoint;
  }

  @Override
  public void close() throws IOException {
    Exec.Result umount = Exec.run(null, List.of("umount", mountPoint.toString()));
    if (!umount.ok()) {
      throw new IOException("umount " + mountPoint + ": " + umount.tail(3));
    }
  }

  /**
   * One line per name below the mount point, sorted: type, permission bits, owner, the three
   * timestamps, then size, link text, device numbers, or which earlier name it shares its
   * inode with.
   */
  List<String> listing() throws IOException {
    List<String> lines = new ArrayList<>();
    Map<Object, String> firstNameOfInode = new HashMap<>();
    try (Stream<Path> walk = Files.walk(mountPoint)) {
      for (Path path : walk.sorted().toList()) {
        if (path.equals(mountPoint)) {
          continue;
        }
        String name = "/" + mountPoint.relativize(path);
        lines.add(name + " " + describe(path, name, firstNameOfInode));
      }
    }
    return lines;
  }

  private static String describe(Path path, String name, Map<Object, String> inodes)
      throws IOException {
    Map<String, Object> unix = Files.readAttributes(path, "unix:*", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) unix.get("mode");
    String common = Integer.toOctalString(mode & 07777) + " " + unix.get("uid") + ":"
        + unix.get("gid") + " times=" + seconds(unix, "lastModifiedTime") + ","
        + seconds(unix, "lastAccessTime") + "," + seconds(unix, "ctime");
    if (Files.isSymbolicLink(path)) {
      return "symlink " + common + " -> " + Files.readSymbolicLink(path);
    }
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      return "dir " + common;
    }
    if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
      String first = inodes.putIfAbsent(unix.get("ino"), name);
      return "file " + common + " size=" + unix.get("size")
          + (first == null ? "" : " same-inode-as=" + first);
    }
    long rdev = (Long) unix.get("rdev");
    return "chr " + common + " rdev=" + (rdev >> 8) + ":" + (rdev & 0xff);
  }

  private static long seconds(Map<String, Object> unix, String key) {
    return ((FileTime) unix.get(key)).toMillis() / 1000;
  }

  /** What {@link #listing} must show for {@code tree}, every time being {@code time}. */
  static List<String> expected(FileTree tree, long time) {
    List<String> lines = new ArrayList<>();
    Map<String, String> firstName = new HashMap<>();
    String times = " times=" + time + "," + time + "," + time;
    for (Entry entry : tree.entries()) {
      Entry owner = entry.type() == FileTree.Type.HARDLINK ? tree.get(entry.target()) : entry;
      String common = Integer.toOctalString(owner.mode()) + " " + owner.uid() + ":"
          + owner.gid() + times;
      lines.add(entry.path() + " " + expectedLine(entry, owner, common, firstName));
    }
    return lines;
  }

  private static String expectedLine(Entry entry, Entry owner, String common,
      Map<String, String> firstName) {
    switch (entry.type()) {
      case DIRECTORY:
        return "dir " + common;
      case SYMLINK:
        return "symlink " + common + " -> " + entry.target();
      case CHAR_DEVICE:
        return "chr " + common + " rdev=" + entry.rdevMajor() + ":" + entry.rdevMinor();
      default:
        String first = firstName.putIfAbsent(owner.path(), entry.path());
        return "file " + common + " size=" + owner.content().length
            + (first == null ? "" : " same-inode-as=" + first);
    }
  }
}
