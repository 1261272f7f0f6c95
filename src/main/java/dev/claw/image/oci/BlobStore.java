package dev.claw.image.oci;

import dev.claw.fs.FileTree.Entry;
import dev.claw.host.Sha256;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
  private int layersWritten;

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
    // The staging folder is new and ours, so a plain name cannot collide; unlike a temp
    // file's fixed 0600 it gets the user's umask, as the other blobs do.
    Path partial = dir.resolve(".layer-" + layersWritten++ + ".partial");
    Sha256 tarDigest = Sha256.start();
    Sha256 blobDigest = Sha256.start();
    try (OutputStream file = new BufferedOutputStream(
        Files.newOutputStream(partial, StandardOpenOption.CREATE_NEW), 1 << 16)) {
      OutputStream blob = blobDigest.digesting(file);
      OutputStream gzip = new GzipCompressorOutputStream(blob, gzipParameters());
      LayerTar.write(entries, tarDigest.digesting(gzip));
    }

    String hex = blobDigest.hex();
    long size = Files.size(partial);
    // Two equal layers (two empty ones, say) are one blob: the second lands on the first.
    Files.move(partial, dir.resolve(hex), StandardCopyOption.REPLACE_EXISTING);
    Descriptor descriptor = new Descriptor(OciDocuments.LAYER_TYPE, "sha256:" + hex, size);
    return new Layer(descriptor, "sha256:" + tarDigest.hex());
  }

  /**
   * gzip at zlib's default level (6): on 52 MB of Python's standard library, level 9 took 8
   * times as long (13 s against 1.7 s) to save 1.3 %.
   *
   * <p>Every header field is fixed: no file name, mtime 0, "unknown" OS. The JDK's own
   * GZIPOutputStream writes the same today, but its OS byte changed in JDK 16 (JDK-8244706:
   * 0 before, 255 since); naming each field here keeps the header the same on any JDK. The
   * deflate stream itself comes from the zlib the JDK uses, see {@link OciLayout} for what
   * that means.
   */
  private static GzipParameters gzipParameters() {
    GzipParameters parameters = new GzipParameters();
    parameters.setCompressionLevel(Deflater.DEFAULT_COMPRESSION);
    parameters.setModificationTime(0);
    parameters.setOperatingSystem(OS_UNKNOWN);
    return parameters;
  }
}
