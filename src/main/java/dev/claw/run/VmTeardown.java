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
  private final AtomicReference<AutoCloseable> network = new AtomicReference<>();

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

  /**
   * From now on, stopping also removes {@code egress}, the VM's network, once the VM is gone
   * (a VMM still inside its namespace would keep the namespace alive).
   */
  void trackNetwork(AutoCloseable egress) {
    network.set(egress);
  }

  /** Kills the VM, if one was started, and waits until it is gone. */
  void stopVm() {
    VmProcess process = vm.get();
    if (process != null) {
      process.close();
    }
  }

  private void closeNetwork() {
    AutoCloseable egress = network.getAndSet(null);
    if (egress != null) {
      try {
        egress.close();
      } catch (Exception e) {
        // EgressNetwork.close reports nothing; the next claw's reaper retries by the VM's id.
      }
    }
  }

  @Override
  public void close() {
    stopVm();
    closeNetwork();
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
