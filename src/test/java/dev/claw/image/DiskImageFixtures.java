package dev.claw.image;

import dev.claw.fs.FileTree;
import dev.claw.host.Exec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The small fixed tree the disk image tests pin, and what they share. */
final class DiskImageFixtures {
  private DiskImageFixtures() {}

  /**
   * Folders (one added only implicitly), files of a few sizes and modes, one owned by a user,
   * a short and a long symbolic link, a hard link named before its file, a device node, and
   * the folders the guest mounts over.
   */
  static FileTree sample() {
    FileTree tree = new FileTree()
        .directory("/dev", 0755)
        .charDevice("/dev/null", 0666, 1, 3)
        .directory("/proc", 0555)
        .directory("/tmp", 01777)
        .file("/app/agent", 0755, ascii("#!agent\n"))
        .file("/app/data/b.txt", 0640, ascii("b\n"))
        .file("/app/data/empty", 0600, new byte[0])
        .file("/app/data/blocks", 0644, pattern(10_000))
        .symlink("/app/link", "agent")
        .symlink("/app/far", "/app/data/" + "x".repeat(80))
        .directory("/srv/private", 0700);
    tree.put(FileTree.hardlinkEntry("/a-hard-link", "/app/agent"));
    tree.replace(tree.get("/app/data/b.txt").withOwner(1000, 1000));
    return tree;
  }

  /** The sample, built by adding its entries in the opposite order. */
  static List<FileTree.Entry> reversedEntries() {
    List<FileTree.Entry> entries = new java.util.ArrayList<>(sample().entries());
    java.util.Collections.reverse(entries);
    return entries;
  }

  /** Names in {@code folder} in the order the host's readdir gives them. */
  static List<String> readdirOrder(Path folder) throws IOException {
    try (Stream<Path> names = Files.list(folder)) {
      return names.map(p -> p.getFileName().toString()).toList();
    }
  }

  /**
   * A tmpfs folder: there, readdir lists names in an order that follows their creation, so
   * staging order would show if it leaked. Null if the host has no /dev/shm.
   */
  static Path tmpfsFolder() throws IOException {
    Path shm = Path.of("/dev/shm");
    if (!Files.isDirectory(shm) || !Files.isWritable(shm)) {
      return null;
    }
    return Files.createTempDirectory(shm, "claw-image-test-");
  }

  /** Mounts a tmpfs of {@code size} on {@code folder}; false where this user may not. */
  static boolean mountTmpfs(Path folder, String size) throws IOException {
    return Exec.run(null, List.of("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700",
        "tmpfs", folder.toString())).ok();
  }

  static String run(String... command) throws IOException {
    Exec.Result result = Exec.run(null, List.of(command));
    if (!result.ok()) {
      throw new IOException(String.join(" ", command) + ": " + result.tail(5));
    }
    return result.stdout();
  }

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** Bytes no filesystem can leave out as zeros or share. */
  static byte[] noise(int length) {
    byte[] bytes = new byte[length];
    new java.util.Random(length).nextBytes(bytes);
    return bytes;
  }

  private static byte[] pattern(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i * 31 + i / 4096);
    }
    return bytes;
  }
}
