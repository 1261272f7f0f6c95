package dev.claw.kernel;

import dev.claw.ClawException;
import dev.claw.event.EventListener;
import dev.claw.host.Sha256;
import dev.claw.host.Trees;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Builds claw's guest kernel from Debian's linux-source package with {@link KernelConfig}, and
 * caches it. The cache key covers the source package (name, size, time), the fragment's
 * settings and this class's recipe, so a new source upload or a changed setting gives a new
 * kernel, and nothing else does. A build is done in a scratch folder that is removed whatever
 * happens; only a finished vmlinux is moved into the cache.
 */
public final class KernelBuilder {
  /** Bump when the build steps change in a way that changes the kernel. */
  private static final String RECIPE = "allnoconfig+fragment, vmlinux, v1";
  private static final Path SOURCE_DIR = Path.of("/usr/src");
  private static final long PROGRESS_EVERY_NANOS = 15_000_000_000L;
  private static final String COMPILED_FILES = "last-build-compiled-files";

  private final Path cacheDir;
  private final Path sourceDir;
  private final KernelConfig config;
  private final EventListener events;
  /** The build step now running, for the Ctrl-C cleanup to stop. */
  private final AtomicReference<Process> running = new AtomicReference<>();

  public KernelBuilder(Path cacheDir, EventListener events) {
    this(cacheDir, SOURCE_DIR, KernelConfig.bundled(), events);
  }

  KernelBuilder(Path cacheDir, Path sourceDir, KernelConfig config, EventListener events) {
    this.cacheDir = cacheDir;
    this.sourceDir = sourceDir;
    this.config = config;
    this.events = events;
  }

  /** The cached kernel for the current source and fragment, if it was built already. */
  public Optional<Path> cached() throws IOException {
    Path vmlinux = cacheDir.resolve(key(sourceTarball())).resolve("vmlinux");
    return Files.isRegularFile(vmlinux) ? Optional.of(vmlinux) : Optional.empty();
  }

  /** The kernel, built now if this machine has none for the current inputs. */
  public Path cachedOrBuild() throws IOException {
    Optional<Path> cached = cached();
    return cached.isPresent() ? cached.get() : buildUnderLock(false);
  }

  /** Builds the kernel (again, if cached) and returns the cached vmlinux. */
  public Path build() throws IOException {
    return buildUnderLock(true);
  }

  /**
   * One build per key at a time, across processes: a second claw waits for the first, then
   * uses the kernel it built instead of deleting its half-built tree.
   */
  private Path buildUnderLock(boolean force) throws IOException {
    Path tarball = sourceTarball();
    String key = key(tarball);
    Files.createDirectories(cacheDir);
    try (FileChannel lockFile = FileChannel.open(cacheDir.resolve("build-" + key + ".lock"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      // Held until the channel closes at the end of this block.
      if (lockFile.tryLock() == null) {
        events.progress("kernel", "another claw is building this kernel; waiting for it");
        lockFile.lock();
      }
      Optional<Path> builtMeanwhile = cached();
      if (!force && builtMeanwhile.isPresent()) {
        return builtMeanwhile.get();
      }
      return buildLocked(tarball, key);
    }
  }

  private Path buildLocked(Path tarball, String key) throws IOException {
    Path target = Files.createDirectories(cacheDir.resolve(key));
    Path scratch = cacheDir.resolve("build-" + key);
    Trees.delete(scratch);
    Files.createDirectories(scratch);
    Path log = scratch.resolve("build.log");

    // Ctrl-C during a build: stop make and its compilers, and leave no half-built tree.
    Thread interrupted = new Thread(() -> {
      stopRunningStep();
      Trees.deleteQuietly(scratch);
    }, "claw-kernel-build-cleanup");
    Runtime.getRuntime().addShutdownHook(interrupted);

    try {
      Path tree = extract(tarball, scratch, log);
      configure(tree, scratch, log);
      compile(tree, log);

      Files.copy(tree.resolve(".config"), target.resolve("config"),
          StandardCopyOption.REPLACE_EXISTING);
      Path partial = target.resolve("vmlinux.partial");
      Files.copy(tree.resolve("vmlinux"), partial, StandardCopyOption.REPLACE_EXISTING);
      Files.move(partial, target.resolve("vmlinux"), StandardCopyOption.ATOMIC_MOVE);
      events.progress("kernel", "built " + target.resolve("vmlinux"));
      return target.resolve("vmlinux");
    } catch (ClawException e) {
      keepLog(log, key);
      throw e;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(interrupted);
      } catch (IllegalStateException e) {
        // Shutting down: the hook is doing the cleanup.
      }
      Trees.deleteQuietly(scratch);
    }
  }

  private void stopRunningStep() {
    Process step = running.get();
    if (step != null) {
      step.descendants().forEach(ProcessHandle::destroyForcibly);
      step.destroyForcibly();
    }
  }

  /** The newest linux-source tarball Debian's linux-source-X.Y package put in /usr/src. */
  Path sourceTarball() throws IOException {
    List<Path> found = new ArrayList<>();
    if (Files.isDirectory(sourceDir)) {
      try (DirectoryStream<Path> dir =
          Files.newDirectoryStream(sourceDir, "linux-source-*.tar.xz")) {
        dir.forEach(found::add);
      }
    }
    return found.stream().max(Comparator.comparing(KernelBuilder::versionOrder)).orElseThrow(
        () -> new ClawException("Debian's kernel source is not installed (no "
            + sourceDir + "/linux-source-*.tar.xz)",
            "run scripts/setup, or: apt-get install linux-source-6.1; "
                + "or pass a kernel you built yourself with --kernel"));
  }

  private static String versionOrder(Path tarball) {
    // linux-source-6.1 < linux-source-6.10: pad each number so text order is version order.
    String name = tarball.getFileName().toString();
    StringBuilder padded = new StringBuilder();
    for (String part : name.split("[.-]")) {
      padded.append(part.matches("\\d+") ? String.format("%08d", Integer.parseInt(part)) : part)
          .append('.');
    }
    return padded.toString();
  }

  private String key(Path tarball) throws IOException {
    return Sha256.start()
        .add(tarball.getFileName().toString())
        .add(Files.size(tarball) + "@" + Files.getLastModifiedTime(tarball).toMillis())
        .add(config.canonical())
        .add(RECIPE)
        .hex().substring(0, 16);
  }

  private Path extract(Path tarball, Path scratch, Path log) throws IOException {
    events.progress("kernel", "unpacking " + tarball.getFileName() + " (1 of 3)");
    make(List.of("tar", "-xf", tarball.toString(), "-C", scratch.toString()), scratch, log,
        "unpacking the kernel source");
    try (Stream<Path> children = Files.list(scratch)) {
      return children.filter(Files::isDirectory).findFirst().orElseThrow(
          () -> new ClawException(tarball + " holds no source tree",
              "reinstall it: apt-get install --reinstall linux-source-6.1"));
    }
  }

  private void configure(Path tree, Path scratch, Path log) throws IOException {
    events.progress("kernel", "configuring with claw's microvm fragment (2 of 3)");
    Path fragment = scratch.resolve(KernelConfig.RESOURCE);
    Files.write(fragment, config.bytes());
    make(List.of("make", "allnoconfig", "KCONFIG_ALLCONFIG=" + fragment), tree, log,
        "configuring the kernel");
    List<String> unmet = config.unmetIn(tree.resolve(".config"));
    if (!unmet.isEmpty()) {
      throw new ClawException("the kernel fragment asks for options Kconfig did not keep: "
          + String.join(", ", unmet),
          "enable what those options depend on in kernel/microvm.config (see " + log + ")");
    }
  }

  private void compile(Path tree, Path log) throws IOException {
    int jobs = Runtime.getRuntime().availableProcessors();
    events.progress("kernel", "compiling vmlinux with " + jobs + " jobs; this takes minutes "
        + "and happens once per machine (3 of 3)");
    int compiled = make(List.of("make", "-j" + jobs, "vmlinux"), tree, log,
        "compiling the kernel");
    Files.writeString(cacheDir.resolve(COMPILED_FILES), String.valueOf(compiled));
  }

  /** How many files the last build compiled: the best guess at how long this one has to go. */
  private String ofExpected() {
    try {
      return " of about " + Integer.parseInt(Files.readString(cacheDir.resolve(COMPILED_FILES))
          .strip());
    } catch (IOException | NumberFormatException e) {
      return "";
    }
  }

  /**
   * Runs a build step, appending its output to the log and reporting progress while it runs.
   *
   * @return how many files it compiled
   */
  private int make(List<String> command, Path dir, Path log, String what) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true);
    // Reproducible kernels: nothing about this machine or this moment goes into the image.
    builder.environment().put("KBUILD_BUILD_TIMESTAMP", "1970-01-01");
    builder.environment().put("KBUILD_BUILD_USER", "claw");
    builder.environment().put("KBUILD_BUILD_HOST", "claw");
    Process process = startOrExplain(builder, command.get(0));
    running.set(process);
    int compiled = follow(process, log, what);
    int exit = waitFor(process, what);
    if (exit != 0) {
      throw new ClawException(what + " failed (exit " + exit + "):\n" + tail(log, 15),
          "make sure the build tools are installed (scripts/setup); the full log is kept");
    }
    return compiled;
  }

  private static int waitFor(Process process, String what) throws IOException {
    try {
      return process.waitFor();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while " + what, e);
    }
  }

  private static Process startOrExplain(ProcessBuilder builder, String tool) {
    try {
      return builder.start();
    } catch (IOException e) {
      throw new ClawException("cannot run '" + tool + "': " + e.getMessage(),
          "run scripts/setup to install the kernel build tools (make, gcc, flex, bison, ...)");
    }
  }

  /** Copies the step's output to the log until it ends; returns how many files it compiled. */
  private int follow(Process process, Path log, String what) throws IOException {
    long started = System.nanoTime();
    long lastReport = started;
    int compiled = 0;
    String expected = ofExpected();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8));
        Writer writer = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        writer.write(line);
        writer.write('\n');
        compiled += line.startsWith("  CC ") ? 1 : 0;
        long now = System.nanoTime();
        if (now - lastReport > PROGRESS_EVERY_NANOS) {
          lastReport = now;
          events.progress("kernel", String.format("%s: %d%s files compiled, %d s", what,
              compiled, expected, (now - started) / 1_000_000_000L));
        }
      }
      return compiled;
    }
  }

  private void keepLog(Path log, String key) {
    try {
      if (Files.exists(log)) {
        Path kept = cacheDir.resolve("build-" + key + ".failed.log");
        Files.move(log, kept, StandardCopyOption.REPLACE_EXISTING);
        events.warn("the failed kernel build's log is at " + kept);
      }
    } catch (IOException e) {
      events.warn("could not keep the kernel build log: " + e.getMessage());
    }
  }

  private static String tail(Path log, int lines) throws IOException {
    List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }
}
