package dev.claw.run;

import java.time.Duration;

/** How a run ended. Exactly one of these, for every run that got as far as booting. */
public sealed interface Outcome {

  /** The agent exited by itself. */
  record Exited(int code) implements Outcome {}

  /** The agent was killed by a signal. */
  record Signaled(int signal) implements Outcome {
    public String signalName() {
      return Signals.name(signal);
    }
  }

  /**
   * The seccomp filter stopped a system call the policy does not allow, and init killed the
   * agent with every process it had.
   *
   * @param name the call's name, or "unknown" if claw's table has no such number
   */
  record BlockedSyscall(int number, String name) implements Outcome {}

  /** The run took longer than its timeout; claw killed the VM. */
  record TimedOut(Duration limit) implements Outcome {}

  /** claw's init could not start the agent, and said why. */
  record InitFailed(String message) implements Outcome {}

  /**
   * The VM stopped before the agent ended (kernel panic, VMM error, lost channel).
   *
   * @param evidence the VMM's stderr and the guest console's last lines
   * @param fix what the user can do about it
   */
  record VmFailed(String message, String evidence, String fix) implements Outcome {}
}
