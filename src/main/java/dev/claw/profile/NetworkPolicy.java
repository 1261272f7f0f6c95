package dev.claw.profile;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * What an agent may reach over the network: its profile's {@code network} section. Everything
 * not listed here is dropped by the host; a profile without the section gets no network device
 * at all.
 *
 * @param egress the destinations, by name or by network, each with its ports and protocol
 * @param upstream the resolver that allowed names are forwarded to; empty means the host's
 *     own (the first {@code nameserver} in /etc/resolv.conf)
 */
public record NetworkPolicy(List<Egress> egress, Optional<InetAddress> upstream) {

  public NetworkPolicy {
    egress = List.copyOf(egress);
  }

  /** The transport an egress rule allows. */
  public enum Protocol {
    TCP, UDP;

    /** The name nft and the profile use. */
    public String keyword() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One allowed destination: exactly one of {@code host} (an exact DNS name, lower case,
   * without the final dot) and {@code cidr} is present.
   */
  public record Egress(Optional<String> host, Optional<Cidr> cidr, List<Integer> ports,
      Protocol protocol) {
    public Egress {
      ports = List.copyOf(ports);
      if (host.isPresent() == cidr.isPresent()) {
        throw new IllegalArgumentException("an egress rule needs a host or a cidr, not both");
      }
    }

    /** The rule as the profile would write it, for messages and {@code claw net explain}. */
    public String describe() {
      String target = host.orElseGet(() -> cidr.orElseThrow().toString());
      return target + " " + protocol.keyword() + " port" + (ports.size() == 1 ? " " : "s ")
          + String.join(",", ports.stream().map(String::valueOf).toList());
    }
  }

  /** The host names the DNS responder may answer. */
  public List<String> names() {
    return egress.stream().flatMap(rule -> rule.host().stream()).distinct().toList();
  }
}
