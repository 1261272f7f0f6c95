package dev.claw.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Runs short host commands (compilers, tar, make) to completion and keeps their output. */
public final class Exec {
  private Exec() {}

  /** What a finished command left behind. */
  public record Result(List<String> command, int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** The last lines of stderr (or stdout, if stderr is empty), for error messages. */
    public String tail(int lines) {
      String text = stderr.isBlank() ? stdout : stderr;
      String[] all = text.strip().split("\n");
      int from = Math.max(0, all.length - lines);
      return String.join("\n", List.of(all).subList(from, all.length));
    }
  }

  /** Runs {@code command} in {@code dir} (null: the current directory) and waits for it. */
  public static Result run(Path dir, List<String> command) throws IOException {
    return run(dir, command, Optional.empty());
  }

  /**
   * Runs {@code command} with exactly {@code environment} and nothing inherited, for tools
   * whose output must not depend on the caller's variables (locale, tool switches).
   */
  public static Result runWithOnly(Map<String, String> environment, List<String> command)
      throws IOException {
    return run(null, command, Optional.of(environment));
  }

  private static Result run(Path dir, List<String> command,
      Optional<Map<String, String>> environment) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command);
    if (dir != null) {
      builder.directory(dir.toFile());
    }
    environment.ifPresent(variables -> {
      builder.environment().clear();
      builder.environment().putAll(variables);
    });
    Process process = builder.start();
    process.getOutputStream().close();

    // Drain both pipes at once: a command that fills one pipe while we block on the other hangs.
    CompletableFuture<String> stderr = CompletableFuture.supplyAsync(
        () -> readAll(process.getErrorStream()));
    String stdout = readAll(process.getInputStream());
    try {
      return new Result(command, process.waitFor(), stdout, stderr.join());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command.get(0), e);
    }
  }

  private static String readAll(InputStream in) {
    try (in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first executable called {@code name} on PATH. */
  public static Optional<Path> which(String name) {
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (String dir : path.split(":")) {
      // An empty or relative entry would mean the current folder, often the agent's own.
      if (!dir.startsWith("/")) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
