package dev.claw.rootfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.debian.AptSources;
import dev.claw.debian.LockFile;
import dev.claw.debian.LockedPackage;
import dev.claw.event.EventListener;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.LayerDefinition;
import dev.claw.profile.LayerLoader;
import dev.claw.profile.ProfileLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerLockTest {
  private static final LockedPackage LIBC = new LockedPackage("libc6", "2.36-9+deb12u14",
      "amd64", "glibc", 2759320, "a".repeat(64),
      "pool/main/g/glibc/libc6_2.36-9+deb12u14_amd64.deb", "http://deb.debian.org/debian",
      "base");

  @TempDir Path agent;
  @TempDir Path cache;

  /** Proves the lock is all that is read: any use of apt's configuration would fail. */
  private final Path noApt = Path.of("/nonexistent/etc/apt");

  @Test
  void aCurrentLockIsUsedWithoutReadingAnyIndex() throws IOException {
    AgentProfile profile = profile("[json]");
    List<LayerDefinition> layers = new LayerLoader().layersOf(profile);
    lock(profile, layers);

    List<LockedPackage> packages = new LayerLock(noApt, cache, EventListener.IGNORE)
        .packages(profile, layers);

    assertThat(packages).containsExactly(LIBC);
  }

  @Test
  void aLockMadeForOtherLayersIsRefusedWithTheCommandThatRenewsIt() throws IOException {
    AgentProfile before = profile("[json]");
    lock(before, new LayerLoader().layersOf(before));
    AgentProfile after = profile("[json, python]");

    assertThatThrownBy(() -> new LayerLock(noApt, cache, EventListener.IGNORE)
        .packages(after, new LayerLoader().layersOf(after)))
        .hasMessageContaining("was made for other layers")
        .hasMessageContaining(LayerLock.FILE_NAME);
  }

  @Test
  void aLockMayOnlyFetchFromTheHostsAptRepositories() throws IOException {
    Path etcApt = Files.createDirectories(agent.resolve("etc-apt/sources.list.d"))
        .getParent();
    Files.writeString(etcApt.resolve("sources.list.d/debian.sources"), "Types: deb\n"
        + "URIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\n"
        + "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n");
    LayerLock lock = new LayerLock(etcApt, cache, EventListener.IGNORE);
    LockedPackage elsewhere = new LockedPackage(LIBC.name(), LIBC.version(),
        LIBC.architecture(), LIBC.source(), LIBC.size(), LIBC.sha256(), LIBC.filename(),
        "http://10.0.0.1/internal", LIBC.layer());

    lock.checkRepository(LIBC);

    assertThatThrownBy(() -> lock.checkRepository(elsewhere))
        .hasMessageContaining("http://10.0.0.1/internal, which is not one of the host's apt");
  }

  @Test
  void cutsDoNotChangeWhatTheLockDependsOn() throws IOException {
    AgentProfile profile = profile("[json]");
    LayerDefinition json = new LayerLoader().load("json", agent);
    LayerDefinition moreCuts = new LayerDefinition(json.name(), json.purpose(),
        json.packages(), json.exclude(), List.of("/usr/bin/jq"), List.of("/x"), "test");
    LayerDefinition moreExcludes = new LayerDefinition(json.name(), json.purpose(),
        json.packages(), Set.of("libonig5"), json.drop(), json.setuid(), "test");

    String inputs = LayerLock.inputs(profile, List.of(json), "amd64");

    assertThat(LayerLock.inputs(profile, List.of(moreCuts), "amd64")).isEqualTo(inputs);
    assertThat(LayerLock.inputs(profile, List.of(moreExcludes), "amd64")).isNotEqualTo(inputs);
    assertThat(LayerLock.inputs(profile, List.of(json), "arm64")).isNotEqualTo(inputs);
  }

  private void lock(AgentProfile profile, List<LayerDefinition> layers) {
    String architecture = AptSources.hostArchitecture();
    new LockFile(LayerLock.inputs(profile, layers, architecture), architecture, List.of(LIBC))
        .write(agent.resolve(LayerLock.FILE_NAME));
  }

  private AgentProfile profile(String layers) throws IOException {
    Files.writeString(agent.resolve("claw.yaml"), "name: t\nbase: debian-12\nlayers: " + layers
        + "\nrun: {command: [/a]}\n");
    return new ProfileLoader().load(agent);
  }
}
