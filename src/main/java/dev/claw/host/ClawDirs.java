package dev.claw.host;

import dev.claw.ClawException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where claw keeps things on the host. The cache holds what is expensive to make and safe to
 * share between runs (kernels, the compiled init); the runtime directory holds one folder per
 * live VM, so that a later run can find and reap what a killed one left behind.
 */
public final class ClawDirs {
  private final Path cache;
  private final Path runtime;

  public ClawDirs(Path cache, Path runtime) {
    this.cache = cache.toAbsolutePath();
    this.runtime = runtime.toAbsolutePath();
    // QEMU's option syntax splits on commas; a path with one would be read as more options.
    for (Path dir : new Path[] {this.cache, this.runtime}) {
      if (dir.toString().contains(",")) {
        throw new ClawException("claw's folder " + dir + " has a comma in its path",
            "set CLAW_CACHE and CLAW_RUNTIME to paths without commas");
      }
    }
  }

  /** The directories for this user, honouring {@code CLAW_CACHE} and {@code CLAW_RUNTIME}. */
  public static ClawDirs fromEnvironment() {
    Map<String, String> env = System.getenv();
    Path home = Path.of(System.getProperty("user.home"));
    Path cache = variable(env, "CLAW_CACHE")
        .or(() -> variable(env, "XDG_CACHE_HOME").map(xdg -> xdg.resolve("claw")))
        .orElse(home.resolve(".cache").resolve("claw"));
    return new ClawDirs(cache, runtimeDir(env));
  }

  /** An environment variable as an absolute path; unset or empty means not given. */
  private static Optional<Path> variable(Map<String, String> env, String name) {
    String value = env.getOrDefault(name, "").strip();
    return value.isEmpty() ? Optional.empty() : Optional.of(Path.of(value).toAbsolutePath());
  }

  private static Path runtimeDir(Map<String, String> env) {
    Optional<Path> given = variable(env, "CLAW_RUNTIME")
        .or(() -> variable(env, "XDG_RUNTIME_DIR").map(xdg -> xdg.resolve("claw")));
    if (given.isPresent()) {
      return given.get();
    }
    // /run is a tmpfs on Debian: a reboot clears it, which is exactly the lifetime of a VM.
    Path run = Path.of("/run");
    return Files.isWritable(run) ? run.resolve("claw") : Path.of("/tmp", "claw-" + uid());
  }

  private static String uid() {
    try {
      return String.valueOf(PrivateDir.currentUid());
    } catch (IOException | UnsupportedOperationException e) {
      return System.getProperty("user.name");
    }
  }

  public Path cache() {
    return cache;
  }

  public Path runtime() {
    return runtime;
  }

  /** A cache subdirectory, created if missing. */
  public Path cache(String name) throws IOException {
    // claw runs make and compilers in here and boots what it finds: nobody else may write.
    PrivateDir.ensure(cache);
    return PrivateDir.ensure(cache.resolve(name));
  }

  /** The folder that holds one subfolder per live VM; private to this user. */
  public Path vms() throws IOException {
    PrivateDir.ensure(runtime);
    return PrivateDir.ensure(runtime.resolve("vms"));
  }
}
