package dev.claw.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The little of DNS the responder needs, read and written by hand: the question of a query, and
 * the A/AAAA answers of a response. The reader trusts nothing: every length is checked against
 * the message, a compression pointer may only point backwards (so no loop is possible), names
 * stay within 255 bytes, and counts are capped. A JDK resolver could not be used: it resolves,
 * it does not parse what a guest sends.
 */
final class DnsMessage {
  static final int TYPE_A = 1;
  static final int TYPE_CNAME = 5;
  static final int TYPE_AAAA = 28;
  static final int CLASS_IN = 1;
  static final int RCODE_FORMERR = 1;
  static final int RCODE_SERVFAIL = 2;
  static final int RCODE_REFUSED = 5;
  private static final int HEADER = 12;
  private static final int MAX_NAME = 255;
  private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9_-]+");
  private static final int MAX_RECORDS = 64;
  private static final int MAX_CNAMES = 8;

  /** A message that breaks the format; the responder answers FORMERR or drops it. */
  static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedException(String message) {
      super(message);
    }
  }

  /** A query's single question: the name as sent (case kept), its type and class. */
  record Question(int id, int flags, List<String> labels, int type, int qclass) {
    /** Lower case, without the final dot; "" for the root. */
    String name() {
      return String.join(".", labels).toLowerCase(Locale.ROOT);
    }
  }

  /** An address record that answers the question, and how long it may be used. */
  record Answer(InetAddress address, long ttlSeconds) {}

  private DnsMessage() {}

  /** Reads a query: header, exactly one question; anything after the question is ignored. */
  static Question parseQuery(byte[] message, int length) throws MalformedException {
    Reader reader = new Reader(message, length);
    int id = reader.u16();
    int flags = reader.u16();
    int questions = reader.u16();
    reader.skip(6);
    if ((flags & 0x8000) != 0) {
      throw new MalformedException("a response, not a query");
    }
    if (questions != 1) {
      throw new MalformedException(questions + " questions; a query has one");
    }
    List<String> labels = reader.name();
    return new Question(id, flags, labels, reader.u16(), reader.u16());
  }

  /** A query to send upstream: a fresh id, recursion desired, the question and nothing else. */
  static byte[] query(int id, Question question) {
    byte[] name = encodeName(question.labels());
    byte[] message = new byte[HEADER + name.length + 4];
    put16(message, 0, id);
    put16(message, 2, 0x0100);
    put16(message, 4, 1);
    System.arraycopy(name, 0, message, HEADER, name.length);
    put16(message, HEADER + name.length, question.type());
    put16(message, HEADER + name.length + 2, question.qclass());
    return message;
  }

  /** A reply with no answers: {@code rcode} (REFUSED, SERVFAIL) or NOERROR with no data. */
  static byte[] emptyReply(Question question, int rcode) {
    byte[] message = query(question.id(), question);
    // QR, the query's opcode and RD, RA; the rcode.
    int flags = 0x8000 | (question.flags() & 0x7900) | 0x0080 | (rcode & 0xf);
    put16(message, 2, flags);
    return message;
  }

  /** The upstream's reply with its id swapped for the guest's; otherwise passed on as is. */
  static byte[] withId(byte[] reply, int length, int id) {
    byte[] copy = java.util.Arrays.copyOf(reply, length);
    put16(copy, 0, id);
    return copy;
  }

  /** The id of a reply, and whether it is a reply to {@code question}. */
  static boolean answers(byte[] reply, int length, int id, Question question)
      throws MalformedException {
    Reader reader = new Reader(reply, length);
    int replyId = reader.u16();
    int flags = reader.u16();
    int questions = reader.u16();
    reader.skip(6);
    if (replyId != id || (flags & 0x8000) == 0 || questions != 1) {
      return false;
    }
    String name = String.join(".", reader.name()).toLowerCase(Locale.ROOT);
    return name.equals(question.name()) && reader.u16() == question.type()
        && reader.u16() == question.qclass();
  }

  /** The response code (0: no error). */
  static int rcode(byte[] reply) {
    return reply.length < 4 ? RCODE_SERVFAIL : reply[3] & 0xf;
  }

  /**
   * The A and AAAA records that answer {@code question}: owned by its name, or by a name the
   * CNAME chain from it leads to. Records about other names are not trusted.
   */
  static List<Answer> addresses(byte[] reply, int length, Question question)
      throws MalformedException {
    Reader reader = new Reader(reply, length);
    reader.skip(4);
    int questions = reader.u16();
    int answers = reader.u16();
    reader.skip(4);
    if (answers > MAX_RECORDS || questions != 1) {
      throw new MalformedException(answers + " answers, " + questions + " questions");
    }
    reader.name();
    reader.skip(4);
    List<Record> records = new ArrayList<>();
    for (int i = 0; i < answers; i++) {
      records.add(reader.record());
    }
    return follow(records, question.name());
  }

  private static List<Answer> follow(List<Record> records, String name) {
    Set<String> chain = new HashSet<>(Set.of(name));
    String current = name;
    for (int hop = 0; hop < MAX_CNAMES; hop++) {
      Optional<String> next = Optional.empty();
      for (Record r : records) {
        if (r.type == TYPE_CNAME && r.qclass == CLASS_IN && r.owner.equals(current)) {
          next = r.target;
        }
      }
      if (next.isEmpty() || !chain.add(next.get())) {
        break;
      }
      current = next.get();
    }
    List<Answer> result = new ArrayList<>();
    for (Record r : records) {
      if (chain.contains(r.owner) && r.qclass == CLASS_IN && r.address.isPresent()) {
        result.add(new Answer(r.address.get(), r.ttl));
      }
    }
    return result;
  }

  private record Record(String owner, int type, int qclass, long ttl,
      Optional<InetAddress> address, Optional<String> target) {}

  private static byte[] encodeName(List<String> labels) {
    byte[] out = new byte[MAX_NAME + 2];
    int at = 0;
    for (String label : labels) {
      byte[] bytes = label.getBytes(StandardCharsets.ISO_8859_1);
      out[at++] = (byte) bytes.length;
      System.arraycopy(bytes, 0, out, at, bytes.length);
      at += bytes.length;
    }
    out[at++] = 0;
    return java.util.Arrays.copyOf(out, at);
  }

  private static void put16(byte[] message, int at, int value) {
    message[at] = (byte) (value >> 8);
    message[at + 1] = (byte) value;
  }

  /** A cursor over one message; every read is bounds-checked. */
  private static final class Reader {
    private final byte[] message;
    private final int length;
    private int at;

    Reader(byte[] message, int length) throws MalformedException {
      if (length < HEADER || length > message.length) {
        throw new MalformedException("a message of " + length + " bytes");
      }
      this.message = message;
      this.length = length;
    }

    int u8() throws MalformedException {
      need(1);
      return message[at++] & 0xff;
    }

    int u16() throws MalformedException {
      return u8() << 8 | u8();
    }

    long u32() throws MalformedException {
      return (long) u16() << 16 | u16();
    }

    void skip(int bytes) throws MalformedException {
      need(bytes);
      at += bytes;
    }

    private void need(int bytes) throws MalformedException {
      if (at + bytes > length) {
        throw new MalformedException("ends inside a field at byte " + at);
      }
    }

    /** A name at the cursor; the cursor ends after it (after the first pointer, if any). */
    List<String> name() throws MalformedException {
      List<String> labels = new ArrayList<>();
      int total = 1;
      int pos = at;
      int resume = -1;
      while (true) {
        if (pos >= length) {
          throw new MalformedException("a name runs off the end");
        }
        int len = message[pos] & 0xff;
        if ((len & 0xc0) == 0xc0) {
          if (pos + 1 >= length) {
            throw new MalformedException("a pointer runs off the end");
          }
          int target = (len & 0x3f) << 8 | (message[pos + 1] & 0xff);
          // Strictly backwards: every jump lowers pos, so a chain of them must end.
          if (target >= pos) {
            throw new MalformedException("a compression pointer that does not point back");
          }
          resume = resume < 0 ? pos + 2 : resume;
          pos = target;
          continue;
        }
        if ((len & 0xc0) != 0) {
          throw new MalformedException("a label type DNS does not use");
        }
        if (len == 0) {
          at = resume < 0 ? pos + 1 : resume;
          return labels;
        }
        total += len + 1;
        if (total > MAX_NAME || pos + 1 + len > length) {
          throw new MalformedException("a name longer than 255 bytes or than the message");
        }
        String label = new String(message, pos + 1, len, StandardCharsets.ISO_8859_1);
        // Host names only: a label holding a dot ("allowed.test" as one label) would read as
        // an allowed name here while the upstream is asked another.
        if (!HOST_LABEL.matcher(label).matches()) {
          throw new MalformedException("a label that is not a host name's");
        }
        labels.add(label);
        pos += 1 + len;
      }
    }

    Record record() throws MalformedException {
      String owner = String.join(".", name()).toLowerCase(Locale.ROOT);
      int type = u16();
      int qclass = u16();
      long ttl = u32();
      int rdLength = u16();
      need(rdLength);
      int end = at + rdLength;
      Optional<InetAddress> address = Optional.empty();
      Optional<String> target = Optional.empty();
      if ((type == TYPE_A && rdLength == 4) || (type == TYPE_AAAA && rdLength == 16)) {
        address = Optional.of(address(java.util.Arrays.copyOfRange(message, at, end)));
      } else if (type == TYPE_CNAME) {
        target = Optional.of(String.join(".", name()).toLowerCase(Locale.ROOT));
      }
      at = end;
      // A TTL with the top bit set is to be read as zero (RFC 2181, 8).
      return new Record(owner, type, qclass, ttl > Integer.MAX_VALUE ? 0 : ttl, address,
          target);
    }

    private static InetAddress address(byte[] bytes) throws MalformedException {
      try {
        return bytes.length == 4 ? InetAddress.getByAddress(bytes)
            : java.net.Inet6Address.getByAddress(null, bytes, -1);
      } catch (UnknownHostException e) {
        throw new MalformedException("an address of " + bytes.length + " bytes");
      }
    }
  }
}
