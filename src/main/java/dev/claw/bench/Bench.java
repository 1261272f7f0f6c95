package dev.claw.bench;

import dev.claw.event.EventListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Runs the same agent in each mode, round after round. Each round launches every mode once,
 * starting one mode later than the round before, so that a machine that gets busier or
 * quieter during the bench weighs on every mode alike. One untimed launch per mode comes
 * first: it fills caches (kernel, init, layers, KVM verdict) that a user's first run would
 * fill once, too.
 */
public final class Bench {
  private final List<Launcher> launchers;
  private final EventListener events;

  Bench(List<Launcher> launchers, EventListener events) {
    this.launchers = List.copyOf(launchers);
    this.events = events;
  }

  /** {@code runs} timed launches per mode. */
  List<ModeReport> sequential(int runs) throws IOException {
    Map<BenchMode, List<Sample>> samples = new LinkedHashMap<>();
    for (Launcher launcher : launchers) {
      events.progress("bench", "warming up " + launcher.mode().label());
      warnIfFailed(launcher.launch());
      samples.put(launcher.mode(), new ArrayList<>());
    }
    for (int round = 0; round < runs; round++) {
      events.progress("bench", "round " + (round + 1) + " of " + runs);
      for (int i = 0; i < launchers.size(); i++) {
        Launcher launcher = launchers.get((round + i) % launchers.size());
        samples.get(launcher.mode()).add(launcher.launch());
      }
    }
    List<ModeReport> reports = new ArrayList<>();
    samples.forEach((mode, list) -> reports.add(new ModeReport(mode, list)));
    return reports;
  }

  private void warnIfFailed(Sample sample) {
    sample.failure().ifPresent(why -> events.warn("warm-up launch failed: " + why));
  }

  /**
   * {@code concurrency} launches of {@code launcher}, released at once from a latch so that
   * none has a head start from thread creation.
   */
  static SurgeReport surge(Launcher launcher, int concurrency) throws IOException {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Sample>> futures = new ArrayList<>();
      for (int i = 0; i < concurrency; i++) {
        futures.add(pool.submit(waitingLaunch(launcher, start)));
      }
      double cpuBefore = HostUsage.cpuMs();
      long began = System.nanoTime();
      start.countDown();
      List<Sample> samples = collect(launcher.mode(), futures);
      double wall = ProcessLauncher.millis(began, System.nanoTime());
      return new SurgeReport(launcher.mode(), concurrency, samples, wall,
          HostUsage.cpuMs() - cpuBefore);
    } finally {
      pool.shutdownNow();
    }
  }

  private static Callable<Sample> waitingLaunch(Launcher launcher, CountDownLatch start) {
    return () -> {
      start.await();
      return launcher.launch();
    };
  }

  private static List<Sample> collect(BenchMode mode, List<Future<Sample>> futures)
      throws IOException {
    List<Sample> samples = new ArrayList<>();
    for (Future<Sample> future : futures) {
      try {
        samples.add(future.get());
      } catch (ExecutionException e) {
        samples.add(Sample.failed(mode, String.valueOf(e.getCause())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted during the surge", e);
      }
    }
    return samples;
  }

  /** The 1-minute load average, to say how busy the host was. */
  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Assembles the report; {@code accelerator} is known only after a microVM ran. */
  static BenchReport report(String agent, Instant started, int runs, double loadBefore,
      Supplier<String[]> accelerator, List<ModeReport> modes, Optional<SurgeReport> surge) {
    String[] accel = accelerator.get();
    return new BenchReport(agent, started, runs, accel[0], accel[1],
        Runtime.getRuntime().availableProcessors(), loadBefore, loadAverage(), modes, surge);
  }
}
