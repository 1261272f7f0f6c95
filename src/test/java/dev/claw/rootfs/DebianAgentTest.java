package dev.claw.rootfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.debian.DebCache;
import dev.claw.event.EventListener;
import dev.claw.guest.GuestInit;
import dev.claw.host.ClawDirs;
import dev.claw.host.Exec;
import dev.claw.host.Trees;
import dev.claw.image.ImageBuilder;
import dev.claw.image.ImageBuilder.BuiltImage;
import dev.claw.image.ImageBuilder.ExtraFile;
import dev.claw.image.ImageFormat;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.LayerLoader;
import dev.claw.profile.ProfileLoader;
import dev.claw.run.AgentRunner;
import dev.claw.run.Outcome;
import dev.claw.run.RunRequest;
import dev.claw.seccomp.LearnedPolicy;
import dev.claw.seccomp.SyscallTable;
import dev.claw.run.RunResult;
import dev.claw.run.CollectedOutput;
import dev.claw.testing.OciRun;
import dev.claw.testing.VmLeaks;
import dev.claw.vm.AcceleratorProbe;
import dev.claw.vm.QemuMicrovm;
import dev.claw.testing.TestKernel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance of Debian-based images, with real packages from the host's Debian mirror:
 * the wordcount agent in Python (base + python + json) and as a static binary (no base) give
 * the same answer, in a microVM and in an OCI runtime, and every format is reproducible.
 */
class DebianAgentTest {
  private static final Path REPO = Path.of(System.getProperty("claw.repo", "."));
  private static final Path TASK = REPO.resolve("examples/wordcount/task.json");

  @TempDir static Path work;
  @TempDir Path runtime;

  private static Path pythonAgent;
  private static String expected;

  @BeforeAll
  static void prepare() throws Exception {
    // A copy, so that the lock the first build writes lands here and not in the repository.
    pythonAgent = work.resolve("wordcount-py");
    Files.createDirectories(pythonAgent);
    for (String name : List.of("claw.yaml", "agent.py")) {
      Files.copy(REPO.resolve("examples/wordcount-py").resolve(name), pythonAgent.resolve(name));
    }
    expected = runNatively(compileStaticWordcount());
    TestKernel.cachedOrBuilt();
  }

  @AfterEach
  void noVmLeftBehind() throws IOException {
    VmLeaks.assertNoneLeft(runtime);
  }

  @Test
  void pythonAgentOnDebianPackagesGivesTheStaticAgentsAnswerInAMicroVm() throws Exception {
    CollectedOutput output = new CollectedOutput();

    RunResult result = run(new ProfileLoader().load(pythonAgent), output);

    assertThat(result.outcome()).isEqualTo(new Outcome.Exited(0));
    assertThat(output.stdout()).isEqualTo(expected);
    assertThat(output.stderr()).isEmpty();
    assertThat(pythonAgent.resolve(LayerLock.FILE_NAME)).isRegularFile();
  }

  @Test
  void pythonAgentRunsUnderThePolicyClawLearnMadeFromIt() throws Exception {
    AgentProfile profile = new ProfileLoader().load(pythonAgent);
    RunResult learning = run(profile.withSeccomp(AgentProfile.LEARN), new CollectedOutput());
    List<Integer> used = learning.syscallsUsed().orElseThrow();
    Path policy = Files.writeString(pythonAgent.resolve("learned.yaml"),
        LearnedPolicy.yaml(profile.name(), used));
    CollectedOutput output = new CollectedOutput();

    RunResult result = run(profile.withSeccomp(policy.toString()), output);

    assertThat(learning.outcome()).isEqualTo(new Outcome.Exited(0));
    assertThat(result.outcome()).isEqualTo(new Outcome.Exited(0));
    assertThat(output.stdout()).isEqualTo(expected);
    // CPython does make an AF_UNIX socket (glibc asks nscd for the user), never ptrace.
    assertThat(used).contains(SyscallTable.x86_64().number("socket").getAsInt())
        .doesNotContain(SyscallTable.x86_64().number("ptrace").getAsInt());
  }

  @Test
  void staticAgentWithNoBaseGivesTheSameAnswer() throws Exception {
    Path agent = work.resolve("wordcount");
    Files.createDirectories(agent);
    Files.copy(REPO.resolve("examples/wordcount/claw.yaml"), agent.resolve("claw.yaml"));
    Files.copy(work.resolve("wordcount-static"), agent.resolve("wordcount"));
    CollectedOutput output = new CollectedOutput();

    RunResult result = run(new ProfileLoader().load(agent), output);

    assertThat(result.outcome()).isEqualTo(new Outcome.Exited(0));
    assertThat(output.stdout()).isEqualTo(expected);
  }

  @Test
  void everyFormatIsTheSameBytesWhenBuiltAgainFromScratch() throws Exception {
    AgentProfile profile = new ProfileLoader().load(pythonAgent);
    for (ImageFormat format : ImageFormat.values()) {
      // Fresh layer caches: the second build unpacks every package again.
      String first = build(profile, format, work.resolve("first-" + format));
      String second = build(profile, format, work.resolve("second-" + format));

      assertThat(second).as(format.toString()).isEqualTo(first).startsWith("sha256:");
    }
  }

  @Test
  void ociLayoutRunsUnderRuncWithTheSameAnswer() throws Exception {
    AgentProfile profile = new ProfileLoader().load(pythonAgent);
    Path layout = work.resolve("oci-run");
    build(profile, ImageFormat.OCI, layout);

    Exec.Result run = OciRun.run(layout, "wordcount-py", Map.of(TASK, "/input/task.json"),
        work);

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).isEqualTo(expected);
  }

  private RunResult run(AgentProfile profile, CollectedOutput output) throws IOException {
    ClawDirs dirs = new ClawDirs(ClawDirs.fromEnvironment().cache(), runtime);
    AgentRunner runner = new AgentRunner(dirs, new QemuMicrovm(), EventListener.IGNORE);
    RunRequest request = new RunRequest(profile,
        List.of(new ExtraFile(TASK, "/input/task.json")), Optional.empty(),
        AcceleratorProbe.Request.AUTO, Optional.empty(), Instant.now());
    return runner.run(request, output);
  }

  private static String build(AgentProfile profile, ImageFormat format, Path out)
      throws IOException {
    ClawDirs shared = ClawDirs.fromEnvironment();
    Path layerCache = Files.createTempDirectory(work, "layers");
    try {
      DebianRoot root = new DebianRoot(new LayerLoader(),
          new LayerLock(Path.of("/etc/apt"), shared.cache("debian-indexes"),
              EventListener.IGNORE),
          new DebCache(shared.cache("debs"), EventListener.IGNORE),
          new LayerCache(layerCache), EventListener.IGNORE);
      byte[] init = Files.readAllBytes(
          new GuestInit(shared.cache("init"), EventListener.IGNORE).binary());
      BuiltImage image = new ImageBuilder(init, root).assemble(profile, List.of(),
          format.target());
      return format.write(image, profile, out);
    } finally {
      Trees.delete(layerCache);
    }
  }

  private static Path compileStaticWordcount() throws Exception {
    Path binary = work.resolve("wordcount-static");
    Process cc = new ProcessBuilder("musl-gcc", "-static", "-Os", "-std=c11", "-o",
        binary.toString(), REPO.resolve("examples/wordcount/wordcount.c").toString())
        .inheritIO().start();
    assertThat(cc.waitFor()).as("musl-gcc on examples/wordcount").isZero();
    return binary;
  }

  /** The static agent on the host itself: the answer both images must give. */
  private static String runNatively(Path binary) throws Exception {
    Process agent = new ProcessBuilder(binary.toString(), TASK.toString()).start();
    String stdout = new String(agent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(agent.waitFor()).isZero();
    assertThat(stdout).startsWith("{\"words\": 15,");
    return stdout;
  }
}
