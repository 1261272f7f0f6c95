package dev.claw.run;

import dev.claw.vm.AcceleratorProbe;

/**
 * The result of one run.
 *
 * @param console the guest's serial console (kernel and init messages), the last 64 KiB
 */
public record RunResult(
    String agent,
    Outcome outcome,
    AcceleratorProbe.Choice accelerator,
    Timeline timeline,
    String console) {}
