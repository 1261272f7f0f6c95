package dev.claw.run;

import dev.claw.vm.AcceleratorProbe;
import java.util.List;
import java.util.Optional;

/**
 * The result of one run.
 *
 * @param console the guest's serial console (kernel and init messages), the last 64 KiB
 * @param syscallsUsed in a learning run, every system call number the agent made
 */
public record RunResult(
    String agent,
    Outcome outcome,
    AcceleratorProbe.Choice accelerator,
    Timeline timeline,
    String console,
    Optional<List<Integer>> syscallsUsed) {

  /** A result of a run that did not learn system calls. */
  public RunResult(String agent, Outcome outcome, AcceleratorProbe.Choice accelerator,
      Timeline timeline, String console) {
    this(agent, outcome, accelerator, timeline, console, Optional.empty());
  }
}
