package dev.claw.deb;

import dev.claw.fs.FileTree;
import dev.claw.fs.FileTree.Entry;
import dev.claw.host.Sha256;
import java.util.List;

/** A tree as text, one line per entry with everything that matters, to compare and pin. */
final class TreeSnapshot {
  private TreeSnapshot() {}

  static List<String> of(FileTree tree) {
    return tree.entries().stream().map(TreeSnapshot::line).toList();
  }

  static String text(FileTree tree) {
    return String.join("\n", of(tree)) + "\n";
  }

  private static String line(Entry e) {
    return e.path() + " " + e.type() + " " + String.format("%04o", e.mode()) + " " + e.uid()
        + ":" + e.gid() + " layer=" + e.layer()
        + (e.target() == null ? "" : " -> " + e.target())
        + (e.type() == FileTree.Type.FILE ? " sha256=" + Sha256.of(e.content()) : "");
  }
}
