package dev.claw.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.event.ClawEvent;
import dev.claw.event.EventListener;
import dev.claw.host.ClawDirs;
import dev.claw.profile.ProfileLoader;
import dev.claw.testing.TestAgents;
import dev.claw.testing.TestKernel;
import dev.claw.testing.VmLeaks;
import dev.claw.vm.AcceleratorProbe;
import dev.claw.vm.QemuMicrovm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inspects a running VMM from the host, as an attacker who broke out of the guest into QEMU
 * would find it. Needs root (as claw's tests are run); as another user claw says what it could
 * not apply instead, which {@link #eventsSayWhatWasApplied} checks.
 */
class VmmConfinementTest {
  @TempDir static Path build;
  @TempDir Path runtime;
  @TempDir Path agentDir;

  @BeforeAll
  static void buildAgentAndKernel() throws Exception {
    TestAgents.compile(build);
    TestKernel.cachedOrBuilt();
  }

  @AfterEach
  void noVmLeftBehind() throws IOException {
    VmLeaks.assertNoneLeft(runtime);
  }

  @Test
  void runningQemuIsUnprivilegedSandboxedAndAloneInItsNamespaces() throws Exception {
    List<String> details = new ArrayList<>();
    CompletableFuture<Void> agentRuns = new CompletableFuture<>();
    CompletableFuture<RunResult> run = startHangingAgent(details, agentRuns);
    // Once the agent speaks, QEMU is past its set-up and has its sandbox in place.
    agentRuns.get(60, TimeUnit.SECONDS);
    long qemu = awaitQemu();

    Map<String, String> status = procFields(qemu, "status", ":");
    String limits = Files.readString(Path.of("/proc", String.valueOf(qemu), "limits"));
    List<String> root = listing(Path.of("/proc", String.valueOf(qemu), "root"));
    List<String> files = filesOutsideUsr(Path.of("/proc", String.valueOf(qemu), "root", "."));
    String hostPidNs = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
    String qemuPidNs = Files.readSymbolicLink(Path.of("/proc", qemu + "", "ns/pid")).toString();
    String hostMntNs = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
    String qemuMntNs = Files.readSymbolicLink(Path.of("/proc", qemu + "", "ns/mnt")).toString();
    String hostNetNs = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    String qemuNetNs = Files.readSymbolicLink(Path.of("/proc", qemu + "", "ns/net")).toString();
    run.get(60, TimeUnit.SECONDS);

    assertThat(status.get("Uid").split("\\s+")).doesNotContain("0");
    assertThat(status.get("Gid").split("\\s+")).doesNotContain("0");
    assertThat(status.get("Groups")).isEmpty();
    assertThat(status.get("CapPrm")).isEqualTo("0000000000000000");
    assertThat(status.get("CapEff")).isEqualTo("0000000000000000");
    assertThat(status.get("CapBnd")).isEqualTo("0000000000000000");
    assertThat(status.get("NoNewPrivs")).isEqualTo("1");
    // 2: a seccomp filter (QEMU's -sandbox) is installed.
    assertThat(status.get("Seccomp")).isEqualTo("2");
    // Its pid in its own namespace is 1: it sees no other process.
    assertThat(status.get("NSpid").split("\\s+")).hasSize(2).endsWith("1");
    assertThat(qemuPidNs).isNotEqualTo(hostPidNs);
    assertThat(qemuMntNs).isNotEqualTo(hostMntNs);
    // No network device in the VM: the VMM has no network either, not even the host's lo.
    assertThat(qemuNetNs).isNotEqualTo(hostNetNs);
    assertThat(limits).containsPattern("Max open files\\s+1024\\s+1024")
        .containsPattern("Max core file size\\s+0\\s+0")
        .containsPattern("Max file size\\s+67108864\\s+67108864")
        .containsPattern("Max address space\\s+\\d+\\s+\\d+");
    // Its whole world: /usr (and the merged-/usr links), a few devices, the VM's own files.
    assertThat(root).doesNotContain("etc", "home", "var", "sys", "boot").contains("usr", "dev");
    assertThat(files).hasSize(8).contains("/dev/null", "/dev/zero", "/dev/urandom", "/dev/kvm")
        .anyMatch(f -> f.endsWith("/vmlinux")).anyMatch(f -> f.endsWith("/initramfs.cpio"))
        .anyMatch(f -> f.endsWith("/console.log")).anyMatch(f -> f.endsWith("/channel.sock"));
    assertThat(details).anyMatch(d -> d.startsWith("vmm confined: seccomp (-sandbox), uid "));
  }

  @Test
  void eventsSayWhatWasApplied() throws Exception {
    List<String> details = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    EventListener events = event -> {
      if (event instanceof ClawEvent.Detail detail) {
        details.add(detail.message());
      } else if (event instanceof ClawEvent.Warning warning) {
        warnings.add(warning.message());
      }
    };
    Path profile = TestAgents.profile(copyAgent(), "quick", List.of("exit", "0"), "");

    RunResult result = runner(events).run(request(profile), AgentOutput.DISCARD);

    assertThat(result.outcome()).isEqualTo(new Outcome.Exited(0));
    assertThat(details).anyMatch(d -> d.startsWith("vmm confined: seccomp (-sandbox)")
        && d.contains("limits (files 1024"));
    assertThat(warnings).noneMatch(w -> w.startsWith("vmm not confined"));
  }

  private CompletableFuture<RunResult> startHangingAgent(List<String> details,
      CompletableFuture<Void> agentRuns) throws IOException {
    Path profile = TestAgents.profile(copyAgent(), "hang", List.of("hang"), "  timeout: 8s\n");
    EventListener events = event -> {
      if (event instanceof ClawEvent.Detail detail) {
        synchronized (details) {
          details.add(detail.message());
        }
      }
    };
    RunRequest request = request(profile);
    return CompletableFuture.supplyAsync(() -> {
      try {
        return runner(events).run(request, new AgentOutput() {
          @Override
          public void stdout(byte[] bytes) {
            agentRuns.complete(null);
          }

          @Override
          public void stderr(byte[] bytes) {
            agentRuns.complete(null);
          }
        });
      } catch (IOException e) {
        agentRuns.completeExceptionally(e);
        throw new IllegalStateException(e);
      }
    });
  }

  private Path copyAgent() throws IOException {
    Files.copy(build.resolve("test-agent"), agentDir.resolve("test-agent"));
    return agentDir;
  }

  private AgentRunner runner(EventListener events) {
    ClawDirs dirs = new ClawDirs(ClawDirs.fromEnvironment().cache(), runtime);
    return new AgentRunner(dirs, new QemuMicrovm(), events);
  }

  private static RunRequest request(Path profile) {
    return new RunRequest(new ProfileLoader().load(profile), List.of(), Optional.empty(),
        AcceleratorProbe.Request.AUTO, Optional.empty(), Instant.now());
  }

  /** The QEMU process itself, not the launchers in front of it (their comm differs). */
  private long awaitQemu() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (ProcessHandle vmm : VmLeaks.vmmsUnder(runtime)) {
        Path comm = Path.of("/proc", String.valueOf(vmm.pid()), "comm");
        if (Files.readString(comm).strip().startsWith("qemu-system")) {
          return vmm.pid();
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no QEMU process appeared");
  }

  private static Map<String, String> procFields(long pid, String file, String separator)
      throws IOException {
    Map<String, String> fields = new TreeMap<>();
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), file))) {
      int at = line.indexOf(separator);
      if (at > 0) {
        fields.put(line.substring(0, at), line.substring(at + 1).strip());
      }
    }
    return fields;
  }

  /** Every file but folders and links in a root, outside /usr, as paths in that root. */
  private static List<String> filesOutsideUsr(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(p -> !p.startsWith(root.resolve("usr")))
          .filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
          .filter(p -> !Files.isSymbolicLink(p))
          .map(p -> "/" + root.relativize(p)).sorted().toList();
    }
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
