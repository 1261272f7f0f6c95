package dev.claw.bench;

import java.util.List;

/**
 * N launches started at the same moment. Times are from that moment, so they include the
 * launches' waiting for each other on a host with fewer cores than launches.
 *
 * @param cpuMs all the host CPU the surge took, together
 */
public record SurgeReport(BenchMode mode, int concurrency, List<Sample> samples, double wallMs,
    double cpuMs) {

  public SurgeReport {
    samples = List.copyOf(samples);
  }

  public ModeReport asMode() {
    return new ModeReport(mode, samples);
  }
}
