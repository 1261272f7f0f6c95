package dev.claw.guest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What init needs to start the agent, in the format of docs/GUEST-PROTOCOL.md: NUL-terminated
 * {@code key=value} records at {@link #PATH} inside the image.
 *
 * @param tmpBytes the size of the agent's /tmp; 0 leaves it to init (a quarter of the RAM)
 * @param rootReason present only for an agent that runs as root (uid and gid 0), and why; init
 *     refuses uid or gid 0 without it
 * @param seccomp the filter init installs just before execve, if any
 */
public record RunSpec(List<String> argv, Map<String, String> env, String cwd, int uid, int gid,
    long tmpBytes, Optional<String> rootReason, Optional<Seccomp> seccomp) {

  public static final String PATH = "/claw/spec";
  static final int VERSION = 2;

  /** Where the filter is in the image, and what init does with a call it does not allow. */
  public record Seccomp(String path, Mode mode) {}

  /** KILL: name the call and kill the agent. LEARN: note the call and let it run. */
  public enum Mode { KILL, LEARN }

  public RunSpec {
    if (argv.isEmpty() || !argv.get(0).startsWith("/")) {
      throw new IllegalArgumentException("argv[0] must be an absolute path: " + argv);
    }
    boolean root = uid == 0 && gid == 0;
    if (rootReason.isEmpty() && (uid <= 0 || gid <= 0)) {
      throw new IllegalArgumentException("agent uid/gid must not be root: " + uid + ":" + gid);
    }
    if (rootReason.isPresent() && (!root || rootReason.get().isBlank())) {
      throw new IllegalArgumentException("a root agent has uid and gid 0 and a reason: "
          + uid + ":" + gid + " " + rootReason);
    }
    if (tmpBytes != 0 && tmpBytes < (1 << 20)) {
      throw new IllegalArgumentException("/tmp below 1 MiB: " + tmpBytes);
    }
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
  }

  /** An unprivileged agent whose /tmp size init chooses, without a seccomp filter. */
  public RunSpec(List<String> argv, Map<String, String> env, String cwd, int uid, int gid) {
    this(argv, env, cwd, uid, gid, 0, Optional.empty(), Optional.empty());
  }

  /** The same spec with {@code filter} installed before execve. */
  public RunSpec withSeccomp(Seccomp filter) {
    return new RunSpec(argv, env, cwd, uid, gid, tmpBytes, rootReason, Optional.of(filter));
  }

  /** The bytes init reads. Environment entries are sorted so the image is reproducible. */
  public byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    record(out, "version", String.valueOf(VERSION));
    argv.forEach(arg -> record(out, "arg", arg));
    new TreeMap<>(env).forEach((name, value) -> record(out, "env", name + "=" + value));
    record(out, "cwd", cwd);
    record(out, "uid", String.valueOf(uid));
    record(out, "gid", String.valueOf(gid));
    if (tmpBytes != 0) {
      record(out, "tmpsize", String.valueOf(tmpBytes));
    }
    rootReason.ifPresent(reason -> record(out, "root", reason));
    seccomp.ifPresent(filter -> {
      record(out, "seccomp", filter.path());
      record(out, "seccomp_mode", filter.mode().name().toLowerCase(Locale.ROOT));
    });
    return out.toByteArray();
  }

  private static void record(ByteArrayOutputStream out, String key, String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(key + " contains a NUL byte");
    }
    out.writeBytes((key + "=" + value).getBytes(StandardCharsets.UTF_8));
    out.write(0);
  }
}
