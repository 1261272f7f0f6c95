package dev.claw.image.oci;

import dev.claw.ClawException;
import dev.claw.fs.FileTree;
import dev.claw.fs.FileTree.Entry;
import dev.claw.fs.FileTree.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides what goes into each image layer: the tree's entries split by their claw layer, each
 * layer made self-contained so that it unpacks on its own, in order, onto the layers below.
 *
 * <ul>
 *   <li>An entry goes to the layer its {@code layer} names; one from a layer that is not in the
 *       order (claw's own skeleton has "") goes to the first.
 *   <li>Each layer carries every folder above its entries. A folder the tree holds is written
 *       with the tree's mode and owner in every layer that needs it, so no layer changes what
 *       an earlier one set; a folder nobody added is root-owned 0755, as in the other formats.
 *   <li>Hard links are resolved per layer, see {@link #resolveHardLinks}.
 * </ul>
 *
 * <p>Each layer's entries come out sorted by path, which puts every folder before what it
 * holds and the first name of a hard-linked file before its other names.
 */
final class LayerPlan {
  private static final String WHITEOUT_PREFIX = ".wh.";

  private LayerPlan() {}

  /** The entries of each layer, in {@code layerOrder}; a layer may be empty. */
  static List<List<Entry>> split(FileTree tree, List<String> layerOrder) {
    List<TreeMap<String, Entry>> layers = new ArrayList<>();
    layerOrder.forEach(name -> layers.add(new TreeMap<>()));
    for (Entry entry : tree.added()) {
      refuseWhiteoutName(entry);
      int index = Math.max(0, layerOrder.indexOf(entry.layer()));
      layers.get(index).put(entry.path(), entry);
    }

    List<List<Entry>> planned = new ArrayList<>();
    for (TreeMap<String, Entry> layer : layers) {
      resolveHardLinks(tree, layer);
      addParents(tree, layer);
      planned.add(List.copyOf(layer.values()));
    }
    return planned;
  }

  /**
   * OCI runtimes read a file called {@code .wh.NAME} in a layer as "delete NAME from the layers
   * below", and the tree has no way to say that: such an entry would silently remove files.
   */
  private static void refuseWhiteoutName(Entry entry) {
    if (entry.path().contains("/" + WHITEOUT_PREFIX)) {
      throw new ClawException(entry.path() + " has a name starting with " + WHITEOUT_PREFIX
          + ", which OCI image layers reserve for deleting files",
          "rename it, or build another image format for this agent");
    }
  }

  /**
   * Gives each hard-linked file one real name per layer. A tar hard link may only name a file
   * written earlier in the same archive: runtimes unpack each layer into its own folder
   * (containerd and overlay snapshotters do), where a file from another layer is not there to
   * link to. So per layer, the first of a file's names (in path order) that the layer holds
   * becomes a regular file with the file's bytes, mode and owner, and the layer's other names
   * link to it. A link whose file lies in another layer therefore becomes a copy: the bytes are
   * stored twice and the two names are separate files in the running image.
   */
  private static void resolveHardLinks(FileTree tree, TreeMap<String, Entry> layer) {
    Map<String, TreeSet<String>> namesByFile = new TreeMap<>();
    for (Entry entry : layer.values()) {
      if (entry.type() == Type.HARDLINK) {
        TreeSet<String> names = namesByFile.computeIfAbsent(entry.target(), f -> new TreeSet<>());
        names.add(entry.path());
        if (layer.containsKey(entry.target())) {
          names.add(entry.target());
        }
      }
    }

    namesByFile.forEach((filePath, names) -> {
      Entry file = linkedFile(tree, filePath);
      String first = names.first();
      for (String name : names) {
        layer.put(name, name.equals(first) ? copyOf(file, name) : linkTo(file, name, first));
      }
    });
  }

  private static Entry linkedFile(FileTree tree, String path) {
    Entry file = tree.get(path);
    if (file == null || file.type() != Type.FILE) {
      throw new IllegalStateException("hard link target " + path + " is not a file in the tree");
    }
    return file;
  }

  private static Entry copyOf(Entry file, String path) {
    return new Entry(path, Type.FILE, file.mode(), file.uid(), file.gid(), file.content(), null,
        0, 0, file.layer());
  }

  private static Entry linkTo(Entry file, String path, String firstName) {
    return new Entry(path, Type.HARDLINK, file.mode(), file.uid(), file.gid(), new byte[0],
        firstName, 0, 0, file.layer());
  }

  private static void addParents(FileTree tree, TreeMap<String, Entry> layer) {
    for (String path : List.copyOf(layer.keySet())) {
      String parent = FileTree.parentOf(path);
      while (!parent.equals("/") && !layer.containsKey(parent)) {
        Entry inTree = tree.get(parent);
        layer.put(parent, inTree != null ? inTree : FileTree.directoryEntry(parent, 0755));
        parent = FileTree.parentOf(parent);
      }
    }
  }
}
