package dev.claw.image.oci;

import dev.claw.fs.FileTree.Entry;
import dev.claw.host.Sha256;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.Deflater;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * The {@code blobs/sha256} folder of a layout being written: each blob is stored under the hex
 * of its own sha256.
 */
final class BlobStore {
  /** gzip's "unknown" operating system: the header then says nothing about the host. */
  private static final int OS_UNKNOWN = 255;

  private final Path dir;

  /** An image layer as written: its compressed blob and the digest of its plain tar. */
  record Layer(Descriptor blob, String diffId) {}

  BlobStore(Path layoutRoot) throws IOException {
    this.dir = Files.createDirectories(layoutRoot.resolve("blobs").resolve("sha256"));
  }

  /** Stores a document, such as a config or a manifest. */
  Descriptor put(String mediaType, byte[] bytes) throws IOException {
    String hex = Sha256.of(bytes);
    Files.write(dir.resolve(hex), bytes);
    return new Descriptor(mediaType, "sha256:" + hex, bytes.length);
  }

  /**
   * Stores {@code entries} as a gzip-compressed tar. Both digests are taken while the bytes
   * stream to disk, so a layer is never held in memory whole.
   */
  Layer putLayer(List<Entry> entries) throws IOException {
    Path partial = Files.createTempFile(dir, ".layer-", ".partial");
    MessageDigest tarDigest = sha256();
    MessageDigest blobDigest = sha256();
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16)) {
      OutputStream blob = new DigestOutputStream(file, blobDigest);
      OutputStream gzip = new GzipCompressorOutputStream(blob, gzipParameters());
      LayerTar.write(entries, new DigestOutputStream(gzip, tarDigest));
    }

    String hex = HexFormat.of().formatHex(blobDigest.digest());
    long size = Files.size(partial);
    // Two empty layers are the same blob: the second simply lands on the first.
    Files.move(partial, dir.resolve(hex), StandardCopyOption.REPLACE_EXISTING);
    Descriptor descriptor = new Descriptor(OciDocuments.LAYER_TYPE, "sha256:" + hex, size);
    return new Layer(descriptor, "sha256:" + HexFormat.of().formatHex(tarDigest.digest()));
  }

  /**
   * gzip with every header field fixed: no file name, mtime 0, "unknown" OS. The JDK's own
   * GZIPOutputStream writes the same today, but its OS byte changed in JDK 16 (0 before, 255
   * since); naming each field here keeps the header the same on any JDK. The deflate stream
   * itself comes from the zlib the JDK uses, see {@link OciLayout} for what that means.
   */
  private static GzipParameters gzipParameters() {
    GzipParameters parameters = new GzipParameters();
    parameters.setCompressionLevel(Deflater.DEFAULT_COMPRESSION);
    parameters.setModificationTime(0);
    parameters.setOperatingSystem(OS_UNKNOWN);
    return parameters;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
