package dev.claw.image;

import dev.claw.ClawException;
import dev.claw.fs.FileTree;
import dev.claw.fs.FileTree.Entry;
import dev.claw.host.Exec;
import dev.claw.host.Trees;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link FileTree} written out as real files, for the mkfs tools that read a folder
 * ({@code mke2fs -d}, {@code mkfs.erofs}). It lives in a scratch folder next to the image being
 * written, private to this user (0700) and deleted on {@link #close}, so a crash leaves it
 * where the image's own folder is cleaned up anyway.
 *
 * <p>Every entry gets exactly what the tree says: the mode with its setuid, setgid and sticky
 * bits, the owner (links included), the bytes, the symbolic link's text as stored, hard links
 * as links to one file, character devices. Then every timestamp, folders and links included,
 * is set to {@link #FIXED_TIME}, after the last child was written. What the host adds on its
 * own (ctime, atime on read, readdir order, xattrs) is the image writers' to shut out.
 *
 * <p>Owners other than the user running claw, and device nodes, need root.
 */
final class StagedTree implements AutoCloseable {
  /**
   * Every timestamp in claw's disk images, in seconds since 1970. Not 0: e2fsprogs takes a
   * fake time of 0 as "use the clock", so 1 is the earliest time every tool keeps as given.
   */
  static final long FIXED_TIME = 1;

  /** How the JVM turns file names into bytes: the locale's encoding, often not UTF-8. */
  private static final Charset NAME_ENCODING =
      Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));

  private final Path scratch;
  private final Path root;

  private StagedTree(Path scratch) {
    this.scratch = scratch;
    this.root = scratch.resolve("root");
  }

  /** Stages {@code tree} in a new scratch folder beside {@code image}. */
  static StagedTree stage(FileTree tree, Path image) throws IOException {
    return stage(tree.entries(), image);
  }

  /**
   * Stages {@code entries} in the order given, which only tests choose: the images must not
   * depend on it. Parents missing at the time a child comes are made first.
   */
  static StagedTree stage(List<Entry> entries, Path image) throws IOException {
    Path folder = image.toAbsolutePath().getParent();
    StagedTree staged = new StagedTree(Files.createTempDirectory(folder,
        "." + image.getFileName() + ".stage-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
    try {
      staged.write(entries);
      return staged;
    } catch (IOException | RuntimeException e) {
      staged.close();
      DiskImages.throwIfHostProblem(e, image);
      throw e;
    }
  }

  /** The folder that holds the tree: the image's root directory. */
  Path root() {
    return root;
  }

  /** The private scratch folder around {@link #root}, for the tools' own files. */
  Path scratch() {
    return scratch;
  }

  @Override
  public void close() {
    Trees.deleteQuietly(scratch);
  }

  private void write(List<Entry> entries) throws IOException {
    Files.createDirectory(root);
    List<Entry> hardLinks = new ArrayList<>();
    for (Entry entry : entries) {
      if (entry.type() == FileTree.Type.HARDLINK) {
        hardLinks.add(entry);
      } else {
        create(entry);
      }
    }
    // Last: a link may sort before the file it names, which must exist first.
    for (Entry link : hardLinks) {
      Files.createLink(hostPath(link.path()), hostPath(link.target()));
    }

    // Owners before modes (chown clears setuid bits), modes before times (chmod is a change).
    for (Entry entry : entries) {
      setOwnerAndMode(entry);
    }
    // The tree's root is implicit: root's own, 0755. Set, not assumed: a setgid folder above
    // would hand down its group.
    Files.setAttribute(root, "unix:uid", 0);
    Files.setAttribute(root, "unix:gid", 0);
    Files.setAttribute(root, "unix:mode", 0755);
    for (Entry entry : entries) {
      setTime(hostPath(entry.path()));
    }
    setTime(root);
  }

  private void create(Entry entry) throws IOException {
    Path path = hostPath(entry.path());
    Files.createDirectories(path.getParent());
    switch (entry.type()) {
      case DIRECTORY:
        // Made already if a child came first; its mode is set later either way.
        Files.createDirectories(path);
        break;
      case FILE:
        Files.write(path, entry.content(), StandardOpenOption.CREATE_NEW);
        break;
      case SYMLINK:
        symlink(path, entry.target());
        break;
      case CHAR_DEVICE:
        run(List.of("mknod", "--", path.toString(), "c", String.valueOf(entry.rdevMajor()),
            String.valueOf(entry.rdevMinor())), entry);
        break;
      default:
        throw new IllegalArgumentException("cannot stage " + entry.type() + " " + entry.path());
    }
  }

  /**
   * Java parses a link's text as a path, which drops doubled and trailing slashes; such a
   * text goes through ln instead, so the image keeps it as the tree stores it.
   */
  private static void symlink(Path path, String target) throws IOException {
    if (Path.of(target).toString().equals(target)) {
      Files.createSymbolicLink(path, Path.of(target));
      return;
    }
    Exec.Result ln = Exec.run(null, List.of("ln", "-s", "-T", "--", target, path.toString()));
    if (!ln.ok()) {
      throw new IOException("ln -s " + target + " " + path + ": " + ln.tail(3));
    }
  }

  private void setOwnerAndMode(Entry entry) throws IOException {
    if (entry.type() == FileTree.Type.HARDLINK) {
      return; // another name for a file that has its own owner and mode
    }
    Path path = hostPath(entry.path());
    Files.setAttribute(path, "unix:uid", entry.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:gid", entry.gid(), LinkOption.NOFOLLOW_LINKS);
    if (entry.type() != FileTree.Type.SYMLINK) {
      Files.setAttribute(path, "unix:mode", entry.mode() & 07777);
    }
  }

  private static void setTime(Path path) throws IOException {
    FileTime time = FileTime.fromMillis(FIXED_TIME * 1000);
    Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setTimes(time, time, null);
  }

  /**
   * The host path of an image path. An encoding that cannot hold the name would stage
   * another name in its place, silently.
   */
  private Path hostPath(String imagePath) {
    if (!NAME_ENCODING.newEncoder().canEncode(imagePath)) {
      throw new ClawException("the image has a file name that claw cannot write in this "
          + "locale (" + NAME_ENCODING + "): " + imagePath,
          "run claw in a UTF-8 locale, such as LANG=C.UTF-8");
    }
    return root.resolve(imagePath.substring(1));
  }

  private static void run(List<String> command, Entry entry) throws IOException {
    Exec.Result result = Exec.run(null, command);
    if (!result.ok()) {
      throw new IOException(command.get(0) + " " + entry.path() + ": " + result.tail(3));
    }
  }
}
