package dev.claw.vm;

import java.io.IOException;
import java.util.function.LongConsumer;

/** A backend that tells its caller each VMM's pid as it spawns, so its memory can be followed. */
public final class PidReportingBackend extends ForwardingBackend {
  private final LongConsumer vmPid;

  public PidReportingBackend(VmBackend backend, LongConsumer vmPid) {
    super(backend);
    this.vmPid = vmPid;
  }

  @Override
  public VmProcess start(VmSpec spec) throws IOException {
    VmProcess vm = delegate.start(spec);
    vmPid.accept(vm.pid());
    return vm;
  }
}
