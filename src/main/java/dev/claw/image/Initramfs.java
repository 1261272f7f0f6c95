package dev.claw.image;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * An initramfs: a cpio archive in the kernel's "newc" format, unpacked into the guest's root
 * before init runs.
 *
 * <p>Reproducibility contract: the same entries give the same bytes, whatever the host, the
 * clock, the umask or the order in which entries were added. To get there, entries are written
 * sorted by path; every parent directory is written (before its children) even when nobody
 * added it; every entry has mtime 0, the owner and mode it was given and nothing from the host
 * file; inode numbers are the entry's position in that order; links count 1 for files, 2 for
 * directories. A golden-digest test pins the exact bytes.
 */
public final class Initramfs {
  private static final int DIR_MODE = 0755;

  private final TreeMap<String, Entry> entries = new TreeMap<>();

  /** One thing in the archive. {@code path} is absolute inside the guest. */
  public record Entry(String path, Type type, int mode, int uid, int gid, byte[] content,
      int rdevMajor, int rdevMinor) {

    public enum Type { DIRECTORY, FILE, CHAR_DEVICE }
  }

  /** Adds a directory owned by root. */
  public Initramfs directory(String path, int mode) {
    return put(new Entry(path, Entry.Type.DIRECTORY, mode, 0, 0, new byte[0], 0, 0));
  }

  /** Adds a regular file owned by root. */
  public Initramfs file(String path, int mode, byte[] content) {
    return put(new Entry(path, Entry.Type.FILE, mode, 0, 0, content, 0, 0));
  }

  /** Adds a character device node owned by root. */
  public Initramfs charDevice(String path, int mode, int major, int minor) {
    return put(new Entry(path, Entry.Type.CHAR_DEVICE, mode, 0, 0, new byte[0], major, minor));
  }

  /** Whether something was already added at {@code path}; the root always exists. */
  public boolean contains(String path) {
    String key = relative(path);
    return key.isEmpty() || entries.containsKey(key);
  }

  /** The entry at {@code path}, if any. */
  public Entry get(String path) {
    return entries.get(relative(path));
  }

  /**
   * What already in the archive keeps something of {@code type} from going at {@code path}: a
   * file where one of its folders would be, or entries below a path that would be a file. The
   * kernel would skip such entries without a word.
   */
  public Optional<String> conflictAt(String path, Entry.Type type) {
    String key = relative(path);
    for (Path parent = Path.of(key).getParent(); parent != null; parent = parent.getParent()) {
      Entry above = entries.get(parent.toString());
      if (above != null && !isDir(above)) {
        return Optional.of(above.path() + " is a file, so nothing can go inside it");
      }
    }
    String below = entries.ceilingKey(key + "/");
    if (type != Entry.Type.DIRECTORY && below != null && below.startsWith(key + "/")) {
      return Optional.of("/" + below + " is inside " + path + ", so it must be a folder");
    }
    return Optional.empty();
  }

  private Initramfs put(Entry entry) {
    String key = relative(entry.path());
    if (key.isEmpty()) {
      throw new IllegalArgumentException("the root directory is implicit: " + entry.path());
    }
    Optional<String> conflict = conflictAt(entry.path(), entry.type());
    if (conflict.isPresent()) {
      throw new IllegalArgumentException(conflict.get());
    }
    Entry previous = entries.get(key);
    if (previous != null && !(isDir(previous) && isDir(entry))) {
      throw new IllegalArgumentException("two entries for " + entry.path());
    }
    entries.put(key, entry);
    return this;
  }

  private static boolean isDir(Entry entry) {
    return entry.type() == Entry.Type.DIRECTORY;
  }

  /** cpio names have no leading slash; the kernel unpacks them relative to the root. */
  private static String relative(String path) {
    String normal = Path.of("/").resolve(path).normalize().toString();
    return normal.substring(1);
  }

  /** Writes the archive. */
  public void writeTo(OutputStream out) throws IOException {
    List<Entry> ordered = withParents();
    try (CpioArchiveOutputStream cpio =
        new CpioArchiveOutputStream(new NonClosing(out), CpioConstants.FORMAT_NEW)) {
      long inode = 1;
      for (Entry entry : ordered) {
        cpio.putArchiveEntry(header(entry, inode++));
        cpio.write(entry.content());
        cpio.closeArchiveEntry();
      }
      cpio.finish();
    }
  }

  /** Writes the archive to {@code file} through a temporary file, so no half image is left. */
  public void writeTo(Path file) throws IOException {
    // A fresh, exclusive name: never someone else's file, never a concurrent build's.
    Path partial = Files.createTempFile(file.toAbsolutePath().getParent(),
        "." + file.getFileName(), ".partial");
    try {
      try (OutputStream out = Files.newOutputStream(partial)) {
        writeTo(out);
      }
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private List<Entry> withParents() {
    Map<String, Entry> all = new TreeMap<>(entries);
    for (String path : entries.keySet()) {
      for (Path parent = Path.of(path).getParent(); parent != null; parent = parent.getParent()) {
        all.putIfAbsent(parent.toString(), new Entry("/" + parent, Entry.Type.DIRECTORY,
            DIR_MODE, 0, 0, new byte[0], 0, 0));
      }
    }
    // TreeMap order already puts "a" before "a/b"; "a-b" sorts before "a/b" but that's fine
    // for the kernel, which creates each entry by full path once its parent exists.
    return new ArrayList<>(all.values());
  }

  private static CpioArchiveEntry header(Entry entry, long inode) {
    String name = relative(entry.path());
    CpioArchiveEntry header = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name);
    header.setMode(typeBits(entry.type()) | (entry.mode() & 07777));
    header.setUID(entry.uid());
    header.setGID(entry.gid());
    // commons-compress fills in "now" for an entry without a time; we never leave it unset.
    header.setTime(0);
    header.setInode(inode);
    header.setDeviceMaj(0);
    header.setDeviceMin(0);
    header.setNumberOfLinks(entry.type() == Entry.Type.DIRECTORY ? 2 : 1);
    header.setRemoteDeviceMaj(entry.rdevMajor());
    header.setRemoteDeviceMin(entry.rdevMinor());
    header.setSize(entry.content().length);
    return header;
  }

  private static int typeBits(Entry.Type type) {
    return switch (type) {
      case DIRECTORY -> CpioConstants.C_ISDIR;
      case FILE -> CpioConstants.C_ISREG;
      case CHAR_DEVICE -> CpioConstants.C_ISCHR;
    };
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
