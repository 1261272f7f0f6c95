package dev.claw.image.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/** Reads an image layout back the way a registry client would: index, manifest, blobs. */
final class LayoutReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;

  LayoutReader(Path dir) {
    this.dir = dir;
  }

  JsonNode index() throws IOException {
    return JSON.readTree(dir.resolve("index.json").toFile());
  }

  JsonNode manifest() throws IOException {
    return JSON.readTree(blob(index().get("manifests").get(0).get("digest").asText()));
  }

  JsonNode config() throws IOException {
    return JSON.readTree(blob(manifest().get("config").get("digest").asText()));
  }

  byte[] blob(String digest) throws IOException {
    return Files.readAllBytes(dir.resolve("blobs/sha256").resolve(digest.substring(7)));
  }

  /** Each layer's tar, uncompressed, in manifest order. */
  List<byte[]> layerTars() throws IOException {
    List<byte[]> tars = new ArrayList<>();
    for (JsonNode layer : manifest().get("layers")) {
      byte[] compressed = blob(layer.get("digest").asText());
      try (InputStream in = new GzipCompressorInputStream(
          new ByteArrayInputStream(compressed))) {
        tars.add(in.readAllBytes());
      }
    }
    return tars;
  }

  /** One line per tar entry: name, type, mode, owner, and what the type adds. */
  static List<String> listing(byte[] tar) throws IOException {
    List<String> lines = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        String owner = e.getLongUserId() + ":" + e.getLongGroupId()
            + (e.getUserName().isEmpty() && e.getGroupName().isEmpty() ? "" : " NAMED");
        String line = e.getName() + " " + type(e) + " " + Integer.toOctalString(e.getMode())
            + " " + owner + (e.getModTime().getTime() == 0 ? "" : " MTIME");
        lines.add(line + detail(e, in));
      }
    }
    return lines;
  }

  private static String type(TarArchiveEntry e) {
    if (e.isDirectory()) {
      return "dir";
    }
    if (e.isSymbolicLink()) {
      return "symlink";
    }
    if (e.isLink()) {
      return "hardlink";
    }
    return e.isCharacterDevice() ? "chr" : "file";
  }

  private static String detail(TarArchiveEntry e, InputStream in) throws IOException {
    if (e.isSymbolicLink() || e.isLink()) {
      return " -> " + e.getLinkName();
    }
    if (e.isCharacterDevice()) {
      return " " + e.getDevMajor() + "," + e.getDevMinor();
    }
    if (e.isFile()) {
      return " \"" + new String(in.readAllBytes(), StandardCharsets.UTF_8)
          + "\"";
    }
    return "";
  }
}
