package dev.claw.profile;

import dev.claw.profile.NetworkPolicy.Egress;
import dev.claw.profile.NetworkPolicy.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads a profile's {@code network} section, as strictly as the rest: a rule that does not say
 * exactly what it allows is an error, never a wider rule.
 */
final class NetworkSection {
  private static final Set<String> NETWORK = Set.of("egress", "dns");
  private static final Set<String> RULE = Set.of("host", "cidr", "ports", "proto");
  private static final Set<String> DNS = Set.of("upstream");
  private static final int MAX_RULES = 256;
  private static final int MAX_PORTS = 64;
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private NetworkSection() {}

  static Optional<NetworkPolicy> read(YamlSection top) {
    Optional<YamlSection> network = top.section("network", NETWORK);
    if (network.isEmpty()) {
      return Optional.empty();
    }
    YamlSection section = network.get();
    List<YamlSection> rules = section.sections("egress", RULE);
    check(!rules.isEmpty(), section, "egress", "network.egress is missing or empty",
        "list what the agent may reach, like egress: [{host: api.example.com, ports: [443]}];"
            + " or remove 'network' to give the agent no network at all");
    check(rules.size() <= MAX_RULES, section, "egress", "network.egress has " + rules.size()
        + " rules", "keep it to " + MAX_RULES + "; a CIDR can cover many addresses");
    List<Egress> egress = new ArrayList<>();
    for (YamlSection rule : rules) {
      egress.add(rule(rule));
    }
    return Optional.of(new NetworkPolicy(egress, upstream(section)));
  }

  private static Egress rule(YamlSection rule) {
    Optional<String> host = rule.string("host");
    Optional<String> cidr = rule.string("cidr");
    check(host.isPresent() != cidr.isPresent(), rule, host.isPresent() ? "cidr" : "",
        rule.where("") + " needs exactly one of 'host' and 'cidr'",
        "write {host: api.example.com, ports: [443]} or {cidr: 10.20.0.0/24, ports: [8080]}");
    List<Integer> ports = ports(rule);
    Protocol protocol = protocol(rule);
    if (host.isPresent()) {
      return new Egress(Optional.of(hostName(rule, host.get())), Optional.empty(), ports,
          protocol);
    }
    return new Egress(Optional.empty(), Optional.of(cidr(rule, cidr.get())), ports, protocol);
  }

  /**
   * An exact name. Wildcards are refused: a responder that forwards any name below a domain
   * lets the agent send data out in the names it looks up, to whoever runs that domain.
   */
  private static String hostName(YamlSection rule, String text) {
    String name = text.toLowerCase(Locale.ROOT);
    name = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    check(!name.contains("*"), rule, "host", rule.where("host") + " '" + text
        + "' is a wildcard, and claw allows exact names only", "list each name the agent "
        + "needs; wildcards would let the agent send data out in the names it looks up");
    check(Cidr.address(name).isEmpty(), rule, "host", rule.where("host") + " '" + text
        + "' is an address, not a name", "write it as cidr: " + text);
    boolean valid = name.length() <= 253 && !name.isEmpty();
    for (String label : name.split("\\.", -1)) {
      valid &= LABEL.matcher(label).matches();
    }
    check(valid, rule, "host", rule.where("host") + " '" + text + "' is not a DNS name",
        "use letters, digits and '-' in dot-separated labels, like api.example.com");
    return name;
  }

  private static Cidr cidr(YamlSection rule, String text) {
    Optional<Cidr> cidr = Cidr.parse(text.strip());
    check(cidr.isPresent(), rule, "cidr", rule.where("cidr") + " '" + text
        + "' is not a network with its host bits zero", "write it like 10.20.0.0/24, "
        + "fd00:20::/64, or a single address such as 10.20.0.7");
    return cidr.get();
  }

  private static List<Integer> ports(YamlSection rule) {
    List<String> texts = rule.strings("ports").orElse(List.of());
    check(!texts.isEmpty(), rule, "ports", rule.where("ports") + " is missing or empty",
        "list the ports the agent may use there, like ports: [443]; claw never allows all");
    check(texts.size() <= MAX_PORTS, rule, "ports", rule.where("ports") + " lists "
        + texts.size() + " ports", "keep it to " + MAX_PORTS + " per rule");
    TreeSet<Integer> ports = new TreeSet<>();
    for (String text : texts) {
      boolean number = text.matches("[1-9]\\d{0,4}") && Integer.parseInt(text) <= 65535;
      check(number, rule, "ports", rule.where("ports") + ": '" + text + "' is not a port",
          "use numbers from 1 to 65535");
      ports.add(Integer.parseInt(text));
    }
    return List.copyOf(ports);
  }

  private static Protocol protocol(YamlSection rule) {
    String text = rule.string("proto").orElse("tcp");
    for (Protocol protocol : Protocol.values()) {
      if (protocol.keyword().equals(text)) {
        return protocol;
      }
    }
    throw rule.error("proto", rule.where("proto") + " '" + text + "' is not tcp or udp",
        "write proto: tcp (the default) or proto: udp");
  }

  private static Optional<InetAddress> upstream(YamlSection network) {
    Optional<YamlSection> dns = network.section("dns", DNS);
    Optional<String> text = dns.flatMap(section -> section.string("upstream"));
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Optional<InetAddress> address = Cidr.address(text.get().strip());
    check(address.isPresent(), dns.get(), "upstream", "network.dns.upstream '" + text.get()
        + "' is not an IP address", "write the resolver's address, like upstream: 10.0.0.53;"
        + " or leave it out to use the host's resolver");
    return address;
  }

  private static void check(boolean ok, YamlSection section, String key, String problem,
      String fix) {
    if (!ok) {
      throw section.error(key, problem, fix);
    }
  }
}
