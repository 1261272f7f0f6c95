package dev.claw.run;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * When each {@link Phase} of a run happened, on the host's monotonic clock, measured from the
 * launch. The kernel's start cannot be seen from the host; it is the moment init said hello
 * minus how long the guest had been up then ({@code CLOCK_BOOTTIME}), which under TCG is an
 * estimate because the guest clock is emulated too.
 *
 * <p>Thread-safe, so that a phase may be marked from any thread (today all marks are made on
 * the thread that runs the VM).
 */
public final class Timeline {
  private final long originNanos;
  private final Instant launchedAt;
  private final Map<Phase, Long> marks = new EnumMap<>(Phase.class);

  /** A timeline whose zero is {@code launchedAt}, a wall-clock instant in the recent past. */
  public Timeline(Instant launchedAt) {
    long sinceLaunch = Math.max(0, Duration.between(launchedAt, Instant.now()).toNanos());
    this.originNanos = System.nanoTime() - sinceLaunch;
    this.launchedAt = launchedAt;
    marks.put(Phase.LAUNCH, originNanos);
  }

  public Instant launchedAt() {
    return launchedAt;
  }

  /** Records {@code phase} as happening now, unless it was recorded already. */
  public void mark(Phase phase) {
    mark(phase, System.nanoTime());
  }

  /** Records {@code phase} at a {@link System#nanoTime} reading, unless recorded already. */
  public synchronized void mark(Phase phase, long nanoTime) {
    marks.putIfAbsent(phase, nanoTime);
  }

  /** How long after the launch {@code phase} happened, if it did. */
  public synchronized Optional<Duration> at(Phase phase) {
    Long nanos = marks.get(phase);
    return nanos == null ? Optional.empty() : Optional.of(Duration.ofNanos(nanos - originNanos));
  }

  /** Every recorded phase, in order. */
  public synchronized Map<Phase, Duration> phases() {
    Map<Phase, Duration> phases = new EnumMap<>(Phase.class);
    marks.forEach((phase, nanos) -> phases.put(phase, Duration.ofNanos(nanos - originNanos)));
    return phases;
  }
}
