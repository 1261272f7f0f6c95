package dev.claw.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One bench run: every mode's launches, the surge if any, and the host they ran on.
 *
 * @param accelerator the microVMs' accelerator, "tcg" or "kvm"
 * @param loadBefore the host's 1-minute load average when the bench started, and after
 */
public record BenchReport(
    String agent,
    Instant startedAt,
    int runs,
    String accelerator,
    String acceleratorReason,
    int hostCpus,
    double loadBefore,
    double loadAfter,
    List<ModeReport> modes,
    Optional<SurgeReport> surge) {

  public BenchReport {
    modes = List.copyOf(modes);
  }

  /** The overhead of each other mode over native; empty if native was not measured. */
  public List<Cost> costs() {
    Optional<ModeReport> native_ = mode(BenchMode.NATIVE);
    List<Cost> costs = new ArrayList<>();
    if (native_.isEmpty() || native_.get().succeeded().isEmpty()) {
      return costs;
    }
    for (ModeReport mode : modes) {
      if (mode.mode() != BenchMode.NATIVE && !mode.succeeded().isEmpty()) {
        costs.add(Cost.over(native_.get(), mode));
      }
    }
    return costs;
  }

  public Optional<ModeReport> mode(BenchMode mode) {
    return modes.stream().filter(m -> m.mode() == mode).findFirst();
  }

  public boolean isEmulated() {
    return !"kvm".equals(accelerator);
  }

  /** Every launch that failed, in the modes and the surge. */
  public int failures() {
    int failures = modes.stream().mapToInt(ModeReport::failures).sum();
    return failures + surge.map(s -> s.asMode().failures()).orElse(0);
  }
}
