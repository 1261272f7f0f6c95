package dev.claw.run;

import dev.claw.event.EventListener;
import dev.claw.guest.GuestChannelReader;
import dev.claw.guest.GuestMessage;
import dev.claw.seccomp.SyscallTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Optional;

/**
 * Follows one guest's channel from hello to exit: forwards the agent's output as it arrives,
 * marks the timeline, and remembers how the agent ended. It trusts nothing the guest says
 * beyond the frame format; a malformed stream ends the session.
 */
final class GuestSession {
  private final AgentOutput output;
  private final Timeline timeline;
  private final EventListener events;

  private Optional<Outcome> ending = Optional.empty();
  private Optional<Outcome.BlockedSyscall> blocked = Optional.empty();
  private Optional<List<Integer>> syscallsUsed = Optional.empty();
  private boolean helloSeen;
  private String protocolError;

  GuestSession(AgentOutput output, Timeline timeline, EventListener events) {
    this.output = output;
    this.timeline = timeline;
    this.events = events;
  }

  /** Reads until init reports the end, the guest closes the channel, or the stream breaks. */
  void follow(SocketChannel channel) {
    try (InputStream in = Channels.newInputStream(channel)) {
      GuestChannelReader reader = new GuestChannelReader(in);
      while (ending.isEmpty()) {
        Optional<GuestMessage> message = reader.next();
        if (message.isEmpty()) {
          return;
        }
        handle(message.get(), System.nanoTime());
      }
    } catch (IOException e) {
      // Also how a timeout shows up here: claw killed the VM, so the channel broke.
      protocolError = e.getMessage();
    }
  }

  private void handle(GuestMessage message, long now) throws IOException {
    // Java 17 has no pattern switch; this chain covers every GuestMessage kind.
    if (message instanceof GuestMessage.Hello hello) {
      checkVersion(hello.version());
      helloSeen = true;
      timeline.mark(Phase.INIT_START, now);
      timeline.mark(Phase.KERNEL_START, now - hello.bootNanos());
    } else if (message instanceof GuestMessage.Ready) {
      // Only a snapshot boot says this, and SnapshotRunner reads that stream itself.
      events.detail("init: ready for a snapshot");
    } else if (message instanceof GuestMessage.AgentStarted) {
      timeline.mark(Phase.AGENT_EXEC, now);
    } else if (message instanceof GuestMessage.Stdout out) {
      timeline.mark(Phase.FIRST_STDOUT, now);
      output.stdout(out.bytes());
    } else if (message instanceof GuestMessage.Stderr err) {
      output.stderr(err.bytes());
    } else if (message instanceof GuestMessage.AgentExited exit) {
      timeline.mark(Phase.AGENT_EXIT, now);
      ending = Optional.of(blocked.isPresent() ? blocked.get()
          : exit.signaled() ? new Outcome.Signaled(exit.value())
          : new Outcome.Exited(exit.value()));
    } else if (message instanceof GuestMessage.SyscallBlocked call) {
      String name = SyscallTable.x86_64().name(call.number()).orElse("unknown");
      events.detail("seccomp: pid " + call.pid() + " called " + name + " (" + call.number()
          + "), which the policy does not allow");
      blocked = blocked.or(() -> Optional.of(new Outcome.BlockedSyscall(call.number(), name)));
    } else if (message instanceof GuestMessage.SyscallsUsed used) {
      syscallsUsed = Optional.of(used.numbers());
    } else if (message instanceof GuestMessage.InitFailed failed) {
      ending = Optional.of(new Outcome.InitFailed(failed.message()));
    } else if (message instanceof GuestMessage.InitLog log) {
      events.detail("init: " + log.message());
    } else {
      throw new IllegalStateException("unhandled guest message " + message);
    }
  }

  private static void checkVersion(int version) throws IOException {
    if (version != GuestMessage.PROTOCOL_VERSION) {
      throw new IOException("the guest's init speaks protocol version " + version
          + "; this claw speaks " + GuestMessage.PROTOCOL_VERSION);
    }
  }

  /** How the agent ended, if init said so. */
  Optional<Outcome> ending() {
    return ending;
  }

  /** In a learning run, the system calls init saw the agent make. */
  Optional<List<Integer>> syscallsUsed() {
    return syscallsUsed;
  }

  boolean helloSeen() {
    return helloSeen;
  }

  /** Why the stream broke, if it did. */
  Optional<String> protocolError() {
    return Optional.ofNullable(protocolError);
  }
}
