package dev.claw.run;

import dev.claw.ClawException;
import dev.claw.event.EventListener;
import dev.claw.fs.FileTree;
import dev.claw.guest.GuestInit;
import dev.claw.host.ClawDirs;
import dev.claw.image.ElfFile;
import dev.claw.image.ImageBuilder;
import dev.claw.image.Initramfs;
import dev.claw.image.PackageLayers;
import dev.claw.kernel.KernelBuilder;
import dev.claw.kernel.KernelCommandLine;
import dev.claw.net.EgressNetwork;
import dev.claw.net.NetworkLayout;
import dev.claw.profile.AgentProfile;
import dev.claw.rootfs.DebianRoot;
import dev.claw.vm.Accelerator;
import dev.claw.vm.AcceleratorProbe;
import dev.claw.vm.BzImage;
import dev.claw.vm.VmBackend;
import dev.claw.vm.VmRegistry;
import dev.claw.vm.VmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs one agent in its own microVM, from profile to exit status: resolves the kernel and
 * init, builds the image, picks the accelerator, then hands the boot to {@link VmSupervisor}.
 * Whatever happens, the VM is gone and its folder removed when {@link #run} returns.
 */
public final class AgentRunner {
  private final ClawDirs dirs;
  private final VmBackend backend;
  private final EventListener events;

  public AgentRunner(ClawDirs dirs, VmBackend backend, EventListener events) {
    this.dirs = dirs;
    this.backend = backend;
    this.events = events;
  }

  /** A change to an agent's image after it is built and before it boots. */
  @FunctionalInterface
  public interface ImageChange {
    ImageChange NONE = image -> { };

    void apply(FileTree image) throws IOException;
  }

  /** Runs the agent, passing its output to {@code output} as it comes. */
  public RunResult run(RunRequest request, AgentOutput output) throws IOException {
    return run(request, output, ImageChange.NONE);
  }

  /**
   * Runs the agent's image changed by {@code change}: {@code claw audit} puts its probe in the
   * agent's place this way, with the agent's uid, environment and restrictions.
   */
  public RunResult run(RunRequest request, AgentOutput output, ImageChange change)
      throws IOException {
    if (request.format().target() != ImageBuilder.Target.MICROVM) {
      throw new ClawException("claw run boots a microVM, and --format "
          + request.format().cliName() + " is an image for container runtimes",
          "run with --format initramfs, erofs or ext4; write an OCI layout with claw build");
    }
    Timeline timeline = new Timeline(request.launchedAt());
    VmRegistry registry = new VmRegistry(dirs.vms());
    reapLeftovers(registry);
    backend.checkInstalled();
    checkHostFits(request.profile());

    Path kernel = kernel(request);
    byte[] init = Files.readAllBytes(new GuestInit(dirs.cache("init"), events).binary());
    FileTree image = new ImageBuilder(init, packageLayers(dirs, events, request.profile()))
        .build(request.profile(), request.extraFiles());
    change.apply(image);
    AcceleratorProbe.Choice accelerator = chooseAccelerator(request, kernel, init, registry);

    Path dir = registry.create(request.profile().name());
    try (VmTeardown teardown = new VmTeardown(registry, dir, request.profile().name(), events)) {
      BootImages.Written boot = BootImages.write(image, request.format(), dir);
      checkImageFits(request.profile(), boot.bytesInMemory());
      boot.rootDisk().ifPresent(disk -> events.detail("root disk: " + disk.filesystem()
          + ", " + sizeKib(disk.image()) + " KiB, read-only; initramfs "
          + sizeKib(boot.initramfs()) + " KiB"));
      VmSpec spec = spec(request, kernel, accelerator.accelerator(), dir, boot);
      spec = withNetwork(spec, request.profile(), dir, teardown);
      timeline.mark(Phase.IMAGE_READY);
      VmSupervisor supervisor = new VmSupervisor(backend, registry, events);
      return supervisor.boot(spec, request, accelerator, timeline, output, teardown);
    }
  }

  /**
   * A profile with a {@code network} section gets a NIC in a namespace of its own, behind
   * its firewall; without one, the VM has no network device at all.
   */
  private VmSpec withNetwork(VmSpec spec, AgentProfile profile, Path dir, VmTeardown teardown)
      throws IOException {
    if (profile.network().isEmpty()) {
      return spec;
    }
    EgressNetwork network = EgressNetwork.create(VmRegistry.vmId(dir), profile.network().get(),
        dir, events, backend.vmmOwner());
    teardown.trackNetwork(network);
    // For claw's init: the guest's addresses and gateways; init configures eth0 with them.
    return spec.withKernelArg(NetworkLayout.kernelArgument()).withNic(new VmSpec.Nic(
        network.namespacePath(), NetworkLayout.TAP, NetworkLayout.GUEST_MAC));
  }

  /** Where a Debian-based agent's layers come from; a static agent has none. */
  static PackageLayers packageLayers(ClawDirs dirs, EventListener events, AgentProfile profile)
      throws IOException {
    return profile.base().equals(AgentProfile.NO_BASE) ? PackageLayers.NONE
        : DebianRoot.forHost(dirs, events);
  }

  /** The host must have room for the VM: said before anything is built or booted. */
  private void checkHostFits(AgentProfile profile) throws IOException {
    long memoryMib = profile.vm().memoryMib();
    long hostMib = hostMemoryMib();
    if (memoryMib > hostMib) {
      throw new ClawException("vm.memory is " + memoryMib + " MiB, more than this host has ("
          + hostMib + " MiB)", "lower vm.memory in " + profile.name() + "'s claw.yaml");
    }

    int cpus = profile.vm().cpus();
    int hostCpus = Runtime.getRuntime().availableProcessors();
    if (cpus > hostCpus) {
      events.warn("vm.cpus is " + cpus + " but this host has " + hostCpus
          + "; the vCPUs will take turns, and the agent will be slower for it");
    }
  }

  /**
   * The guest unpacks its whole initramfs into memory and still needs room for the agent:
   * fail here with the numbers rather than in the guest as an out-of-memory kill. A disk
   * image is read as needed and does not count.
   */
  private static void checkImageFits(AgentProfile profile, long imageBytes) {
    long memoryMib = profile.vm().memoryMib();
    long imageMib = imageBytes >> 20;
    if (imageMib * 2 > memoryMib) {
      throw new ClawException("the image is " + imageMib + " MiB and vm.memory only "
          + memoryMib + " MiB; the guest unpacks the whole image into memory",
          "raise vm.memory to at least " + Math.max(64, imageMib * 3) + "M, or boot from a "
              + "disk image (--format erofs or ext4)");
    }
  }

  private static long hostMemoryMib() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    }
    return Long.MAX_VALUE;
  }

  private void reapLeftovers(VmRegistry registry) throws IOException {
    for (String reaped : registry.reapLeftovers(EgressNetwork::reap)) {
      events.warn("removed the leftovers of a claw run that was killed: " + reaped);
    }
  }

  private Path kernel(RunRequest request) throws IOException {
    if (request.kernel().isPresent()) {
      return checkUserKernel(request.kernel().get());
    }
    return new KernelBuilder(dirs.cache("kernel"), events).cachedOrBuild();
  }

  private static Path checkUserKernel(Path kernel) throws IOException {
    if (!Files.isRegularFile(kernel)) {
      throw new ClawException("no kernel at " + kernel,
          "give the path of a vmlinux, or leave out --kernel to use claw's own kernel");
    }
    // A bzImage boots through the firmware's loader (QemuMicrovm), with its virtio modules.
    if (!BzImage.is(kernel) && !ElfFile.hasPvhEntry(Files.readAllBytes(kernel))) {
      throw new ClawException(kernel + " is neither an x86-64 vmlinux with a PVH entry point "
          + "nor a bzImage", "pass a vmlinux built with CONFIG_PVH=y, or a distribution's "
          + "/boot/vmlinuz-* together with its virtio modules (claw bench does this)");
    }
    return kernel.toAbsolutePath();
  }

  private AcceleratorProbe.Choice chooseAccelerator(RunRequest request, Path kernel,
      byte[] init, VmRegistry registry) throws IOException {
    AcceleratorProbe probe = new AcceleratorProbe(backend, dirs.cache("accel"));
    Optional<AcceleratorProbe.Choice> known =
        probe.withoutProbe(request.accelerator(), kernel);
    if (known.isPresent()) {
      return known.get();
    }

    events.progress("accel", "checking once whether KVM really works on this host");
    Path dir = registry.create("kvm-probe");
    try (VmTeardown teardown = new VmTeardown(registry, dir, "kvm-probe", events)) {
      VmSpec spec = probeSpec(kernel, init, dir);
      AcceleratorProbe.Choice choice = probe.probe(request.accelerator(), spec);
      if (choice.accelerator() == Accelerator.TCG) {
        events.warn(choice.reason() + "; using TCG (software emulation) from now on");
      }
      return choice;
    }
  }

  /** Just init, told it is a probe: it says so on the console and powers off at once. */
  private static VmSpec probeSpec(Path kernel, byte[] init, Path dir) throws IOException {
    List<String> args = new ArrayList<>(KernelCommandLine.standard());
    args.add(AcceleratorProbe.PROBE_ARG);
    VmSpec spec = new VmSpec("kvm-probe", kernel, dir.resolve("initramfs.cpio"), args, 64, 1,
        Accelerator.KVM, Optional.empty(), dir.resolve("console.log"), dir);
    Initramfs.writeTo(new FileTree().file("/init", 0755, init)
        .charDevice("/dev/console", 0600, 5, 1), spec.initramfs());
    return spec;
  }

  private static VmSpec spec(RunRequest request, Path kernel, Accelerator accelerator,
      Path dir, BootImages.Written boot) {
    var vm = request.profile().vm();
    return new VmSpec(request.profile().name(), kernel, boot.initramfs(),
        KernelCommandLine.standard(), vm.memoryMib(), vm.cpus(), accelerator,
        Optional.of(dir.resolve("channel.sock")), dir.resolve("console.log"), dir,
        boot.rootDisk());
  }

  private static long sizeKib(Path file) {
    try {
      return Files.size(file) >> 10;
    } catch (IOException e) {
      return -1;
    }
  }
}
