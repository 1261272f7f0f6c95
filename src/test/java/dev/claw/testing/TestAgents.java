package dev.claw.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Builds the static test agent (src/test/resources/agents/test-agent.c) and its profiles. */
public final class TestAgents {
  private TestAgents() {}

  /** Compiles the test agent with musl into {@code dir} and returns the binary. */
  public static Path compile(Path dir) throws IOException, InterruptedException {
    Path source = dir.resolve("test-agent.c");
    try (InputStream in = TestAgents.class.getResourceAsStream("/agents/test-agent.c")) {
      Files.copy(in, source);
    }
    Path binary = dir.resolve("test-agent");
    Process cc = new ProcessBuilder("musl-gcc", "-static", "-Os", "-std=gnu11", "-o",
        binary.toString(), source.toString()).inheritIO().start();
    if (cc.waitFor() != 0) {
      throw new IOException("musl-gcc failed on the test agent; run scripts/setup");
    }
    return binary;
  }

  /**
   * Writes a claw.yaml in {@code dir} that runs the agent at /app/test-agent with {@code args},
   * plus any extra top-level or run lines given.
   */
  public static Path profile(Path dir, String name, List<String> args, String runExtra)
      throws IOException {
    String command = args.stream().map(a -> "\"" + a + "\"")
        .collect(Collectors.joining(", ", "[/app/test-agent, ", "]"));
    String yaml = "name: " + name + "\n"
        + "base: none\n"
        + "files:\n"
        + "  - {from: test-agent, to: /app/test-agent}\n"
        + "run:\n"
        + "  command: " + command + "\n"
        + "  workdir: /app\n"
        + runExtra;
    Files.writeString(dir.resolve("claw.yaml"), yaml);
    return dir;
  }
}
