package dev.claw.run;

import dev.claw.ClawException;
import dev.claw.event.EventListener;
import dev.claw.host.FileTail;
import dev.claw.vm.AcceleratorProbe;
import dev.claw.vm.VmBackend;
import dev.claw.vm.VmProcess;
import dev.claw.vm.VmRegistry;
import dev.claw.vm.VmSpec;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Boots one VM and stays with it until it is gone. Three things can end a run: init reports
 * the agent's end (then the guest powers off and QEMU exits), the VM dies on its own (panic,
 * VMM error), or the wall-clock timeout fires and claw kills it. On every path the VMM process
 * is killed and reaped before this returns; Ctrl-C is {@link VmTeardown}'s.
 */
final class VmSupervisor {
  /** How long a guest may take to power off after init reported the agent's end. */
  private static final Duration POWER_OFF_GRACE = Duration.ofSeconds(3);
  /** QEMU connects the channel while it sets up devices, long before the guest runs. */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
  static final int CONSOLE_KEPT = 64 * 1024;
  /** Unix socket paths longer than this do not fit in sockaddr_un. */
  private static final int MAX_SOCKET_PATH = 107;

  private final VmBackend backend;
  private final VmRegistry registry;
  private final EventListener events;
  private GuestGreeting greeting = channel -> { };

  /** What the host says first once the guest's channel is connected (a restored clone's G). */
  interface GuestGreeting {
    void greet(SocketChannel channel) throws IOException;
  }

  VmSupervisor(VmBackend backend, VmRegistry registry, EventListener events) {
    this.backend = backend;
    this.registry = registry;
    this.events = events;
  }

  /** Greets each guest with {@code first} before following its channel. */
  VmSupervisor greeting(GuestGreeting first) {
    this.greeting = first;
    return this;
  }

  RunResult boot(VmSpec spec, RunRequest request, AcceleratorProbe.Choice accelerator,
      Timeline timeline, AgentOutput output, VmTeardown teardown) throws IOException {
    Path socketPath = spec.channelSocket().orElseThrow();
    checkSocketPath(socketPath);
    GuestSession session = new GuestSession(output, timeline, events);
    Outcome outcome;
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socketPath));
      outcome = superviseVm(spec, server, session, timeline, request.effectiveTimeout(),
          teardown);
    }
    return new RunResult(spec.name(), outcome, accelerator, timeline,
        FileTail.read(spec.consoleLog(), CONSOLE_KEPT), session.syscallsUsed());
  }

  private Outcome superviseVm(VmSpec spec, ServerSocketChannel server, GuestSession session,
      Timeline timeline, Duration timeout, VmTeardown teardown) throws IOException {
    AtomicBoolean timedOut = new AtomicBoolean();
    ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(
        runnable -> daemon(runnable, "claw-watchdog-" + spec.name()));
    try (VmProcess vm = backend.start(spec)) {
      teardown.track(vm);
      timeline.mark(Phase.VMM_SPAWN, vm.spawnedNanos());
      events.detail("vmm: " + String.join(" ", vm.command()));
      reportConfinement(vm.confinement());
      registry.recordVmm(spec.stateDir(), vm);
      watchdog.schedule(() -> {
        timedOut.set(true);
        vm.close();
      }, timeout.toMillis(), TimeUnit.MILLISECONDS);
      Optional<SocketChannel> channel = accept(server, vm);
      if (channel.isPresent()) {
        greeting.greet(channel.get());
        session.follow(channel.get());
      }
      awaitExit(vm, session, timeline);
      // An agent that ended just as the timeout fired did end: its own status wins.
      return session.ending().orElseGet(() -> timedOut.get() ? new Outcome.TimedOut(timeout)
          : VmFailures.explain(vm, session, spec));
    } finally {
      watchdog.shutdownNow();
    }
  }

  /** Waits for QEMU to connect the guest channel; empty if the VMM died first. */
  private static Optional<SocketChannel> accept(ServerSocketChannel server, VmProcess vm)
      throws IOException {
    server.configureBlocking(false);
    long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
    try (Selector selector = Selector.open()) {
      server.register(selector, SelectionKey.OP_ACCEPT);
      while (vm.isAlive() && System.nanoTime() < deadline) {
        selector.select(20);
        SocketChannel channel = server.accept();
        if (channel != null) {
          channel.configureBlocking(true);
          return Optional.of(channel);
        }
      }
    }
    return Optional.empty();
  }

  private static void awaitExit(VmProcess vm, GuestSession session, Timeline timeline) {
    try {
      Duration grace = session.ending().isPresent() ? POWER_OFF_GRACE : Duration.ofSeconds(1);
      if (vm.waitFor(grace).isPresent()) {
        timeline.mark(Phase.VM_EXIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void checkSocketPath(Path socket) {
    if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
      throw new ClawException("the VM's socket path is too long for a Unix socket: "
          + socket, "set CLAW_RUNTIME to a shorter folder, such as /run/claw");
    }
  }

  private void reportConfinement(VmProcess.Confinement confinement) {
    events.detail("vmm confined: " + String.join(", ", confinement.applied()));
    for (String missing : confinement.notApplied()) {
      events.warn("vmm not confined by " + missing);
    }
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    return thread;
  }

}
