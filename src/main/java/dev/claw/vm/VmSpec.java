package dev.claw.vm;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One microVM to start, in terms every backend understands.
 *
 * @param kernelArgs the kernel command line claw needs; a backend appends its own device flags
 * @param channelSocket a Unix socket the caller listens on; the backend connects the guest's
 *     channel device to it. Empty for a VM that needs no channel (the KVM probe).
 * @param consoleLog where the guest's serial console (kernel and init messages) is written
 * @param stateDir the VM's private folder; the backend may keep files there, the caller
 *     removes it when the VM is gone
 */
public record VmSpec(
    String name,
    Path kernel,
    Path initramfs,
    List<String> kernelArgs,
    int memoryMib,
    int cpus,
    Accelerator accelerator,
    Optional<Path> channelSocket,
    Path consoleLog,
    Path stateDir) {

  public VmSpec {
    kernelArgs = List.copyOf(kernelArgs);
  }
}
