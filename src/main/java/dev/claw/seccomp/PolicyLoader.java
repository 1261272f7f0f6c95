package dev.claw.seccomp;

import dev.claw.ClawException;
import dev.claw.seccomp.SeccompPolicy.ArgCondition;
import dev.claw.seccomp.SeccompPolicy.Rule;
import dev.claw.seccomp.SeccompPolicy.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads seccomp policies: claw's presets (data files in the jar, a reason on every rule) and a
 * user's own YAML file in the same format:
 *
 * <pre>
 * extends: default            # optional: a preset whose rules follow this file's own
 * syscalls:
 *   - {name: read, reason: "reading input"}
 *   - {name: socket, args: [{index: 0, eq: 1}], reason: "AF_UNIX only"}
 *   - {name: capset, errno: EPERM, reason: "fails as it would anyway, without a kill"}
 *   - reason: "time"
 *     names: [clock_gettime, nanosleep]   # one reason for several calls
 * </pre>
 *
 * An argument condition is {@code {index: 0-5, eq: VALUE}} with an optional {@code mask}:
 * {@code (arg & mask) == eq}. Strict like the profile: unknown keys, unknown system calls and
 * rules without a reason are errors.
 */
public final class PolicyLoader {
  /** The presets, by name. */
  public static final List<String> PRESETS = List.of("default", "strict", "network");

  private static final Set<String> TOP = Set.of("extends", "syscalls");
  private static final Set<String> RULE = Set.of("name", "names", "args", "errno", "reason");
  private static final Set<String> ARG = Set.of("index", "eq", "mask");
  private static final Map<String, Integer> ERRNOS = Map.of("EPERM", 1, "ENOENT", 2,
      "EACCES", 13, "EINVAL", 22, "ENOSYS", 38, "EOPNOTSUPP", 95, "EAFNOSUPPORT", 97);
  private static final int MAX_BYTES = 1 << 20;

  private final SyscallTable table;

  public PolicyLoader(SyscallTable table) {
    this.table = table;
  }

  /** A preset by name: default, strict or network. */
  public SeccompPolicy preset(String name) {
    if (!PRESETS.contains(name)) {
      throw new ClawException("there is no seccomp preset '" + name + "'",
          "use one of " + String.join(", ", PRESETS) + ", learn, or the path of a policy file");
    }
    try (InputStream in = PolicyLoader.class.getResourceAsStream("presets/" + name + ".yaml")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return parse(new StringReader(text), name);
    } catch (IOException e) {
      throw new IllegalStateException("preset " + name + " is missing from claw's jar", e);
    }
  }

  /** A policy file of the user's. */
  public SeccompPolicy file(Path file) {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new ClawException("seccomp policy " + file + " is over 1 MiB",
            "a policy lists system calls; check that this is the right file");
      }
      return parse(Files.newBufferedReader(file, StandardCharsets.UTF_8), file.toString());
    } catch (NoSuchFileException e) {
      throw new ClawException("no seccomp policy at " + file,
          "check the seccomp: path in claw.yaml (relative to the agent's folder), or make "
              + "one with claw learn");
    } catch (IOException e) {
      throw new ClawException("cannot read seccomp policy " + file + ": " + e.getMessage(),
          "check that it is a readable UTF-8 YAML file");
    }
  }

  SeccompPolicy parse(Reader reader, String name) {
    Map<?, ?> top = map(load(reader, name), name, "the file", TOP);
    List<Rule> rules = new ArrayList<>();
    Object list = top.get("syscalls");
    if (list != null && !(list instanceof List)) {
      throw invalid(name, "syscalls is not a list", "write syscalls: followed by - {name: ...}");
    }
    List<?> entries = list == null ? List.of() : (List<?>) list;
    for (int i = 0; i < entries.size(); i++) {
      rules.addAll(rules(entries.get(i), name, "rule " + (i + 1)));
    }
    Object base = top.get("extends");
    if (base != null) {
      if (!(base instanceof String) || !PRESETS.contains(base) || base.equals(name)) {
        throw invalid(name, "extends: " + base + " is not a preset",
            "extend one of " + String.join(", ", PRESETS));
      }
      rules.addAll(preset((String) base).rules());
    }
    return new SeccompPolicy(name, rules);
  }

  private static Object load(Reader reader, String name) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(10);
    options.setCodePointLimit(MAX_BYTES);
    try {
      return new Yaml(new SafeConstructor(options)).load(reader);
    } catch (YAMLException e) {
      throw invalid(name, "not valid YAML: " + e.getMessage().lines().findFirst().orElse(""),
          "fix the YAML; claw learn writes a valid policy to start from");
    }
  }

  /** One entry of the list: a rule for {@code name}, or the same rule for each of names. */
  private List<Rule> rules(Object entry, String name, String where) {
    Map<?, ?> rule = map(entry, name, where, RULE);
    List<String> calls = callNames(rule, name, where);
    String reason = text(rule.get("reason"), name, where + " (" + calls.get(0) + "): reason");
    List<Rule> rules = new ArrayList<>();
    for (String syscall : calls) {
      String at = where + " (" + syscall + ")";
      if (table.number(syscall).isEmpty()) {
        throw invalid(name, at + ": " + syscall + " is not an x86_64 system call",
            "check the spelling; names are as in syscalls(2), such as openat or clone3");
      }
      rules.add(new Rule(syscall, conditions(rule.get("args"), name, at),
          verdict(rule.get("errno"), name, at), reason));
    }
    return rules;
  }

  private static List<String> callNames(Map<?, ?> rule, String name, String where) {
    Object names = rule.get("names");
    if ((rule.get("name") == null) == (names == null)) {
      throw invalid(name, where + ": give either name or names",
          "write name: read, or names: [read, write] for several calls with one reason");
    }
    if (names == null) {
      return List.of(text(rule.get("name"), name, where + ": name"));
    }
    if (!(names instanceof List) || ((List<?>) names).isEmpty()) {
      throw invalid(name, where + ": names is not a list of system calls",
          "write names: [read, write]");
    }
    List<String> calls = new ArrayList<>();
    for (Object call : (List<?>) names) {
      calls.add(text(call, name, where + ": names"));
    }
    return calls;
  }

  private static List<ArgCondition> conditions(Object list, String name, String where) {
    List<ArgCondition> args = new ArrayList<>();
    if (list == null) {
      return args;
    }
    if (!(list instanceof List)) {
      throw invalid(name, where + ": args is not a list", "write args: [{index: 0, eq: 1}]");
    }
    for (Object arg : (List<?>) list) {
      args.add(condition(arg, name, where));
    }
    return args;
  }

  private static ArgCondition condition(Object entry, String name, String where) {
    Map<?, ?> arg = map(entry, name, where + ": an argument condition", ARG);
    long index = number(arg.get("index"), name, where + ": index");
    if (index < 0 || index > 5) {
      throw invalid(name, where + ": argument index " + index + " is not 0 to 5",
          "system calls have at most six arguments, numbered from 0");
    }
    long mask = arg.get("mask") == null ? -1L : number(arg.get("mask"), name, where + ": mask");
    long value = number(arg.get("eq"), name, where + ": eq");
    if ((value & ~mask) != 0) {
      throw invalid(name, where + ": eq has bits outside its mask, so it never matches",
          "drop those bits from eq, or widen the mask");
    }
    return new ArgCondition((int) index, mask, value);
  }

  private static Verdict verdict(Object errno, String name, String where) {
    if (errno == null) {
      return Verdict.ALLOW;
    }
    Integer number = ERRNOS.get(String.valueOf(errno));
    if (number == null) {
      throw invalid(name, where + ": errno " + errno + " is not one claw knows",
          "use one of " + String.join(", ", new java.util.TreeSet<>(ERRNOS.keySet())));
    }
    return new Verdict(number);
  }

  private static Map<?, ?> map(Object node, String name, String where, Set<String> keys) {
    if (!(node instanceof Map)) {
      throw invalid(name, where + " is not a mapping", "see the format in claw's docs");
    }
    for (Object key : ((Map<?, ?>) node).keySet()) {
      if (!keys.contains(String.valueOf(key))) {
        throw invalid(name, where + ": unknown key '" + key + "'",
            "use only " + String.join(", ", new java.util.TreeSet<>(keys)));
      }
    }
    return (Map<?, ?>) node;
  }

  private static String text(Object value, String name, String where) {
    if (!(value instanceof String) || ((String) value).isBlank()) {
      throw invalid(name, where + " is missing or empty", "every rule needs a name and a "
          + "reason: why the agent needs this call");
    }
    return (String) value;
  }

  /** An unsigned 64-bit number, as YAML gives it (decimal, 0x hex, 0o octal). */
  private static long number(Object value, String name, String where) {
    BigInteger n = value instanceof Integer || value instanceof Long
        ? BigInteger.valueOf(((Number) value).longValue())
        : value instanceof BigInteger ? (BigInteger) value : null;
    if (n == null || n.signum() < 0 || n.bitLength() > 64) {
      throw invalid(name, where + " is not a number from 0 to 2^64-1: " + value,
          "write a whole number, in decimal or 0x hex");
    }
    return n.longValue();
  }

  private static ClawException invalid(String name, String problem, String fix) {
    return new ClawException("seccomp policy " + name + ": " + problem, fix);
  }
}
