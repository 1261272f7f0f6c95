package dev.claw.bench;

import java.util.Locale;

/** The ways claw bench launches the same agent from the same root filesystem. */
public enum BenchMode {
  /** The agent's command on the host, chrooted into the unpacked root as the agent's uid. */
  NATIVE("native", "process on the host (unshare --root, agent uid)"),
  /** The OCI layout claw writes, unpacked by umoci and run by runc. */
  CONTAINER("runc", "container under runc (claw's OCI layout)"),
  /** A cold microVM with claw's own kernel: what claw run does. */
  MICROVM("microvm", "microVM, cold, claw's kernel"),
  /** A cold microVM with Debian's generic cloud kernel and its virtio modules. */
  MICROVM_CLOUD("microvm-cloud", "microVM, cold, Debian cloud kernel"),
  /** A microVM restored from a snapshot taken when init was ready. */
  SNAPSHOT("snapshot", "microVM restored from a snapshot");

  private final String label;
  private final String description;

  BenchMode(String label, String description) {
    this.label = label;
    this.description = description;
  }

  public String label() {
    return label;
  }

  public String description() {
    return description;
  }

  /** Whether this mode runs a VMM, whose memory and CPU are the overhead measured. */
  public boolean isVm() {
    return this == MICROVM || this == MICROVM_CLOUD || this == SNAPSHOT;
  }

  /** The mode with this label, as given to --modes. */
  public static BenchMode named(String label) {
    for (BenchMode mode : values()) {
      if (mode.label.equals(label.strip().toLowerCase(Locale.ROOT))) {
        return mode;
      }
    }
    throw new IllegalArgumentException(label);
  }
}
