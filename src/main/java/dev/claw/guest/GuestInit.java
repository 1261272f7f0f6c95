package dev.claw.guest;

import dev.claw.ClawException;
import dev.claw.event.EventListener;
import dev.claw.host.Exec;
import dev.claw.host.Sha256;
import dev.claw.host.Trees;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * claw's PID 1, compiled from the C source that ships inside claw with musl into a small static
 * binary, once per machine. The cache key covers the source, the flags and the musl library,
 * so editing any of them rebuilds it.
 */
public final class GuestInit {
  static final String SOURCE_RESOURCE = "claw-init.c";
  static final String PROBE_RESOURCE = "claw-probe.c";

  /**
   * -static: PID 1 runs before any library exists in the guest. -Os -s: size over speed, init
   * does almost no work. No unwind tables: nothing unwinds C, and they cost bytes.
   */
  static final List<String> FLAGS = List.of("-static", "-Os", "-s", "-std=c11", "-Wall",
      "-Wextra", "-Werror", "-fno-asynchronous-unwind-tables");

  private static final Path MUSL_LIBC = Path.of("/usr/lib/x86_64-linux-musl/libc.a");

  private final Path cacheDir;
  private final EventListener events;
  private final String resource;

  public GuestInit(Path cacheDir, EventListener events) {
    this(cacheDir, events, SOURCE_RESOURCE);
  }

  private GuestInit(Path cacheDir, EventListener events, String resource) {
    this.cacheDir = cacheDir;
    this.events = events;
    this.resource = resource;
  }

  /**
   * claw audit's probe (guest/probe/claw-probe.c), built and cached exactly like init: it runs
   * in the guest in the agent's place, where no compiler or library can be assumed.
   */
  public static GuestInit probe(Path cacheDir, EventListener events) {
    return new GuestInit(cacheDir, events, PROBE_RESOURCE);
  }

  private String programName() {
    return resource.replace(".c", "");
  }

  /** The compiled init, building it first if this machine has not yet. */
  public Path binary() throws IOException {
    byte[] source = source();
    Path binary = cacheDir.resolve(key(source)).resolve(programName());
    if (Files.isRegularFile(binary)) {
      return binary;
    }
    events.progress("init", "compiling " + programName() + " for the guest with musl");
    compile(source, binary);
    return binary;
  }

  private void compile(byte[] source, Path binary) throws IOException {
    Path compiler = Exec.which("musl-gcc").orElseThrow(() -> new ClawException(
        "musl-gcc is not installed; claw needs it to build its guest init",
        "run scripts/setup (it installs musl-tools), or: apt-get install musl-tools"));
    // A scratch folder per compile: two claws starting at once on a new machine each compile
    // in their own, and the second rename just replaces the same bytes.
    Path work = Files.createTempDirectory(Files.createDirectories(binary.getParent()),
        "compile-");
    try {
      Path src = Files.write(work.resolve(resource), source);
      Path output = work.resolve(programName());
      List<String> command = new ArrayList<>(List.of(compiler.toString()));
      command.addAll(FLAGS);
      command.addAll(List.of("-o", output.toString(), src.toString()));
      Exec.Result result = Exec.run(work, command);
      if (!result.ok()) {
        throw new ClawException("compiling " + resource + " failed:\n" + result.tail(20),
            "check that musl-tools is installed (scripts/setup); if it is, this is a claw bug");
      }
      Files.move(output, binary, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Trees.deleteQuietly(work);
    }
  }

  private byte[] source() {
    try (InputStream in = GuestInit.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from claw's jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String key(byte[] source) throws IOException {
    Sha256 key = Sha256.start().add(source).add(String.join(" ", FLAGS));
    if (Files.exists(MUSL_LIBC)) {
      key.add(Files.size(MUSL_LIBC) + "@" + Files.getLastModifiedTime(MUSL_LIBC));
    }
    return key.hex().substring(0, 16);
  }
}
