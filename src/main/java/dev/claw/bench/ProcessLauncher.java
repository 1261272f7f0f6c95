package dev.claw.bench;

import dev.claw.host.FileTail;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Launches a host process (the native agent, or runc) and times it the same way a microVM
 * run is timed: from just before the spawn to the first stdout byte, and to its exit.
 */
final class ProcessLauncher implements Launcher {
  private final BenchMode mode;
  private final IntFunction<List<String>> command;
  private final Map<String, String> environment;
  private final Path workDir;
  private int launches;

  /**
   * @param command the command for the n-th launch (runc needs a fresh container id each time)
   * @param environment exactly the environment the process gets
   */
  ProcessLauncher(BenchMode mode, IntFunction<List<String>> command,
      Map<String, String> environment, Path workDir) {
    this.mode = mode;
    this.command = command;
    this.environment = Map.copyOf(environment);
    this.workDir = workDir;
  }

  @Override
  public BenchMode mode() {
    return mode;
  }

  @Override
  public Sample launch() throws IOException {
    int n;
    synchronized (this) {
      n = launches++;
    }
    Path stderr = workDir.resolve(mode.label() + "-" + n + ".stderr");
    ProcessBuilder builder = new ProcessBuilder(command.apply(n))
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectError(stderr.toFile());
    builder.environment().clear();
    builder.environment().putAll(environment);
    try {
      return measure(builder, stderr);
    } finally {
      Files.deleteIfExists(stderr);
    }
  }

  private Sample measure(ProcessBuilder builder, Path stderr) throws IOException {
    double cpuBefore = HostUsage.cpuMs();
    long start = System.nanoTime();
    Process process = builder.start();
    long firstByte = -1;
    try (HostUsage.RssSampler rss = new HostUsage.RssSampler(process.pid());
        InputStream out = process.getInputStream()) {
      if (out.read() >= 0) {
        firstByte = System.nanoTime();
      }
      out.transferTo(OutputSink.NULL);
      int status = waitFor(process);
      long end = System.nanoTime();
      double cpu = HostUsage.cpuMs() - cpuBefore;
      Optional<String> failure = failure(status, firstByte, stderr);
      return new Sample(mode, millis(start, firstByte < 0 ? end : firstByte), millis(start, end),
          cpu, rss.peakKib(), Map.of(), failure);
    } finally {
      process.destroyForcibly();
    }
  }

  private static int waitFor(Process process) throws IOException {
    try {
      return process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + process.pid(), e);
    }
  }

  private Optional<String> failure(int status, long firstByte, Path stderr) {
    if (status == 0 && firstByte >= 0) {
      return Optional.empty();
    }
    String why = status != 0 ? "exit " + status : "exit 0 without any stdout";
    return Optional.of(mode.label() + ": " + why + ": " + FileTail.read(stderr, 2048).strip());
  }

  static double millis(long from, long to) {
    return (to - from) / 1e6;
  }
}
