package dev.claw.net;

import dev.claw.profile.Cidr;
import dev.claw.profile.NetworkPolicy;
import dev.claw.profile.NetworkPolicy.Egress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The nftables ruleset of one VM's namespace, generated from its profile: table
 * {@code inet claw}, one table for IPv4 and IPv6 alike, loaded atomically with {@code nft -f}.
 * Every rule carries its reason as a comment in the text, which {@code claw net explain}
 * prints as is.
 *
 * <p>Order matters and is: the guest's pinned source; replies; DNS to claw's responder only;
 * profile networks that lie inside an always-denied range (named explicitly, so allowed);
 * the always-denied ranges and the host's own addresses; ICMP; then the profile's networks
 * and the addresses the responder answered for its names. The policy of every chain is drop.
 */
public final class NftRuleset {
  public static final String TABLE = "claw";
  public static final String SET4 = "allowed4";
  public static final String SET6 = "allowed6";

  /** An always-denied range and why. */
  public record Denied(Cidr range, String reason) {}

  /** Denied whatever the profile says, unless a profile rule names a network inside them. */
  public static final List<Denied> ALWAYS_DENIED = List.of(
      denied("0.0.0.0/8", "'this network': no real destination"),
      denied("127.0.0.0/8", "loopback"),
      denied(NetworkLayout.CLAW4.toString(), "claw's own range: other agents and uplinks"),
      denied("169.254.0.0/16", "link-local, with the cloud metadata service 169.254.169.254"),
      denied("224.0.0.0/4", "multicast"),
      denied("240.0.0.0/4", "reserved, and the broadcast address 255.255.255.255"),
      denied("::/127", "unspecified and loopback"),
      denied("::ffff:0:0/96", "IPv4-mapped: IPv4 in IPv6 clothing"),
      denied(NetworkLayout.CLAW6.toString(), "claw's own range: other agents and uplinks"),
      denied("fd00:ec2::254/128", "the cloud metadata service over IPv6"),
      denied("fe80::/10", "link-local"),
      denied("ff00::/8", "multicast"));

  private final NetworkLayout layout;
  private final NetworkPolicy policy;
  private final List<InetAddress> hostAddresses;
  private final int responderPort4;
  private final int responderPort6;

  /**
   * @param hostAddresses the host's own addresses when the VM starts; all denied
   * @param responderPort4 the UDP port of the VM's DNS responder on the uplink's IPv4 host end
   */
  public NftRuleset(NetworkLayout layout, NetworkPolicy policy, List<InetAddress> hostAddresses,
      int responderPort4, int responderPort6) {
    this.layout = layout;
    this.policy = policy;
    this.hostAddresses = List.copyOf(hostAddresses);
    this.responderPort4 = responderPort4;
    this.responderPort6 = responderPort6;
  }

  /** The whole table; loading it replaces nothing else, and fails as a whole. */
  public String text() {
    List<String> lines = new ArrayList<>();
    lines.add("table inet " + TABLE + " {");
    lines.addAll(sets());
    lines.addAll(guestSource());
    lines.addAll(dnsRedirect());
    lines.addAll(namespaceOwnTraffic());
    lines.addAll(forward());
    lines.addAll(masquerade());
    lines.add("}");
    return String.join("\n", lines) + "\n";
  }

  private List<String> sets() {
    return List.of(
        "  # Addresses the DNS responder answered for an allowed name, with the protocol and",
        "  # port the profile allows for that name; each entry expires with the answer's TTL.",
        "  set " + SET4 + " { type ipv4_addr . inet_proto . inet_service; flags timeout; }",
        "  set " + SET6 + " { type ipv6_addr . inet_proto . inet_service; flags timeout; }",
        "  # The host's own addresses when the VM started: the agent never reaches the host.",
        "  set host4 { type ipv4_addr;" + elements(hostAddresses, true) + " }",
        "  set host6 { type ipv6_addr;" + elements(hostAddresses, false) + " }",
        "");
  }

  private static String elements(List<InetAddress> addresses, boolean ipv4) {
    String list = addresses.stream().filter(a -> (a instanceof Inet4Address) == ipv4)
        .map(Cidr::format).distinct().sorted()
        .collect(Collectors.joining(", "));
    return list.isEmpty() ? "" : " elements = { " + list + " };";
  }

  private List<String> guestSource() {
    String tap = quote(NetworkLayout.TAP);
    return List.of(
        "  # Anti-spoofing: from the tap, only the guest's pinned MAC and addresses get in, so",
        "  # root in the guest changing its address, MAC or routes reaches nothing new.",
        "  chain guest_source {",
        "    type filter hook prerouting priority raw; policy accept;",
        "    iifname " + tap + " ether saddr != " + NetworkLayout.GUEST_MAC + " drop",
        "    iifname " + tap + " meta nfproto ipv4 ip saddr != " + NetworkLayout.GUEST4 + " drop",
        "    iifname " + tap + " meta nfproto ipv6 ip6 saddr != " + NetworkLayout.GUEST6
            + " drop",
        "  }",
        "");
  }

  private List<String> dnsRedirect() {
    String tap = quote(NetworkLayout.TAP);
    return List.of(
        "  # The guest's resolver is its gateway; its DNS goes to claw's responder for this VM,",
        "  # which listens on the uplink's host end. DNS to anywhere else is dropped (forward).",
        "  chain dns_redirect {",
        "    type nat hook prerouting priority dstnat; policy accept;",
        "    iifname " + tap + " ip daddr " + NetworkLayout.GATEWAY4 + " udp dport 53 dnat ip to "
            + layout.uplinkHost4() + ":" + responderPort4,
        "    iifname " + tap + " ip6 daddr " + NetworkLayout.GATEWAY6
            + " udp dport 53 dnat ip6 to [" + layout.uplinkHost6() + "]:" + responderPort6,
        "  }",
        "");
  }

  private static List<String> namespaceOwnTraffic() {
    String nd = "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept";
    return List.of(
        "  # The namespace itself serves nothing and starts nothing; it only answers IPv6",
        "  # neighbour discovery (the IPv6 ARP), without which no IPv6 packet is delivered.",
        "  chain input {",
        "    type filter hook input priority filter; policy drop;",
        "    " + nd,
        "  }",
        "  chain output {",
        "    type filter hook output priority filter; policy drop;",
        "    " + nd,
        "  }",
        "");
  }

  private List<String> forward() {
    List<String> lines = new ArrayList<>(List.of(
        "  chain forward {",
        "    type filter hook forward priority filter; policy drop;",
        "    # Replies to what the guest was allowed to open, and ICMP errors about it.",
        "    ct state established,related accept",
        "    ct state invalid drop",
        "    # Nothing outside may open a connection to the guest.",
        "    iifname != " + quote(NetworkLayout.TAP) + " drop",
        "    # DNS: only to claw's responder (redirected above), nowhere else.",
        "    ct status dnat ip daddr " + layout.uplinkHost4() + " udp dport " + responderPort4
            + " accept",
        "    ct status dnat ip6 daddr " + layout.uplinkHost6() + " udp dport " + responderPort6
            + " accept",
        "    meta l4proto { tcp, udp } th dport 53 drop"));
    List<Egress> explicit = policy.egress().stream().filter(this::namesDeniedRange).toList();
    if (!explicit.isEmpty()) {
      lines.add("    # Named explicitly by the profile, inside a range denied below: allowed.");
      explicit.forEach(rule -> lines.add("    " + accept(rule)));
    }
    lines.addAll(alwaysDenied());
    lines.add("    # The profile's networks, then the addresses its names resolved to.");
    policy.egress().stream().filter(rule -> rule.cidr().isPresent())
        .filter(rule -> !namesDeniedRange(rule)).forEach(rule -> lines.add("    "
            + accept(rule)));
    lines.add("    ip daddr . meta l4proto . th dport @" + SET4 + " accept");
    lines.add("    ip6 daddr . meta l4proto . th dport @" + SET6 + " accept");
    lines.add("  }");
    lines.add("");
    return lines;
  }

  private static List<String> alwaysDenied() {
    List<String> lines = new ArrayList<>();
    lines.add("    # Always denied: the host, and ranges no agent needs (reasons in the set).");
    lines.add("    ip daddr @host4 drop");
    lines.add("    ip6 daddr @host6 drop");
    for (boolean ipv4 : new boolean[] {true, false}) {
      lines.add("    " + (ipv4 ? "ip" : "ip6") + " daddr { " + ALWAYS_DENIED.stream()
          .filter(d -> d.range().isIpv4() == ipv4).map(d -> d.range().toString())
          .collect(Collectors.joining(", ")) + " } drop");
    }
    lines.add("    # ICMP is never allowed (pings leak data as well as anything else does).");
    lines.add("    meta l4proto { icmp, ipv6-icmp } drop");
    return lines;
  }

  /** Whether the rule's network lies inside an always-denied range or is a host address. */
  boolean namesDeniedRange(Egress rule) {
    if (rule.cidr().isEmpty()) {
      return false;
    }
    Cidr cidr = rule.cidr().get();
    boolean inRange = ALWAYS_DENIED.stream().anyMatch(d -> d.range().contains(cidr));
    boolean isHost = hostAddresses.stream()
        .anyMatch(host -> new Cidr(host, host.getAddress().length * 8).equals(cidr));
    return inRange || isHost;
  }

  private static String accept(Egress rule) {
    Cidr cidr = rule.cidr().orElseThrow();
    return (cidr.isIpv4() ? "ip" : "ip6") + " daddr " + cidr + " " + rule.protocol().keyword()
        + " dport { " + rule.ports().stream().map(String::valueOf)
            .collect(Collectors.joining(", ")) + " } accept";
  }

  private static List<String> masquerade() {
    return List.of(
        "  # Out of the uplink, the guest's traffic carries the namespace's address.",
        "  chain uplink_nat {",
        "    type nat hook postrouting priority srcnat; policy accept;",
        "    oifname " + quote(NetworkLayout.UPLINK) + " masquerade",
        "  }");
  }

  /**
   * The host-side table of this VM: masquerade of its uplink address on the way out of the
   * host, so replies come back whatever the host's routes are. Loaded in the host namespace.
   */
  public String hostText() {
    String veth = quote(layout.hostVeth());
    return String.join("\n",
        "table inet " + layout.hostTable() + " {",
        "  # The VM's uplink address is private to this host: leaving the host, it takes the",
        "  # address of the interface it leaves by, so replies find their way back.",
        "  chain postrouting {",
        "    type nat hook postrouting priority srcnat; policy accept;",
        "    ip saddr " + layout.uplinkNamespace4() + " oifname != " + veth + " masquerade",
        "    ip6 saddr " + layout.uplinkNamespace6() + " oifname != " + veth + " masquerade",
        "  }",
        "  # Nothing from the VM's uplink reaches the host itself, whatever addresses the host",
        "  # has now or gets later: only the VM's DNS responder, and neighbour discovery on the",
        "  # link (without it IPv6 cannot reach the next hop at all).",
        "  chain input {",
        "    type filter hook input priority filter; policy accept;",
        "    iifname " + veth + " ip daddr " + layout.uplinkHost4() + " udp dport "
            + responderPort4 + " accept",
        "    iifname " + veth + " ip6 daddr " + layout.uplinkHost6() + " udp dport "
            + responderPort6 + " accept",
        "    iifname " + veth + " icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } "
            + "accept",
        "    iifname " + veth + " drop",
        "  }",
        "}") + "\n";
  }

  private static String quote(String name) {
    return "\"" + name + "\"";
  }

  private static Denied denied(String range, String reason) {
    return new Denied(Cidr.parse(range).orElseThrow(), reason);
  }
}
