package dev.claw.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.fs.FileTree.Entry;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FileTreeTest {

  @Test
  void resolveFollowsLinksInFoldersAndAtTheEnd() {
    FileTree tree = usrMerged()
        .file("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", 0755, bytes("ld"))
        .directory("/usr/lib64", 0755)
        .symlink("/usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");

    Entry loader = tree.resolve("/lib64/ld-linux-x86-64.so.2").orElseThrow();

    assertThat(loader.path()).isEqualTo("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
    assertThat(loader.content()).isEqualTo(bytes("ld"));
  }

  @Test
  void relativeLinksResolveFromTheirFolderAndNeverAboveTheRoot() {
    FileTree tree = new FileTree()
        .file("/usr/bin/python3.11", 0755, bytes("py"))
        .symlink("/usr/bin/python3", "python3.11")
        .symlink("/usr/bin/up", "../../../../../usr/bin/python3");

    assertThat(tree.resolve("/usr/bin/python3").orElseThrow().path())
        .isEqualTo("/usr/bin/python3.11");
    assertThat(tree.resolve("/usr/bin/up").orElseThrow().path())
        .isEqualTo("/usr/bin/python3.11");
  }

  @Test
  void linkLoopsResolveToNothing() {
    FileTree tree = new FileTree().symlink("/a", "b").symlink("/b", "a");

    assertThat(tree.resolve("/a")).isEmpty();
  }

  @Test
  void nothingMayBeWrittenThroughALink() {
    FileTree tree = new FileTree().symlink("/evil", "/");

    assertThatThrownBy(() -> tree.file("/evil/etc/passwd", 0644, bytes("x")))
        .isInstanceOf(TreeConflictException.class)
        .hasMessageContaining("/evil is a symbolic link");
    assertThat(tree.added()).hasSize(1);
  }

  @Test
  void aFileCannotReplaceAFolderWithContent() {
    FileTree tree = new FileTree().file("/app/a", 0644, bytes("1"));

    assertThatThrownBy(() -> tree.file("/app", 0644, bytes("2")))
        .hasMessageContaining("/app/a is inside /app, so it must be a folder");
  }

  @Test
  void aFolderAddedTwiceKeepsItsFirstMode() {
    FileTree tree = new FileTree().directory("/etc", 0755).directory("/etc", 0700);

    assertThat(tree.get("/etc").mode()).isEqualTo(0755);
  }

  @Test
  void hardLinksMustNameAFileAlreadyInTheTree() {
    FileTree tree = new FileTree().file("/usr/bin/a", 0755, bytes("a")).symlink("/l", "a");

    tree.put(FileTree.hardlinkEntry("/usr/bin/b", "/usr/bin/a"));

    assertThatThrownBy(() -> tree.put(FileTree.hardlinkEntry("/c", "/missing")))
        .hasMessageContaining("not a regular file already in the image");
    assertThatThrownBy(() -> tree.put(FileTree.hardlinkEntry("/d", "/l")))
        .hasMessageContaining("not a regular file already in the image");
  }

  @Test
  void removingAFolderTakesItsContentAndHardLinksToIt() {
    FileTree tree = new FileTree()
        .file("/usr/share/doc/a/copyright", 0644, bytes("c"))
        .file("/usr/share/docs", 0644, bytes("sibling, not inside"));
    tree.put(FileTree.hardlinkEntry("/usr/bin/copy", "/usr/share/doc/a/copyright"));

    tree.remove("/usr/share/doc");

    assertThat(tree.added()).extracting(Entry::path).containsExactly("/usr/share/docs");
  }

  @Test
  void entriesFillInEveryFolderBeforeItsContent() {
    FileTree tree = new FileTree().file("/a/b/c", 0644, bytes("c")).file("/a-b", 0644, bytes(""));

    assertThat(tree.entries()).extracting(Entry::path)
        .containsExactly("/a", "/a-b", "/a/b", "/a/b/c");
    assertThat(tree.get("/a")).isNull();
    assertThat(tree.entries().get(0).mode()).isEqualTo(0755);
  }

  private static FileTree usrMerged() {
    return new FileTree().symlink("/lib", "usr/lib").symlink("/lib64", "usr/lib64")
        .symlink("/bin", "usr/bin");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
