package dev.claw.vm;

import dev.claw.ClawException;
import dev.claw.host.Exec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Boots a VM with QEMU's {@code microvm} machine: no PCI, no ACPI, no firmware menus, just the
 * virtio-mmio devices a run needs. Every flag has its reason next to it; a flag with no reason
 * does not belong here.
 */
public final class QemuMicrovm implements VmBackend {
  static final String BINARY = "qemu-system-x86_64";

  /** The guest sees the channel as the first port of the first virtio-serial device. */
  static final String GUEST_CHANNEL = "/dev/vport0p1";

  private final Optional<Path> qemu;
  private final Optional<Path> setpriv;

  public QemuMicrovm() {
    this(Exec.which(BINARY), Exec.which("setpriv"));
  }

  QemuMicrovm(Optional<Path> qemu, Optional<Path> setpriv) {
    this.qemu = qemu;
    this.setpriv = setpriv;
  }

  @Override
  public String name() {
    return "qemu-microvm";
  }

  @Override
  public void checkInstalled() {
    if (qemu.isEmpty()) {
      throw new ClawException(BINARY + " is not installed, and claw boots agents with it",
          "run scripts/setup, or: apt-get install qemu-system-x86");
    }
  }

  @Override
  public VmProcess start(VmSpec spec) throws IOException {
    checkInstalled();
    List<String> command = new ArrayList<>();
    // If claw dies, even by SIGKILL, the kernel kills its VM: no orphaned guests keep running.
    setpriv.ifPresent(path -> command.addAll(List.of(path.toString(), "--pdeathsig", "KILL",
        "--")));
    command.addAll(arguments(spec));
    Path stderr = spec.stateDir().resolve("vmm.stderr");
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(stderr.toFile());
    long spawned = System.nanoTime();
    return new VmProcess(builder.start(), stderr, spawned);
  }

  /** The QEMU command line for {@code spec}, without the launcher in front. */
  List<String> arguments(VmSpec spec) {
    List<String> args = new ArrayList<>(List.of(qemu.orElseThrow().toString()));
    args.addAll(machine(spec));
    args.addAll(List.of(
        // Fail instead of reading /etc/qemu/*.conf: the VM must not depend on host config.
        "-no-user-config",
        // Start with no devices at all; everything the guest has is listed below.
        "-nodefaults",
        // No display, no monitor on stdio.
        "-display", "none",
        // The guest powers off by rebooting (reboot=t); make that end QEMU instead.
        "-no-reboot",
        // The guest's RAM; the agent's /tmp lives in it too.
        "-m", spec.memoryMib() + "M",
        "-smp", String.valueOf(spec.cpus()),
        // PVH boot of the uncompressed vmlinux: no decompression, no real-mode setup.
        "-kernel", spec.kernel().toString(),
        "-initrd", spec.initramfs().toString(),
        "-append", String.join(" ", kernelArgs(spec)),
        // The kernel's and init's console: a file the host reads only to explain failures.
        "-serial", "file:" + spec.consoleLog()));
    spec.channelSocket().ifPresent(socket -> args.addAll(channel(socket)));
    return args;
  }

  private static List<String> machine(VmSpec spec) {
    // x-option-roms=off: no option ROMs to load and run. isa-serial=on: the console above.
    // acpi=off: the kernel is built without ACPI; devices are found from the command line.
    String machine = "microvm,x-option-roms=off,isa-serial=on,acpi=off";
    if (spec.accelerator() == Accelerator.KVM) {
      // host: the guest sees the real CPU, nothing emulated.
      return List.of("-machine", machine, "-accel", "kvm", "-cpu", "host");
    }
    // max: every feature TCG can emulate, such as RDRAND for early entropy.
    return List.of("-machine", machine, "-accel", "tcg", "-cpu", "max");
  }

  private static List<String> kernelArgs(VmSpec spec) {
    List<String> args = new ArrayList<>(spec.kernelArgs());
    if (spec.channelSocket().isPresent()) {
      args.add("claw.channel=" + GUEST_CHANNEL);
    }
    return args;
  }

  private static List<String> channel(Path socket) {
    return List.of(
        // A virtio-serial port is a plain, binary-clean byte pipe (unlike a tty) that the guest
        // can write to before any network exists. The host end connects to claw's socket.
        // Two ports: number 0 is reserved for a console, ours is number 1 (vport0p1).
        "-device", "virtio-serial-device,max_ports=2",
        "-chardev", "socket,id=claw,path=" + socket,
        "-device", "virtserialport,chardev=claw,name=claw.0");
  }
}
