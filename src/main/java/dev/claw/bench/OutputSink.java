package dev.claw.bench;

import dev.claw.run.AgentOutput;
import java.io.OutputStream;

/**
 * Where the agent's output goes during a bench: nowhere, but the first stdout byte's arrival
 * is noted. The bench measures launches, and the output is the same in every mode.
 */
final class OutputSink implements AgentOutput {
  static final OutputStream NULL = OutputStream.nullOutputStream();

  private volatile long firstStdoutNanos = -1;

  @Override
  public void stdout(byte[] bytes) {
    if (firstStdoutNanos < 0 && bytes.length > 0) {
      firstStdoutNanos = System.nanoTime();
    }
  }

  @Override
  public void stderr(byte[] bytes) {
    // Not measured.
  }

  long firstStdoutNanos() {
    return firstStdoutNanos;
  }
}
