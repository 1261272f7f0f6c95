package dev.claw.guest;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decodes the frames init writes (docs/GUEST-PROTOCOL.md). The guest is not trusted: a frame
 * that breaks the protocol ends the stream with an {@link IOException}, it never makes the
 * host allocate more than {@link #MAX_PAYLOAD} bytes.
 */
public final class GuestChannelReader {
  static final int MAX_PAYLOAD = 65536;

  private final DataInputStream in;

  public GuestChannelReader(InputStream in) {
    this.in = new DataInputStream(in);
  }

  /** The next message, or empty when the guest closed the channel cleanly between frames. */
  public Optional<GuestMessage> next() throws IOException {
    int type = in.read();
    if (type < 0) {
      return Optional.empty();
    }
    byte[] header = new byte[4];
    in.readFully(header);
    int length = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (length < 0 || length > MAX_PAYLOAD) {
      throw new IOException("guest sent a frame of " + Integer.toUnsignedString(length)
          + " bytes; the protocol allows at most " + MAX_PAYLOAD);
    }
    byte[] payload = new byte[length];
    try {
      in.readFully(payload);
    } catch (EOFException e) {
      throw new IOException("guest closed the channel in the middle of a frame", e);
    }
    return Optional.of(decode((char) type, payload));
  }

  private static GuestMessage decode(char type, byte[] payload) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
    return switch (type) {
      case 'H' -> new GuestMessage.Hello(sized(buf, 12).getInt(), buf.getLong());
      case 'R' -> new GuestMessage.Ready(sized(buf, 8).getLong());
      case 'A' -> new GuestMessage.AgentStarted(sized(buf, 12).getLong(), buf.getInt());
      case 'O' -> new GuestMessage.Stdout(payload);
      case 'E' -> new GuestMessage.Stderr(payload);
      case 'X' -> new GuestMessage.AgentExited(sized(buf, 13).get() == 1, buf.getInt(),
          buf.getLong());
      case 'F' -> new GuestMessage.InitFailed(new String(payload, StandardCharsets.UTF_8));
      case 'L' -> new GuestMessage.InitLog(new String(payload, StandardCharsets.UTF_8));
      case 'S' -> new GuestMessage.SyscallBlocked(sized(buf, 8).getInt(), buf.getInt());
      case 'U' -> syscallsUsed(buf);
      default -> throw new IOException("guest sent a frame of unknown type 0x"
          + Integer.toHexString(type));
    };
  }

  private static GuestMessage syscallsUsed(ByteBuffer buf) throws IOException {
    if (buf.remaining() % 4 != 0) {
      throw new IOException("guest sent a list of system calls of " + buf.remaining()
          + " bytes, not a multiple of 4");
    }
    List<Integer> numbers = new ArrayList<>();
    while (buf.hasRemaining()) {
      numbers.add(buf.getInt());
    }
    return new GuestMessage.SyscallsUsed(numbers);
  }

  private static ByteBuffer sized(ByteBuffer buf, int expected) throws IOException {
    if (buf.remaining() != expected) {
      throw new IOException("guest sent a " + buf.remaining() + "-byte control frame where "
          + expected + " bytes belong");
    }
    return buf;
  }
}
