package dev.claw.debian;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.event.EventListener;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against the real Debian mirror the host's apt uses. Versions change with every point
 * release, so only facts that hold across them are checked.
 */
class DebianMirrorTest {
  /** Shared, so the second test loads from a warm cache. */
  @TempDir
  static Path cache;

  @Test
  void theHostsRepositoriesLoadAndResolveRealPackages() throws IOException {
    List<AptSource> sources = AptSources.fromHost(Path.of("/etc/apt"));
    String architecture = AptSources.hostArchitecture();

    PackageUniverse universe = new DebianRepository(sources, architecture, cache,
        EventListener.IGNORE).load();
    Resolution resolution = new Resolver(universe)
        .resolve(List.of("libc6", "python3.11-minimal"), Set.of(), Set.of());

    PackageRecord libc = find(resolution, "libc6");
    assertThat(libc.source()).isEqualTo("glibc");
    assertThat(libc.sha256()).matches("[0-9a-f]{64}");
    assertThat(libc.filename()).startsWith("pool/main/g/glibc/libc6_");
    assertThat(libc.architecture()).isEqualTo(architecture);
    assertThat(libc.field("Multi-Arch")).isEqualTo("same");
    assertThat(sources).extracting(AptSource::uri).contains(libc.repository());

    assertThat(resolution.pulledBy()).containsEntry("libc6", "profile")
        .containsEntry("python3.11-minimal", "profile")
        .containsEntry("libpython3.11-minimal", "python3.11-minimal");
    assertThat(resolution.packages()).allSatisfy(record ->
        assertThat(record.architecture()).isIn(architecture, "all"));
    assertThat(universe.providers("awk")).extracting(PackageRecord::name).contains("mawk");
  }

  @Test
  void aRealDebIsFetchedIntoTheCache() throws IOException {
    List<AptSource> sources = AptSources.fromHost(Path.of("/etc/apt"));
    PackageUniverse universe = new DebianRepository(sources, AptSources.hostArchitecture(),
        cache, EventListener.IGNORE).load();
    // The smallest package of a real closure keeps the download short.
    PackageRecord smallest = new Resolver(universe)
        .resolve(List.of("libc6"), Set.of(), Set.of()).packages().stream()
        .min(Comparator.comparingLong(PackageRecord::size)).orElseThrow();

    Path deb = new DebCache(cache.resolve("debs"), EventListener.IGNORE)
        .fetch(LockedPackage.of(smallest, "base"));

    assertThat(Files.size(deb)).isEqualTo(smallest.size());
    try (InputStream in = Files.newInputStream(deb)) {
      assertThat(new String(in.readNBytes(21), StandardCharsets.US_ASCII))
          .isEqualTo("!<arch>\ndebian-binary");
    }
  }

  private static PackageRecord find(Resolution resolution, String name) {
    return resolution.packages().stream().filter(record -> record.name().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError(name + " not resolved"));
  }
}
