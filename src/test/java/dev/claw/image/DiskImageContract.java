package dev.claw.image;

import static dev.claw.image.DiskImageFixtures.readdirOrder;
import static dev.claw.image.DiskImageFixtures.reversedEntries;
import static dev.claw.image.DiskImageFixtures.run;
import static dev.claw.image.DiskImageFixtures.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.claw.ClawException;
import dev.claw.fs.FileTree;
import dev.claw.host.Sha256;
import dev.claw.host.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What every disk image writer promises; each format's test adds its own checks. */
abstract class DiskImageContract {
  @TempDir Path dir;

  /** A format's writer: writes {@code tree}, staging its entries in {@code order}. */
  interface Writer {
    void write(FileTree tree, List<FileTree.Entry> order, Path out) throws IOException;
  }

  private final String type;
  private final Writer writer;
  private final String goldenSha256;
  private final List<String> ownEntries;

  /**
   * The contract for one format: {@code type} as mount(8) names it, its writer, the sample's
   * golden digest, and the listing lines of what the format adds on its own.
   */
  DiskImageContract(String type, Writer writer, String goldenSha256, List<String> ownEntries) {
    this.type = type;
    this.writer = writer;
    this.goldenSha256 = goldenSha256;
    this.ownEntries = ownEntries;
  }

  void write(FileTree tree, List<FileTree.Entry> order, Path out) throws IOException {
    writer.write(tree, order, out);
  }

  Path image() {
    return dir.resolve("root." + type);
  }

  @Test
  void fixedTreeGivesTheGoldenDigest() throws Exception {
    write(sample(), sample().entries(), image());

    assertThat(Sha256.of(image())).isEqualTo(goldenSha256);
  }

  @Test
  void writingTwiceGivesTheSameBytes() throws Exception {
    write(sample(), sample().entries(), dir.resolve("first"));
    write(sample(), sample().entries(), dir.resolve("second"));

    assertThat(Sha256.of(dir.resolve("second"))).isEqualTo(Sha256.of(dir.resolve("first")));
  }

  @Test
  void orderInWhichFilesWereStagedDoesNotReachTheImage() throws Exception {
    Path tmpfs = DiskImageFixtures.tmpfsFolder();
    assumeTrue(tmpfs != null, "needs a tmpfs at /dev/shm");
    try {
      // First show that on this filesystem the staging order does show in readdir's order.
      try (StagedTree sorted = StagedTree.stage(sample(), tmpfs.resolve("a"));
          StagedTree reversed = StagedTree.stage(reversedEntries(), tmpfs.resolve("b"))) {
        assertThat(readdirOrder(reversed.root().resolve("app")))
            .isNotEqualTo(readdirOrder(sorted.root().resolve("app")));
      }

      write(sample(), sample().entries(), tmpfs.resolve("sorted"));
      write(sample(), reversedEntries(), tmpfs.resolve("reversed"));

      assertThat(Sha256.of(tmpfs.resolve("reversed")))
          .isEqualTo(Sha256.of(tmpfs.resolve("sorted")));
    } finally {
      Trees.delete(tmpfs);
    }
  }

  @Test
  void mountedImageHoldsExactlyTheTree() throws Exception {
    write(sample(), sample().entries(), image());

    Optional<MountedImage> mounted = MountedImage.tryMount(image(), type, dir.resolve("mnt"));
    assumeTrue(mounted.isPresent(), "needs root and a loop device to mount the image");
    try (MountedImage root = mounted.get()) {
      List<String> expected = new ArrayList<>(MountedImage.expected(sample(),
          StagedTree.FIXED_TIME));
      expected.addAll(ownEntries);
      expected.sort(null);

      assertThat(root.listing()).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void onlyTheImageIsLeftBehind() throws Exception {
    write(sample(), sample().entries(), image());

    assertThat(readdirOrder(dir)).containsExactly(image().getFileName().toString());
  }

  @Test
  void failedWriteLeavesNothingBehind() {
    // Too long a name for any Linux filesystem: staging fails half-way.
    FileTree tree = sample().file("/app/" + "n".repeat(300), 0644, new byte[] {1});

    assertThatThrownBy(() -> write(tree, tree.entries(), image()))
        .hasMessageContaining("File name too long");
    assertThat(dir).isEmptyDirectory();
  }

  /** 2 MiB fills the disk while staging; 600 KiB stages, then fills it in the mkfs tool. */
  @ParameterizedTest
  @ValueSource(ints = {2 << 20, 600 << 10})
  void fullHostDiskIsAClearErrorAndLeavesNothingBehind(int bytes) throws Exception {
    Path small = Files.createDirectory(dir.resolve("small"));
    assumeTrue(DiskImageFixtures.mountTmpfs(small, "1m"), "needs root to mount a small tmpfs");
    try {
      FileTree tree = sample().file("/app/large", 0644, DiskImageFixtures.noise(bytes));

      assertThatThrownBy(() -> write(tree, tree.entries(), small.resolve("root")))
          .isInstanceOf(ClawException.class)
          .hasMessageContaining("is full")
          .satisfies(e -> assertThat(((ClawException) e).fix()).contains("free some space"));
      assertThat(small).isEmptyDirectory();
    } finally {
      run("umount", small.toString());
    }
  }
}
