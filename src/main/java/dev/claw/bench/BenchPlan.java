package dev.claw.bench;

import dev.claw.event.EventListener;
import dev.claw.host.ClawDirs;
import dev.claw.host.Trees;
import dev.claw.profile.AgentProfile;
import dev.claw.run.AgentRunner;
import dev.claw.run.RunRequest;
import dev.claw.run.RunResult;
import dev.claw.run.SnapshotRunner;
import dev.claw.vm.AcceleratorProbe;
import dev.claw.vm.PidReportingBackend;
import dev.claw.vm.QemuMicrovm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What to bench and how: builds one {@link Launcher} per mode for an agent, runs the rounds and
 * the surge, and returns the report. The public entry point of this package.
 *
 * @param concurrency launches at once in the surge; 0 for no surge
 */
public record BenchPlan(AgentProfile profile, int runs, Set<BenchMode> modes, int concurrency,
    AcceleratorProbe.Request accelerator) {

  /** Runs the plan in a fresh folder under {@code work}, removed afterwards. */
  public BenchReport run(ClawDirs dirs, EventListener events, Path work) throws IOException {
    double loadBefore = Bench.loadAverage();
    Instant started = Instant.now();
    Path dir = Files.createTempDirectory(work, "claw-bench-");
    try {
      AtomicReference<RunResult> lastVm = new AtomicReference<>();
      List<Launcher> launchers = launchers(dirs, events, dir, lastVm);
      List<ModeReport> reports = new Bench(launchers, events).sequential(runs);
      Optional<SurgeReport> surge = Optional.empty();
      if (concurrency > 0) {
        events.progress("bench", concurrency + " cold microVM launches at once");
        surge = Optional.of(Bench.surge(vm(dirs, events, BenchMode.MICROVM, null, lastVm),
            concurrency));
      }
      return Bench.report(profile.name(), started, runs, loadBefore,
          () -> accelerator(lastVm.get()), reports, surge);
    } finally {
      Trees.deleteQuietly(dir);
    }
  }

  private List<Launcher> launchers(ClawDirs dirs, EventListener events, Path dir,
      AtomicReference<RunResult> lastVm) throws IOException {
    List<Launcher> launchers = new ArrayList<>();
    if (modes.contains(BenchMode.NATIVE) || modes.contains(BenchMode.CONTAINER)) {
      BenchTarget target = BenchTarget.prepare(profile, dirs, events, dir);
      Map<String, String> env = target.spec().env();
      if (modes.contains(BenchMode.NATIVE)) {
        launchers.add(new ProcessLauncher(BenchMode.NATIVE, n -> target.nativeCommand(), env,
            dir));
      }
      if (modes.contains(BenchMode.CONTAINER)) {
        Path state = dir.resolve("runc-state");
        String prefix = "claw-bench-" + ProcessHandle.current().pid() + "-";
        launchers.add(new ProcessLauncher(BenchMode.CONTAINER,
            n -> target.runcCommand(state, prefix + n), Map.of("PATH", "/usr/sbin:/usr/bin"),
            dir));
      }
    }
    if (modes.contains(BenchMode.MICROVM)) {
      launchers.add(vm(dirs, events, BenchMode.MICROVM, null, lastVm));
    }
    if (modes.contains(BenchMode.MICROVM_CLOUD)) {
      CloudKernel cloud = CloudKernel.find(Path.of("/boot"), Path.of("/lib/modules"));
      launchers.add(vm(dirs, events, BenchMode.MICROVM_CLOUD, cloud, lastVm));
    }
    if (modes.contains(BenchMode.SNAPSHOT)) {
      launchers.add(snapshot(dirs, events, lastVm));
    }
    return launchers;
  }

  private VmLauncher vm(ClawDirs dirs, EventListener events, BenchMode mode, CloudKernel cloud,
      AtomicReference<RunResult> lastVm) {
    return new VmLauncher(mode, (output, vmPid) -> {
      RunRequest request = request(cloud);
      AgentRunner runner = new AgentRunner(dirs, new PidReportingBackend(new QemuMicrovm(), vmPid),
          events);
      RunResult result = runner.run(request, output, image -> {
        if (cloud != null) {
          cloud.addModules(image);
        }
      });
      lastVm.set(result);
      return result;
    });
  }

  private VmLauncher snapshot(ClawDirs dirs, EventListener events,
      AtomicReference<RunResult> lastVm) {
    return new VmLauncher(BenchMode.SNAPSHOT, (output, vmPid) -> {
      SnapshotRunner runner = new SnapshotRunner(dirs, events);
      RunResult result = runner.run(request(null), output, vmPid);
      lastVm.set(result);
      return result;
    });
  }

  private RunRequest request(CloudKernel cloud) {
    return new RunRequest(profile, List.of(), Optional.ofNullable(cloud).map(CloudKernel::kernel),
        accelerator, Optional.empty(), Instant.now());
  }

  private static String[] accelerator(RunResult vmRun) {
    if (vmRun == null) {
      return new String[] {"none", "no microVM mode was run"};
    }
    return new String[] {vmRun.accelerator().accelerator().label(),
        vmRun.accelerator().reason()};
  }
}
