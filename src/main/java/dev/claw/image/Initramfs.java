package dev.claw.image;

import dev.claw.fs.FileTree;
import dev.claw.fs.FileTree.Entry;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * Writes a {@link FileTree} as an initramfs: a cpio archive in the kernel's "newc" format,
 * unpacked into the guest's root before init runs.
 *
 * <p>Reproducibility contract: the same tree gives the same bytes, whatever the host, the
 * clock, the umask or the order in which entries were added. Entries are written sorted by
 * path, every parent before its children; every entry has mtime 0 and the owner and mode the
 * tree gives it; inode numbers are the entry's position in that order. Links count 2 for
 * folders and 1 for files, except files with hard links: those share one inode, count every
 * name, and carry their bytes in the first name written (the kernel links later names to it).
 * A golden-digest test pins the exact bytes.
 */
public final class Initramfs {
  private Initramfs() {}

  /** Writes {@code tree} as a cpio archive to {@code out}, which stays open. */
  public static void write(FileTree tree, OutputStream out) throws IOException {
    List<Entry> ordered = tree.entries();
    Map<String, Integer> linkCounts = linkCounts(ordered);
    Map<String, Long> inodes = new HashMap<>();

    try (CpioArchiveOutputStream cpio =
        new CpioArchiveOutputStream(new NonClosing(out), CpioConstants.FORMAT_NEW)) {
      long position = 1;
      for (Entry entry : ordered) {
        String file = fileOf(entry);
        Long shared = file == null ? null : inodes.get(file);
        long inode = shared != null ? shared : position;
        boolean firstNameOfFile = file != null && shared == null;
        if (firstNameOfFile) {
          inodes.put(file, inode);
        }
        position++;

        byte[] body = body(tree, entry, firstNameOfFile);
        int links = file == null ? (entry.isDirectory() ? 2 : 1) : linkCounts.get(file);
        // A hard link has no mode or owner of its own: it is another name for the file.
        Entry owner = entry.type() == FileTree.Type.HARDLINK ? tree.get(file) : entry;
        cpio.putArchiveEntry(header(entry, owner, inode, links, body.length));
        cpio.write(body);
        cpio.closeArchiveEntry();
      }
      cpio.finish();
    }
  }

  /** Writes {@code tree} to {@code file} through a temporary file, so no half image is left. */
  public static void writeTo(FileTree tree, Path file) throws IOException {
    // A fresh, exclusive name: never someone else's file, never a concurrent build's.
    Path partial = Files.createTempFile(file.toAbsolutePath().getParent(),
        "." + file.getFileName(), ".partial");
    try {
      try (OutputStream out = Files.newOutputStream(partial)) {
        write(tree, out);
      }
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  /** The regular file an entry's bytes belong to, for files and hard links; else null. */
  private static String fileOf(Entry entry) {
    switch (entry.type()) {
      case FILE:
        return entry.path();
      case HARDLINK:
        return entry.target();
      default:
        return null;
    }
  }

  private static Map<String, Integer> linkCounts(List<Entry> ordered) {
    Map<String, Integer> counts = new HashMap<>();
    for (Entry entry : ordered) {
      String file = fileOf(entry);
      if (file != null) {
        counts.merge(file, 1, Integer::sum);
      }
    }
    return counts;
  }

  private static byte[] body(FileTree tree, Entry entry, boolean firstNameOfFile) {
    switch (entry.type()) {
      case SYMLINK:
        return entry.target().getBytes(StandardCharsets.UTF_8);
      case FILE:
        return firstNameOfFile ? entry.content() : new byte[0];
      case HARDLINK:
        return firstNameOfFile ? tree.get(entry.target()).content() : new byte[0];
      default:
        return new byte[0];
    }
  }

  private static CpioArchiveEntry header(Entry entry, Entry owner, long inode, int links,
      long size) {
    // cpio names have no leading slash; the kernel unpacks them relative to the root.
    CpioArchiveEntry header = new CpioArchiveEntry(CpioConstants.FORMAT_NEW,
        entry.path().substring(1));
    header.setMode(typeBits(entry.type()) | (owner.mode() & 07777));
    header.setUID(owner.uid());
    header.setGID(owner.gid());
    // commons-compress fills in "now" for an entry without a time; we never leave it unset.
    header.setTime(0);
    header.setInode(inode);
    header.setDeviceMaj(0);
    header.setDeviceMin(0);
    header.setNumberOfLinks(links);
    header.setRemoteDeviceMaj(entry.rdevMajor());
    header.setRemoteDeviceMin(entry.rdevMinor());
    header.setSize(size);
    return header;
  }

  private static int typeBits(FileTree.Type type) {
    switch (type) {
      case DIRECTORY:
        return CpioConstants.C_ISDIR;
      case FILE:
      case HARDLINK:
        return CpioConstants.C_ISREG;
      case SYMLINK:
        return CpioConstants.C_ISLNK;
      case CHAR_DEVICE:
        return CpioConstants.C_ISCHR;
      default:
        throw new IllegalArgumentException("no cpio type for " + type);
    }
  }

  /** Lets the cpio stream finish the archive without closing the caller's stream. */
  private static final class NonClosing extends FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
