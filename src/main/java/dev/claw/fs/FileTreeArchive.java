package dev.claw.fs;

import dev.claw.fs.FileTree.Entry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A FileTree saved whole, layer names included, so that a tree built once (the packages of an
 * agent's layers, say) can be loaded again without redoing the work. A private cache format:
 * claw reads only files it wrote itself, and a version mismatch is a cache miss, not an error.
 */
public final class FileTreeArchive {
  private static final String MAGIC = "claw-file-tree 1";

  private FileTreeArchive() {}

  /** Writes every entry {@code tree} holds, as added. */
  public static void write(FileTree tree, OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    data.writeUTF(MAGIC);
    data.writeInt(tree.added().size());
    for (Entry entry : tree.added()) {
      data.writeUTF(entry.path());
      data.writeByte(entry.type().ordinal());
      data.writeInt(entry.mode());
      data.writeInt(entry.uid());
      data.writeInt(entry.gid());
      data.writeUTF(entry.target() == null ? "" : entry.target());
      data.writeInt(entry.rdevMajor());
      data.writeInt(entry.rdevMinor());
      data.writeUTF(entry.layer());
      data.writeInt(entry.content().length);
      data.write(entry.content());
    }
    data.flush();
  }

  /**
   * Reads the entries of a saved tree, in path order with hard links last, ready for
   * {@link FileTree#putAll}.
   *
   * @throws IOException if the data is not a tree this version of claw wrote
   */
  public static List<Entry> read(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    if (!MAGIC.equals(data.readUTF())) {
      throw new IOException("not a file tree saved by this claw");
    }
    int count = data.readInt();
    List<Entry> entries = new ArrayList<>();
    FileTree.Type[] types = FileTree.Type.values();
    for (int i = 0; i < count; i++) {
      String path = data.readUTF();
      FileTree.Type type = types[data.readByte()];
      int mode = data.readInt();
      int uid = data.readInt();
      int gid = data.readInt();
      String target = data.readUTF();
      int major = data.readInt();
      int minor = data.readInt();
      String layer = data.readUTF();
      // readFully: a file cut short is an EOFException, so a damaged entry is never loaded.
      int size = data.readInt();
      if (size < 0) {
        throw new IOException("a negative size: not a file tree this claw wrote");
      }
      byte[] content = new byte[size];
      data.readFully(content);
      Entry entry = new Entry(path, type, mode, uid, gid, content,
          target.isEmpty() ? null : target, major, minor, layer);
      entries.add(entry);
    }
    return insertable(entries);
  }

  /**
   * The entries of {@code tree}, as {@link FileTree#putAll} takes them into another tree:
   * path order, but each hard link after the file it names, which may sort later.
   */
  public static List<Entry> insertable(FileTree tree) {
    return insertable(tree.added());
  }

  private static List<Entry> insertable(Collection<Entry> entries) {
    List<Entry> ordered = new ArrayList<>();
    List<Entry> hardlinks = new ArrayList<>();
    for (Entry entry : entries) {
      (entry.type() == FileTree.Type.HARDLINK ? hardlinks : ordered).add(entry);
    }
    ordered.addAll(hardlinks);
    return ordered;
  }
}
