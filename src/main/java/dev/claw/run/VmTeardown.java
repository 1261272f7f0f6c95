package dev.claw.run;

import dev.claw.event.EventListener;
import dev.claw.vm.VmProcess;
import dev.claw.vm.VmRegistry;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Stops one VM and removes its folder, from whichever path gets there first: the end of the
 * run, or Ctrl-C, through a shutdown hook (the JVM may never return to the run's own
 * {@code finally} blocks then). The hook is registered before the VM exists; in the instant
 * between spawning the VMM and {@link #track}, the VMM's parent-death signal is what stops it.
 * Stopping twice is harmless.
 */
final class VmTeardown implements AutoCloseable {
  private final VmRegistry registry;
  private final Path dir;
  private final Thread hook;
  private final AtomicReference<VmProcess> vm = new AtomicReference<>();

  VmTeardown(VmRegistry registry, Path dir, String agent, EventListener events) {
    this.registry = registry;
    this.dir = dir;
    this.hook = new Thread(() -> {
      boolean hadVm = vm.get() != null;
      close();
      if (hadVm) {
        events.warn(agent + ": interrupted; its VM was stopped");
      }
    }, "claw-teardown-" + agent);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** From now on, stopping means killing {@code process} first. */
  void track(VmProcess process) {
    vm.set(process);
  }

  /** Kills the VM, if one was started, and waits until it is gone. */
  void stopVm() {
    VmProcess process = vm.get();
    if (process != null) {
      process.close();
    }
  }

  @Override
  public void close() {
    stopVm();
    registry.release(dir);
    if (Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The JVM is shutting down (Ctrl-C): the hook is running and does this same work.
      }
    }
  }
}
