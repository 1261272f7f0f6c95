package dev.claw.image;

import dev.claw.fs.FileTree;
import dev.claw.fs.FileTree.Entry;
import dev.claw.host.Exec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link FileTree} as an EROFS image: a compact filesystem made to be read-only,
 * which the guest mounts from a virtio disk. erofs-utils does the writing ({@code mkfs.erofs}
 * from a {@link StagedTree}), without compression, which the guest kernel leaves out.
 *
 * <p>Reproducibility contract: the same tree gives the same bytes, whatever the host, its
 * clock, locale or environment, and whatever order the staged files were made in.
 * mkfs.erofs 1.5 sorts each folder's names (the format keeps them sorted for lookups) and
 * lays inodes out in that order; it reads the folder in the host's order but nothing of that
 * order reaches the image. What would differ is pinned: every inode's time and the build time
 * ({@code -T}, {@link StagedTree#FIXED_TIME}), the UUID ({@code -U}, derived from the tree),
 * and extended attributes the host put on the staged files ({@code -x -1}: none are kept,
 * and the guest kernel reads none). Owners and modes are the staged files', which are the
 * tree's. A golden-digest test pins the bytes.
 */
public final class ErofsImage {
  private ErofsImage() {}

  /** Writes {@code tree} as an EROFS image at {@code out}, through a temporary file. */
  public static void write(FileTree tree, Path out) throws IOException {
    write(tree, tree.entries(), out);
  }

  /** As {@link #write(FileTree, Path)}, staging the entries in {@code stagingOrder}. */
  static void write(FileTree tree, List<Entry> stagingOrder, Path out) throws IOException {
    Path mkfs = DiskImages.tool("mkfs.erofs", "erofs-utils");

    try (StagedTree staged = StagedTree.stage(stagingOrder, out)) {
      Path image = staged.scratch().resolve("image.erofs");
      Exec.Result made = DiskImages.run(Map.of(), List.of(mkfs.toString(),
          "-T" + StagedTree.FIXED_TIME,
          "-U" + DiskImages.uuid(tree, "uuid"),
          "-x-1",
          "--quiet",
          image.toString(), staged.root().toString()));
      if (!made.ok()) {
        throw DiskImages.toolFailed(made, out);
      }
      DiskImages.moveInto(image, out);
    }
  }
}
