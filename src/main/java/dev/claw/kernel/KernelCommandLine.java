package dev.claw.kernel;

import java.util.List;

/** The kernel command line claw boots every guest with, one reason per parameter. */
public final class KernelCommandLine {
  private KernelCommandLine() {}

  public static List<String> standard() {
    return List.of(
        // Kernel and init messages go to the serial console, which the host keeps in a log
        // apart from the agent's output and shows when something goes wrong.
        "console=ttyS0",
        // Only warnings and errors: every console byte is an emulated UART write.
        "quiet",
        // Reboot by triple fault; QEMU's -no-reboot turns that into a clean exit. Needs no
        // ACPI and no keyboard controller.
        "reboot=t",
        // A panic reboots (so the VM ends) at once instead of hanging until the timeout.
        "panic=-1");
  }
}
