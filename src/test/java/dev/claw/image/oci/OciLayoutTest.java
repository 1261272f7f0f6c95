package dev.claw.image.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import dev.claw.fs.FileTree;
import dev.claw.host.Exec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutTest {

  /**
   * Pins the exact layout claw writes for {@link SampleImage}. If this digest changes, every
   * OCI image claw builds changes too: that must be a deliberate format change. It covers the
   * compressed layers, so a JDK linked to another zlib could change it; the diff_ids below
   * (digests of the plain tars) must not change even then.
   */
  private static final String GOLDEN_MANIFEST =
      "sha256:986eeb53e2b01f86fb91e9007634199c94142a857a6be63c75498ecc417c4b21";
  private static final List<String> GOLDEN_DIFF_IDS = List.of(
      "sha256:0d7e85e1032bd4dfadd0a8edb5ca5e49541c8032e48db19bd7c41f3794f16447",
      "sha256:5033db9838e2210d8c41fd04c84cc35c77758a71ac0da9be7ebf85cc8d5b2683");

  @TempDir Path dir;

  @Test
  void fixedTreeGivesTheGoldenDigests() throws IOException {
    String digest = write(SampleImage.tree(), dir.resolve("image"));

    assertThat(digest).isEqualTo(GOLDEN_MANIFEST);
    assertThat(new LayoutReader(dir.resolve("image")).config().get("rootfs").get("diff_ids"))
        .extracting(node -> node.asText())
        .containsExactlyElementsOf(GOLDEN_DIFF_IDS);
  }

  @Test
  void writingTwiceGivesTheSameBytesInEveryFile() throws IOException {
    write(SampleImage.tree(), dir.resolve("first"));
    write(SampleImage.tree(), dir.resolve("second"));

    Map<String, byte[]> first = files(dir.resolve("first"));
    // oci-layout, index.json, two layers, a config and a manifest.
    assertThat(first).hasSize(6);
    assertThat(files(dir.resolve("second"))).containsOnlyKeys(first.keySet())
        .allSatisfy((name, bytes) -> assertThat(bytes).as(name).isEqualTo(first.get(name)));
  }

  @Test
  void orderOfAddingDoesNotChangeTheDigest() throws IOException {
    assertThat(write(SampleImage.treeAddedInReverse(), dir.resolve("image")))
        .isEqualTo(write(SampleImage.tree(), dir.resolve("again")));
  }

  @Test
  void anEmptyFolderReceivesTheLayout() throws IOException {
    Path image = Files.createDirectory(dir.resolve("image"));

    write(SampleImage.tree(), image);

    assertThat(image.resolve("oci-layout")).hasContent("{\"imageLayoutVersion\":\"1.0.0\"}");
    assertThat(siblingsOf(image)).containsExactly("image");
  }

  @Test
  void anEarlierLayoutIsReplacedWhole() throws IOException {
    Path image = dir.resolve("image");
    write(SampleImage.tree(), image);
    FileTree smaller = new FileTree().file("/claw/spec", 0644, SampleImage.ascii("v2"));

    String digest = write(smaller, image);

    LayoutReader layout = new LayoutReader(image);
    assertThat(layout.index().get("manifests").get(0).get("digest").asText()).isEqualTo(digest);
    // The old image's blobs are gone: manifest, config, and the new layers only.
    assertThat(files(image.resolve("blobs/sha256"))).hasSize(4);
    assertThat(siblingsOf(image)).containsExactly("image");
  }

  @Test
  void aFolderWithOtherFilesIsRefusedAndLeftAlone() throws IOException {
    Path image = Files.createDirectory(dir.resolve("image"));
    Files.writeString(image.resolve("notes.txt"), "mine");

    assertThatThrownBy(() -> write(SampleImage.tree(), image))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("already holds files and is not an OCI layout")
        .satisfies(e -> assertThat(((ClawException) e).fix()).contains("empty folder"));
    assertThat(files(image)).containsOnlyKeys("notes.txt");
    assertThat(siblingsOf(image)).containsExactly("image");
  }

  @Test
  void aFileWhereTheFolderShouldBeIsRefused() throws IOException {
    Path image = Files.writeString(dir.resolve("image"), "mine");

    assertThatThrownBy(() -> write(SampleImage.tree(), image))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("is a file, not a folder");
    assertThat(image).hasContent("mine");
  }

  /**
   * A real failure half-way: the layout goes to a 256 KiB tmpfs, too small for the second
   * image's random (incompressible) megabyte. The first image must survive it, and no
   * partial folder may be left beside it.
   */
  @Test
  void aFailedWriteKeepsTheEarlierLayoutAndLeavesNothingPartial() throws IOException {
    Path small = Files.createDirectory(dir.resolve("small"));
    run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", small.toString());
    try {
      Path image = small.resolve("image");
      String digest = write(SampleImage.tree(), image);
      Map<String, byte[]> before = files(image);
      byte[] noise = new byte[1 << 20];
      new Random(42).nextBytes(noise);
      FileTree big = new FileTree().file("/noise", 0644, noise);

      assertThatThrownBy(() -> write(big, image)).isInstanceOf(IOException.class)
          .hasMessageContaining("No space left on device");

      assertThat(files(image)).containsOnlyKeys(before.keySet());
      assertThat(new LayoutReader(image).manifest()).isNotNull();
      assertThat(new LayoutReader(image).index().toString()).contains(digest);
      assertThat(siblingsOf(image)).containsExactly("image");
    } finally {
      run("umount", small.toString());
    }
  }

  @Test
  void aWhiteoutNameIsRefusedBeforeAnythingIsWritten() {
    FileTree tree = new FileTree().file("/etc/.wh.passwd", 0644, SampleImage.ascii("x"));

    assertThatThrownBy(() -> write(tree, dir.resolve("image")))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("/etc/.wh.passwd has a name starting with .wh.");
    assertThat(dir.resolve("image")).doesNotExist();
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void aRepeatedLayerNameIsRefused() {
    assertThatThrownBy(() -> OciLayout.write(SampleImage.tree(), List.of("base", "base"),
        SampleImage.CONFIG, dir.resolve("image")))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("blank or repeated name");
  }

  @Test
  void configsThatARuntimeWouldMisreadAreRefused() {
    List<String> env = List.of("A=1");
    assertThatThrownBy(() -> new OciImageConfig(List.of("agent"), env, "/", "1000", "x"))
        .hasMessageContaining("absolute program path");
    assertThatThrownBy(() -> new OciImageConfig(List.of("/a"), List.of("A"), "/", "1000", "x"))
        .hasMessageContaining("is not NAME=value");
    assertThatThrownBy(() -> new OciImageConfig(List.of("/a"), env, "app", "1000", "x"))
        .hasMessageContaining("not an absolute path");
    assertThatThrownBy(() -> new OciImageConfig(List.of("/a"), env, "/", "1 000", "x"))
        .hasMessageContaining("is not user or user:group");
    assertThatThrownBy(() -> new OciImageConfig(List.of("/a"), env, "/", "1000", "my image"))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("cannot name an image");
  }

  private static String write(FileTree tree, Path image) throws IOException {
    return OciLayout.write(tree, SampleImage.LAYERS, SampleImage.CONFIG, image);
  }

  /** Every regular file below {@code root}, by relative path. */
  private static Map<String, byte[]> files(Path root) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(file).toString(), Files.readAllBytes(file));
      }
    }
    return files;
  }

  private static List<String> siblingsOf(Path path) throws IOException {
    try (Stream<Path> list = Files.list(path.getParent())) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void run(String... command) throws IOException {
    Exec.Result result = Exec.run(null, List.of(command));
    if (!result.ok()) {
      throw new IOException(String.join(" ", command) + " failed (the test runs as root): "
          + result.tail(3));
    }
  }
}
