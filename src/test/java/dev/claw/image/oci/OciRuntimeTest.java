package dev.claw.image.oci;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.fs.FileTree;
import dev.claw.host.Exec;
import dev.claw.testing.OciRun;
import dev.claw.testing.TestAgents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
    return OciRun.run(layout, REF, Map.of(), dir);
  }
}
