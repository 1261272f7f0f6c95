package dev.claw.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU time and memory as the host kernel counts them, read from {@code /proc}.
 *
 * <p>CPU: this JVM's own time plus that of every child it has reaped (the kernel adds a reaped
 * child's time, and that of the children it reaped, to its parent). The difference across one
 * launch is therefore all the CPU that launch cost, whether the work ran in claw's JVM, a VMM,
 * runc or the agent, provided no other launch ran meanwhile. Linux reports it in ticks of
 * USER_HZ, 100 on x86: a 10 ms resolution.
 */
final class HostUsage {
  private static final double MS_PER_TICK = 10.0;
  private static final Path SELF_STAT = Path.of("/proc/self/stat");

  private HostUsage() {}

  /** CPU of this JVM and its reaped children so far, in ms. */
  static double cpuMs() {
    try {
      String stat = Files.readString(SELF_STAT);
      // The command name is in parentheses and may hold spaces: count fields after it.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = 0;
      // Fields 14-17 of proc(5) (utime, stime, cutime, cstime) are 11-14 after the name.
      for (int i = 11; i <= 14; i++) {
        ticks += Long.parseLong(fields[i]);
      }
      return ticks * MS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read " + SELF_STAT + ": " + e, e);
    }
  }

  /** The peak resident set ({@code VmHWM}) of a live process in KiB; 0 once it is gone. */
  static long peakRssKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // The process ended between two samples: its last sample stands.
    }
    return 0;
  }

  /**
   * The largest peak resident set among {@code pid} and its descendants: the pid a launcher
   * gets may be a wrapper (setpriv, nsenter, the VMM jail's unshare and shell) whose child is
   * the VMM itself, and the VMM's is the peak that matters.
   */
  static long largestPeakInTree(long pid) {
    long largest = peakRssKib(pid);
    Optional<ProcessHandle> root = ProcessHandle.of(pid);
    if (root.isPresent()) {
      largest = Math.max(largest, root.get().descendants()
          .mapToLong(child -> peakRssKib(child.pid())).max().orElse(0));
    }
    return largest;
  }

  /**
   * Follows one process tree's peak resident set until {@link #close}, every few ms. The peak is a
   * high-water mark the kernel keeps, so the last sample before the process ends is its peak
   * up to then; what a process adds in its last few ms can be missed.
   */
  static final class RssSampler implements AutoCloseable {
    private static final long PERIOD_MS = 5;
    private final AtomicLong peak = new AtomicLong();
    private final Thread thread;

    RssSampler(long pid) {
      thread = new Thread(() -> sample(pid), "claw-bench-rss-" + pid);
      thread.setDaemon(true);
      thread.start();
    }

    private void sample(long pid) {
      while (!Thread.currentThread().isInterrupted()) {
        peak.accumulateAndGet(largestPeakInTree(pid), Math::max);
        try {
          Thread.sleep(PERIOD_MS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    long peakKib() {
      return peak.get();
    }

    @Override
    public void close() {
      thread.interrupt();
    }
  }
}
