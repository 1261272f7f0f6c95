package dev.claw.vm;

import dev.claw.host.FileTail;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A running VMM process. {@link #close} kills it and waits until it is gone, and is safe to call
 * on any path, any number of times.
 */
public final class VmProcess implements AutoCloseable {
  private static final int STDERR_KEPT = 16 * 1024;

  private final Process process;
  private final List<String> command;
  private final Path stderrFile;
  private final long spawnedNanos;
  private final Confinement confinement;

  /** How the VMM is confined on the host: what was applied, and what not and why. */
  public record Confinement(List<String> applied, List<String> notApplied) {
    public Confinement {
      applied = List.copyOf(applied);
      notApplied = List.copyOf(notApplied);
    }

    public static final Confinement NONE = new Confinement(List.of(), List.of());
  }

  public VmProcess(Process process, List<String> command, Path stderrFile, long spawnedNanos) {
    this(process, command, stderrFile, spawnedNanos, Confinement.NONE);
  }

  public VmProcess(Process process, List<String> command, Path stderrFile, long spawnedNanos,
      Confinement confinement) {
    this.process = process;
    this.command = List.copyOf(command);
    this.stderrFile = stderrFile;
    this.spawnedNanos = spawnedNanos;
    this.confinement = confinement;
  }

  public Confinement confinement() {
    return confinement;
  }

  /** The command line the VMM was started with. */
  public List<String> command() {
    return command;
  }

  public long pid() {
    return process.pid();
  }

  public ProcessHandle handle() {
    return process.toHandle();
  }

  /** {@link System#nanoTime} just before the VMM was spawned. */
  public long spawnedNanos() {
    return spawnedNanos;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The VMM's exit code once it ended within {@code timeout}. */
  public Optional<Integer> waitFor(Duration timeout) throws InterruptedException {
    if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return Optional.of(process.exitValue());
    }
    return Optional.empty();
  }

  /** The end of what the VMM printed to stderr so far (errors about its configuration). */
  public String stderr() {
    return FileTail.read(stderrFile, STDERR_KEPT).strip();
  }

  /** The last {@code lines} of stderr. */
  public String stderrTail(int lines) {
    List<String> all = stderr().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /** Kills the VMM (SIGKILL) and waits for it to be reaped. */
  @Override
  public void close() {
    process.destroyForcibly();
    boolean interrupted = false;
    while (true) {
      try {
        process.waitFor();
        break;
      } catch (InterruptedException e) {
        // Keep waiting: returning before the VMM is gone would leak it. Re-interrupt after.
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
