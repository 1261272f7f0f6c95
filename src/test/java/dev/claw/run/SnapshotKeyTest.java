package dev.claw.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.host.Sha256;
import dev.claw.image.ImageBuilder.ExtraFile;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.ProfileLoader;
import dev.claw.rootfs.LayerLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snapshot key changes with every input of the image, and only with them. */
class SnapshotKeyTest {
  @TempDir Path agentDir;
  @TempDir Path hostDir;

  @Test
  void theSameInputsLoadedAgainGiveTheSameKey() throws Exception {
    String first = key(RunRequest.of(agent("none", "[/app/tool]"))).orElseThrow();

    String second = key(RunRequest.of(agent("none", "[/app/tool]"))).orElseThrow();

    assertThat(second).isEqualTo(first);
  }

  @Test
  void newContentInTheSameFileChangesTheKey() throws Exception {
    AgentProfile profile = agent("none", "[/app/tool]");
    String before = key(RunRequest.of(profile)).orElseThrow();

    Files.writeString(agentDir.resolve("tool"), "version two");

    assertThat(key(RunRequest.of(profile))).isPresent().get().isNotEqualTo(before);
  }

  @Test
  void aChangedSettingChangesTheKey() throws Exception {
    String before = key(RunRequest.of(agent("none", "[/app/tool]"))).orElseThrow();

    String after = key(RunRequest.of(agent("none", "[/app/tool, --flag]"))).orElseThrow();

    assertThat(after).isNotEqualTo(before);
  }

  @Test
  void aTightenedSeccompPolicyChangesTheKey() throws Exception {
    Files.writeString(agentDir.resolve("policy.yaml"), "extends: network\n");
    Files.writeString(agentDir.resolve("tool"), "version one");
    Files.writeString(agentDir.resolve("claw.yaml"), "name: key-test\nbase: none\n"
        + "seccomp: ./policy.yaml\nfiles:\n  - {from: tool, to: /app/tool}\n"
        + "run:\n  command: [/app/tool]\n");
    AgentProfile profile = new ProfileLoader().load(agentDir);
    String before = key(RunRequest.of(profile)).orElseThrow();

    Files.writeString(agentDir.resolve("policy.yaml"), "extends: default\n");

    assertThat(key(RunRequest.of(profile))).isPresent().get().isNotEqualTo(before);
  }

  @Test
  void anExtraFilesContentIsPartOfTheKey() throws Exception {
    Path extra = Files.writeString(hostDir.resolve("data"), "one");
    RunRequest request = RunRequest.of(agent("none", "[/app/tool]"))
        .withExtraFiles(List.of(new ExtraFile(extra, "/app/data")));
    String before = key(request).orElseThrow();

    Files.writeString(extra, "two");

    assertThat(key(request)).isPresent().get().isNotEqualTo(before);
  }

  @Test
  void aBaseIsKeyedOnItsLockAndWithoutOneOnTheBuiltImage() throws Exception {
    AgentProfile profile = agent("debian-12", "[/app/tool]");
    assertThat(key(RunRequest.of(profile))).isEmpty();

    Files.writeString(agentDir.resolve(LayerLock.FILE_NAME), "pins: one\n");
    String locked = key(RunRequest.of(profile)).orElseThrow();
    Files.writeString(agentDir.resolve(LayerLock.FILE_NAME), "pins: two\n");

    assertThat(key(RunRequest.of(profile))).isPresent().get().isNotEqualTo(locked);
  }

  @Test
  void otherMachineInputsGiveAnotherKey() throws Exception {
    RunRequest request = RunRequest.of(agent("none", "[/app/tool]"));

    String one = SnapshotKey.ofInputs(request, Sha256.start().add("kernel one")).orElseThrow();
    String two = SnapshotKey.ofInputs(request, Sha256.start().add("kernel two")).orElseThrow();

    assertThat(one).isNotEqualTo(two);
  }

  private static Optional<String> key(RunRequest request) throws Exception {
    return SnapshotKey.ofInputs(request, Sha256.start().add("machine"));
  }

  private AgentProfile agent(String base, String command) throws Exception {
    if (!Files.exists(agentDir.resolve("tool"))) {
      Files.writeString(agentDir.resolve("tool"), "version one");
    }
    Files.writeString(agentDir.resolve("claw.yaml"), "name: key-test\n"
        + "base: " + base + "\n"
        + "files:\n  - {from: tool, to: /app/tool}\n"
        + "run:\n  command: " + command + "\n");
    return new ProfileLoader().load(agentDir);
  }
}
