package dev.claw.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.event.EventListener;
import dev.claw.host.ClawDirs;
import dev.claw.image.ImageBuilder.ExtraFile;
import dev.claw.image.ImageFormat;
import dev.claw.profile.ProfileLoader;
import dev.claw.testing.TestAgents;
import dev.claw.testing.VmLeaks;
import dev.claw.vm.ForwardingBackend;
import dev.claw.vm.QemuMicrovm;
import dev.claw.vm.VmBackend;
import dev.claw.vm.VmProcess;
import dev.claw.vm.VmSpec;
import dev.claw.testing.TestKernel;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Boots real microVMs whose root is a read-only ext4 or EROFS disk (QEMU, claw's kernel and
 * init), and compares what the agent sees with a boot from an initramfs.
 */
class DiskRootTest {
  @TempDir static Path build;
  @TempDir Path runtime;
  @TempDir Path agentDir;

  private static Path agentBinary;

  @BeforeAll
  static void buildAgentAndKernel() throws Exception {
    agentBinary = TestAgents.compile(build);
    TestKernel.cachedOrBuilt();
  }

  @AfterEach
  void noVmLeftBehind() throws IOException {
    VmLeaks.assertNoneLeft(runtime);
  }

  @ParameterizedTest
  @EnumSource(value = ImageFormat.class, names = {"EXT4", "EROFS"})
  void agentSeesWhatItSeesFromAnInitramfs(ImageFormat format) throws Exception {
    StringBuilder seen = new StringBuilder();
    for (List<String> args : List.of(List.of("streams"), List.of("whoami"),
        List.of("cat", "/input/task.txt"), List.of("attack-root"), List.of("exit", "3"))) {
      Run fromMemory = run(ImageFormat.INITRAMFS, args, new QemuMicrovm());
      Run fromDisk = run(format, args, new QemuMicrovm());

      assertThat(fromDisk.result().outcome()).isEqualTo(fromMemory.result().outcome());
      assertThat(fromDisk.stdout()).isEqualTo(fromMemory.stdout());
      assertThat(fromDisk.stderr()).isEqualTo(fromMemory.stderr());
      seen.append(fromDisk.stdout());
    }
    // Not two empty outputs alike: the agent ran and said what it does from an initramfs.
    assertThat(seen.toString()).contains("to stdout\n", "uid=1000 gid=1000 cwd=/app",
        "the task\n", "write /x: denied", "NoNewPrivs:\t1");
  }

  @ParameterizedTest
  @EnumSource(value = ImageFormat.class, names = {"EXT4", "EROFS"})
  void agentCanWriteOnlyToTmp(ImageFormat format) throws Exception {
    Run run = run(format, List.of("create", "/x", "/usr/x", "/usr/share/x", "/app/x",
        "/tmp/x"), new QemuMicrovm());

    assertThat(run.result().outcome()).isEqualTo(new Outcome.Exited(0));
    assertThat(run.stdout()).isEqualTo(String.join("\n",
        "create /x: Read-only file system",
        "create /usr/x: Read-only file system",
        "create /usr/share/x: Read-only file system",
        "create /app/x: Read-only file system",
        "create /tmp/x: ok",
        ""));
  }

  @ParameterizedTest
  @EnumSource(value = ImageFormat.class, names = {"EXT4", "EROFS"})
  void damagedDiskIsReportedByInit(ImageFormat format) throws Exception {
    // Zeroes the first 64 KiB, superblock included, just before the VM starts.
    VmBackend damaging = tampering(spec -> {
      zeroStart(spec.rootDisk().orElseThrow().image());
      return spec;
    });

    Run run = run(format, List.of("exit", "0"), damaging);

    assertThat(run.result().outcome()).isInstanceOf(Outcome.InitFailed.class);
    assertThat(((Outcome.InitFailed) run.result().outcome()).message())
        .startsWith("cannot mount /dev/vda (" + format.filesystem() + "): ")
        .contains("damaged");
  }

  @Test
  void missingDiskIsReportedByInit() throws Exception {
    ImageFormat format = ImageFormat.EXT4;
    // The kernel command line still names the disk, but no disk is attached.
    VmBackend unplugging = tampering(spec -> {
      List<String> args = new ArrayList<>(spec.kernelArgs());
      args.add("claw.root=/dev/vda");
      args.add("claw.rootfstype=" + format.filesystem());
      return new VmSpec(spec.name(), spec.kernel(), spec.initramfs(), args, spec.memoryMib(),
          spec.cpus(), spec.accelerator(), spec.channelSocket(), spec.consoleLog(),
          spec.stateDir());
    });

    Run run = run(format, List.of("exit", "0"), unplugging);

    assertThat(run.result().outcome()).isInstanceOf(Outcome.InitFailed.class);
    assertThat(((Outcome.InitFailed) run.result().outcome()).message())
        .startsWith("no root disk at /dev/vda");
  }

  private Run run(ImageFormat format, List<String> args, VmBackend backend) throws Exception {
    Path task = Files.writeString(agentDir.resolve("task.txt"), "the task\n");
    Files.copy(agentBinary, agentDir.resolve("test-agent"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    var profile = new ProfileLoader().load(TestAgents.profile(agentDir, "disk", args,
        "  env: {CLAW_TEST: from-profile}\n"));
    List<ExtraFile> extras = List.of(new ExtraFile(task, "/input/task.txt"),
        new ExtraFile(task, "/usr/share/doc/task.txt"));

    ClawDirs dirs = new ClawDirs(ClawDirs.fromEnvironment().cache(), runtime);
    CollectedOutput output = new CollectedOutput();
    RunResult result = new AgentRunner(dirs, backend, EventListener.IGNORE)
        .run(RunRequest.of(profile).withExtraFiles(extras).withFormat(format), output);
    return new Run(result, output);
  }

  /** Changes each spec that has a root disk just before a real QEMU boots it. */
  private static VmBackend tampering(UnaryOperator<VmSpec> change) {
    return new ForwardingBackend(new QemuMicrovm()) {
      @Override
      public VmProcess start(VmSpec spec) throws IOException {
        return delegate.start(spec.rootDisk().isPresent() ? change.apply(spec) : spec);
      }
    };
  }

  private static void zeroStart(Path image) {
    try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
      file.write(new byte[64 * 1024]);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** One run: its result, and the agent's output. */
  private record Run(RunResult result, CollectedOutput output) {
    String stdout() {
      return output.stdout();
    }

    String stderr() {
      return output.stderr();
    }
  }
}
