package dev.claw.rootfs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw.debian.LockedPackage;
import dev.claw.fs.FileTree;
import dev.claw.fs.FileTreeArchive;
import dev.claw.host.Sha256;
import dev.claw.image.LayerReport;
import dev.claw.profile.LayerDefinition;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * The installed packages of an agent's layers, kept once built. Unpacking some forty .debs
 * (xz, hashes, filters) takes seconds; a run of an agent whose lock and layers have not
 * changed loads the result instead. The key covers everything the result depends on: the
 * pinned packages with their hashes, every field of every layer definition, and the revision
 * of the installer's rules, so that a stale entry is never found, only a fresh one missed.
 */
final class LayerCache {
  /** Raise when what the installer makes of the same packages changes. */
  private static final int INSTALLER_REVISION = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;

  LayerCache(Path dir) {
    this.dir = dir;
  }

  /** The installed packages and their report, saved under {@code key}, if any. */
  Optional<Installed> load(String key) {
    Path tree = dir.resolve(key + ".tree");
    Path report = dir.resolve(key + ".json");
    if (!Files.isRegularFile(tree) || !Files.isRegularFile(report)) {
      return Optional.empty();
    }
    try (InputStream in = new BufferedInputStream(Files.newInputStream(tree))) {
      List<FileTree.Entry> entries = FileTreeArchive.read(in);
      return Optional.of(new Installed(entries,
          JSON.readValue(report.toFile(), LayerReport.class)));
    } catch (IOException e) {
      // A damaged or foreign cache entry is rebuilt, never trusted.
      return Optional.empty();
    }
  }

  /** Saves {@code tree} and {@code report} under {@code key}, each file atomically. */
  void save(String key, FileTree tree, LayerReport report) throws IOException {
    Files.createDirectories(dir);
    Path partialTree = Files.createTempFile(dir, key, ".partial");
    Path partialReport = Files.createTempFile(dir, key, ".partial");
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partialTree))) {
        FileTreeArchive.write(tree, out);
      }
      JSON.writeValue(partialReport.toFile(), report);
      // The report goes in first: the tree's presence is what marks an entry complete.
      Files.move(partialReport, dir.resolve(key + ".json"), StandardCopyOption.ATOMIC_MOVE);
      Files.move(partialTree, dir.resolve(key + ".tree"), StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partialTree);
      Files.deleteIfExists(partialReport);
    }
  }

  /** The key for these layers built from these pinned packages. */
  static String key(List<LayerDefinition> layers, List<LockedPackage> packages) {
    Sha256 sha = Sha256.start().add("claw-layers " + INSTALLER_REVISION);
    layers.forEach(layer -> sha.add(layer.toString()));
    packages.forEach(pinned -> sha.add(pinned.toString()));
    return sha.hex();
  }

  /** What loading a cache entry gives back. */
  record Installed(List<FileTree.Entry> entries, LayerReport report) {}
}
