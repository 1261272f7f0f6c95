package dev.claw.testing;

import dev.claw.event.EventListener;
import dev.claw.host.ClawDirs;
import dev.claw.kernel.KernelBuilder;
import java.io.IOException;
import java.nio.file.Path;

/** claw's guest kernel for tests that boot VMs. */
public final class TestKernel {
  private TestKernel() {}

  /**
   * The cached kernel, built first if a test run starts from nothing (normally
   * scripts/setup built it).
   */
  public static Path cachedOrBuilt() throws IOException {
    return new KernelBuilder(ClawDirs.fromEnvironment().cache("kernel"), EventListener.IGNORE)
        .cachedOrBuild();
  }
}
