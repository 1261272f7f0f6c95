package dev.claw.net;

import dev.claw.profile.Cidr;
import java.util.List;

/**
 * The names and addresses of one VM's network. Two links:
 *
 * <ul>
 *   <li>the guest link, between the guest's NIC and a tap device in the VM's own network
 *       namespace. It is the same in every VM ({@link #GUEST4}, {@link #GATEWAY4} and their
 *       IPv6 twins): each namespace is separate, so no two VMs ever share it, and the guest's
 *       resolver address can be written into the image;
 *   <li>the uplink, a veth pair from the namespace to the host, with addresses unique to the
 *       VM's slot, so the host can route replies back and the DNS responder can listen on an
 *       address only this VM's namespace reaches.
 * </ul>
 *
 * <p>Everything lives in {@link #CLAW4} and {@link #CLAW6}; the firewall of every VM drops
 * those ranges (other agents) whatever the profile says, except for its own DNS responder.
 */
public record NetworkLayout(String vmId, int slot) {
  /** Every address claw gives out for IPv4: guest links and uplinks. */
  public static final Cidr CLAW4 = cidr("10.233.0.0/16");
  /** Every address claw gives out for IPv6. */
  public static final Cidr CLAW6 = cidr("fd00:c1a3::/32");

  public static final String GUEST4 = "10.233.255.254";
  public static final String GATEWAY4 = "10.233.255.253";
  public static final int GUEST_PREFIX4 = 30;
  public static final String GUEST6 = "fd00:c1a3:ffff::2";
  public static final String GATEWAY6 = "fd00:c1a3:ffff::1";
  public static final int GUEST_PREFIX6 = 126;
  /** Locally administered (02:...), so it can never be a real vendor's address. */
  public static final String GUEST_MAC = "02:c1:a3:00:00:02";

  /** The device names inside the namespace; the namespace keeps them apart from the host's. */
  public static final String TAP = "tap0";
  public static final String UPLINK = "uplink";

  /** Slots are /30 uplinks in 10.233.0.0/16; the last /30 is the guest link. */
  public static final int SLOTS = (1 << 14) - 1;

  public NetworkLayout {
    if (!vmId.matches("[0-9a-f]{8}")) {
      throw new IllegalArgumentException("a VM id is 8 hex digits, not '" + vmId + "'");
    }
    if (slot < 0 || slot >= SLOTS) {
      throw new IllegalArgumentException("slot " + slot + " is out of 0.." + (SLOTS - 1));
    }
  }

  /** The network namespace, as {@code ip netns} names it (/run/netns/NAME). */
  public String namespace() {
    return namespaceOf(vmId);
  }

  /** The host's end of the uplink; at most 15 characters, as the kernel requires. */
  public String hostVeth() {
    return hostVethOf(vmId);
  }

  static String namespaceOf(String vmId) {
    return "claw-" + vmId;
  }

  static String hostVethOf(String vmId) {
    return "cv-" + vmId;
  }

  /** The per-VM nft table in the host's namespace (masquerade of this VM's uplink). */
  static String hostTableOf(String vmId) {
    return "claw-" + vmId;
  }

  public String hostTable() {
    return hostTableOf(vmId);
  }

  /** The uplink's host end: where the VM's DNS responder listens. */
  public String uplinkHost4() {
    return "10.233." + (slot * 4 >> 8) + "." + ((slot * 4 & 0xff) + 1);
  }

  public String uplinkNamespace4() {
    return "10.233." + (slot * 4 >> 8) + "." + ((slot * 4 & 0xff) + 2);
  }

  public String uplinkHost6() {
    return "fd00:c1a3::" + Integer.toHexString(slot) + ":1";
  }

  public String uplinkNamespace6() {
    return "fd00:c1a3::" + Integer.toHexString(slot) + ":2";
  }

  /**
   * What init reads from {@code claw.net=}: the guest's IPv4 address/prefix, its gateway, the
   * IPv6 address/prefix and gateway, comma-separated.
   */
  public static String kernelArgument() {
    return "claw.net=" + String.join(",", List.of(GUEST4 + "/" + GUEST_PREFIX4, GATEWAY4,
        GUEST6 + "/" + GUEST_PREFIX6, GATEWAY6));
  }

  /** The guest's /etc/resolv.conf: both gateways, which the namespace sends to the responder. */
  public static String resolvConf() {
    return "nameserver " + GATEWAY4 + "\nnameserver " + GATEWAY6 + "\n";
  }

  private static Cidr cidr(String text) {
    return Cidr.parse(text).orElseThrow();
  }
}
