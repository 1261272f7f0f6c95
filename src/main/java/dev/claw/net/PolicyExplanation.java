package dev.claw.net;

import dev.claw.profile.Cidr;
import dev.claw.profile.NetworkPolicy;
import dev.claw.profile.NetworkPolicy.Egress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What {@code claw net explain} prints: the effective policy in words, then the rules. */
public final class PolicyExplanation {
  /** Shown in place of the ports the responder gets from the kernel at each run. */
  static final int EXAMPLE_PORT4 = 5300;
  static final int EXAMPLE_PORT6 = 5301;

  private PolicyExplanation() {}

  /** The explanation of {@code policy} (empty: the agent has no network at all). */
  public static String of(Optional<NetworkPolicy> policy, List<InetAddress> hostAddresses) {
    if (policy.isEmpty()) {
      return "No 'network' section: the VM has no network device at all; nothing is "
          + "reachable.\n";
    }
    List<String> lines = new ArrayList<>();
    lines.add("Allowed (everything else is dropped):");
    for (Egress rule : policy.get().egress()) {
      lines.add("  " + rule.describe() + (rule.host().isPresent()
          ? "  (the addresses claw's DNS answers for it, for their TTL)" : ""));
    }
    lines.add("DNS: only the names above are answered, from upstream "
        + policy.get().upstream().map(Cidr::format).orElse("(the host's resolver)")
        + "; any other name gets REFUSED and is sent nowhere; DNS to other servers is dropped.");
    lines.add("Always denied unless a rule names a network inside them: the host's own "
        + "addresses, ICMP, and:");
    for (NftRuleset.Denied denied : NftRuleset.ALWAYS_DENIED) {
      lines.add("  " + denied.range() + "  " + denied.reason());
    }
    lines.add("UDP only where a rule says proto: udp.");
    lines.add("");
    lines.add("# The ruleset of the VM's namespace, as loaded with nft -f. Per run, claw picks");
    lines.add("# the uplink addresses (slot 0 shown) and the responder's ports ("
        + EXAMPLE_PORT4 + "/" + EXAMPLE_PORT6 + " shown); the host addresses are this host's.");
    NftRuleset rules = new NftRuleset(new NetworkLayout("00000000", 0), policy.get(),
        hostAddresses, EXAMPLE_PORT4, EXAMPLE_PORT6);
    return String.join("\n", lines) + "\n" + rules.text() + "\n# In the host's namespace:\n"
        + rules.hostText();
  }
}
