package dev.claw.bench;

import java.io.IOException;

/** Launches the agent once in one {@link BenchMode} and measures that launch. */
interface Launcher {
  BenchMode mode();

  /**
   * One launch, from now to its end. A launch that fails is a sample with its failure, not an
   * exception: a surge counts failures. Exceptions are for a bench that cannot go on.
   */
  Sample launch() throws IOException;
}
