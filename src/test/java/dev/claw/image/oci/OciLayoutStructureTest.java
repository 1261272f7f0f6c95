package dev.claw.image.oci;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claw.fs.FileTree;
import dev.claw.host.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads {@link SampleImage}'s layout back and checks what each document and layer holds. */
class OciLayoutStructureTest {
  @TempDir Path dir;
  private LayoutReader layout;

  @BeforeEach
  void writeSample() throws IOException {
    OciLayout.write(SampleImage.tree(), SampleImage.LAYERS, SampleImage.CONFIG,
        dir.resolve("image"));
    layout = new LayoutReader(dir.resolve("image"));
  }

  /**
   * The base layer takes claw's skeleton too. Its hard-linked file is stored once, under the
   * name that sorts first; the agent layer's link to it became a copy.
   */
  @Test
  void eachLayerHoldsItsEntriesAndTheFoldersAboveThemWithExactMetadata() throws IOException {
    List<byte[]> tars = layout.layerTars();

    assertThat(LayoutReader.listing(tars.get(0))).containsExactly(
        "bin symlink 777 0:0 -> usr/bin",
        "claw/ dir 755 0:0",
        "claw/spec file 600 0:0 \"spec\"",
        "dev/ dir 755 0:0",
        "dev/null chr 666 0:0 1,3",
        "etc/ dir 755 0:0",
        "etc/passwd file 644 0:0 \"root:x:0:0::/root:/bin/sh\n"
            + "agent:x:1000:1000::/home/agent:/bin/sh\n\"",
        "usr/ dir 755 0:0",
        "usr/bin/ dir 755 0:0",
        "usr/bin/a-tool file 4755 0:0 \"#!tool\"",
        "usr/bin/tool hardlink 4755 0:0 -> usr/bin/a-tool",
        "usr/bin/tool-alias hardlink 4755 0:0 -> usr/bin/a-tool");
    List<String> agent = new ArrayList<>(List.of(
        "home/ dir 755 0:0",
        "home/agent/ dir 700 1000:1000",
        "home/agent/notes.txt file 640 1000:1000 \"notes\"",
        "opt/ dir 755 0:0",
        "opt/agent/ dir 755 0:0"));
    for (int depth = 1; depth <= 5; depth++) {
      agent.add("opt/agent/" + "deeply-nested-folder/".repeat(depth) + " dir 755 0:0");
    }
    agent.add(SampleImage.LONG_PATH.substring(1) + " file 644 0:0 \"long\"");
    agent.addAll(List.of("usr/ dir 755 0:0", "usr/bin/ dir 755 0:0",
        "usr/bin/agent-tool file 4755 0:0 \"#!tool\""));
    assertThat(LayoutReader.listing(tars.get(1))).containsExactlyElementsOf(agent);
    // The long name travels in a pax record, the form every OCI tool reads.
    assertThat(SampleImage.LONG_PATH.length()).isGreaterThan(100);
    assertThat(new String(tars.get(1), StandardCharsets.UTF_8))
        .contains(" path=" + SampleImage.LONG_PATH.substring(1) + "\n");
  }

  @Test
  void everyDescriptorMatchesTheBlobItPointsTo() throws IOException {
    JsonNode manifest = layout.manifest();
    List<JsonNode> descriptors = new ArrayList<>();
    descriptors.add(layout.index().get("manifests").get(0));
    descriptors.add(manifest.get("config"));
    manifest.get("layers").forEach(descriptors::add);

    for (JsonNode descriptor : descriptors) {
      byte[] blob = layout.blob(descriptor.get("digest").asText());
      assertThat("sha256:" + Sha256.of(blob)).isEqualTo(descriptor.get("digest").asText());
      assertThat((long) blob.length).isEqualTo(descriptor.get("size").asLong());
    }
    try (Stream<Path> blobs = Files.list(dir.resolve("image/blobs/sha256"))) {
      assertThat(blobs).hasSize(descriptors.size());
    }
  }

  @Test
  void documentsCarryTheirMediaTypes() throws IOException {
    JsonNode manifest = layout.manifest();

    assertThat(layout.index().get("mediaType").asText())
        .isEqualTo("application/vnd.oci.image.index.v1+json");
    assertThat(manifest.get("schemaVersion").asInt()).isEqualTo(2);
    assertThat(manifest.get("mediaType").asText())
        .isEqualTo("application/vnd.oci.image.manifest.v1+json");
    assertThat(manifest.get("config").get("mediaType").asText())
        .isEqualTo("application/vnd.oci.image.config.v1+json");
    assertThat(manifest.get("layers")).hasSize(2).allSatisfy(layer ->
        assertThat(layer.get("mediaType").asText())
            .isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip"));
  }

  @Test
  void configSaysHowToRunTheImageAndNamesEachLayersTar() throws IOException {
    JsonNode config = layout.config();
    List<byte[]> tars = layout.layerTars();

    assertThat(config.toString()).startsWith("{\"created\":\"1970-01-01T00:00:00Z\","
        + "\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":\"1000:1000\","
        + "\"Env\":[\"PATH=/usr/bin:/bin\",\"HOME=/home/agent\"],"
        + "\"Entrypoint\":[\"/usr/bin/tool\",\"--serve\"],\"WorkingDir\":\"/home/agent\"},");
    assertThat(config.get("rootfs").get("type").asText()).isEqualTo("layers");
    assertThat(config.get("rootfs").get("diff_ids")).extracting(JsonNode::asText)
        .containsExactly("sha256:" + Sha256.of(tars.get(0)), "sha256:" + Sha256.of(tars.get(1)));
    assertThat(config.get("history").toString()).isEqualTo(
        "[{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"claw layer base\"},"
            + "{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"claw layer agent\"}]");
  }

  @Test
  void indexTagsTheImageAndTheLayoutIsMarked() throws IOException {
    JsonNode entry = layout.index().get("manifests").get(0);

    assertThat(entry.get("annotations").get("org.opencontainers.image.ref.name").asText())
        .isEqualTo("sample");
    assertThat(entry.get("platform").toString())
        .isEqualTo("{\"architecture\":\"amd64\",\"os\":\"linux\"}");
    assertThat(dir.resolve("image/oci-layout")).hasContent("{\"imageLayoutVersion\":\"1.0.0\"}");
  }

  /** No name, mtime 0, "unknown" OS: nothing in the header says when or where it was made. */
  @Test
  void gzipHeadersAreFixed() throws IOException {
    for (JsonNode layer : layout.manifest().get("layers")) {
      byte[] blob = layout.blob(layer.get("digest").asText());
      assertThat(HexFormat.of().formatHex(blob, 0, 10)).isEqualTo("1f8b08000000000000ff");
    }
  }

  @Test
  void aClawLayerWithNothingInItStillGetsItsImageLayer() throws IOException {
    Path image = dir.resolve("three");
    OciLayout.write(SampleImage.tree(), List.of("base", "python", "agent"), SampleImage.CONFIG,
        image);
    LayoutReader three = new LayoutReader(image);

    List<byte[]> tars = three.layerTars();
    assertThat(tars).hasSize(3);
    assertThat(LayoutReader.listing(tars.get(1))).isEmpty();
    assertThat(three.config().get("history")).extracting(h -> h.get("created_by").asText())
        .containsExactly("claw layer base", "claw layer python", "claw layer agent");
    assertThat(three.config().get("history").toString()).doesNotContain("empty_layer");
  }

  @Test
  void entriesOfLayersNotInTheOrderGoToTheFirstLayer() throws IOException {
    FileTree tree = new FileTree()
        .put(FileTree.fileEntry("/opt/extra", 0644, SampleImage.ascii("x")).inLayer("extra"))
        .put(FileTree.fileEntry("/app/agent", 0755, SampleImage.ascii("a")).inLayer("agent"));
    Path image = dir.resolve("other");

    OciLayout.write(tree, SampleImage.LAYERS, SampleImage.CONFIG, image);

    List<byte[]> tars = new LayoutReader(image).layerTars();
    assertThat(LayoutReader.listing(tars.get(0)))
        .containsExactly("opt/ dir 755 0:0", "opt/extra file 644 0:0 \"x\"");
    assertThat(LayoutReader.listing(tars.get(1)))
        .containsExactly("app/ dir 755 0:0", "app/agent file 755 0:0 \"a\"");
  }
}
