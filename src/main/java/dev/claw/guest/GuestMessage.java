package dev.claw.guest;

import java.util.List;

/**
 * One frame that init sent over the channel, decoded. See docs/GUEST-PROTOCOL.md; the
 * timestamps are the guest's {@code CLOCK_BOOTTIME}, in nanoseconds since the kernel started.
 */
public sealed interface GuestMessage {

  /** The protocol version this claw speaks (docs/GUEST-PROTOCOL.md). */
  int PROTOCOL_VERSION = 2;

  /** Init is running. */
  record Hello(int version, long bootNanos) implements GuestMessage {}

  /**
   * Init is ready to start the agent and waits for the host's go frame (only with
   * {@code claw.snapshot}: the host saves the VM now).
   */
  record Ready(long bootNanos) implements GuestMessage {}

  /** The agent's execve succeeded. */
  record AgentStarted(long bootNanos, int pid) implements GuestMessage {}

  /** Bytes the agent wrote to stdout. */
  record Stdout(byte[] bytes) implements GuestMessage {}

  /** Bytes the agent wrote to stderr. */
  record Stderr(byte[] bytes) implements GuestMessage {}

  /** The agent ended: with an exit code, or killed by a signal. */
  record AgentExited(boolean signaled, int value, long bootNanos) implements GuestMessage {}

  /** Init itself failed; it powers the VM off next. */
  record InitFailed(String message) implements GuestMessage {}

  /** The seccomp filter stopped a call; init is killing the agent. */
  record SyscallBlocked(int number, int pid) implements GuestMessage {}

  /** A learning run's system calls, by number, ascending; sent just before the exit. */
  record SyscallsUsed(List<Integer> numbers) implements GuestMessage {}

  /** Init's own diagnostics. */
  record InitLog(String message) implements GuestMessage {}
}
