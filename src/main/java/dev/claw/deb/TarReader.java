package dev.claw.deb;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads the entries of one (decompressed) tarball and notices when it is cut short.
 *
 * <p>commons-compress reports a tarball that ends inside an entry, but one that ends exactly
 * between two entries looks like a complete archive to it. A real tarball ends with a record
 * of zeros, so this reader counts the bytes consumed and insists that at least one whole
 * record follows the last entry's data.
 */
final class TarReader implements AutoCloseable {
  private static final int RECORD = 512;
  // The largest array a JVM will allocate; a bigger entry cannot be held in a FileTree.
  private static final long MAX_CONTENT = Integer.MAX_VALUE - 8;

  private final CountingStream counted;
  private final TarArchiveInputStream tar;
  private long endOfLastEntry;

  TarReader(InputStream decompressed) {
    this.counted = new CountingStream(decompressed);
    this.tar = new TarArchiveInputStream(counted, "UTF-8");
  }

  /** The next entry, or null at the end of a complete tarball. */
  DebEntry next() throws IOException, DebFormatException {
    TarArchiveEntry header = tar.getNextEntry();
    if (header == null) {
      checkEndRecord();
      return null;
    }
    DebEntry.Kind kind = kindOf(header);
    byte[] content = kind == DebEntry.Kind.FILE ? content(header) : new byte[0];
    endOfLastEntry = counted.count;

    String linkName = header.getLinkName() == null ? "" : header.getLinkName();
    return new DebEntry(header.getName(), kind, (char) header.getLinkFlag(),
        header.getMode() & 07777, header.getLongUserId(), header.getLongGroupId(),
        nullToEmpty(header.getUserName()), nullToEmpty(header.getGroupName()), linkName,
        content);
  }

  private byte[] content(TarArchiveEntry header) throws IOException, DebFormatException {
    if (header.getSize() > MAX_CONTENT) {
      throw new DebFormatException(header.getName() + " is " + header.getSize()
          + " bytes, more than claw can hold in memory");
    }
    byte[] content = tar.readNBytes((int) header.getSize());
    if (content.length != header.getSize()) {
      throw new DebFormatException("it ends inside " + header.getName()
          + ": the tarball is cut short");
    }
    return content;
  }

  private void checkEndRecord() throws DebFormatException {
    long alignedEnd = (endOfLastEntry + RECORD - 1) / RECORD * RECORD;
    if (counted.count < alignedEnd + RECORD) {
      throw new DebFormatException("the tarball stops after " + counted.count
          + " bytes without the end-of-archive record: it is cut short");
    }
  }

  /** The kind of a tar entry, by its type byte, as dpkg's own extractor knows them. */
  private static DebEntry.Kind kindOf(TarArchiveEntry header) {
    switch (header.getLinkFlag()) {
      case '0':
      case 0:
        return header.isSparse() ? DebEntry.Kind.OTHER : DebEntry.Kind.FILE;
      case '1':
        return DebEntry.Kind.HARDLINK;
      case '2':
        return DebEntry.Kind.SYMLINK;
      case '3':
        return DebEntry.Kind.CHAR_DEVICE;
      case '4':
        return DebEntry.Kind.BLOCK_DEVICE;
      case '5':
        return DebEntry.Kind.DIRECTORY;
      case '6':
        return DebEntry.Kind.FIFO;
      default:
        return DebEntry.Kind.OTHER;
    }
  }

  private static String nullToEmpty(String text) {
    return text == null ? "" : text;
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }

  /** Counts the bytes the tar reader takes from the decompressed stream. */
  private static final class CountingStream extends FilterInputStream {
    long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      count += skipped;
      return skipped;
    }
  }
}
