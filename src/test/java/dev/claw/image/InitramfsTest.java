package dev.claw.image;

import dev.claw.fs.FileTree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.host.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitramfsTest {

  /**
   * Pins the exact bytes claw writes for a fixed image. If this digest changes, every image
   * claw builds changes too: that must be a deliberate format change, never an accident.
   */
  private static final String GOLDEN_SHA256 =
      "4c8d232b238b1a75714e8900f7b06b39681998fcfcc987214139f0bb584c15c3";

  @Test
  void fixedInputsGiveTheGoldenDigest() throws IOException {
    assertThat(Sha256.of(bytes(sample()))).isEqualTo(GOLDEN_SHA256);
  }

  @Test
  void orderOfAddingDoesNotChangeTheBytes() throws IOException {
    FileTree reversed = new FileTree()
        .file("/app/data/b.txt", 0644, ascii("b"))
        .file("/app/agent", 0755, ascii("#!agent"))
        .charDevice("/dev/console", 0600, 5, 1)
        .file("/init", 0755, ascii("init"));

    assertThat(bytes(reversed)).isEqualTo(bytes(sample()));
  }

  @Test
  void parentsAreWrittenBeforeTheirChildrenWithFixedMetadata() throws IOException {
    String listing = CpioListing.of(bytes(sample()));

    assertThat(listing).isEqualTo(String.join("\n",
        "app dir 755 0:0 mtime=0 ino=1",
        "app/agent file 755 0:0 mtime=0 ino=2",
        "app/data dir 755 0:0 mtime=0 ino=3",
        "app/data/b.txt file 644 0:0 mtime=0 ino=4",
        "dev dir 755 0:0 mtime=0 ino=5",
        "dev/console chr 600 0:0 mtime=0 ino=6 rdev=5:1",
        "init file 755 0:0 mtime=0 ino=7",
        ""));
  }

  @Test
  void writingToAFileLeavesNoPartialFileBehind(@TempDir Path dir) throws IOException {
    Path image = dir.resolve("image.cpio");

    Initramfs.writeTo(sample(), image);

    assertThat(Files.readAllBytes(image)).isEqualTo(bytes(sample()));
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(image);
    }
  }

  @Test
  void hardLinksShareAnInodeAndCarryTheirBytesOnce() throws IOException {
    FileTree tree = new FileTree()
        .file("/usr/bin/b", 0755, ascii("shared"))
        .symlink("/bin", "usr/bin");
    tree.put(FileTree.hardlinkEntry("/usr/bin/a", "/usr/bin/b"));

    assertThat(CpioListing.of(bytes(tree))).isEqualTo(String.join("\n",
        "bin link 777 0:0 mtime=0 ino=1 -> usr/bin",
        "usr dir 755 0:0 mtime=0 ino=2",
        "usr/bin dir 755 0:0 mtime=0 ino=3",
        "usr/bin/a file 755 0:0 mtime=0 ino=4 nlink=2 size=6",
        "usr/bin/b file 755 0:0 mtime=0 ino=4 nlink=2 size=0",
        ""));
  }

  @Test
  void twoFilesAtOnePathAreRefused() {
    FileTree image = new FileTree().file("/app/a", 0644, ascii("1"));

    assertThatThrownBy(() -> image.file("/app/a", 0644, ascii("2")))
        .hasMessageContaining("two entries for /app/a");
  }

  private static FileTree sample() {
    return new FileTree()
        .file("/init", 0755, ascii("init"))
        .charDevice("/dev/console", 0600, 5, 1)
        .file("/app/agent", 0755, ascii("#!agent"))
        .file("/app/data/b.txt", 0644, ascii("b"));
  }

  private static byte[] bytes(FileTree image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Initramfs.write(image, out);
    return out.toByteArray();
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
