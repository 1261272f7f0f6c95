package dev.claw.run;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** An agent's stdout and stderr, kept whole as a run passes them on. */
public final class CollectedOutput implements AgentOutput {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Override
  public synchronized void stdout(byte[] bytes) {
    out.writeBytes(bytes);
  }

  @Override
  public synchronized void stderr(byte[] bytes) {
    err.writeBytes(bytes);
  }

  public synchronized String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  public synchronized String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
