package dev.claw.bench;

import dev.claw.vm.VmBackend;
import dev.claw.vm.VmProcess;
import dev.claw.vm.VmSpec;
import java.io.IOException;
import java.util.function.LongConsumer;

/** A backend that tells the bench each VMM's pid as it spawns, so its memory can be followed. */
final class MeasuredBackend implements VmBackend {
  private final VmBackend backend;
  private final LongConsumer vmPid;

  MeasuredBackend(VmBackend backend, LongConsumer vmPid) {
    this.backend = backend;
    this.vmPid = vmPid;
  }

  @Override
  public String name() {
    return backend.name();
  }

  @Override
  public String identity() {
    return backend.identity();
  }

  @Override
  public void checkInstalled() {
    backend.checkInstalled();
  }

  @Override
  public VmProcess start(VmSpec spec) throws IOException {
    VmProcess vm = backend.start(spec);
    vmPid.accept(vm.pid());
    return vm;
  }
}
