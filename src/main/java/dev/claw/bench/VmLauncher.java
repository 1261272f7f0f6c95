package dev.claw.bench;

import dev.claw.run.Outcome;
import dev.claw.run.RunResult;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * Launches a microVM through claw's library, in this JVM: image, VMM, guest, teardown. The
 * JVM's own start (about 0.2 s for {@code claw run} from a shell) is not in these numbers; it
 * is the same for every mode claw drives and is measured apart (bench/launch_overhead.py).
 */
final class VmLauncher implements Launcher {

  /** One run of claw's library; it calls {@code vmPid} with the VMM's pid when it spawns. */
  interface VmRun {
    RunResult run(OutputSink output, LongConsumer vmPid) throws IOException;
  }

  private final BenchMode mode;
  private final VmRun run;

  VmLauncher(BenchMode mode, VmRun run) {
    this.mode = mode;
    this.run = run;
  }

  @Override
  public BenchMode mode() {
    return mode;
  }

  @Override
  public Sample launch() throws IOException {
    OutputSink output = new OutputSink();
    AtomicReference<HostUsage.RssSampler> sampler = new AtomicReference<>();
    double cpuBefore = HostUsage.cpuMs();
    long start = System.nanoTime();
    try {
      RunResult result = run.run(output, pid -> sampler.set(new HostUsage.RssSampler(pid)));
      long end = System.nanoTime();
      long first = output.firstStdoutNanos();
      long rss = sampler.get() == null ? 0 : sampler.get().peakKib();
      return new Sample(mode, ProcessLauncher.millis(start, first < 0 ? end : first),
          ProcessLauncher.millis(start, end), HostUsage.cpuMs() - cpuBefore, rss,
          phases(result), failure(result, first));
    } catch (RuntimeException e) {
      return Sample.failed(mode, mode.label() + ": " + e.getMessage());
    } finally {
      Optional.ofNullable(sampler.get()).ifPresent(HostUsage.RssSampler::close);
    }
  }

  private static Map<String, Double> phases(RunResult result) {
    Map<String, Double> phases = new LinkedHashMap<>();
    result.timeline().phases().forEach((phase, at) ->
        phases.put(phase.jsonName(), at.toNanos() / 1e6));
    return phases;
  }

  private Optional<String> failure(RunResult result, long firstStdout) {
    Outcome outcome = result.outcome();
    if (outcome instanceof Outcome.Exited exited && exited.code() == 0 && firstStdout >= 0) {
      return Optional.empty();
    }
    String why = outcome instanceof Outcome.VmFailed failed
        ? failed.message() + " " + failed.evidence() : outcome.toString();
    return Optional.of(mode.label() + ": " + why);
  }
}
