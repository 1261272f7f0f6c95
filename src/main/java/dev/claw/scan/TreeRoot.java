package dev.claw.scan;

import dev.claw.fs.FileTree;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** An image being built, scanned in memory: nothing is written or read from the host. */
public final class TreeRoot implements RootView {
  /** The layer name of entries that carry none: claw's skeleton and guest parts. */
  static final String CLAW_LAYER = "claw";

  private final FileTree tree;

  public TreeRoot(FileTree tree) {
    this.tree = tree;
  }

  @Override
  public List<Node> nodes() {
    List<Node> nodes = new ArrayList<>();
    for (FileTree.Entry entry : tree.entries()) {
      nodes.add(new Node(entry.path(), kind(entry.type()), entry.mode(), entry.size(),
          entry.layer().isEmpty() ? CLAW_LAYER : entry.layer()));
    }
    return nodes;
  }

  private static Kind kind(FileTree.Type type) {
    switch (type) {
      case DIRECTORY:
        return Kind.DIRECTORY;
      case FILE:
      case HARDLINK:
        // A hard link is the same file again: its bytes are counted once, at the file.
        return Kind.FILE;
      case SYMLINK:
        return Kind.SYMLINK;
      default:
        return Kind.OTHER;
    }
  }

  @Override
  public byte[] read(Node node) {
    FileTree.Entry entry = tree.get(node.path());
    if (entry != null && entry.type() == FileTree.Type.HARDLINK) {
      entry = tree.get(entry.target());
    }
    return entry == null ? new byte[0] : entry.content();
  }

  @Override
  public Optional<byte[]> readResolved(String path) {
    return tree.resolve(path).filter(e -> e.type() == FileTree.Type.FILE)
        .map(FileTree.Entry::content);
  }

  @Override
  public List<String> list(String path) {
    Optional<FileTree.Entry> folder = tree.resolve(path).filter(FileTree.Entry::isDirectory);
    if (folder.isEmpty()) {
      return List.of();
    }
    String prefix = folder.get().path() + "/";
    List<String> names = new ArrayList<>();
    for (FileTree.Entry entry : tree.entries()) {
      String rest = entry.path().startsWith(prefix) ? entry.path().substring(prefix.length())
          : "";
      if (!rest.isEmpty() && rest.indexOf('/') < 0) {
        names.add(rest);
      }
    }
    return names;
  }
}
