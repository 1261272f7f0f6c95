package dev.claw.bench;

/**
 * What one launch in a mode costs beyond running the agent natively, from the medians.
 *
 * <p>The break-even task lengths answer "how long must the agent's own work be before the
 * launch overhead is small": an overhead of {@code t} seconds is under {@code f} of a run of
 * length {@code task + t} once {@code task > t (1 - f) / f}, that is 9 t for 10 % and 99 t for
 * 1 %. The agent's own work is taken to cost the same in every mode, which under TCG is
 * optimistic for the microVM (emulated code is slower), and under KVM close to true.
 *
 * @param timeS extra wall time per run, launch to exit
 * @param cpuS extra host CPU-seconds per run
 * @param mibS extra MiB-seconds of resident host memory per run
 */
public record Cost(BenchMode mode, double timeS, double cpuS, double mibS) {

  static Cost over(ModeReport native_, ModeReport mode) {
    return new Cost(mode.mode(),
        (mode.exit().median() - native_.exit().median()) / 1000,
        (mode.cpu().median() - native_.cpu().median()) / 1000,
        mode.mibSeconds().median() - native_.mibSeconds().median());
  }

  /** The task length (s) from which the overhead is under {@code fraction} of the run. */
  public double taskLengthFor(double fraction) {
    return Math.max(0, timeS) * (1 - fraction) / fraction;
  }
}
