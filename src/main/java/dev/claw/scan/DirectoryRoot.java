package dev.claw.scan;

import dev.claw.ClawException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An unpacked root on the host, such as {@code /} or a container's extracted filesystem, read
 * without changing anything. No symbolic link is followed out of it: the walk follows none,
 * and a path is resolved as a process chrooted into the folder would resolve it. The walk
 * stays on the root's own filesystem, as {@code find -xdev} does, so that {@code /proc},
 * {@code /sys} and other mounts are not scanned as if they were files of the root.
 */
public final class DirectoryRoot implements RootView {
  private static final int MAX_LINK_HOPS = 40;
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  private final Path root;
  private final String layer;

  /**
   * @param root the folder to scan
   * @param layer what to call its contents in per-layer tables, such as the folder's name
   */
  public DirectoryRoot(Path root, String layer) {
    if (!Files.isDirectory(root)) {
      throw new ClawException(root + " is not a folder", "give --rootfs an unpacked root "
          + "filesystem, such as / or a folder an image was extracted into");
    }
    this.root = root.toAbsolutePath().normalize();
    this.layer = layer;
  }

  @Override
  public List<Node> nodes() throws IOException {
    List<Node> nodes = new ArrayList<>();
    Object device = Files.getAttribute(root, "unix:dev", NOFOLLOW);
    Set<List<Object>> seenInodes = new HashSet<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        if (dir.equals(root)) {
          return FileVisitResult.CONTINUE;
        }
        nodes.add(node(dir, Map.of("mode", mode(dir), "size", 0L)));
        return device.equals(Files.getAttribute(dir, "unix:dev", NOFOLLOW))
            ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Map<String, Object> unix = Files.readAttributes(file, "unix:mode,size,ino,nlink",
            NOFOLLOW);
        boolean again = (Integer) unix.get("nlink") > 1 && attrs.isRegularFile()
            && !seenInodes.add(List.of(unix.get("ino")));
        nodes.add(node(file, again ? Map.of("mode", unix.get("mode"), "size", 0L) : unix));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        // An unreadable file (permissions) is left out rather than ending the scan.
        return FileVisitResult.CONTINUE;
      }
    });
    return nodes;
  }

  private int mode(Path path) throws IOException {
    return (Integer) Files.getAttribute(path, "unix:mode", NOFOLLOW);
  }

  private Node node(Path path, Map<String, Object> unix) {
    int mode = (Integer) unix.get("mode");
    Kind kind = kindOf(mode);
    long size = kind == Kind.FILE ? (Long) unix.get("size") : 0;
    return new Node("/" + root.relativize(path).toString(), kind, mode & 07777, size, layer);
  }

  private static Kind kindOf(int stMode) {
    switch (stMode & 0170000) {
      case 0040000:
        return Kind.DIRECTORY;
      case 0100000:
        return Kind.FILE;
      case 0120000:
        return Kind.SYMLINK;
      default:
        return Kind.OTHER;
    }
  }

  @Override
  public byte[] read(Node node) throws IOException {
    Path file = root.resolve(node.path().substring(1));
    if (!Files.isRegularFile(file, NOFOLLOW)) {
      return new byte[0];
    }
    return Files.readAllBytes(file);
  }

  @Override
  public Optional<byte[]> readResolved(String path) throws IOException {
    Optional<Path> file = resolve(path).filter(p -> Files.isRegularFile(p, NOFOLLOW));
    return file.isEmpty() ? Optional.empty() : Optional.of(Files.readAllBytes(file.get()));
  }

  @Override
  public List<String> list(String path) throws IOException {
    Optional<Path> folder = resolve(path).filter(p -> Files.isDirectory(p, NOFOLLOW));
    if (folder.isEmpty()) {
      return List.of();
    }
    try (var children = Files.list(folder.get())) {
      return children.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * Where {@code path} leads, links followed inside the root: an absolute link starts again
   * at the root, and ".." stops at the root, as after chroot(2).
   */
  Optional<Path> resolve(String path) throws IOException {
    Deque<String> pending = new ArrayDeque<>(parts(path));
    List<String> done = new ArrayList<>();
    int hops = 0;
    while (!pending.isEmpty()) {
      String part = pending.pop();
      if (part.equals("..")) {
        if (!done.isEmpty()) {
          done.remove(done.size() - 1);
        }
        continue;
      }
      Path current = root.resolve(String.join("/", done)).resolve(part);
      if (!Files.isSymbolicLink(current)) {
        if (!Files.exists(current, NOFOLLOW)) {
          return Optional.empty();
        }
        done.add(part);
        continue;
      }

      if (++hops > MAX_LINK_HOPS) {
        return Optional.empty();
      }
      String target = Files.readSymbolicLink(current).toString();
      if (target.startsWith("/")) {
        done.clear();
      }
      List<String> targetParts = parts(target);
      for (int i = targetParts.size() - 1; i >= 0; i--) {
        pending.push(targetParts.get(i));
      }
    }
    return Optional.of(root.resolve(String.join("/", done)));
  }

  private static List<String> parts(String path) {
    return Arrays.stream(path.split("/")).filter(p -> !p.isEmpty() && !p.equals("."))
        .toList();
  }
}
