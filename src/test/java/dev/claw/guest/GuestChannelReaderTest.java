package dev.claw.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GuestChannelReaderTest {

  @Test
  void aWholeRunDecodesInOrder() throws IOException {
    byte[] stream = concat(
        frame('H', le(12).putInt(1).putLong(800_000_000L)),
        frame('A', le(12).putLong(810_000_000L).putInt(42)),
        frame('O', "out".getBytes(StandardCharsets.UTF_8)),
        frame('E', "err".getBytes(StandardCharsets.UTF_8)),
        frame('L', "note".getBytes(StandardCharsets.UTF_8)),
        frame('X', le(13).put((byte) 1).putInt(11).putLong(820_000_000L)));

    List<GuestMessage> messages = readAll(stream);

    assertThat(messages).hasSize(6);
    assertThat(messages.get(0)).isEqualTo(new GuestMessage.Hello(1, 800_000_000L));
    assertThat(messages.get(1)).isEqualTo(new GuestMessage.AgentStarted(810_000_000L, 42));
    assertThat(((GuestMessage.Stdout) messages.get(2)).bytes()).asString().isEqualTo("out");
    assertThat(((GuestMessage.Stderr) messages.get(3)).bytes()).asString().isEqualTo("err");
    assertThat(messages.get(4)).isEqualTo(new GuestMessage.InitLog("note"));
    assertThat(messages.get(5)).isEqualTo(new GuestMessage.AgentExited(true, 11, 820_000_000L));
  }

  @Test
  void oversizedFrameIsRejectedBeforeAllocating() {
    byte[] header = concat(new byte[] {'O'}, le(4).putInt(Integer.MAX_VALUE).array());

    assertThatThrownBy(() -> readAll(header)).hasMessageContaining("at most 65536");
  }

  @Test
  void frameCutShortIsAnError() {
    byte[] cut = concat(new byte[] {'O'}, le(4).putInt(10).array(), new byte[3]);

    assertThatThrownBy(() -> readAll(cut)).hasMessageContaining("middle of a frame");
  }

  @Test
  void controlFrameOfTheWrongSizeIsAnError() {
    byte[] shortHello = frame('H', le(4).putInt(1));

    assertThatThrownBy(() -> readAll(shortHello)).hasMessageContaining("4-byte control frame");
  }

  @Test
  void unknownFrameTypeIsAnError() {
    assertThatThrownBy(() -> readAll(frame('Z', new byte[0])))
        .hasMessageContaining("unknown type 0x5a");
  }

  private static List<GuestMessage> readAll(byte[] stream) throws IOException {
    GuestChannelReader reader = new GuestChannelReader(new ByteArrayInputStream(stream));
    List<GuestMessage> messages = new ArrayList<>();
    for (Optional<GuestMessage> m = reader.next(); m.isPresent(); m = reader.next()) {
      messages.add(m.get());
    }
    return messages;
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static byte[] frame(char type, ByteBuffer payload) {
    return frame(type, payload.array());
  }

  private static byte[] frame(char type, byte[] payload) {
    return concat(new byte[] {(byte) type}, le(4).putInt(payload.length).array(), payload);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
