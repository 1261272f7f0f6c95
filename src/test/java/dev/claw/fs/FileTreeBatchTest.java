package dev.claw.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FileTreeBatchTest {

  @Test
  void putAllAddsNothingWhenOneEntryConflicts() {
    FileTree tree = new FileTree()
        .file("/opt/app/data", 0644, bytes("kept"))
        .directory("/etc", 0700);
    List<FileTree.Entry> before = List.copyOf(tree.added());

    assertThatThrownBy(() -> tree.putAll(List.of(
        FileTree.directoryEntry("/opt/app", 0750),
        FileTree.directoryEntry("/etc", 0755),
        FileTree.fileEntry("/opt/app/new", 0644, bytes("new")),
        FileTree.symlinkEntry("/opt/app/data/below-a-file", "x"))))
        .isInstanceOf(TreeConflictException.class)
        .satisfies(e -> assertThat(((TreeConflictException) e).path())
            .contains("/opt/app/data/below-a-file"));

    // The folder the batch added explicitly is gone again, but not what was below it before.
    assertThat(tree.added()).containsExactlyElementsOf(before);
    assertThat(tree.get("/opt/app")).isNull();
    assertThat(tree.get("/etc").mode()).isEqualTo(0700);
  }

  @Test
  void putAllAddsEverythingWhenNothingConflicts() {
    FileTree tree = new FileTree();

    tree.putAll(List.of(FileTree.fileEntry("/a/file", 0644, bytes("a")),
        FileTree.hardlinkEntry("/a/link", "/a/file")));

    assertThat(tree.get("/a/link").target()).isEqualTo("/a/file");
  }

  @Test
  void resolveWalksThroughFoldersNobodyAdded() {
    FileTree tree = new FileTree()
        .symlink("/bin", "usr/bin")
        .file("/usr/bin/sh", 0755, bytes("#!"));

    assertThat(tree.resolve("/bin/sh").orElseThrow().path()).isEqualTo("/usr/bin/sh");
    assertThat(tree.resolve("/usr").orElseThrow().isDirectory()).isTrue();
    assertThat(tree.resolve("/usr/lib/missing")).isEmpty();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
