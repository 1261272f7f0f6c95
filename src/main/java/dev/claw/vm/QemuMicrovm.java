package dev.claw.vm;

import dev.claw.ClawException;
import dev.claw.host.Exec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Boots a VM with QEMU's {@code microvm} machine: no PCI, no ACPI, no firmware menus, just the
 * virtio-mmio devices a run needs. Every flag has its reason next to it; a flag with no reason
 * does not belong here.
 */
public final class QemuMicrovm implements VmBackend {
  static final String BINARY = "qemu-system-x86_64";

  /** The guest sees the channel as the first port of the first virtio-serial device. */
  static final String GUEST_CHANNEL = "/dev/vport0p1";

  /** The guest sees the root disk as the first virtio disk. */
  static final String GUEST_ROOT_DISK = "/dev/vda";

  /** The most QEMU may write to any one file (the console log, its stderr). */
  static final long MAX_LOG_BYTES = 64L << 20;

  /**
   * A distribution's bzImage (Debian's cloud kernel) on the same microvm machine, with two
   * differences. Option ROMs stay on: the firmware's Linux loader ROM is what boots a bzImage.
   * ACPI stays on: such a kernel lacks CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES, so it finds the
   * virtio-mmio devices only in the ACPI tables (claw's init loads virtio_mmio for them).
   */
  private static final String GENERIC_KERNEL_MACHINE = "microvm,isa-serial=on";

  private final Optional<Path> qemu;
  private final Optional<Path> setpriv;
  private final Optional<Path> prlimit;
  private final Supplier<Optional<Long>> tscKhz;
  private final Optional<Path> unshare;
  /** Learnt on the first start, not at construction: it runs unshare once. */
  private VmmSandbox sandbox;

  public QemuMicrovm() {
    this(Exec.which(BINARY), Exec.which("setpriv"), Exec.which("prlimit"),
        () -> hostTscKhz(Path.of("/proc/cpuinfo")), Exec.which("unshare"));
  }

  QemuMicrovm(Optional<Path> qemu, Optional<Path> setpriv, Optional<Path> prlimit,
      Supplier<Optional<Long>> tscKhz) {
    this(qemu, setpriv, prlimit, tscKhz, Optional.empty());
  }

  private QemuMicrovm(Optional<Path> qemu, Optional<Path> setpriv, Optional<Path> prlimit,
      Supplier<Optional<Long>> tscKhz, Optional<Path> unshare) {
    this.qemu = qemu;
    this.setpriv = setpriv;
    this.prlimit = prlimit;
    this.tscKhz = tscKhz;
    this.unshare = unshare;
  }

  private synchronized VmmSandbox sandbox() {
    if (sandbox == null) {
      sandbox = VmmSandbox.forHost(setpriv.orElseThrow(), prlimit.orElseThrow(), unshare);
    }
    return sandbox;
  }

  @Override
  public String name() {
    return "qemu-microvm";
  }

  @Override
  public String identity() {
    String binary = qemu.map(Path::toString).orElse("none");
    try {
      return name() + " " + binary + " " + (qemu.isPresent()
          ? Files.getLastModifiedTime(qemu.get()).toMillis() : 0);
    } catch (IOException e) {
      return name() + " " + binary;
    }
  }

  @Override
  public void checkInstalled() {
    if (qemu.isEmpty()) {
      throw new ClawException(BINARY + " is not installed, and claw boots agents with it",
          "run scripts/setup, or: apt-get install qemu-system-x86");
    }
    if (setpriv.isEmpty() || prlimit.isEmpty()) {
      throw new ClawException("setpriv or prlimit is not installed; claw needs both to keep "
          + "its VMs in check", "run scripts/setup, or: apt-get install util-linux");
    }
  }

  @Override
  public Optional<VmBackend.Owner> vmmOwner() {
    return sandbox().owner();
  }

  @Override
  public VmProcess start(VmSpec spec) throws IOException {
    return start(spec, List.of());
  }

  /**
   * Starts the VM with {@code extraArgs} after claw's own (a monitor socket, guest memory in
   * a file, an incoming migration: see {@link QemuSnapshots}).
   */
  VmProcess start(VmSpec spec, List<String> extraArgs) throws IOException {
    return start(spec, extraArgs, Path.of("/dev/null"),
        extraArgs.isEmpty() ? SnapshotRole.NONE : SnapshotRole.SAVE);
  }

  /** What a VM does with a snapshot; it decides the launch and a few flags. */
  enum SnapshotRole {
    /** An ordinary boot. */
    NONE,
    /** Boots to be saved: its RAM file is a host path, and "exec:cat" writes its state. */
    SAVE,
    /** A clone: maps a host path's RAM and loads its state; it boots nothing. */
    RESTORE
  }

  /**
   * The same, with {@code stdin} as QEMU's standard input (a restore reads its state there).
   * A snapshot's VM runs unjailed, to map its RAM file from the host's path; only a VM that
   * is saved may spawn (the "cat" its state goes through).
   */
  VmProcess start(VmSpec spec, List<String> extraArgs, Path stdin, SnapshotRole role)
      throws IOException {
    checkInstalled();
    VmmSandbox.Launch launch = sandbox().prepare(spec, qemu.orElseThrow(),
        role == SnapshotRole.NONE, role == SnapshotRole.SAVE);
    List<String> command = new ArrayList<>(launch.prefix());
    command.addAll(arguments(spec, role));
    command.addAll(extraArgs);
    Path stderr = spec.stateDir().resolve("vmm.stderr");
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(stdin.toFile()))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(stderr.toFile());
    long spawned = System.nanoTime();
    return new VmProcess(builder.start(), command, stderr, spawned,
        new VmProcess.Confinement(launch.applied(), launch.notApplied()));
  }

  /** The QEMU command line for {@code spec}, without the launcher in front. */
  List<String> arguments(VmSpec spec) {
    return arguments(spec, SnapshotRole.NONE);
  }

  private List<String> arguments(VmSpec spec, SnapshotRole role) {
    List<String> args = new ArrayList<>(List.of(qemu.orElseThrow().toString()));
    args.addAll(machine(spec));
    args.addAll(List.of(
        // Fail instead of reading /etc/qemu/*.conf: the VM must not depend on host config.
        "-no-user-config",
        // QEMU's own seccomp filter: no fork, exec, setuid or obsolete syscalls in the VMM.
        "-sandbox", VmmSandbox.seccompOptions(role == SnapshotRole.SAVE),
        // Start with no devices at all; everything the guest has is listed below.
        "-nodefaults",
        // No display, no monitor on stdio.
        "-display", "none",
        // The guest powers off by rebooting (reboot=t); make that end QEMU instead.
        "-no-reboot",
        // The guest's RAM; the agent's /tmp lives in it too.
        "-m", spec.memoryMib() + "M",
        "-smp", String.valueOf(spec.cpus()),
        // The kernel's and init's console: a file the host reads only to explain failures.
        "-serial", "file:" + spec.consoleLog()));
    if (role != SnapshotRole.RESTORE) {
      // A clone's kernel is in its RAM already: without these QEMU starts ~6 ms sooner and
      // does not hold a 25 MB copy of the kernel for the firmware.
      args.addAll(boot(spec));
    }
    spec.channelSocket().ifPresent(socket -> args.addAll(channel(socket)));
    spec.rootDisk().ifPresent(disk -> args.addAll(rootDisk(disk)));
    spec.nic().ifPresent(nic -> args.addAll(networkDevice(nic)));
    return args;
  }

  private List<String> boot(VmSpec spec) {
    return List.of(
        // PVH boot of the uncompressed vmlinux: no decompression, no real-mode setup.
        "-kernel", spec.kernel().toString(),
        "-initrd", spec.initramfs().toString(),
        "-append", String.join(" ", kernelArgs(spec)));
  }

  private static List<String> machine(VmSpec spec) {
    // x-option-roms=off: no option ROMs to load and run. isa-serial=on: the console above.
    // acpi=off: the kernel has no ACPI, and only with acpi=off does QEMU describe the virtio
    // devices on the kernel command line (virtio_mmio.device=...). The RTC stays on: without
    // it the guest waits a second for the time and then believes it is 1970.
    String machine = BzImage.is(spec.kernel()) ? GENERIC_KERNEL_MACHINE
        : "microvm,x-option-roms=off,isa-serial=on,acpi=off";
    if (spec.accelerator() == Accelerator.KVM) {
      // host: the guest sees the real CPU, nothing emulated.
      return List.of("-machine", machine, "-accel", "kvm", "-cpu", "host");
    }
    // max: every feature TCG can emulate, such as RDRAND for early entropy.
    return List.of("-machine", machine, "-accel", "tcg", "-cpu", "max");
  }

  private List<String> kernelArgs(VmSpec spec) {
    List<String> args = new ArrayList<>(spec.kernelArgs());
    if (spec.accelerator() == Accelerator.TCG) {
      args.addAll(emulatedTimerArgs(spec.cpus()));
    }
    if (spec.channelSocket().isPresent()) {
      args.add("claw.channel=" + GUEST_CHANNEL);
    }
    spec.rootDisk().ifPresent(disk -> {
      // For claw's init, not the kernel: init mounts it after reading the run spec.
      args.add("claw.root=" + GUEST_ROOT_DISK);
      args.add("claw.rootfstype=" + disk.filesystem());
    });
    return args;
  }

  /**
   * Timer set-up that is slow or flaky only under emulation; each was measured (see
   * kernel/README.md), together they take a TCG boot from about 0.64 s to 0.35 s.
   */
  private List<String> emulatedTimerArgs(int cpus) {
    List<String> args = new ArrayList<>();
    // The kernel's own TSC calibration fails about one TCG boot in ten, leaving a 10 ms clock;
    // given the frequency, it does not calibrate at all.
    tscKhz.get().ifPresent(khz -> args.add("tsc_early_khz=" + khz));
    // microvm has no second clock to check the TSC against; don't let the kernel distrust it.
    args.add("tsc=reliable");
    // Skips a check that timer interrupts arrive (about 25 ms).
    args.add("no_timer_check");
    if (cpus == 1) {
      // Skips the local APIC timer calibration (about 0.25 s). With more vCPUs the APIC timer
      // is needed for fine-grained timers on every CPU, so then it stays.
      args.add("noapictimer");
    }
    return args;
  }

  /** The host's TSC frequency in kHz, as the host kernel reports it. */
  static Optional<Long> hostTscKhz(Path cpuinfo) {
    try (Stream<String> lines = Files.lines(cpuinfo)) {
      return lines.filter(line -> line.startsWith("cpu MHz")).findFirst()
          .map(line -> line.substring(line.indexOf(':') + 1).strip())
          .map(mhz -> Math.round(Double.parseDouble(mhz) * 1000));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
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

  /**
   * QEMU joins the VM's network namespace before it starts, so it opens the tap there and
   * has no other network; nsenter execs it in place, keeping the parent-death signal.
   */
  private static List<String> networkDevice(VmSpec.Nic nic) {
    return List.of(
        // The tap claw made in the namespace. script=no, downscript=no: QEMU runs no host
        // scripts (/etc/qemu-ifup); the tap is already configured and claw removes it.
        "-netdev", "tap,id=net0,ifname=" + nic.tap() + ",script=no,downscript=no",
        // virtio-net over virtio-mmio, eth0 in the guest, with the MAC the firewall pins.
        "-device", "virtio-net-device,netdev=net0,mac=" + nic.mac());
  }

  private static List<String> rootDisk(VmSpec.RootDisk disk) {
    return List.of(
        // format=raw: the file is the filesystem; QEMU must not guess a format from bytes the
        // image's contents decide. readonly=on: QEMU opens the file read-only and the disk
        // refuses writes, so no guest can change an image on the host. if=none: the disk is
        // only a backend here; the device below puts it on the guest's bus.
        // A comma in the path is written twice, as QEMU reads it: one comma would end the path.
        "-drive", "id=root,file=" + disk.image().toString().replace(",", ",,")
            + ",if=none,format=raw,readonly=on",
        // virtio-blk over virtio-mmio, the microvm machine's bus: /dev/vda in the guest.
        "-device", "virtio-blk-device,drive=root");
  }
}
