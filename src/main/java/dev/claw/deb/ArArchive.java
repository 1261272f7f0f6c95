package dev.claw.deb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The members of a Unix {@code ar} archive, the outer container of a .deb: an 8-byte magic,
 * then for each member a 60-byte text header (name, dates, owner, mode, decimal size) and the
 * member's bytes, padded to an even length.
 *
 * <p>claw reads it itself rather than through commons-compress so that every way the bytes can
 * be wrong (cut short, a size that is not a number, a missing header terminator) is told apart
 * and reported; the format is small enough that this is the simpler path.
 */
final class ArArchive {
  static final String MAGIC = "!<arch>\n";

  private static final int HEADER_SIZE = 60;
  private static final int NAME_LENGTH = 16;
  private static final int SIZE_OFFSET = 48;
  private static final int SIZE_LENGTH = 10;
  private static final int TERMINATOR_OFFSET = 58;
  private static final String TERMINATOR = "`\n";

  /** One member: its name (trailing spaces and GNU's trailing slash removed) and where it is. */
  record Member(String name, int offset, int size) {}

  private ArArchive() {}

  /** The members of {@code bytes}, in archive order. */
  static List<Member> members(byte[] bytes) throws DebFormatException {
    if (bytes.length < MAGIC.length() || !ascii(bytes, 0, MAGIC.length()).equals(MAGIC)) {
      throw new DebFormatException("it does not start with the ar archive signature \"!<arch>\""
          + " that every .deb starts with");
    }

    List<Member> members = new ArrayList<>();
    int position = MAGIC.length();
    while (position < bytes.length) {
      Member member = member(bytes, position);
      members.add(member);
      // Members start at even offsets; the padding byte after the last one may be missing.
      position = member.offset() + member.size() + (member.size() % 2);
    }
    return members;
  }

  private static Member member(byte[] bytes, int headerStart) throws DebFormatException {
    if (bytes.length - headerStart < HEADER_SIZE) {
      throw new DebFormatException("it ends inside an ar member header (at byte " + headerStart
          + " of " + bytes.length + "): the file is cut short");
    }
    String terminator = ascii(bytes, headerStart + TERMINATOR_OFFSET, TERMINATOR.length());
    if (!terminator.equals(TERMINATOR)) {
      throw new DebFormatException("the ar member header at byte " + headerStart
          + " is damaged (it does not end with the ar terminator)");
    }

    String name = ascii(bytes, headerStart, NAME_LENGTH).stripTrailing();
    if (name.endsWith("/")) {
      name = name.substring(0, name.length() - 1);
    }
    long size = size(ascii(bytes, headerStart + SIZE_OFFSET, SIZE_LENGTH).strip(), name);

    int offset = headerStart + HEADER_SIZE;
    if (size > bytes.length - offset) {
      throw new DebFormatException("it ends inside its member " + name + " (" + size
          + " bytes announced, " + (bytes.length - offset) + " present): the file is cut short");
    }
    return new Member(name, offset, (int) size);
  }

  private static long size(String text, String name) throws DebFormatException {
    if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new DebFormatException("the ar header of member " + name + " gives its size as \""
          + text + "\", which is not a number");
    }
    return Long.parseLong(text);
  }

  private static String ascii(byte[] bytes, int offset, int length) {
    return new String(bytes, offset, length, StandardCharsets.US_ASCII);
  }
}
