package dev.claw.image.oci;

import dev.claw.fs.FileTree.Entry;
import dev.claw.fs.FileTree.Type;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes one image layer's entries as an uncompressed tar, in POSIX (pax) form.
 *
 * <p>Reproducibility contract: the bytes depend only on the entries given. Every header has
 * mtime 0, the entry's numeric uid and gid with empty user and group names (commons-compress
 * would otherwise fill in the host's user name), and the permission bits alone as its mode;
 * names are UTF-8 whatever the host's locale. Names over 100 bytes, non-ASCII names and ids or
 * device numbers too big for the classic header go into pax records, never GNU extensions, so
 * any OCI tool reads them.
 */
final class LayerTar {
  private LayerTar() {}

  /** Writes {@code entries}, already in archive order, to {@code out} and closes it. */
  static void write(List<Entry> entries, OutputStream out) throws IOException {
    try (TarArchiveOutputStream tar =
        new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name())) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setAddPaxHeadersForNonAsciiNames(true);
      for (Entry entry : entries) {
        tar.putArchiveEntry(header(entry));
        if (entry.type() == Type.FILE) {
          tar.write(entry.content());
        }
        tar.closeArchiveEntry();
      }
      tar.finish();
    }
  }

  private static TarArchiveEntry header(Entry entry) {
    TarArchiveEntry header = new TarArchiveEntry(name(entry), linkFlag(entry), true);
    header.setMode(entry.mode() & 07777);
    header.setUserId(entry.uid());
    header.setGroupId(entry.gid());
    header.setUserName("");
    header.setGroupName("");
    // commons-compress stamps "now" on a new entry; a fixed time keeps the bytes the same.
    header.setModTime(0);

    switch (entry.type()) {
      case FILE:
        header.setSize(entry.content().length);
        break;
      case SYMLINK:
        header.setLinkName(entry.target());
        break;
      case HARDLINK:
        header.setLinkName(entry.target().substring(1));
        break;
      case CHAR_DEVICE:
        header.setDevMajor(entry.rdevMajor());
        header.setDevMinor(entry.rdevMinor());
        break;
      default:
        break;
    }
    return header;
  }

  /** Relative to the layer's root, as image layers are; folders end in a slash, as tar's do. */
  private static String name(Entry entry) {
    String relative = entry.path().substring(1);
    return entry.isDirectory() ? relative + "/" : relative;
  }

  private static byte linkFlag(Entry entry) {
    switch (entry.type()) {
      case DIRECTORY:
        return TarConstants.LF_DIR;
      case FILE:
        return TarConstants.LF_NORMAL;
      case SYMLINK:
        return TarConstants.LF_SYMLINK;
      case HARDLINK:
        return TarConstants.LF_LINK;
      case CHAR_DEVICE:
        return TarConstants.LF_CHR;
      default:
        throw new IllegalArgumentException("no tar type for " + entry.type());
    }
  }
}
