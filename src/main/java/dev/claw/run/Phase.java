package dev.claw.run;

/** The steps of a run, in the order they happen. */
public enum Phase {
  /** The user started claw (from the launcher, or when the JVM started). */
  LAUNCH("launch"),
  /** Kernel found, init compiled, image written, accelerator chosen. */
  IMAGE_READY("image ready"),
  /** The VMM process was spawned. */
  VMM_SPAWN("vmm spawned"),
  /** The guest kernel started running; derived from init's clock, see {@link Timeline}. */
  KERNEL_START("kernel started"),
  /** claw's init said hello. */
  INIT_START("init started"),
  /** The agent's execve succeeded. */
  AGENT_EXEC("agent exec'd"),
  /** The agent's first stdout byte reached the host. */
  FIRST_STDOUT("first stdout"),
  /** The agent ended and init reported its status. */
  AGENT_EXIT("agent exited"),
  /** The VMM process ended. */
  VM_EXIT("vm exited");

  private final String label;

  Phase(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public String jsonName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
