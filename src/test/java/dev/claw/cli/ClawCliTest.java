package dev.claw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.testing.TestAgents;
import dev.claw.testing.VmLeaks;
import dev.claw.vm.VmRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the claw command as a user would, as a separate process, against real microVMs. */
class ClawCliTest {
  private static final Path REPO = Path.of(System.getProperty("claw.repo", "."));
  private static final String SUMMARY =
      "hello: exit 0 in \\d+\\.\\d\\d s \\((tcg|kvm); first stdout at \\d+\\.\\d\\d s\\)";

  @TempDir Path runtime;
  @TempDir Path work;

  @BeforeAll
  static void buildExamples() throws Exception {
    Process make = new ProcessBuilder("make", "-s", "-C", REPO.resolve("examples").toString())
        .inheritIO().start();
    assertThat(make.waitFor()).as("make -C examples").isZero();
  }

  @AfterEach
  void noVmLeftBehind() throws IOException {
    VmLeaks.assertNoneLeft(runtime);
  }

  @Test
  void helloPrintsItsOutputThenTheSummary() throws Exception {
    Result hello = claw("run", REPO.resolve("examples/hello").toString());

    assertThat(hello.exit).isZero();
    assertThat(hello.stdout).matches(
        "hello from an agent in its own microVM: Linux 6\\.1\\.\\d+, uid 1000\n");
    assertThat(hello.lastStderrLine()).matches(SUMMARY);
  }

  @Test
  void aDebianAgentIsLockedThenBuiltAndExplainedPerLayer() throws Exception {
    Path agent = work.resolve("wordcount-py");
    Files.createDirectories(agent);
    for (String name : List.of("claw.yaml", "agent.py")) {
      Files.copy(REPO.resolve("examples/wordcount-py").resolve(name), agent.resolve(name));
    }

    Result lock = claw("lock", agent.toString());
    Result build = claw("build", "--explain", "--format", "oci", agent.toString(), "-o",
        work.resolve("layout").toString());

    assertThat(lock.exit).as(lock.stderr).isZero();
    assertThat(lock.stdout).containsPattern("(?m)^base +libc6 ")
        .containsPattern("(?m)^python +python3\\.11-minimal ");
    assertThat(agent.resolve("claw.lock")).isRegularFile();
    assertThat(build.exit).as(build.stderr).isZero();
    assertThat(build.stdout).contains("layer base: The C library", "layer python: ",
        "layer json: ", "layer agent: ", "total: ").containsPattern("(?m)^sha256:[0-9a-f]{64}  ");
    assertThat(work.resolve("layout/index.json")).isRegularFile();
  }

  @Test
  void helloBootsFromAReadOnlyDiskImageToo() throws Exception {
    Result hello = claw("run", "--format", "erofs", REPO.resolve("examples/hello").toString());

    assertThat(hello.exit).isZero();
    assertThat(hello.stdout).matches(
        "hello from an agent in its own microVM: Linux 6\\.1\\.\\d+, uid 1000\n");
    assertThat(hello.lastStderrLine()).matches(SUMMARY);
  }

  @Test
  void timingsListEveryPhaseAndTheJsonHasThem() throws Exception {
    Path json = work.resolve("timings.json");

    Result hello = claw("run", "--timings", "--timings-json", json.toString(),
        REPO.resolve("examples/hello").toString());

    assertThat(hello.stderr).contains("vmm spawned", "kernel started", "init started",
        "agent exec'd", "first stdout", "agent exited", "vm exited");
    assertThat(Files.readString(json)).contains("\"vmm_spawn\"", "\"kernel_start\"",
        "\"init_start\"", "\"agent_exec\"", "\"first_stdout\"", "\"agent_exit\"",
        "\"vm_exit\"", "\"kind\" : \"exited\"");
  }

  @Test
  void wordcountDoesRealWorkOnAFileGivenAtRunTime() throws Exception {
    Path examples = REPO.resolve("examples/wordcount");

    Result result = claw("run", "--file", examples.resolve("task.json") + ":/input/task.json",
        examples.toString());

    assertThat(result.exit).isZero();
    assertThat(result.stdout).isEqualTo("{\"words\": 15, \"unique\": 10, \"top\": ["
        + "{\"word\": \"the\", \"count\": 4}, {\"word\": \"dog\", \"count\": 2}, "
        + "{\"word\": \"fox\", \"count\": 2}]}\n");
  }

  @Test
  void agentKilledBySignalExitsWith128PlusTheSignal() throws Exception {
    Result crash = claw("run", testAgent("segv").toString());

    assertThat(crash.exit).isEqualTo(128 + 11);
    assertThat(crash.lastStderrLine()).startsWith("crash: killed by SIGSEGV (11) in ");
  }

  @Test
  void timeoutExitsWith124() throws Exception {
    Result hang = claw("run", "--timeout", "2", testAgent("hang").toString());

    assertThat(hang.exit).isEqualTo(124);
    assertThat(hang.lastStderrLine()).startsWith("crash: timed out after 2.00 s");
  }

  @Test
  void brokenProfileExitsWith125AndSaysWhatToDo() throws Exception {
    Files.writeString(work.resolve("claw.yaml"), "name: x\nbase: none\nrun:\n  cmd: [/a]\n");

    Result broken = claw("run", work.toString());

    assertThat(broken.exit).isEqualTo(125);
    assertThat(broken.stderr).contains("claw.yaml:4: unknown key 'cmd' in run")
        .contains("to fix: use one of: command, env, root-reason, timeout, user, workdir");
  }

  @Test
  void mistakesOnTheCommandLineExitWith125BeforeAnyVmBoots() throws Exception {
    String hello = REPO.resolve("examples/hello").toString();

    Result unknown = claw("run", "--bogus", hello);
    Result timings = claw("run", "--timings-json", "/nonexistent/t.json", hello);
    Result timeout = claw("run", "--timeout", "-1", hello);
    Result format = claw("run", "--format", "zfs", hello);

    assertThat(List.of(unknown.exit, timings.exit, timeout.exit, format.exit))
        .containsOnly(125);
    assertThat(format.stderr).contains("--format zfs is not an image format claw boots",
        "to fix: use initramfs, ext4 or erofs");
    assertThat(unknown.stderr).contains("Unknown option: '--bogus'", "claw run --help");
    assertThat(timings.stderr).contains("cannot write --timings-json /nonexistent/t.json");
    assertThat(timeout.stderr).contains("--timeout -1 is not a whole number above zero");
    assertThat(runtime.resolve("vms")).doesNotExist();
  }

  @Test
  void killedClawTakesItsVmWithItAndTheNextRunReapsTheRest() throws Exception {
    Process claw = start("run", testAgent("hang").toString());
    Path vmm = awaitVmmRecord();
    long qemuPid = Long.parseLong(Files.readString(vmm).split(" ")[0]);

    claw.destroyForcibly();  // SIGKILL: no shutdown hook runs
    claw.waitFor();

    Optional<ProcessHandle> qemu = ProcessHandle.of(qemuPid);
    if (qemu.isPresent()) {
      qemu.get().onExit().get(10, TimeUnit.SECONDS);
    }
    assertThat(VmLeaks.vmmsUnder(runtime)).isEmpty();
    assertThat(new VmRegistry(runtime.resolve("vms")).reapLeftovers()).hasSize(1);
  }

  @Test
  void interruptedClawStopsItsVmAndRemovesItsFiles() throws Exception {
    Process claw = start("run", testAgent("hang").toString());
    awaitVmmRecord();

    new ProcessBuilder("kill", "-INT", String.valueOf(claw.pid())).start().waitFor();

    assertThat(claw.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(VmLeaks.vmmsUnder(runtime)).isEmpty();
    try (Stream<Path> left = Files.list(runtime.resolve("vms"))) {
      assertThat(left).isEmpty();
    }
  }

  private Path testAgent(String mode) throws Exception {
    TestAgents.compile(work);
    return TestAgents.profile(work, "crash", List.of(mode), "");
  }

  private Path awaitVmmRecord() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (Files.isDirectory(runtime.resolve("vms"))) {
        try (Stream<Path> vms = Files.list(runtime.resolve("vms"))) {
          Optional<Path> record = vms.map(vm -> vm.resolve("vmm")).filter(Files::exists)
              .findFirst();
          if (record.isPresent()) {
            return record.get();
          }
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("claw never started a VM");
  }

  private Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectOutput(work.resolve("stdout").toFile())
        .redirectError(work.resolve("stderr").toFile());
    builder.environment().put("CLAW_RUNTIME", runtime.toString());
    return builder.start();
  }

  private Result claw(String... args) throws Exception {
    Process process = start(args);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("claw finished").isTrue();
    return new Result(process.exitValue(),
        Files.readString(work.resolve("stdout"), StandardCharsets.UTF_8),
        Files.readString(work.resolve("stderr"), StandardCharsets.UTF_8));
  }

  private record Result(int exit, String stdout, String stderr) {
    String lastStderrLine() {
      List<String> lines = stderr.lines().toList();
      return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
  }
}
