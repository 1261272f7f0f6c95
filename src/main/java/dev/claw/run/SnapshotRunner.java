package dev.claw.run;

import dev.claw.ClawException;
import dev.claw.event.EventListener;
import dev.claw.guest.GuestChannelReader;
import dev.claw.guest.GuestInit;
import dev.claw.guest.GuestMessage;
import dev.claw.host.ClawDirs;
import dev.claw.host.Sha256;
import dev.claw.host.Trees;
import dev.claw.image.ImageBuilder;
import dev.claw.image.Initramfs;
import dev.claw.kernel.KernelBuilder;
import dev.claw.kernel.KernelCommandLine;
import dev.claw.vm.AcceleratorProbe;
import dev.claw.vm.QemuMicrovm;
import dev.claw.vm.PidReportingBackend;
import dev.claw.vm.QemuSnapshots;
import dev.claw.vm.VmProcess;
import dev.claw.vm.VmRegistry;
import dev.claw.vm.VmSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Runs an agent from a snapshot of its VM taken when init was ready, before the agent ran.
 * The snapshot is keyed to everything that made it: the kernel, the inputs of the image (the
 * profile, its files and lock, init: see {@link SnapshotKey}), QEMU, the VM's size and
 * accelerator, and claw's code. A snapshot whose key differs is made again, never used.
 * Each restored clone is sent its own seed and the host's clock before its agent starts (a G
 * frame, docs/GUEST-PROTOCOL.md).
 */
public final class SnapshotRunner {
  static final String SNAPSHOT_ARG = "claw.snapshot";
  private static final int SEED_BYTES = 64;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ClawDirs dirs;
  private final EventListener events;
  private final QemuMicrovm qemu = new QemuMicrovm();

  public SnapshotRunner(ClawDirs dirs, EventListener events) {
    this.dirs = dirs;
    this.events = events;
  }

  /** The agent's snapshot as it is on disk, made now if missing or stale. */
  public record Snapshot(Path dir, String key, boolean made) {
    Path state() {
      return dir.resolve("state");
    }

    Path initramfs() {
      return dir.resolve("initramfs.cpio");
    }

    /** The guest's RAM when it was saved; clones map it copy-on-write. */
    Path ram() {
      return dir.resolve("ram");
    }
  }

  /** Makes the agent's snapshot unless an up-to-date one exists. */
  public Snapshot snapshot(RunRequest request) throws IOException {
    Prepared prepared = prepare(request);
    return ensure(request, prepared);
  }

  /** Restores a clone of the agent's snapshot (made first if needed) and runs it to its end. */
  public RunResult run(RunRequest request, AgentOutput output, LongConsumer vmPid)
      throws IOException {
    Timeline timeline = new Timeline(request.launchedAt());
    Prepared prepared = prepare(request);
    Snapshot snapshot = ensure(request, prepared);
    timeline.mark(Phase.IMAGE_READY);
    VmRegistry registry = new VmRegistry(dirs.vms());
    Path dir = registry.create(request.profile().name());
    try (VmTeardown teardown = new VmTeardown(registry, dir, request.profile().name(), events)) {
      VmSpec spec = spec(request, prepared, snapshot.initramfs(), dir);
      var backend = new PidReportingBackend(QemuSnapshots.restoring(qemu, snapshot.state(),
          snapshot.ram()), vmPid);
      return new VmSupervisor(backend, registry, events).greeting(SnapshotRunner::sendGo)
          .boot(spec, request, prepared.accelerator(), timeline, output, teardown);
    }
  }

  /** Kernel, init and accelerator, and the key they and the agent's inputs make. */
  private record Prepared(Path kernel, byte[] init, AcceleratorProbe.Choice accelerator,
      String key) {}

  private Prepared prepare(RunRequest request) throws IOException {
    if (request.kernel().isPresent()) {
      throw new ClawException("a snapshot boots claw's own kernel",
          "leave out --kernel with --from-snapshot");
    }
    Path kernel = new KernelBuilder(dirs.cache("kernel"), events).cachedOrBuild();
    byte[] init = Files.readAllBytes(new GuestInit(dirs.cache("init"), events).binary());
    AcceleratorProbe.Choice accel = new AcceleratorProbe(qemu, dirs.cache("accel"))
        .withoutProbe(request.accelerator(), kernel).orElseThrow(() -> new ClawException(
            "claw does not know yet whether KVM works here", "run the agent once with "
                + "claw run (it checks), then take the snapshot"));
    var vm = request.profile().vm();
    // The cached kernel's path holds its build key; size and time catch a replaced file
    // without hashing 20 MB on every run.
    String kernelId = kernel + " " + Files.size(kernel) + " "
        + Files.getLastModifiedTime(kernel).toMillis();
    Sha256 machine = Sha256.start().add(kernelId).add(Sha256.of(init)).add(qemu.identity())
        .add(SnapshotKey.clawCode())
        .add(vm.memoryMib() + "M " + vm.cpus() + " " + accel.accelerator().label());
    Optional<String> key = SnapshotKey.ofInputs(request, machine);
    if (key.isEmpty()) {
      machine.add("image " + Sha256.of(initramfs(request, init)));
    }
    return new Prepared(kernel, init, accel, key.orElseGet(machine::hex));
  }

  private byte[] initramfs(RunRequest request, byte[] init) throws IOException {
    ByteArrayOutputStream cpio = new ByteArrayOutputStream();
    // The same image a cold run boots: a Debian-based agent's packages included.
    ImageBuilder builder = new ImageBuilder(init,
        AgentRunner.packageLayers(dirs, events, request.profile()));
    Initramfs.write(builder.build(request.profile(), request.extraFiles()), cpio);
    return cpio.toByteArray();
  }

  private Snapshot ensure(RunRequest request, Prepared prepared) throws IOException {
    Path home = dirs.cache("snapshots").resolve(request.profile().name());
    Path dir = home.resolve(prepared.key().substring(0, 32));
    if (Files.isRegularFile(dir.resolve("state")) && Files.isRegularFile(dir.resolve("ram"))) {
      return new Snapshot(dir, prepared.key(), false);
    }
    // Any other snapshot of this agent is stale now: a key changes only with its inputs.
    Trees.deleteQuietly(home);
    events.progress("snapshot", "booting " + request.profile().name() + " to take a snapshot");
    Path staging = Files.createDirectories(home).resolve(".new-" + ProcessHandle.current().pid());
    try {
      make(request, prepared, Files.createDirectories(staging));
      Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Trees.deleteQuietly(staging);
    }
    return new Snapshot(dir, prepared.key(), true);
  }

  /** Boots with claw.snapshot until init says R, then saves the stopped VM into {@code out}. */
  private void make(RunRequest request, Prepared prepared, Path out) throws IOException {
    Files.write(out.resolve("initramfs.cpio"), initramfs(request, prepared.init()));
    VmRegistry registry = new VmRegistry(dirs.vms());
    Path dir = registry.create(request.profile().name() + "-snap");
    try (VmTeardown teardown = new VmTeardown(registry, dir, request.profile().name(), events);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      VmSpec spec = spec(request, prepared, out.resolve("initramfs.cpio"), dir);
      server.bind(UnixDomainSocketAddress.of(spec.channelSocket().orElseThrow()));
      Path qmp = dir.resolve("qmp.sock");
      try (VmProcess vm = QemuSnapshots.startSaveable(qemu, spec, qmp,
          out.resolve("ram"))) {
        teardown.track(vm);
        registry.recordVmm(dir, vm);
        awaitReady(server.accept(), vm);
        Path state = out.resolve("state.partial");
        QemuSnapshots.save(qmp, state);
        Files.move(state, out.resolve("state"), StandardCopyOption.ATOMIC_MOVE);
      }
    }
  }

  private static void awaitReady(SocketChannel channel, VmProcess vm) throws IOException {
    GuestChannelReader reader = new GuestChannelReader(Channels.newInputStream(channel));
    while (true) {
      Optional<GuestMessage> message = reader.next();
      if (message.isEmpty() || message.get() instanceof GuestMessage.InitFailed) {
        throw new ClawException("the VM ended before init was ready for a snapshot: "
            + message.map(Object::toString).orElse(vm.stderrTail(5)),
            "check that the agent runs with claw run first");
      }
      if (message.get() instanceof GuestMessage.Ready) {
        return;
      }
    }
  }

  /** The same VM for the snapshot and every clone: the restore needs the same devices. */
  private static VmSpec spec(RunRequest request, Prepared prepared, Path initramfs, Path dir) {
    var vm = request.profile().vm();
    List<String> args = new ArrayList<>(KernelCommandLine.standard());
    args.add(SNAPSHOT_ARG);
    return new VmSpec(request.profile().name(), prepared.kernel(), initramfs, args,
        vm.memoryMib(), vm.cpus(), prepared.accelerator().accelerator(),
        Optional.of(dir.resolve("channel.sock")), dir.resolve("console.log"), dir);
  }

  /** G: the host's clock (CLOCK_REALTIME ns) and a fresh seed, for this clone only. */
  static void sendGo(SocketChannel channel) throws IOException {
    byte[] seed = new byte[SEED_BYTES];
    RANDOM.nextBytes(seed);
    Instant now = Instant.now();
    ByteBuffer frame = ByteBuffer.allocate(5 + 8 + SEED_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    frame.put((byte) 'G').putInt(8 + SEED_BYTES)
        .putLong(now.getEpochSecond() * 1_000_000_000L + now.getNano()).put(seed).flip();
    while (frame.hasRemaining()) {
      channel.write(frame);
    }
  }
}
