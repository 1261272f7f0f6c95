package dev.claw.vm;

import java.nio.file.Path;
import java.util.ArrayList;
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
 * @param rootDisk a disk image the guest's init mounts read-only as its root; empty when the
 *     whole root is the initramfs
 * @param nic the VM's one network device; empty: the VM has no network device at all
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
    Path stateDir,
    Optional<RootDisk> rootDisk,
    Optional<Nic> nic) {

  public VmSpec {
    kernelArgs = List.copyOf(kernelArgs);
  }

  /** A VM without a network device. */
  public VmSpec(String name, Path kernel, Path initramfs, List<String> kernelArgs,
      int memoryMib, int cpus, Accelerator accelerator, Optional<Path> channelSocket,
      Path consoleLog, Path stateDir, Optional<RootDisk> rootDisk) {
    this(name, kernel, initramfs, kernelArgs, memoryMib, cpus, accelerator, channelSocket,
        consoleLog, stateDir, rootDisk, Optional.empty());
  }

  /** A VM whose whole root is its initramfs. */
  public VmSpec(String name, Path kernel, Path initramfs, List<String> kernelArgs,
      int memoryMib, int cpus, Accelerator accelerator, Optional<Path> channelSocket,
      Path consoleLog, Path stateDir) {
    this(name, kernel, initramfs, kernelArgs, memoryMib, cpus, accelerator, channelSocket,
        consoleLog, stateDir, Optional.empty());
  }

  /** The same VM with {@code device} as its network device. */
  public VmSpec withNic(Nic device) {
    return new VmSpec(name, kernel, initramfs, kernelArgs, memoryMib, cpus, accelerator,
        channelSocket, consoleLog, stateDir, rootDisk, Optional.of(device));
  }

  /** The same VM with {@code arg} at the end of its kernel command line. */
  public VmSpec withKernelArg(String arg) {
    List<String> args = new ArrayList<>(kernelArgs);
    args.add(arg);
    return new VmSpec(name, kernel, initramfs, args, memoryMib, cpus, accelerator,
        channelSocket, consoleLog, stateDir, rootDisk, nic);
  }

  /**
   * A virtio-net device backed by a tap that already exists in a network namespace; the VMM
   * runs inside that namespace, so the tap is reachable nowhere else.
   *
   * @param namespace the namespace's file, such as /run/netns/claw-1a2b3c4d
   * @param mac the guest's MAC address, which the namespace's firewall pins
   */
  public record Nic(Path namespace, String tap, String mac) {
    public Nic {
      // Both go into QEMU's comma-separated option syntax.
      if (!tap.matches("[a-z0-9]{1,15}") || !mac.matches("([0-9a-f]{2}:){5}[0-9a-f]{2}")) {
        throw new IllegalArgumentException("tap '" + tap + "', mac '" + mac + "'");
      }
    }
  }

  /**
   * A disk image to boot from, read-only.
   *
   * @param filesystem its type as the guest kernel names it ({@code ext4}, {@code erofs})
   */
  public record RootDisk(Path image, String filesystem) {
    public RootDisk {
      // It goes on the kernel command line, where a space would start another parameter.
      if (!filesystem.matches("[a-z0-9]{1,16}")) {
        throw new IllegalArgumentException("not a filesystem type: '" + filesystem + "'");
      }
    }
  }
}
