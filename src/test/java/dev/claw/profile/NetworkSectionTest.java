package dev.claw.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import dev.claw.profile.NetworkPolicy.Protocol;
import java.io.StringReader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NetworkSectionTest {
  private static final String HEAD = "name: a\nbase: none\nrun: {command: [/a]}\n";

  @Test
  void egressByNameAndByCidrWithUpstream() {
    AgentProfile profile = load("network:\n  egress:\n"
        + "    - {host: API.Example.com., ports: [443]}\n"
        + "    - {cidr: 10.20.0.0/24, ports: [8080, 80], proto: udp}\n"
        + "  dns: {upstream: 10.0.0.53}\n");

    NetworkPolicy policy = profile.network().orElseThrow();
    assertThat(policy.names()).containsExactly("api.example.com");
    assertThat(policy.egress().get(1).ports()).containsExactly(80, 8080);
    assertThat(policy.egress().get(1).protocol()).isEqualTo(Protocol.UDP);
    assertThat(policy.upstream().orElseThrow().getHostAddress()).isEqualTo("10.0.0.53");
  }

  @Test
  void noNetworkKeyMeansNoNetwork() {
    assertThat(load("").network()).isEmpty();
  }

  @Test
  void wildcardIsRefusedWithTheReason() {
    assertError("network:\n  egress:\n    - {host: '*.example.com', ports: [443]}\n",
        "claw.yaml:6: network.egress[0].host '*.example.com' is a wildcard");
  }

  @Test
  void hostBitsSetInACidrAreRefused() {
    assertError("network:\n  egress:\n    - {cidr: 10.20.0.1/24, ports: [443]}\n",
        "claw.yaml:6: network.egress[0].cidr '10.20.0.1/24' is not a network");
  }

  @Test
  void aRuleWithoutPortsIsRefused() {
    assertError("network:\n  egress:\n    - {host: a.example}\n",
        "claw.yaml:6: network.egress[0].ports is missing or empty");
  }

  @Test
  void icmpIsNotAProtocolARuleCanAllow() {
    assertError("network:\n  egress:\n    - {cidr: 10.0.0.0/8, ports: [1], proto: icmp}\n",
        "is not tcp or udp");
  }

  @Test
  void anAddressAsHostSaysToUseCidr() {
    assertError("network:\n  egress:\n    - {host: 10.1.2.3, ports: [1]}\n",
        "is an address, not a name");
  }

  private static AgentProfile load(String network) {
    return new ProfileLoader().load(new StringReader(HEAD + network), Path.of("claw.yaml"));
  }

  private static void assertError(String network, String message) {
    assertThatThrownBy(() -> load(network)).isInstanceOf(ClawException.class)
        .hasMessageContaining(message);
  }

}
