package dev.claw.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import dev.claw.event.EventListener;
import dev.claw.host.ClawDirs;
import dev.claw.image.ImageBuilder.ExtraFile;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.ProfileLoader;
import dev.claw.testing.TestAgents;
import dev.claw.testing.TestKernel;
import dev.claw.testing.VmLeaks;
import dev.claw.vm.AcceleratorProbe;
import dev.claw.vm.QemuMicrovm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Boots real microVMs (QEMU, claw's kernel and init) and checks what a user would see. */
class AgentRunnerTest {
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
  void agentOutputKeepsStdoutAndStderrApart() throws Exception {
    RunResult result = run(List.of("streams"), "");

    assertThat(result.outcome()).isEqualTo(new Outcome.Exited(0));
    assertThat(output.stdout()).isEqualTo("to stdout\n");
    assertThat(output.stderr()).isEqualTo("to stderr\n");
  }

  @Test
  void exitCodeOfTheAgentIsPassedOn() throws Exception {
    assertThat(run(List.of("exit", "3"), "").outcome()).isEqualTo(new Outcome.Exited(3));
  }

  @Test
  void crashingAgentIsReportedWithItsSignal() throws Exception {
    RunResult result = run(List.of("segv"), "");

    assertThat(result.outcome()).isEqualTo(new Outcome.Signaled(11));
    assertThat(((Outcome.Signaled) result.outcome()).signalName()).isEqualTo("SIGSEGV");
    assertThat(output.stdout()).isEqualTo("about to crash\n");
  }

  @Test
  void agentThatNeverExitsIsKilledAtTheTimeout() throws Exception {
    RunResult result = run(List.of("hang"), "  timeout: 3s\n");

    assertThat(result.outcome()).isEqualTo(new Outcome.TimedOut(Duration.ofSeconds(3)));
    assertThat(output.stdout()).isEqualTo("hanging\n");
  }

  @Test
  void agentRunsUnprivilegedWithOnlyTheProfilesEnvironment() throws Exception {
    run(List.of("whoami"), "  env: {CLAW_TEST: from-profile}\n");

    assertThat(output.stdout()).isEqualTo("uid=1000 gid=1000 cwd=/app env=from-profile\n");
  }

  @Test
  void agentCanChangeNothingOfItsImageAndHoldsNoCapability() throws Exception {
    run(List.of("attack-root"), "");

    assertThat(output.stdout()).isEqualTo(String.join("\n",
        "write /x: denied",
        "write /init: denied",
        "write /claw/spec: denied",
        "write /etc/passwd: denied",
        "write /app/test-agent: denied",
        "mkdir /bin: denied",
        "CapInh:\t0000000000000000",
        "CapPrm:\t0000000000000000",
        "CapEff:\t0000000000000000",
        "CapBnd:\t0000000000000000",
        "CapAmb:\t0000000000000000",
        "NoNewPrivs:\t1",
        "Seccomp:\t2",
        ""));
  }

  @Test
  void fileGivenForOneRunIsInTheImage() throws Exception {
    Path task = Files.writeString(agentDir.resolve("task.txt"), "the task\n");

    RunResult result = run(List.of("cat", "/input/task.txt"), "",
        List.of(new ExtraFile(task, "/input/task.txt")));

    assertThat(result.outcome()).isEqualTo(new Outcome.Exited(0));
    assertThat(output.stdout()).isEqualTo("the task\n");
  }

  @Test
  void everyPhaseIsOnTheTimelineInOrder() throws Exception {
    RunResult result = run(List.of("streams"), "");

    assertThat(result.timeline().phases()).containsOnlyKeys(Phase.values());
    assertThat(List.copyOf(result.timeline().phases().values())).isSorted();
  }

  @Test
  void agentTheGuestUserMayNotExecuteIsReportedByInit() throws Exception {
    Files.writeString(agentDir.resolve("claw.yaml"), "name: private\nbase: none\n"
        + "files:\n  - {from: test-agent, to: /app/test-agent, mode: \"0700\"}\n"
        + "run:\n  command: [/app/test-agent]\n");
    Files.copy(agentBinary, agentDir.resolve("test-agent"));

    RunResult result = runProfile(new ProfileLoader().load(agentDir), List.of(),
        Optional.empty());

    assertThat(result.outcome()).isInstanceOf(Outcome.InitFailed.class);
    assertThat(((Outcome.InitFailed) result.outcome()).message())
        .contains("/app/test-agent").contains("Permission denied");
  }

  @Test
  void missingKernelPathIsAClearError() throws Exception {
    AgentProfile profile = profile(List.of("exit", "0"), "");

    assertThatThrownBy(() -> runProfile(profile, List.of(),
        Optional.of(agentDir.resolve("no-such-vmlinux"))))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("no kernel at")
        .satisfies(e -> assertThat(((ClawException) e).fix()).contains("--kernel"));
  }

  private RunResult run(List<String> args, String runExtra) throws Exception {
    return run(args, runExtra, List.of());
  }

  private RunResult run(List<String> args, String runExtra, List<ExtraFile> extras)
      throws Exception {
    return runProfile(profile(args, runExtra), extras, Optional.empty());
  }

  private AgentProfile profile(List<String> args, String runExtra) throws IOException {
    Files.copy(agentBinary, agentDir.resolve("test-agent"));
    return new ProfileLoader().load(TestAgents.profile(agentDir, "test", args, runExtra));
  }

  private RunResult runProfile(AgentProfile profile, List<ExtraFile> extras,
      Optional<Path> kernel) throws IOException {
    ClawDirs dirs = new ClawDirs(ClawDirs.fromEnvironment().cache(), runtime);
    AgentRunner runner = new AgentRunner(dirs, new QemuMicrovm(), EventListener.IGNORE);
    RunRequest request = new RunRequest(profile, extras, kernel,
        AcceleratorProbe.Request.AUTO, Optional.empty(), Instant.now());
    return runner.run(request, output);
  }
}
