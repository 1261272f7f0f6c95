package dev.claw.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.event.EventListener;
import dev.claw.host.ClawDirs;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.ProfileLoader;
import dev.claw.seccomp.LearnedPolicy;
import dev.claw.seccomp.SyscallTable;
import dev.claw.testing.TestAgents;
import dev.claw.testing.TestKernel;
import dev.claw.testing.VmLeaks;
import dev.claw.vm.QemuMicrovm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the seccomp filter from inside real microVMs, with the static test agent: what
 * the default policy blocks is named, what it does not know fails softly, and the ways around
 * a filter (x32 numbers, the 32-bit entry, io_uring, capabilities) lead nowhere.
 */
class SeccompAttackTest {
  @TempDir static Path build;
  @TempDir Path runtime;
  @TempDir Path agentDir;

  private static Path agentBinary;

  private final CollectedOutput output = new CollectedOutput();

  @BeforeAll
  static void buildAgentAndKernel() throws Exception {
    agentBinary = TestAgents.compile(build);
    TestKernel.cachedOrBuilt();
  }

  @AfterEach
  void noVmLeftBehind() throws IOException {
    VmLeaks.assertNoneLeft(runtime);
  }

  @Test
  void blockedCallKillsTheAgentAndIsNamed() throws Exception {
    RunResult result = run(List.of("syscall", "101", "39"), "");

    assertThat(result.outcome()).isEqualTo(new Outcome.BlockedSyscall(101, "ptrace"));
    assertThat(output.stdout()).isEqualTo("calling 101\n");
  }

  @Test
  void unknownAndNewerNumbersAreNotImplementedAndIoUringIsDenied() throws Exception {
    RunResult result = run(List.of("syscall", "400", "1000", "425", "426"), "");

    assertThat(result.outcome()).isEqualTo(new Outcome.Exited(0));
    assertThat(output.stdout()).isEqualTo(String.join("\n",
        "calling 400", "syscall 400: Function not implemented",
        "calling 1000", "syscall 1000: Function not implemented",
        "calling 425", "syscall 425: Operation not permitted",
        "calling 426", "syscall 426: Operation not permitted", ""));
  }

  @Test
  void x32NumberOfAnAllowedCallKillsTheProcess() throws Exception {
    // getpid is allowed; with the x32 bit set it is killed before any rule is looked at.
    RunResult result = run(List.of("syscall", "0x40000027"), "");

    assertThat(result.outcome()).isEqualTo(new Outcome.Signaled(31));
    assertThat(output.stdout()).isEqualTo("calling 1073741863\n");
  }

  @Test
  void thirtyTwoBitEntryNeverRunsACall() throws Exception {
    // claw's kernel has no IA32 emulation, so int 0x80 faults; with a kernel that has it,
    // the filter's architecture check kills the process instead.
    RunResult result = run(List.of("int80"), "");

    assertThat(result.outcome()).isIn(new Outcome.Signaled(11), new Outcome.Signaled(31));
    assertThat(output.stdout()).isEqualTo("int 0x80\n");
  }

  @Test
  void agentCannotGainACapability() throws Exception {
    run(List.of("capset"), "");

    assertThat(output.stdout()).isEqualTo(String.join("\n",
        "capset CAP_SYS_ADMIN: Operation not permitted",
        "CapInh:\t0000000000000000", "CapPrm:\t0000000000000000",
        "CapEff:\t0000000000000000", "CapBnd:\t0000000000000000",
        "CapAmb:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2", ""));
  }

  @Test
  void strictPresetRunsAStaticAgentThatOnlyWrites() throws Exception {
    RunResult result = run(List.of("streams"), "seccomp: strict\n");

    assertThat(result.outcome()).isEqualTo(new Outcome.Exited(0));
    assertThat(output.stdout()).isEqualTo("to stdout\n");
  }

  @Test
  void learnedPolicyLetsTheSameRunPassAndBlocksACallItNeverMade() throws Exception {
    RunResult learning = run(List.of("streams"), "seccomp: learn\n");
    List<Integer> used = learning.syscallsUsed().orElseThrow();
    assertThat(learning.outcome()).isEqualTo(new Outcome.Exited(0));
    assertThat(used).contains(number("write"), number("exit_group"))
        .doesNotContain(number("getpid"));
    Files.writeString(agentDir.resolve("learned.yaml"), LearnedPolicy.yaml("test", used));

    Files.delete(agentDir.resolve("test-agent"));
    RunResult again = run(List.of("streams"), "seccomp: ./learned.yaml\n");
    assertThat(again.outcome()).isEqualTo(new Outcome.Exited(0));
    assertThat(again.syscallsUsed()).isEmpty();

    Files.delete(agentDir.resolve("test-agent"));
    RunResult other = run(List.of("syscall", "39"), "seccomp: ./learned.yaml\n");
    assertThat(other.outcome()).isEqualTo(new Outcome.BlockedSyscall(39, "getpid"));
  }

  private static int number(String name) {
    return SyscallTable.x86_64().number(name).getAsInt();
  }

  private RunResult run(List<String> args, String extra) throws Exception {
    Files.copy(agentBinary, agentDir.resolve("test-agent"));
    AgentProfile profile = new ProfileLoader().load(
        TestAgents.profile(agentDir, "attack", args, extra));
    ClawDirs dirs = new ClawDirs(ClawDirs.fromEnvironment().cache(), runtime);
    AgentRunner runner = new AgentRunner(dirs, new QemuMicrovm(), EventListener.IGNORE);
    return runner.run(RunRequest.of(profile), output);
  }
}
