package dev.claw.deb;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * How a .deb member is compressed, told by its name as dpkg does ({@code data.tar.xz}). All
 * decoders are pure Java, so reading a package runs nothing from the host.
 */
enum Compression {
  NONE(""),
  GZIP(".gz"),
  XZ(".xz"),
  ZSTD(".zst"),
  BZIP2(".bz2");

  private final String suffix;

  Compression(String suffix) {
    this.suffix = suffix;
  }

  /**
   * The compression of member {@code name}, which starts with {@code stem} ("data.tar");
   * null if the suffix is not one claw reads.
   */
  static Compression of(String name, String stem) {
    String suffix = name.substring(stem.length());
    for (Compression compression : values()) {
      if (compression.suffix.equals(suffix)) {
        return compression;
      }
    }
    return null;
  }

  /** The suffixes claw reads, for messages. */
  static String known() {
    return "none, .gz, .xz, .zst, .bz2";
  }

  InputStream decode(InputStream in) throws IOException {
    switch (this) {
      case GZIP:
        return new GZIPInputStream(in);
      case XZ:
        return new XZCompressorInputStream(in);
      case ZSTD:
        return new ZstdInputStream(in);
      case BZIP2:
        return new BZip2CompressorInputStream(in);
      default:
        return in;
    }
  }
}
