package dev.claw.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.event.EventListener;
import dev.claw.fs.FileTree;
import dev.claw.host.ClawDirs;
import dev.claw.profile.ProfileLoader;
import dev.claw.testing.TestKernel;
import dev.claw.testing.VmLeaks;
import dev.claw.vm.AcceleratorProbe;
import dev.claw.vm.QemuMicrovm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks from inside a real microVM by an agent that wants more than it was given: a planted
 * setuid-root binary, capabilities, init's terminal, other processes, /sys, a full /tmp, the
 * OOM score. src/test/resources/agents/attack-agent.c prints one line per attempt.
 */
class AgentPrivilegesTest {
  @TempDir static Path build;
  @TempDir Path runtime;
  @TempDir Path agentDir;

  private static Path attacker;

  @BeforeAll
  static void buildAttackerAndKernel() throws Exception {
    attacker = compile(build);
    TestKernel.cachedOrBuilt();
  }

  @AfterEach
  void noVmLeftBehind() throws IOException {
    VmLeaks.assertNoneLeft(runtime);
  }

  @Test
  void agentGainsNothingFromASetuidRootBinaryOrAnyOtherTrick() throws Exception {
    String out = attack("user: agent", "tmp: 16M");

    assertThat(out).contains(
        "uid: 1000 gid: 1000\n",
        "CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n"
            + "CapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n",
        // The binary is setuid root in the image, but no_new_privs makes exec ignore the bit.
        "suid euid: 1000\n",
        "suid setuid(0): Operation not permitted\n",
        "setuid(0): Operation not permitted\n",
        "ambient raise: Operation not permitted\n",
        "mount tmpfs: Operation not permitted\n",
        // No user namespace to be root in (the guest kernel has no namespaces at all).
        "unshare user: Operation not permitted\n");
  }

  @Test
  void agentHasItsOwnSessionAndCannotReachInitsConsole() throws Exception {
    String out = attack("user: agent", "tmp: 16M");

    assertThat(out).contains(
        "own session: yes\n",
        "open /dev/console: Permission denied\n",
        "open /dev/tty: No such device or address\n",
        "TIOCSTI on stdin: Not a tty\n");
  }

  @Test
  void agentSeesNoOtherProcessNoSysAndABoundedTmp() throws Exception {
    String out = attack("user: agent", "tmp: 16M");

    assertThat(out).contains(
        "other processes: 0\n",
        "stat /proc/1: No such file or directory\n",
        "stat /sys/kernel: No such file or directory\n",
        "mount /proc proc\n",
        "tmp size MiB: 16\n",
        "fill /tmp: No space left on device after 16 MiB\n");
    assertThat(out).doesNotContain("sysfs");
  }

  @Test
  void initOutlivesTheOomKillerAndReapsOrphans() throws Exception {
    String out = attack("user: agent", "tmp: 16M");

    assertThat(out).contains(
        "oom_score_adj: 0\n",
        "oom_score_adj -1000: Permission denied\n",
        "orphan reaped: yes\n");
  }

  @Test
  void rootAgentAskedForWithAReasonIsUidZeroWithoutCapabilities() throws Exception {
    String out = attack("user: root\n  root-reason: \"the test needs uid 0\"", "tmp: 16M");

    assertThat(out).contains(
        "uid: 0 gid: 0\n",
        "CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n"
            + "CapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n",
        "mount tmpfs: Operation not permitted\n",
        "ambient raise: Operation not permitted\n");
  }

  @Test
  void tmpDefaultsToAQuarterOfTheMemory() throws Exception {
    String out = attack("user: agent", "memory: 128M");

    assertThat(out).contains("tmp size MiB: 32\n");
  }

  /** Boots the attacker with a setuid-root copy of itself planted at /app/suid-helper. */
  private String attack(String user, String vm) throws Exception {
    Files.copy(attacker, agentDir.resolve("attack-agent"));
    // The default seccomp preset would kill the attacker at its first setuid(0); these tests
    // check the walls behind that one, so the attacker may make the calls and must fail.
    Files.writeString(agentDir.resolve("attacks.yaml"), "extends: default\nsyscalls:\n"
        + "  - reason: \"the privilege attacks under test, refused by the kernel instead\"\n"
        + "    names: [setuid, mount, unshare]\n");
    Files.writeString(agentDir.resolve("claw.yaml"), "name: attacker\nbase: none\n"
        + "seccomp: ./attacks.yaml\n"
        + "files:\n  - {from: attack-agent, to: /app/attack-agent}\n"
        + "run:\n  command: [/app/attack-agent, attacks]\n  " + user + "\n"
        + "vm:\n  " + vm + "\n");
    byte[] binary = Files.readAllBytes(attacker);
    Capture output = new Capture();
    ClawDirs dirs = new ClawDirs(ClawDirs.fromEnvironment().cache(), runtime);
    RunRequest request = new RunRequest(new ProfileLoader().load(agentDir), List.of(),
        Optional.empty(), AcceleratorProbe.Request.AUTO, Optional.empty(), Instant.now());

    RunResult result = new AgentRunner(dirs, new QemuMicrovm(), EventListener.IGNORE)
        .run(request, output, image -> image.put(
            FileTree.fileEntry("/app/suid-helper", 04755, binary)));

    assertThat(result.outcome()).as(output.text()).isEqualTo(new Outcome.Exited(0));
    return output.text();
  }

  static Path compile(Path dir) throws Exception {
    Path source = dir.resolve("attack-agent.c");
    try (InputStream in = AgentPrivilegesTest.class.getResourceAsStream(
        "/agents/attack-agent.c")) {
      Files.copy(in, source);
    }
    Path binary = dir.resolve("attack-agent");
    Process cc = new ProcessBuilder("musl-gcc", "-static", "-Os", "-o", binary.toString(),
        source.toString()).inheritIO().start();
    assertThat(cc.waitFor()).as("musl-gcc on attack-agent.c").isZero();
    return binary;
  }

  /** Collects stdout and stderr together, in the order they came. */
  private static final class Capture implements AgentOutput {
    private final ByteArrayOutputStream all = new ByteArrayOutputStream();

    @Override
    public synchronized void stdout(byte[] bytes) {
      all.writeBytes(bytes);
    }

    @Override
    public synchronized void stderr(byte[] bytes) {
      all.writeBytes(bytes);
    }

    synchronized String text() {
      return all.toString(StandardCharsets.UTF_8);
    }
  }
}
