package dev.claw.image.oci;

import dev.claw.fs.FileTree;
import dev.claw.fs.FileTree.Entry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A small fixed image with every case the layer writer treats specially: two layers, claw's
 * own skeleton (layer ""), folders the tree holds and folders it only implies, a symbolic
 * link, a device, a file owned by the agent's user, a path longer than a tar header holds, a
 * hard link within a layer (whose first name sorts before the file's) and one across layers.
 */
final class SampleImage {
  static final List<String> LAYERS = List.of("base", "agent");

  /** Over 100 bytes, the most a classic tar header holds. */
  static final String LONG_PATH = "/opt/agent/" + "deeply-nested-folder/".repeat(5)
      + "a-file-whose-path-is-longer-than-a-tar-header-allows.txt";

  static final OciImageConfig CONFIG = new OciImageConfig(List.of("/usr/bin/tool", "--serve"),
      List.of("PATH=/usr/bin:/bin", "HOME=/home/agent"), "/home/agent", "1000:1000",
      "sample");

  private SampleImage() {}

  static FileTree tree() {
    return treeFrom(entries());
  }

  /** The same entries added in the opposite order (files before their hard links aside). */
  static FileTree treeAddedInReverse() {
    List<Entry> reversed = new ArrayList<>(entries());
    Collections.reverse(reversed);
    // A hard link may only be added after its file: move files to the front, keep the rest.
    reversed.sort((a, b) -> Boolean.compare(a.type() != FileTree.Type.FILE,
        b.type() != FileTree.Type.FILE));
    return treeFrom(reversed);
  }

  private static FileTree treeFrom(List<Entry> entries) {
    FileTree tree = new FileTree();
    entries.forEach(tree::put);
    return tree;
  }

  private static List<Entry> entries() {
    return List.of(
        FileTree.directoryEntry("/etc", 0755).inLayer("base"),
        FileTree.fileEntry("/etc/passwd", 0644, ascii("root:x:0:0::/root:/bin/sh\n"
            + "agent:x:1000:1000::/home/agent:/bin/sh\n")).inLayer("base"),
        FileTree.fileEntry("/usr/bin/tool", 04755, ascii("#!tool")).inLayer("base"),
        FileTree.hardlinkEntry("/usr/bin/tool-alias", "/usr/bin/tool").inLayer("base"),
        FileTree.hardlinkEntry("/usr/bin/a-tool", "/usr/bin/tool").inLayer("base"),
        FileTree.symlinkEntry("/bin", "usr/bin").inLayer("base"),
        FileTree.charDeviceEntry("/dev/null", 0666, 1, 3).inLayer("base"),
        FileTree.fileEntry("/claw/spec", 0600, ascii("spec")),
        FileTree.directoryEntry("/home/agent", 0700).withOwner(1000, 1000).inLayer("agent"),
        FileTree.fileEntry("/home/agent/notes.txt", 0640, ascii("notes"))
            .withOwner(1000, 1000).inLayer("agent"),
        FileTree.hardlinkEntry("/usr/bin/agent-tool", "/usr/bin/tool").inLayer("agent"),
        FileTree.fileEntry(LONG_PATH, 0644, ascii("long")).inLayer("agent"));
  }

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
