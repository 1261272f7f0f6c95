package dev.claw.scan;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the hardening and linkage facts of a 64-bit little-endian ELF file (x86-64, arm64)
 * from its program headers, dynamic section and dynamic symbol table, as checksec and
 * lintian's hardening checks do. The bytes come from an image or a host folder, so every
 * offset is bounds-checked; a field that does not fit counts as absent.
 */
final class ElfReader {
  private static final int ET_EXEC = 2;
  private static final int ET_DYN = 3;
  private static final int PT_DYNAMIC = 2;
  private static final int PT_INTERP = 3;
  private static final int PT_GNU_STACK = 0x6474e551;
  private static final int PT_GNU_RELRO = 0x6474e552;
  private static final int PF_X = 1;
  private static final int SHT_SYMTAB = 2;
  private static final int SHT_DYNAMIC = 6;
  private static final int SHT_DYNSYM = 11;
  private static final long DT_NEEDED = 1;
  private static final long DT_BIND_NOW = 24;
  private static final long DT_FLAGS = 30;
  private static final long DT_FLAGS_1 = 0x6ffffffbL;
  private static final long DF_BIND_NOW = 0x8;
  private static final long DF_1_NOW = 0x1;
  private static final long DF_1_PIE = 0x08000000L;
  private static final int SYMBOL_BYTES = 24;
  private static final Pattern SHARED_OBJECT = Pattern.compile(".*\\.so(\\.[0-9.]+)?$");
  private static final Set<String> NETWORK = Set.of("connect", "socket", "getaddrinfo");
  private static final Set<String> TLS = Set.of("SSL_connect", "SSL_do_handshake",
      "SSL_CTX_new", "gnutls_handshake", "mbedtls_ssl_handshake");

  private final ByteBuffer elf;

  private ElfReader(byte[] bytes) {
    this.elf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Whether {@code head} starts like an ELF file of any kind. */
  static boolean isElf(byte[] head) {
    return head.length >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L'
        && head[3] == 'F';
  }

  /** The report for {@code bytes}; empty if it is not a 64-bit little-endian program or library. */
  static Optional<ElfReport> read(String path, String layer, byte[] bytes) {
    if (bytes.length < 64 || !isElf(bytes) || bytes[4] != 2 || bytes[5] != 1) {
      return Optional.empty();
    }
    return new ElfReader(bytes).report(path, layer);
  }

  private Optional<ElfReport> report(String path, String layer) {
    int type = Short.toUnsignedInt(elf.getShort(16));
    if (type != ET_EXEC && type != ET_DYN) {
      return Optional.empty();
    }
    List<Segment> segments = segments();
    List<Section> sections = sections();
    Dynamic dynamic = dynamic(segments, sections);
    Symbols symbols = dynamicSymbols(sections);

    boolean interp = has(segments, PT_INTERP);
    boolean pieFlag = (dynamic.flags1 & DF_1_PIE) != 0;
    ElfReport.Kind kind = type == ET_EXEC || (!SHARED_OBJECT.matcher(path).matches()
        && (interp || pieFlag)) ? ElfReport.Kind.EXECUTABLE : ElfReport.Kind.LIBRARY;

    return Optional.of(new ElfReport(path, layer, kind, type == ET_DYN,
        relro(segments, dynamic), nxStack(segments),
        symbols.imports.contains("__stack_chk_fail"), fortified(symbols.imports),
        sections.stream().noneMatch(s -> s.type == SHT_SYMTAB), symbols.exported,
        uses(symbols, NETWORK), uses(symbols, TLS), dynamic.needed));
  }

  private static ElfReport.Relro relro(List<Segment> segments, Dynamic dynamic) {
    if (!has(segments, PT_GNU_RELRO)) {
      return ElfReport.Relro.NONE;
    }
    boolean now = dynamic.bindNow || (dynamic.flags & DF_BIND_NOW) != 0
        || (dynamic.flags1 & DF_1_NOW) != 0;
    return now ? ElfReport.Relro.FULL : ElfReport.Relro.PARTIAL;
  }

  /** Without PT_GNU_STACK the kernel gives the process an executable stack. */
  private static boolean nxStack(List<Segment> segments) {
    return segments.stream().anyMatch(s -> s.type == PT_GNU_STACK && (s.flags & PF_X) == 0);
  }

  private static boolean fortified(Set<String> imports) {
    return imports.stream().anyMatch(name -> name.startsWith("__") && name.endsWith("_chk")
        && !name.startsWith("__stack_chk"));
  }

  private static boolean uses(Symbols symbols, Set<String> names) {
    return names.stream().anyMatch(n -> symbols.imports.contains(n)
        || symbols.defined.contains(n));
  }

  private static boolean has(List<Segment> segments, int type) {
    return segments.stream().anyMatch(s -> s.type == type);
  }

  // ---- headers

  private record Segment(int type, int flags, long offset, long size) {}

  private record Section(int type, long offset, long size, int link, long entrySize) {}

  private List<Segment> segments() {
    long table = elf.getLong(32);
    int entrySize = Short.toUnsignedInt(elf.getShort(54));
    int count = Short.toUnsignedInt(elf.getShort(56));
    List<Segment> segments = new ArrayList<>();
    for (int i = 0; i < count && entrySize >= 56; i++) {
      long at = table + (long) i * entrySize;
      if (!within(at, 56)) {
        break;
      }
      int p = (int) at;
      segments.add(new Segment(elf.getInt(p), elf.getInt(p + 4), elf.getLong(p + 8),
          elf.getLong(p + 32)));
    }
    return segments;
  }

  private List<Section> sections() {
    long table = elf.getLong(40);
    int entrySize = Short.toUnsignedInt(elf.getShort(58));
    int count = Short.toUnsignedInt(elf.getShort(60));
    List<Section> sections = new ArrayList<>();
    for (int i = 0; i < count && entrySize >= 64 && table > 0; i++) {
      long at = table + (long) i * entrySize;
      if (!within(at, 64)) {
        break;
      }
      int s = (int) at;
      sections.add(new Section(elf.getInt(s + 4), elf.getLong(s + 24), elf.getLong(s + 32),
          elf.getInt(s + 40), elf.getLong(s + 56)));
    }
    return sections;
  }

  // ---- dynamic section

  private static final class Dynamic {
    long flags;
    long flags1;
    boolean bindNow;
    final List<String> needed = new ArrayList<>();
  }

  private Dynamic dynamic(List<Segment> segments, List<Section> sections) {
    Dynamic dynamic = new Dynamic();
    Segment segment = segments.stream().filter(s -> s.type == PT_DYNAMIC).findFirst()
        .orElse(null);
    if (segment == null || !within(segment.offset, segment.size)) {
      return dynamic;
    }
    Section strings = sections.stream().filter(s -> s.type == SHT_DYNAMIC)
        .map(s -> s.link >= 0 && s.link < sections.size() ? sections.get(s.link) : null)
        .findFirst().orElse(null);
    for (long at = segment.offset; at + 16 <= segment.offset + segment.size; at += 16) {
      long tag = elf.getLong((int) at);
      long value = elf.getLong((int) at + 8);
      if (tag == 0) {
        break;
      }
      readTag(dynamic, tag, value, strings);
    }
    return dynamic;
  }

  private void readTag(Dynamic dynamic, long tag, long value, Section strings) {
    if (tag == DT_FLAGS) {
      dynamic.flags = value;
    } else if (tag == DT_FLAGS_1) {
      dynamic.flags1 = value;
    } else if (tag == DT_BIND_NOW) {
      dynamic.bindNow = true;
    } else if (tag == DT_NEEDED && strings != null) {
      string(strings, value).ifPresent(dynamic.needed::add);
    }
  }

  // ---- dynamic symbols

  private static final class Symbols {
    final Set<String> imports = new HashSet<>();
    final Set<String> defined = new HashSet<>();
    int exported;
  }

  private Symbols dynamicSymbols(List<Section> sections) {
    Symbols symbols = new Symbols();
    for (Section table : sections) {
      if (table.type != SHT_DYNSYM || !within(table.offset, table.size) || table.link < 0
          || table.link >= sections.size()) {
        continue;
      }
      Section strings = sections.get(table.link);
      // Entry 0 is the reserved null symbol.
      for (long at = table.offset + SYMBOL_BYTES; at + SYMBOL_BYTES <= table.offset
          + table.size; at += SYMBOL_BYTES) {
        addSymbol(symbols, (int) at, strings);
      }
    }
    return symbols;
  }

  private void addSymbol(Symbols symbols, int at, Section strings) {
    int bind = Byte.toUnsignedInt(elf.get(at + 4)) >> 4;
    int visibility = elf.get(at + 5) & 3;
    int sectionIndex = Short.toUnsignedInt(elf.getShort(at + 6));
    boolean global = bind == 1 || bind == 2;
    if (!global) {
      return;
    }
    Optional<String> name = string(strings, Integer.toUnsignedLong(elf.getInt(at)));
    if (name.isEmpty()) {
      return;
    }
    if (sectionIndex == 0) {
      symbols.imports.add(name.get());
    } else if (visibility == 0 || visibility == 3) {
      symbols.defined.add(name.get());
      symbols.exported++;
    }
  }

  private Optional<String> string(Section table, long index) {
    if (index >= table.size || !within(table.offset, table.size)) {
      return Optional.empty();
    }
    int start = (int) (table.offset + index);
    int end = start;
    int limit = (int) (table.offset + table.size);
    while (end < limit && elf.get(end) != 0) {
      end++;
    }
    byte[] bytes = new byte[end - start];
    elf.get(start, bytes);
    return Optional.of(new String(bytes, StandardCharsets.UTF_8));
  }

  private boolean within(long offset, long size) {
    // Written so that no sum can overflow: offset and size come from the file.
    return offset >= 0 && size >= 0 && offset <= elf.capacity()
        && size <= elf.capacity() - offset;
  }
}
