package dev.claw.image.oci;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claw.fs.FileTree;
import dev.claw.host.Exec;
import dev.claw.host.Trees;
import dev.claw.testing.TestAgents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs images written by {@link OciLayout} the standard way: umoci unpacks the layout into a
 * runtime bundle, runc runs it. Both run as root (as this test does), so owners, modes and
 * device nodes are applied for real. If umoci rejects a layout, the writer is wrong.
 */
class OciRuntimeTest {
  private static final String REF = "test-agent";
  private static final List<String> LAYERS = List.of("base", "agent");
  private static final String MESSAGE = "hello from the base layer\n";

  @TempDir static Path agentDir;
  private static byte[] agent;

  @TempDir Path dir;

  @BeforeAll
  static void compileAgent() throws Exception {
    agent = Files.readAllBytes(TestAgents.compile(agentDir));
  }

  @Test
  void agentRunsAsTheImagesUserInItsFolderWithItsEnvironment() throws IOException {
    Exec.Result run = run(List.of("/app/test-agent", "whoami"));

    assertThat(run.stdout()).isEqualTo("uid=1000 gid=1000 cwd=/app env=from-oci\n");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
  }

  /** /etc/motd (agent layer) is a link to a copy of a base-layer file made for a hard link. */
  @Test
  void agentReadsThroughLinksAcrossLayers() throws IOException {
    Exec.Result run = run(List.of("/app/test-agent", "cat", "/etc/motd"));

    assertThat(run.stdout()).isEqualTo(MESSAGE);
    assertThat(run.exitCode()).as(run.stderr()).isZero();
  }

  @Test
  void agentsExitCodeIsTheContainersExitCode() throws IOException {
    Exec.Result run = run(List.of("/app/test-agent", "exit", "7"));

    assertThat(run.stdout()).isEmpty();
    assertThat(run.exitCode()).isEqualTo(7);
  }

  private static FileTree image() {
    return new FileTree()
        .put(FileTree.fileEntry("/etc/passwd", 0644, SampleImage.ascii(
            "root:x:0:0:root:/root:/bin/sh\nagent:x:1000:1000:agent:/app:/bin/sh\n"))
            .inLayer("base"))
        .put(FileTree.fileEntry("/etc/group", 0644, SampleImage.ascii(
            "root:x:0:\nagent:x:1000:\n")).inLayer("base"))
        .put(FileTree.directoryEntry("/tmp", 01777).inLayer("base"))
        .put(FileTree.fileEntry("/srv/message", 0644, SampleImage.ascii(MESSAGE))
            .inLayer("base"))
        .put(FileTree.fileEntry("/app/test-agent", 0755, agent).inLayer("agent"))
        .put(FileTree.hardlinkEntry("/app/message", "/srv/message").inLayer("agent"))
        .put(FileTree.symlinkEntry("/etc/motd", "../app/message").inLayer("agent"));
  }

  /** Writes the image with {@code entrypoint}, unpacks it and runs it to its end. */
  private Exec.Result run(List<String> entrypoint) throws IOException {
    Path layout = dir.resolve("layout");
    OciImageConfig config = new OciImageConfig(entrypoint, List.of("CLAW_TEST=from-oci"),
        "/app", "1000:1000", REF);
    OciLayout.write(image(), LAYERS, config, layout);

    Path bundle = dir.resolve("bundle");
    // A state folder of our own: no other runc user sees or collides with this container.
    String state = dir.resolve("runc-state").toString();
    String id = "claw-oci-test-" + UUID.randomUUID();
    try {
      succeed("umoci", "unpack", "--image", layout + ":" + REF, bundle.toString());
      makeNonInteractive(bundle.resolve("config.json"));
      return Exec.run(null, List.of("runc", "--root", state, "run", "--bundle",
          bundle.toString(), id));
    } finally {
      // Also when the run failed half-way; "not found" just means nothing is left.
      Exec.run(null, List.of("runc", "--root", state, "delete", "-f", id));
      Trees.deleteQuietly(bundle);
    }
  }

  /**
   * umoci writes the bundle for an interactive shell, "terminal": true, as runc spec does. runc
   * then needs a terminal (or a console socket) to hand the process, and this test has none;
   * without one the process writes to the pipes we read, stdout apart from stderr. Nothing
   * else in the generated config is changed.
   */
  private static void makeNonInteractive(Path configJson) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode config = (ObjectNode) json.readTree(configJson.toFile());
    ((ObjectNode) config.get("process")).put("terminal", false);
    json.writeValue(configJson.toFile(), config);
  }

  private static void succeed(String... command) throws IOException {
    Exec.Result result = Exec.run(null, List.of(command));
    assertThat(result.exitCode()).as(String.join(" ", command) + ": " + result.tail(10))
        .isZero();
  }
}
