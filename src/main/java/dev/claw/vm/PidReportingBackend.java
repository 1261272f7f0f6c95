package dev.claw.vm;

import java.io.IOException;
import java.util.Optional;
import java.util.function.LongConsumer;

/** A backend that tells its caller each VMM's pid as it spawns, so its memory can be followed. */
public final class PidReportingBackend implements VmBackend {
  private final VmBackend backend;
  private final LongConsumer vmPid;

  public PidReportingBackend(VmBackend backend, LongConsumer vmPid) {
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
  public Optional<Owner> vmmOwner() {
    return backend.vmmOwner();
  }

  @Override
  public VmProcess start(VmSpec spec) throws IOException {
    VmProcess vm = backend.start(spec);
    vmPid.accept(vm.pid());
    return vm;
  }
}
