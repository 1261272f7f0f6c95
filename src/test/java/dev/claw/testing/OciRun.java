package dev.claw.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claw.host.Exec;
import dev.claw.host.Trees;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Runs an OCI image layout the way a container platform would: {@code umoci unpack} makes a
 * runtime bundle of it, {@code runc run} runs that bundle. Nothing of claw's is involved, so a
 * layout that runs here is one a standard toolchain accepts.
 */
public final class OciRun {
  private OciRun() {}

  /**
   * Unpacks {@code layout}'s image {@code ref} in {@code work} and runs it to its end, with
   * each host file of {@code files} bind-mounted read-only at its guest path.
   */
  public static Exec.Result run(Path layout, String ref, Map<Path, String> files, Path work)
      throws IOException {
    Path bundle = work.resolve("bundle-" + UUID.randomUUID());
    // A state folder of our own: no other runc user sees or collides with this container.
    String state = work.resolve("runc-state").toString();
    String id = "claw-oci-test-" + UUID.randomUUID();
    try {
      succeed("umoci", "unpack", "--image", layout + ":" + ref, bundle.toString());
      adjust(bundle.resolve("config.json"), files);
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
   * then needs a terminal (or a console socket) to hand the process, and a test has none;
   * without one the process writes to the pipes we read, stdout apart from stderr. The only
   * other change is the files a run hands the agent, as a platform would mount its input.
   */
  private static void adjust(Path configJson, Map<Path, String> files) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode config = (ObjectNode) json.readTree(configJson.toFile());
    ((ObjectNode) config.get("process")).put("terminal", false);
    ArrayNode mounts = (ArrayNode) config.get("mounts");
    files.forEach((host, guest) -> mounts.addObject()
        .put("destination", guest)
        .put("type", "bind")
        .put("source", host.toAbsolutePath().toString())
        .set("options", json.createArrayNode().add("rbind").add("ro")));
    json.writeValue(configJson.toFile(), config);
  }

  private static void succeed(String... command) throws IOException {
    Exec.Result result = Exec.run(null, List.of(command));
    assertThat(result.exitCode()).as(String.join(" ", command) + ": " + result.tail(10))
        .isZero();
  }
}
