package dev.claw.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.event.EventListener;
import dev.claw.host.ClawDirs;
import dev.claw.host.Sha256;
import dev.claw.host.Trees;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.ProfileLoader;
import dev.claw.testing.TestAgents;
import dev.claw.testing.TestKernel;
import dev.claw.testing.VmLeaks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots in real VMs: clones are distinct machines, and a stale snapshot is remade. */
class SnapshotRunnerTest {
  @TempDir Path agentDir;
  @TempDir Path runtime;

  private ClawDirs dirs;

  @AfterEach
  void cleanUp() throws Exception {
    VmLeaks.assertNoneLeft(runtime);
    if (dirs != null) {
      Trees.deleteQuietly(dirs.cache("snapshots").resolve("clone-test"));
    }
  }

  @Test
  void twoClonesOfOneSnapshotPrintDifferentRandomBytes() throws Exception {
    AgentProfile profile = agent("/proc/sys/kernel/random/uuid");
    SnapshotRunner runner = new SnapshotRunner(dirs, EventListener.IGNORE);
    SnapshotRunner.Snapshot snapshot = runner.snapshot(RunRequest.of(profile));
    String ram = Sha256.of(snapshot.ram());

    String first = cloneOutput(runner, profile);
    String second = cloneOutput(runner, profile);

    assertThat(runner.snapshot(RunRequest.of(profile)).made()).isFalse();
    assertThat(runner.snapshot(RunRequest.of(profile)).dir()).isEqualTo(snapshot.dir());
    assertThat(first).matches("[0-9a-f-]{36}\n");
    assertThat(second).matches("[0-9a-f-]{36}\n").isNotEqualTo(first);
    // Clones map the RAM copy-on-write: what they wrote is theirs, the snapshot is unchanged.
    assertThat(Sha256.of(snapshot.ram())).isEqualTo(ram);
  }

  @Test
  void aChangedAgentFileInTheSamePlaceMakesANewSnapshot() throws Exception {
    SnapshotRunner runner = new SnapshotRunner(dirs(), EventListener.IGNORE);
    AgentProfile profile = agent("/etc/passwd");
    SnapshotRunner.Snapshot old = runner.snapshot(RunRequest.of(profile));

    // Bytes after a static ELF's last segment change its content, not what it does.
    Files.write(agentDir.resolve("test-agent"), new byte[] {1}, StandardOpenOption.APPEND);
    SnapshotRunner.Snapshot changed = runner.snapshot(RunRequest.of(profile));

    assertThat(changed.made()).isTrue();
    assertThat(changed.key()).isNotEqualTo(old.key());
    assertThat(Files.exists(old.dir())).isFalse();
  }

  @Test
  void aChangedImageMakesANewSnapshotAndDropsTheStaleOne() throws Exception {
    SnapshotRunner runner = new SnapshotRunner(dirs(), EventListener.IGNORE);
    SnapshotRunner.Snapshot old = runner.snapshot(RunRequest.of(agent("/etc/passwd")));

    SnapshotRunner.Snapshot changed = runner.snapshot(RunRequest.of(agent("/etc/group")));

    assertThat(changed.made()).isTrue();
    assertThat(changed.key()).isNotEqualTo(old.key());
    assertThat(Files.exists(old.dir())).isFalse();
    CollectedOutput output = new CollectedOutput();
    runner.run(RunRequest.of(agent("/etc/group")), output, pid -> { });
    assertThat(output.stdout()).contains("agent");
  }

  private String cloneOutput(SnapshotRunner runner, AgentProfile profile) throws Exception {
    CollectedOutput output = new CollectedOutput();
    RunResult result = runner.run(RunRequest.of(profile), output, pid -> { });
    assertThat(result.outcome()).isEqualTo(new Outcome.Exited(0));
    return output.stdout();
  }

  private AgentProfile agent(String file) throws Exception {
    dirs();
    if (!Files.exists(agentDir.resolve("test-agent"))) {
      TestAgents.compile(agentDir);
    }
    TestKernel.cachedOrBuilt();
    TestAgents.profile(agentDir, "clone-test", List.of("cat", file), "");
    return new ProfileLoader().load(agentDir);
  }

  private ClawDirs dirs() {
    if (dirs == null) {
      dirs = new ClawDirs(ClawDirs.fromEnvironment().cache(), runtime);
    }
    return dirs;
  }
}
