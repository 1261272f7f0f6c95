package dev.claw.seccomp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The x86_64 system calls claw knows by name, from {@code syscalls-x86_64.txt}, which
 * {@code scripts/gen-syscall-table} generates from the kernel's uapi header. Committed rather
 * than read from the host at build time, so one claw source compiles the same filter on every
 * host. A number not in the table is newer than this claw (or a gap) and gets ENOSYS.
 */
public final class SyscallTable {
  private static final String RESOURCE = "syscalls-x86_64.txt";
  private static final SyscallTable X86_64 = load();

  private final Map<String, Integer> numbers;
  private final TreeMap<Integer, String> names;

  private SyscallTable(Map<String, Integer> numbers) {
    this.numbers = Collections.unmodifiableMap(new TreeMap<>(numbers));
    this.names = new TreeMap<>();
    numbers.forEach((name, number) -> names.put(number, name));
  }

  /** The table of the only architecture claw's guests run. */
  public static SyscallTable x86_64() {
    return X86_64;
  }

  public OptionalInt number(String name) {
    Integer number = numbers.get(name);
    return number == null ? OptionalInt.empty() : OptionalInt.of(number);
  }

  public Optional<String> name(int number) {
    return Optional.ofNullable(names.get(number));
  }

  /** The highest number in the table; anything above it is newer than this claw. */
  public int highest() {
    return names.lastKey();
  }

  /** Every name, in number order. */
  public List<String> names() {
    return List.copyOf(names.values());
  }

  /** Number ranges below {@link #highest} that no system call has, as {lo, hi} pairs. */
  public List<int[]> gaps() {
    List<int[]> gaps = new ArrayList<>();
    int expected = 0;
    for (int number : names.keySet()) {
      if (number > expected) {
        gaps.add(new int[] {expected, number - 1});
      }
      expected = number + 1;
    }
    return gaps;
  }

  private static SyscallTable load() {
    try (InputStream in = SyscallTable.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from claw's jar");
      }
      return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static SyscallTable parse(BufferedReader reader) throws IOException {
    Map<String, Integer> numbers = new TreeMap<>();
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.trim().split(" ");
      if (fields.length != 2 || numbers.put(fields[0], Integer.parseInt(fields[1])) != null) {
        throw new IllegalStateException(RESOURCE + ": bad or repeated line '" + line + "'");
      }
    }
    return new SyscallTable(numbers);
  }
}
