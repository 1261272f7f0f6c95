package dev.claw.profile;

import dev.claw.ClawException;
import dev.claw.profile.AgentProfile.FileMapping;
import dev.claw.profile.AgentProfile.RunSettings;
import dev.claw.profile.AgentProfile.VmSettings;
import dev.claw.seccomp.PolicyLoader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code claw.yaml}. Strict on purpose: an unknown key is an error, not a silently
 * ignored typo, because a misspelt security setting must never look like it took effect.
 *
 * <p>The YAML is read as a node tree (SnakeYAML's composer), never turned into objects by
 * reflection: nothing in a profile can make claw instantiate a class, and every error can name
 * its line. It is also several times faster to start than a data-binding mapper, which counts
 * because every {@code claw run} reads a profile before it boots anything.
 */
public final class ProfileLoader {
  public static final String FILE_NAME = "claw.yaml";

  static final int DEFAULT_UID = 1000;
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
  static final int DEFAULT_MEMORY_MIB = 128;
  private static final int MAX_PROFILE_BYTES = 1 << 20;
  /** CONFIG_NR_CPUS in kernel/microvm.config. */
  private static final int MAX_CPUS = 16;

  private static final Set<String> TOP = Set.of("name", "base", "layers", "files", "run", "vm",
      "seccomp", "network");
  private static final Set<String> FILE = Set.of("from", "to", "mode");
  private static final Set<String> RUN = Set.of("command", "env", "workdir", "user",
      "root-reason", "timeout");
  private static final Set<String> VM = Set.of("memory", "cpus", "tmp");

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  private static final Pattern BARE_COMMAND = Pattern.compile("[A-Za-z0-9_+-][A-Za-z0-9._+-]*");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern NUMERIC_USER = Pattern.compile("(\\d{1,9})(?::(\\d{1,9}))?");
  private static final Pattern MEMORY = Pattern.compile("(\\d{1,9})([MG])");

  /** Loads the profile in {@code location}: a folder holding claw.yaml, or the file itself. */
  public AgentProfile load(Path location) {
    Path file = Files.isDirectory(location) ? location.resolve(FILE_NAME) : location;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return load(reader, file);
    } catch (NoSuchFileException e) {
      throw new ClawException("no agent profile at " + file,
          "point claw at a folder that holds a " + FILE_NAME + " (for example examples/hello)");
    } catch (IOException e) {
      throw new ClawException("cannot read " + file + ": " + e.getMessage(),
          "check that it is a readable UTF-8 YAML file");
    }
  }

  /** Reads a profile's text; {@code file} names it in messages and anchors relative paths. */
  public AgentProfile load(Reader yaml, Path file) {
    YamlSection top = YamlSection.of(file, "", parse(yaml, file), TOP);
    Path directory = file.toAbsolutePath().getParent();

    String name = top.requiredString("name", "name: my-agent");
    check(NAME.matcher(name).matches(), top, "name", "name '" + name + "' is not valid",
        "use lower-case letters, digits, '.', '_' and '-' (at most 63)");
    String base = top.requiredString("base", "base: none");
    List<String> layers = top.strings("layers").orElse(List.of());
    return new AgentProfile(directory, name, base, List.copyOf(layers),
        files(top, directory), run(top), vm(top), seccomp(top, directory),
        NetworkSection.read(top));
  }

  static Node parse(Reader yaml, Path file) {
    LoaderOptions options = new LoaderOptions();
    // A profile is small and hand-written: refuse alias bombs and huge documents outright.
    options.setMaxAliasesForCollections(10);
    options.setCodePointLimit(MAX_PROFILE_BYTES);
    options.setAllowDuplicateKeys(false);
    try {
      Node root = new Yaml(options).compose(yaml);
      if (root == null) {
        throw new ClawException(file + " is empty", "write a profile; see examples/hello");
      }
      return root;
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw new ClawException(file + ":" + line + ": not valid YAML: " + e.getProblem(),
          "fix the YAML there; examples/hello/claw.yaml is a working profile");
    } catch (YAMLException e) {
      throw new ClawException("cannot read " + file + ": " + e.getMessage(),
          "check that it is a readable UTF-8 YAML file");
    }
  }

  /** A preset, learn, or a policy file (a path with a '/' or ending in .yaml). */
  private static String seccomp(YamlSection top, Path directory) {
    // An agent granted egress needs sockets beyond AF_UNIX, which only the network preset has.
    String preset = top.has("network") ? "network" : "default";
    String choice = top.string("seccomp").orElse(preset);
    if (choice.contains("/") || choice.endsWith(".yaml") || choice.endsWith(".yml")) {
      Path policy = directory.resolve(choice).normalize();
      check(insideFolder(directory, policy), top, "seccomp", "seccomp policy " + choice
          + " is outside the agent's folder " + directory,
          "copy the policy into the agent's folder: claw reads no other file a profile names");
      return policy.toString();
    }
    check(choice.equals(AgentProfile.LEARN) || PolicyLoader.PRESETS.contains(choice), top,
        "seccomp", "seccomp '" + choice + "' is neither a preset nor a policy file",
        "use " + String.join(", ", PolicyLoader.PRESETS) + ", learn, or a file such as "
            + "./policy.yaml");
    return choice;
  }

  /**
   * Whether {@code file} lies in {@code folder} once links are followed: a profile may come
   * from the agent's author, and must not make claw (often root) read the host's files.
   */
  static boolean insideFolder(Path folder, Path file) {
    try {
      Path real = Files.exists(file) ? file.toRealPath() : file.toAbsolutePath().normalize();
      return real.startsWith(folder.toRealPath());
    } catch (IOException e) {
      return false;
    }
  }

  private static List<FileMapping> files(YamlSection top, Path directory) {
    List<FileMapping> files = new ArrayList<>();
    for (YamlSection entry : top.sections("files", FILE)) {
      String from = entry.requiredString("from", "from: ./my-agent");
      String to = entry.requiredString("to", "to: /app/my-agent");
      checkGuestPath(entry, "to", to);
      Integer mode = entry.string("mode").map(text -> mode(entry, text)).orElse(null);
      files.add(new FileMapping(directory.resolve(from).normalize(), to, mode));
    }
    return List.copyOf(files);
  }

  private static int mode(YamlSection entry, String text) {
    check(text.matches("0?[0-7]{3}"), entry, "mode", entry.where("mode") + " '" + text
        + "' is not an octal mode", "write it like mode: \"0755\" (quoted, so YAML keeps it)");
    int bits = Integer.parseInt(text, 8);
    check((bits & 0022) == 0, entry, "mode", entry.where("mode") + " " + text
        + " lets others write the file",
        "drop the group and other write bits: the agent must not change its own image");
    return bits;
  }

  private static RunSettings run(YamlSection top) {
    YamlSection run = top.section("run", RUN).orElseThrow(
        () -> top.missing("run", "run: {command: [/app/my-agent]}"));
    List<String> command = run.strings("command").orElse(List.of());
    check(!command.isEmpty(), run, "command", "run.command is missing or empty",
        "add run: {command: [/app/my-agent]}, the agent's path inside the image first");
    // A bare name (python3) is looked up on the image's PATH when the image is built.
    String program = command.get(0);
    check(program.startsWith("/") || BARE_COMMAND.matcher(program).matches(), run, "command",
        "run.command starts with '" + program + "', which is neither an absolute path nor a "
            + "command name", "give the path inside the image, like /app/"
            + Path.of(program).getFileName());
    String workdir = run.string("workdir").orElse("/");
    checkGuestPath(run, "workdir", workdir);
    Optional<String> rootReason = rootReason(run);
    int[] ids = rootReason.isPresent() ? new int[] {0, 0} : user(run);
    Duration timeout = run.string("timeout").map(text -> duration(run, text))
        .orElse(DEFAULT_TIMEOUT);
    return new RunSettings(List.copyOf(command), env(run), workdir, ids[0], ids[1], timeout,
        rootReason);
  }

  private static Map<String, String> env(YamlSection run) {
    Map<String, String> env = run.stringMap("env");
    for (String key : env.keySet()) {
      check(ENV_NAME.matcher(key).matches(), run, "env", "run.env: '" + key
          + "' is not a valid variable name", "use letters, digits and '_', not a digit first");
    }
    return Map.copyOf(env);
  }

  /**
   * Root only when asked for by name and with a reason, so that it is a decision someone wrote
   * down and a reviewer can read, never a typo or a default.
   */
  private static Optional<String> rootReason(YamlSection run) {
    boolean root = run.string("user").map("root"::equals).orElse(false);
    Optional<String> reason = run.string("root-reason").map(String::strip);
    check(root || reason.isEmpty(), run, "root-reason", "run.root-reason is given but run.user"
        + " is not root", "remove root-reason, or set user: root if the agent must be root");
    check(!root || reason.filter(text -> !text.isEmpty()).isPresent(), run, "user",
        "run.user is root without a reason", "add root-reason: \"why this agent needs root\""
            + " under run, beside user: root; or better, use user: agent");
    return root ? reason : Optional.empty();
  }

  private static int[] user(YamlSection run) {
    String user = run.string("user").orElse("agent");
    if (user.equals("agent")) {
      return new int[] {DEFAULT_UID, DEFAULT_UID};
    }
    Matcher numeric = NUMERIC_USER.matcher(user);
    check(numeric.matches(), run, "user", "run.user '" + user + "' is neither 'agent', 'root' "
        + "nor UID[:GID]", "use user: agent, or numbers such as user: 1000:1000");
    int uid = Integer.parseInt(numeric.group(1));
    int gid = numeric.group(2) == null ? uid : Integer.parseInt(numeric.group(2));
    check(uid != 0 && gid != 0, run, "user", "run.user " + user + " uses root's "
        + (uid == 0 ? "uid" : "gid"), "use user: agent; if the agent must be root, say so: "
        + "user: root with root-reason: \"why\"");
    return new int[] {uid, gid};
  }

  private static Duration duration(YamlSection run, String text) {
    Optional<Duration> timeout = Durations.parse(text);
    check(timeout.isPresent(), run, "timeout", "run.timeout '" + text
        + "' is not a whole number above zero with a unit", "write it like 500ms, 30s, 5m or 1h");
    return timeout.get();
  }

  private static VmSettings vm(YamlSection top) {
    Optional<YamlSection> vm = top.section("vm", VM);
    if (vm.isEmpty()) {
      return new VmSettings(DEFAULT_MEMORY_MIB, 1);
    }
    int memory = vm.get().string("memory").map(text -> mebibytes(vm.get(), text))
        .orElse(DEFAULT_MEMORY_MIB);
    String cpus = vm.get().string("cpus").orElse("1");
    check(cpus.matches("\\d{1,2}") && Integer.parseInt(cpus) >= 1
            && Integer.parseInt(cpus) <= MAX_CPUS, vm.get(), "cpus",
        "vm.cpus '" + cpus + "' is not a number from 1 to " + MAX_CPUS,
        "use 1 to " + MAX_CPUS + " (claw's kernel is built for at most " + MAX_CPUS + ")");
    int tmp = vm.get().string("tmp").map(text -> tmpMebibytes(vm.get(), text, memory))
        .orElse(VmSettings.defaultTmpMib(memory));
    return new VmSettings(memory, Integer.parseInt(cpus), tmp);
  }

  /** /tmp is in the guest's RAM: it must leave the agent at least half of it. */
  private static int tmpMebibytes(YamlSection vm, String text, int memoryMib) {
    long mib = sizeMib(vm, "tmp", text, "size", "32M");
    check(mib >= 1, vm, "tmp", "vm.tmp " + text + " is empty", "give /tmp at least 1M");
    check(mib <= memoryMib / 2, vm, "tmp", "vm.tmp " + text + " is more than half "
        + "of vm.memory (" + memoryMib + "M), and /tmp lives in the guest's RAM",
        "use at most " + memoryMib / 2 + "M, or raise vm.memory");
    return (int) mib;
  }

  private static int mebibytes(YamlSection vm, String text) {
    long mib = sizeMib(vm, "memory", text, "memory size", "128M");
    check(mib >= 32 && mib <= 65536, vm, "memory", "vm.memory " + text + " is out of range",
        "use between 32M and 64G");
    return (int) mib;
  }

  /** {@code text} in MiB; it must be written like {@code example} or 1G. */
  private static long sizeMib(YamlSection vm, String key, String text, String noun,
      String example) {
    Matcher m = MEMORY.matcher(text.strip());
    check(m.matches(), vm, key, "vm." + key + " '" + text + "' is not a " + noun,
        "write it like " + example + " or 1G");
    return Long.parseLong(m.group(1)) * (m.group(2).equals("G") ? 1024 : 1);
  }

  private static void checkGuestPath(YamlSection section, String key, String path) {
    boolean ok = path.startsWith("/") && !path.contains("\0")
        && !List.of(path.split("/")).contains("..");
    check(ok, section, key, section.where(key) + " '" + path
        + "' is not an absolute path inside the image", "write it like /app/my-agent");
  }

  private static void check(boolean ok, YamlSection section, String key, String problem,
      String fix) {
    if (!ok) {
      throw section.error(key, problem, fix);
    }
  }
}
