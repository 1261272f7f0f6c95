package dev.claw.vm;

import java.io.IOException;
import java.util.Optional;

/**
 * A virtual machine monitor claw can boot agents with. Callers see only this interface, so a
 * Firecracker backend is a new implementation, not a change to the run path. A backend owns
 * how the VM is described to its VMM (flags, API calls) and which guest device carries the
 * channel; it tells the guest where that device is through the kernel command line.
 */
public interface VmBackend {

  /** A short name for messages, like "qemu-microvm". */
  String name();

  /**
   * What identifies this VMM build (name, binary, its time), so that facts learnt about it,
   * such as whether KVM works, are learnt again after an upgrade.
   */
  String identity();

  /**
   * Checks that this backend can run here at all (its VMM is installed) and fails with a
   * {@link dev.claw.ClawException} that says how to fix it if not.
   */
  void checkInstalled();

  /** Starts the VM and returns at once; the guest boots in the background. */
  VmProcess start(VmSpec spec) throws IOException;

  /** The unprivileged user the VMM runs as, if it drops root: devices it opens must be its. */
  default Optional<Owner> vmmOwner() {
    return Optional.empty();
  }

  /** A uid and gid on the host. */
  record Owner(int uid, int gid) {}
}
