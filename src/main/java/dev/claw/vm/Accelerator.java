package dev.claw.vm;

/** How the guest's CPU is run. */
public enum Accelerator {
  /** Hardware virtualization through /dev/kvm: fast, when the host really provides it. */
  KVM,
  /** QEMU's software emulation: works everywhere, many times slower. */
  TCG;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
