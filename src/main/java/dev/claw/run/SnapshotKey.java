package dev.claw.run;

import dev.claw.host.Sha256;
import dev.claw.image.ImageBuilder.ExtraFile;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.AgentProfile.FileMapping;
import dev.claw.rootfs.LayerLock;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The key of an agent's snapshot, from the inputs of its image rather than the image itself:
 * building the image to hash it cost ~60 ms of every restore. The inputs are the profile's
 * settings, the content of every file it puts in the image, its package lock, init, the
 * kernel, QEMU, the VM's size and accelerator, and claw's own code. A profile with a base but
 * no lock has no pinned input for its packages, so it is keyed on its built image instead.
 */
final class SnapshotKey {
  private SnapshotKey() {}

  /**
   * The inputs' key, or empty when the inputs do not pin the image (a base without a lock):
   * then the caller keys on the built image.
   */
  static Optional<String> ofInputs(RunRequest request, Sha256 machine) throws IOException {
    AgentProfile profile = request.profile();
    Path lock = profile.directory().resolve(LayerLock.FILE_NAME);
    boolean hasBase = !profile.base().equals(AgentProfile.NO_BASE);
    if (hasBase && !Files.isRegularFile(lock)) {
      return Optional.empty();
    }

    // A record's text holds every setting the profile has, in the profile file's order.
    Sha256 key = machine.add("profile " + profile);
    if (hasBase) {
      key.add("lock " + Sha256.of(lock));
    }
    for (FileMapping mapping : profile.files()) {
      key.add("file " + mapping.to() + " " + contentOf(profile.directory().resolve(
          mapping.from())));
    }
    for (ExtraFile extra : request.extraFiles()) {
      key.add("extra " + extra.to() + " " + contentOf(extra.from()));
    }
    // Files the profile only names: its seccomp policy and its own layers' definitions. A
    // tightened policy or a changed cut must never run from an older snapshot.
    if (profile.seccomp().startsWith("/")) {
      key.add("seccomp " + contentOf(Path.of(profile.seccomp())));
    }
    for (String layer : profile.layers()) {
      key.add("layer " + layer + " "
          + contentOf(profile.directory().resolve("layers").resolve(layer + ".yaml")));
    }
    return Optional.of(key.hex());
  }

  /** A missing file keys as missing: building the image then fails with the real error. */
  private static String contentOf(Path file) throws IOException {
    return Files.isRegularFile(file) ? Sha256.of(file) : "missing";
  }

  /**
   * Claw's own code: its version, and for a build without one (a developer's), the jar or
   * class folder's size and time, so changed image-building code remakes the snapshot.
   */
  static String clawCode() {
    String version = SnapshotKey.class.getPackage().getImplementationVersion();
    try {
      Path code = Path.of(SnapshotKey.class.getProtectionDomain().getCodeSource().getLocation()
          .toURI());
      return (version == null ? "development" : version) + " " + code + " "
          + Files.size(code) + " " + Files.getLastModifiedTime(code).toMillis();
    } catch (IOException | URISyntaxException | SecurityException e) {
      return version == null ? "development" : version;
    }
  }
}
