package dev.claw.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.net.DnsMessage.MalformedException;
import dev.claw.net.DnsMessage.Question;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsMessageTest {
  private static final Question QUESTION =
      new Question(0x1234, 0x0100, List.of("Allowed", "test"), DnsMessage.TYPE_A, 1);

  @Test
  void queryRoundTripsAndKeepsTheNamesCase() throws Exception {
    byte[] query = DnsMessage.query(0x1234, QUESTION);

    Question read = DnsMessage.parseQuery(query, query.length);
    assertThat(read.labels()).containsExactly("Allowed", "test");
    assertThat(read.name()).isEqualTo("allowed.test");
    assertThat(read.type()).isEqualTo(DnsMessage.TYPE_A);
  }

  @Test
  void refusedReplyAnswersTheQuestionWithRcode5() throws Exception {
    byte[] reply = DnsMessage.emptyReply(QUESTION, DnsMessage.RCODE_REFUSED);

    assertThat(DnsMessage.rcode(reply)).isEqualTo(5);
    assertThat(DnsMessage.answers(reply, reply.length, 0x1234, QUESTION)).isTrue();
  }

  @Test
  void addressesFollowTheCnameChainAndIgnoreOtherOwners() throws Exception {
    ByteArrayOutputStream reply = new ByteArrayOutputStream();
    reply.writeBytes(DnsMessage.emptyReply(QUESTION, 0));
    byte[] bytes = reply.toByteArray();
    bytes[7] = 3;  // three answers
    reply.reset();
    reply.writeBytes(bytes);
    // allowed.test CNAME real.test (name by pointer to the question at offset 12)
    reply.writeBytes(new byte[] {(byte) 0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 7,
        4, 'r', 'e', 'a', 'l', (byte) 0xc0, 20});
    int real = 12 + 18 + 12;
    // real.test A 10.0.0.7, TTL 30
    reply.writeBytes(new byte[] {(byte) 0xc0, (byte) real, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4,
        10, 0, 0, 7});
    // evil.test A 10.0.0.66: not on the chain
    reply.writeBytes(new byte[] {4, 'e', 'v', 'i', 'l', (byte) 0xc0, 20, 0, 1, 0, 1, 0, 0, 0,
        30, 0, 4, 10, 0, 0, 66});
    byte[] message = reply.toByteArray();

    assertThat(DnsMessage.addresses(message, message.length, QUESTION)).containsExactly(
        new DnsMessage.Answer(InetAddress.getByName("10.0.0.7"), 30));
  }

  @Test
  void compressionPointerToItselfIsRefusedNotFollowedForever() {
    byte[] query = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xc0, 12, 0, 1, 0, 1};

    assertThatThrownBy(() -> DnsMessage.parseQuery(query, query.length))
        .isInstanceOf(MalformedException.class).hasMessageContaining("point back");
  }

  @Test
  void truncatedAndOversizedNamesAreRefused() {
    byte[] cut = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9, 'a', 'b'};
    byte[] longName = new byte[12 + 300];
    longName[5] = 1;
    Arrays.fill(longName, 12, longName.length, (byte) 'a');
    for (int at = 12; at + 64 < longName.length; at += 64) {
      longName[at] = 63;
    }

    assertThatThrownBy(() -> DnsMessage.parseQuery(cut, cut.length))
        .isInstanceOf(MalformedException.class);
    assertThatThrownBy(() -> DnsMessage.parseQuery(longName, longName.length))
        .isInstanceOf(MalformedException.class).hasMessageContaining("255");
  }

  @Test
  void aLabelHoldingADotIsRefused() {
    // One label "allowed.test": joined with dots it would read as the allowed name.
    byte[] query = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 12, 'a', 'l', 'l', 'o', 'w', 'e', 'd',
        '.', 't', 'e', 's', 't', 0, 0, 1, 0, 1};

    assertThatThrownBy(() -> DnsMessage.parseQuery(query, query.length))
        .isInstanceOf(MalformedException.class).hasMessageContaining("host name");
  }

  @Test
  void responseInsteadOfQueryIsRefused() {
    byte[] reply = DnsMessage.emptyReply(QUESTION, 0);

    assertThatThrownBy(() -> DnsMessage.parseQuery(reply, reply.length))
        .isInstanceOf(MalformedException.class);
  }
}
