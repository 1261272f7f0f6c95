package dev.claw.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;

/** Reads a cpio archive back into one line per entry, for assertions. */
final class CpioListing {
  private CpioListing() {}

  static String of(byte[] archive) throws IOException {
    StringBuilder listing = new StringBuilder();
    try (CpioArchiveInputStream in = new CpioArchiveInputStream(
        new ByteArrayInputStream(archive))) {
      for (CpioArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        listing.append(e.getName()).append(' ').append(type(e)).append(' ')
            .append(Long.toOctalString(e.getMode() & 07777)).append(' ')
            .append(e.getUID()).append(':').append(e.getGID())
            .append(" mtime=").append(e.getTime() / 1000)
            .append(" ino=").append(e.getInode());
        if (e.getNumberOfLinks() > 1 && !e.isDirectory()) {
          listing.append(" nlink=").append(e.getNumberOfLinks())
              .append(" size=").append(e.getSize());
        }
        if (e.isSymbolicLink()) {
          listing.append(" -> ").append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        if (e.isCharacterDevice()) {
          listing.append(" rdev=").append(e.getRemoteDeviceMaj()).append(':')
              .append(e.getRemoteDeviceMin());
        }
        listing.append('\n');
      }
    }
    return listing.toString();
  }

  private static String type(CpioArchiveEntry entry) {
    if (entry.isDirectory()) {
      return "dir";
    }
    if (entry.isSymbolicLink()) {
      return "link";
    }
    return entry.isCharacterDevice() ? "chr" : "file";
  }
}
