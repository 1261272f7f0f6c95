package dev.claw.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.fs.FileTree;
import dev.claw.image.ImageFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootImagesTest {
  @TempDir Path dir;

  /** What ImageBuilder makes, plus a hard link that sorts before its file. */
  private static FileTree image() {
    FileTree image = new FileTree()
        .file("/init", 0755, bytes("init"))
        .directory("/claw", 0755)
        .file("/claw/spec", 0644, bytes("version=1"))
        .directory("/dev", 0755)
        .charDevice("/dev/console", 0600, 5, 1)
        .directory("/proc", 0555)
        .directory("/tmp", 01777)
        .file("/etc/passwd", 0644, bytes("root:x:0:0::/:/nonexistent\n"))
        .file("/app/agent", 0755, bytes("agent"));
    image.put(FileTree.hardlinkEntry("/aa/agent", "/app/agent"));
    return image;
  }

  @Test
  void initramfsOfADiskRunHoldsOnlyWhatInitNeedsBeforeTheDisk() {
    List<String> paths = BootImages.initPart(image()).entries().stream()
        .map(FileTree.Entry::path).toList();

    assertThat(paths).containsExactly("/claw", "/claw/spec", "/dev", "/dev/console", "/init",
        "/proc", "/sysroot");
  }

  @Test
  void diskHoldsEverythingElseAndTheFoldersInitMountsOn() {
    FileTree disk = BootImages.diskPart(image());

    assertThat(disk.entries().stream().map(FileTree.Entry::path).toList())
        .containsExactly("/aa", "/aa/agent", "/app", "/app/agent", "/dev", "/etc",
            "/etc/passwd", "/proc", "/tmp");
    assertThat(disk.get("/tmp").mode()).isEqualTo(01777);
    assertThat(disk.get("/proc").mode()).isEqualTo(0555);
  }

  @Test
  void mountPointsMissingFromTheImageAreAddedToTheDisk() {
    FileTree image = image();
    image.remove("/tmp");
    image.remove("/proc");

    FileTree disk = BootImages.diskPart(image);

    assertThat(disk.get("/tmp").isDirectory()).isTrue();
    assertThat(disk.get("/tmp").mode()).isEqualTo(01777);
    assertThat(disk.get("/proc").isDirectory()).isTrue();
  }

  @Test
  void diskRunWritesBothImagesIntoTheVmFolder() throws Exception {
    BootImages.Written written = BootImages.write(image(), ImageFormat.EROFS, dir);

    assertThat(written.rootDisk()).hasValueSatisfying(disk -> {
      assertThat(disk.image()).isEqualTo(dir.resolve("root.erofs"));
      assertThat(disk.filesystem()).isEqualTo("erofs");
    });
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted())
          .containsExactly("initramfs.cpio", "root.erofs");
    }
    assertThat(written.bytesInMemory()).isLessThan(4096);
  }

  @Test
  void initramfsRunWritesOnlyTheInitramfs() throws Exception {
    BootImages.Written written = BootImages.write(image(), ImageFormat.INITRAMFS, dir);

    assertThat(written.rootDisk()).isEmpty();
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactly("initramfs.cpio");
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
