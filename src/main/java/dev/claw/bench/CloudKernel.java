package dev.claw.bench;

import dev.claw.ClawException;
import dev.claw.fs.FileTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Debian's generic cloud kernel ({@code linux-image-cloud-amd64}) as installed in /boot, and
 * the four modules it needs to reach claw's channel: it has virtio, virtio-mmio and the
 * virtio console as modules, where claw's kernel has them built in. claw's init loads every
 * {@code .ko} in {@code /claw-modules} in name order before it opens the channel.
 */
record CloudKernel(Path kernel, List<Path> modules) {
  static final String GUEST_FOLDER = "/claw-modules";

  /** In dependency order: virtio needs virtio_ring; the other two need both. */
  private static final List<String> MODULES = List.of(
      "drivers/virtio/virtio_ring.ko", "drivers/virtio/virtio.ko",
      "drivers/virtio/virtio_mmio.ko", "drivers/char/virtio_console.ko");

  /** The newest cloud kernel in {@code boot}, with its modules from {@code modulesRoot}. */
  static CloudKernel find(Path boot, Path modulesRoot) throws IOException {
    Path kernel = newest(boot).orElseThrow(() -> new ClawException(
        "no Debian cloud kernel in " + boot + " (vmlinuz-*-cloud-amd64)",
        "apt-get install linux-image-cloud-amd64 (scripts/setup does), or leave out the "
            + "microvm-cloud mode with --modes"));
    String version = kernel.getFileName().toString().substring("vmlinuz-".length());
    List<Path> modules = new ArrayList<>();
    for (int i = 0; i < MODULES.size(); i++) {
      Path module = modulesRoot.resolve(version).resolve("kernel").resolve(MODULES.get(i));
      if (!Files.isRegularFile(module)) {
        throw new ClawException("the cloud kernel " + version + " has no " + module,
            "reinstall linux-image-" + version);
      }
      modules.add(module);
    }
    return new CloudKernel(kernel, modules);
  }

  /**
   * Puts the modules in the image as claw's own parts, numbered in load order. Never as the
   * agent's files: a profile may not place anything in /claw-modules, which init loads as
   * root before anything else runs.
   */
  void addModules(FileTree image) {
    for (int i = 0; i < modules.size(); i++) {
      Path module = modules.get(i);
      try {
        image.file(GUEST_FOLDER + "/" + (i + 1) + "-" + module.getFileName(), 0644,
            Files.readAllBytes(module));
      } catch (IOException e) {
        throw new ClawException("cannot read " + module + ": " + e.getMessage(),
            "reinstall the cloud kernel's package");
      }
    }
  }

  private static Optional<Path> newest(Path boot) throws IOException {
    if (!Files.isDirectory(boot)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(boot)) {
      return files.filter(f -> f.getFileName().toString().matches("vmlinuz-.*-cloud-amd64"))
          .max(Comparator.comparing(f -> f.getFileName().toString()));
    }
  }
}
