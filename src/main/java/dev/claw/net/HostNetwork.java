package dev.claw.net;

import dev.claw.ClawException;
import dev.claw.host.Exec;
import dev.claw.profile.Cidr;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * What claw needs from the host to give a VM a network, checked before anything is made, and
 * the host facts the firewall is built from.
 *
 * <p>All of it needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN in the host's namespaces): creating
 * a network namespace and mounting it under /run/netns, moving a veth end into it, creating a
 * tap device, loading nftables rules, and starting QEMU inside the namespace. A rootless claw
 * in a user namespace could do the namespace part, but not link it to the host's network
 * without a helper (slirp4netns, pasta), which would then be the thing enforcing the policy.
 */
public final class HostNetwork {
  static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");
  static final Path IP6_FORWARD = Path.of("/proc/sys/net/ipv6/conf/all/forwarding");

  private HostNetwork() {}

  /** Refuses, with the fix, when this host cannot give a VM a network. */
  public static void check() throws IOException {
    int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    if (uid != 0) {
      throw new ClawException("this agent's profile has a 'network' section, and giving a VM a "
          + "filtered network takes root: a network namespace, a tap device, nftables rules",
          "run claw as root (sudo), or remove 'network' from the profile to run without one");
    }
    for (String tool : List.of("ip", "nft", "nsenter")) {
      if (Exec.which(tool).isEmpty() && !Files.isExecutable(Path.of("/usr/sbin", tool))) {
        throw new ClawException(tool + " is not installed, and claw needs it for the agent's "
            + "network", "run scripts/setup, or: apt-get install iproute2 nftables util-linux");
      }
    }
    if (!Files.readString(IP_FORWARD).strip().equals("1")) {
      throw new ClawException("IPv4 forwarding is off on this host, so an agent's allowed "
          + "traffic could not leave it; claw does not change host-wide settings itself",
          "enable it: sysctl -w net.ipv4.ip_forward=1 (and for IPv6, "
              + "net.ipv6.conf.all.forwarding=1); keep it in /etc/sysctl.d to make it last");
    }
  }

  /** Whether the host forwards IPv6; without it a VM's IPv6 egress stops at the host. */
  public static boolean forwardsIpv6() {
    try {
      return Files.readString(IP6_FORWARD).strip().equals("1");
    } catch (IOException e) {
      return false;
    }
  }

  /** Every address of every interface of the host's namespace, as it is now. */
  public static List<InetAddress> addresses() {
    List<InetAddress> addresses = new ArrayList<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        addresses.addAll(Collections.list(nic.getInetAddresses()));
      }
    } catch (SocketException e) {
      throw new ClawException("cannot list the host's addresses: " + e.getMessage(),
          "check that /proc/net is readable");
    }
    return addresses;
  }

  /** The first nameserver of /etc/resolv.conf: the host's own resolver. */
  public static InetAddress defaultResolver(Path resolvConf) {
    try {
      for (String line : Files.readAllLines(resolvConf)) {
        String[] words = line.strip().split("\\s+");
        if (words.length >= 2 && words[0].equals("nameserver")) {
          Optional<InetAddress> address = Cidr.address(words[1].replaceAll("%.*", ""));
          if (address.isPresent()) {
            return address.get();
          }
        }
      }
    } catch (IOException e) {
      // Reported below, with the fix.
    }
    throw new ClawException("no nameserver in " + resolvConf + " to forward the agent's "
        + "allowed names to", "name one in the profile: network: {dns: {upstream: IP}}");
  }
}
