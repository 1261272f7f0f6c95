package dev.claw.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What claw needs to know about an agent's executable before it boots a VM for it: is it an
 * x86-64 ELF, and does it need a dynamic loader (which an image without a base doesn't have)?
 * Reading a few header fields here turns a bare "No such file or directory" from inside the
 * guest into a clear error on the host. The bytes come from the user, so every offset is
 * bounds-checked.
 */
public record ElfFile(Kind kind, Optional<String> interpreter) {

  /** What kind of executable a file is. */
  public enum Kind { STATIC_X86_64, DYNAMIC_X86_64, OTHER_ELF, SCRIPT, NOT_EXECUTABLE_FORMAT }

  private static final int EM_X86_64 = 62;
  private static final int PT_INTERP = 3;
  private static final int PT_NOTE = 4;
  private static final int XEN_ELFNOTE_PHYS32_ENTRY = 18;
  /** "Xen\0" read as a little-endian int. */
  private static final int XEN_NAME = 0x006e6558;
  private static final int ELF64_HEADER = 64;
  private static final int PROGRAM_HEADER = 56;

  /** Inspects the contents of an executable. */
  public static ElfFile parse(byte[] file) {
    if (file.length >= 2 && file[0] == '#' && file[1] == '!') {
      return new ElfFile(Kind.SCRIPT, shebang(file));
    }
    if (file.length < ELF64_HEADER || file[0] != 0x7f || file[1] != 'E' || file[2] != 'L'
        || file[3] != 'F') {
      return new ElfFile(Kind.NOT_EXECUTABLE_FORMAT, Optional.empty());
    }
    ByteBuffer elf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    boolean elf64LittleEndian = file[4] == 2 && file[5] == 1;
    if (!elf64LittleEndian || elf.getShort(18) != EM_X86_64) {
      return new ElfFile(Kind.OTHER_ELF, Optional.empty());
    }
    Optional<String> interpreter = interpreter(elf);
    return new ElfFile(interpreter.isPresent() ? Kind.DYNAMIC_X86_64 : Kind.STATIC_X86_64,
        interpreter);
  }

  private static Optional<String> interpreter(ByteBuffer elf) {
    for (Segment segment : segments(elf)) {
      if (segment.type() == PT_INTERP) {
        if (!within(elf, segment.offset(), segment.size())) {
          return Optional.of("(an interpreter outside the file)");
        }
        byte[] path = new byte[(int) segment.size()];
        elf.get((int) segment.offset(), path);
        return Optional.of(new String(path, StandardCharsets.UTF_8).replace("\0", ""));
      }
    }
    return Optional.empty();
  }

  /**
   * Whether {@code file} is an x86-64 ELF with a PVH entry point (the Xen ELF note of type
   * XEN_ELFNOTE_PHYS32_ENTRY), which QEMU's microvm and Firecracker need to boot a vmlinux.
   */
  public static boolean hasPvhEntry(byte[] file) {
    if (parse(file).kind() != Kind.STATIC_X86_64) {
      return false;
    }
    ByteBuffer elf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    return segments(elf).stream().anyMatch(segment -> segment.type() == PT_NOTE
        && notesHavePvh(elf, segment.offset(), segment.size()));
  }

  /** One program header: its type, and where its bytes are in the file. */
  private record Segment(int type, long offset, long size) {}

  /** The program headers, up to the first that does not fit in the file. */
  private static List<Segment> segments(ByteBuffer elf) {
    long table = elf.getLong(32);
    int entrySize = Short.toUnsignedInt(elf.getShort(54));
    int count = Short.toUnsignedInt(elf.getShort(56));
    List<Segment> segments = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long at = table + (long) i * entrySize;
      if (entrySize < PROGRAM_HEADER || !within(elf, at, PROGRAM_HEADER)) {
        break;
      }
      segments.add(new Segment(elf.getInt((int) at), elf.getLong((int) at + 8),
          elf.getLong((int) at + 32)));
    }
    return segments;
  }

  private static boolean notesHavePvh(ByteBuffer elf, long offset, long size) {
    if (!within(elf, offset, size)) {
      return false;
    }
    long end = offset + size;
    for (long at = offset; at + 12 <= end; ) {
      long nameSize = Integer.toUnsignedLong(elf.getInt((int) at));
      long descSize = Integer.toUnsignedLong(elf.getInt((int) at + 4));
      int type = elf.getInt((int) at + 8);
      long name = at + 12;
      if (type == XEN_ELFNOTE_PHYS32_ENTRY && nameSize == 4 && within(elf, name, 4)
          && elf.getInt((int) name) == XEN_NAME) {
        return true;
      }
      at = name + align4(nameSize) + align4(descSize);
    }
    return false;
  }

  private static long align4(long n) {
    return (n + 3) & ~3L;
  }

  private static boolean within(ByteBuffer buffer, long offset, long size) {
    // Written so that no sum can overflow: offset and size come from the file.
    return offset >= 0 && size >= 0 && offset <= buffer.capacity()
        && size <= buffer.capacity() - offset;
  }

  private static Optional<String> shebang(byte[] file) {
    String start = new String(file, 2, Math.min(file.length - 2, 254), StandardCharsets.UTF_8);
    String[] words = start.split("\n")[0].strip().split("\\s+");
    return words[0].isEmpty() ? Optional.empty() : Optional.of(words[0]);
  }
}
