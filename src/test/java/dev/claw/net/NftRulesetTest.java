package dev.claw.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.host.Exec;
import dev.claw.profile.Cidr;
import dev.claw.profile.NetworkPolicy;
import dev.claw.profile.NetworkPolicy.Egress;
import dev.claw.profile.NetworkPolicy.Protocol;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NftRulesetTest {
  @TempDir Path dir;

  private static final NetworkPolicy POLICY = new NetworkPolicy(List.of(
      new Egress(Optional.of("api.example.com"), Optional.empty(), List.of(443), Protocol.TCP),
      new Egress(Optional.empty(), Cidr.parse("10.20.0.0/24"), List.of(8080), Protocol.TCP),
      new Egress(Optional.empty(), Cidr.parse("169.254.169.254"), List.of(80), Protocol.TCP),
      new Egress(Optional.empty(), Cidr.parse("0.0.0.0/0"), List.of(22), Protocol.TCP)),
      Optional.empty());

  private final NftRuleset rules = new NftRuleset(new NetworkLayout("0a0b0c0d", 5), POLICY,
      List.of(addr("192.0.2.2"), addr("fd00::2")), 5300, 5301);

  @Test
  void nftAcceptsTheRulesetAsWritten() throws Exception {
    assertNftAccepts(rules.text(), "claw-nfttest");
  }

  @Test
  void nftAcceptsTheHostTableAsWritten() throws Exception {
    assertNftAccepts(rules.hostText(), "claw-nfttest-host");
  }

  /** nft's own check of {@code text}, in a scratch namespace so that nothing is loaded. */
  private void assertNftAccepts(String text, String ns) throws Exception {
    Path file = dir.resolve(ns + ".nft");
    Files.writeString(file, text);
    Exec.run(null, List.of("ip", "netns", "add", ns));
    try {
      Exec.Result check = Exec.run(null, List.of("nsenter", "--net=/run/netns/" + ns, "nft",
          "-c", "-f", file.toString()));
      assertThat(check.exitCode()).as(check.stderr()).isZero();
    } finally {
      Exec.run(null, List.of("ip", "netns", "delete", ns));
    }
  }

  /** A host address that appears while the VM runs is covered too: the uplink reaches none. */
  @Test
  void theHostItselfTakesOnlyDnsFromTheUplink() {
    String host = rules.hostText();
    String veth = "\"" + new NetworkLayout("0a0b0c0d", 5).hostVeth() + "\"";

    assertThat(host).contains("iifname " + veth + " ip daddr 10.233.0.21 udp dport 5300 accept",
        "iifname " + veth + " drop");
    assertThat(host.indexOf("udp dport 5300 accept"))
        .isLessThan(host.indexOf("iifname " + veth + " drop"));
  }

  @Test
  void explicitlyNamedMetadataComesBeforeTheDenyAndAWideNetworkAfterIt() {
    String text = rules.text();

    int metadata = text.indexOf("ip daddr 169.254.169.254 tcp dport { 80 } accept");
    int deny = text.indexOf("169.254.0.0/16, 224.0.0.0/4");
    int everything = text.indexOf("ip daddr 0.0.0.0/0 tcp dport { 22 } accept");
    assertThat(metadata).isPositive().isLessThan(deny);
    assertThat(everything).isGreaterThan(deny);
  }

  @Test
  void uplinkAddressesFollowTheSlot() {
    NetworkLayout layout = new NetworkLayout("0a0b0c0d", 300);

    assertThat(layout.uplinkHost4()).isEqualTo("10.233.4.177");
    assertThat(layout.uplinkNamespace6()).isEqualTo("fd00:c1a3::12c:2");
    assertThat(rules.text()).contains("dnat ip to 10.233.0.21:5300",
        "ip6 saddr != fd00:c1a3:ffff::2 drop", "set host4 { type ipv4_addr; elements = "
            + "{ 192.0.2.2 }; }");
  }

  private static InetAddress addr(String text) {
    return Cidr.address(text).orElseThrow();
  }
}
