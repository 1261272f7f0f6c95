package dev.claw.bench;

import java.util.Map;
import java.util.Optional;

/**
 * One launch of the agent, measured on the host. Times are from the moment the bench started
 * the launch; CPU is the host CPU time of everything the launch ran (claw's own work in this
 * JVM, the VMM or runtime, the agent), from {@code /proc}, so to the kernel's clock tick.
 *
 * @param firstStdoutMs launch to the agent's first stdout byte reaching the bench
 * @param exitMs launch to the end of the run (process, runtime or VMM gone)
 * @param peakRssKib the highest resident set the launched process reached (the VMM for
 *     microVMs), sampled; 0 if it ended before the first sample
 * @param phasesMs claw's timeline of a microVM run, phase name to ms after launch
 * @param failure why the launch failed; empty for a run that exited 0 and printed
 */
public record Sample(
    BenchMode mode,
    double firstStdoutMs,
    double exitMs,
    double cpuMs,
    long peakRssKib,
    Map<String, Double> phasesMs,
    Optional<String> failure) {

  public Sample {
    phasesMs = Map.copyOf(phasesMs);
  }

  public static Sample failed(BenchMode mode, String why) {
    return new Sample(mode, 0, 0, 0, 0, Map.of(), Optional.of(why));
  }

  public boolean ok() {
    return failure.isEmpty();
  }
}
