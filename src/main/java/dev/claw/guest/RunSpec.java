package dev.claw.guest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What init needs to start the agent, in the format of docs/GUEST-PROTOCOL.md: NUL-terminated
 * {@code key=value} records at {@link #PATH} inside the image.
 *
 * @param seccomp the filter init installs just before execve, if any
 */
public record RunSpec(List<String> argv, Map<String, String> env, String cwd, int uid, int gid,
    Optional<Seccomp> seccomp) {

  public static final String PATH = "/claw/spec";
  static final int VERSION = 2;

  /** Where the filter is in the image, and what init does with a call it does not allow. */
  public record Seccomp(String path, Mode mode) {}

  /** KILL: name the call and kill the agent. LEARN: note the call and let it run. */
  public enum Mode { KILL, LEARN }

  /** A spec without a seccomp filter. */
  public RunSpec(List<String> argv, Map<String, String> env, String cwd, int uid, int gid) {
    this(argv, env, cwd, uid, gid, Optional.empty());
  }

  public RunSpec {
    if (argv.isEmpty() || !argv.get(0).startsWith("/")) {
      throw new IllegalArgumentException("argv[0] must be an absolute path: " + argv);
    }
    if (uid <= 0 || gid <= 0) {
      throw new IllegalArgumentException("agent uid/gid must not be root: " + uid + ":" + gid);
    }
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
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
    seccomp.ifPresent(filter -> {
      record(out, "seccomp", filter.path());
      record(out, "seccomp_mode", filter.mode().name().toLowerCase(java.util.Locale.ROOT));
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
