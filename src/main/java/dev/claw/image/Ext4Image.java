package dev.claw.image;

import dev.claw.fs.FileTree;
import dev.claw.fs.FileTree.Entry;
import dev.claw.host.Exec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a {@link FileTree} as an ext4 filesystem image, for the guest to mount read-only from
 * a virtio disk. e2fsprogs does the writing ({@code mke2fs -d} from a {@link StagedTree}).
 *
 * <p>Reproducibility contract: the same tree gives the same bytes, whatever the host, its
 * clock, locale, {@code /etc/mke2fs.conf} or environment, and whatever order the staged files
 * were made in. mke2fs 1.47.0 sorts each folder's names itself (scandir with alphasort, in the
 * C locale claw gives it), so inode numbers and directory blocks follow the names. It does not
 * read SOURCE_DATE_EPOCH; libext2fs reads E2FSPROGS_FAKE_TIME, but only for the times it makes
 * up. What would differ is pinned:
 * <ul>
 *   <li>the features, sizes and defaults: a mke2fs.conf of claw's own, every option given;
 *   <li>the UUID and the directory hash seed: derived from the tree ({@link DiskImages#uuid});
 *   <li>the times mke2fs makes up (superblock, root, lost+found, creation times):
 *       {@code E2FSPROGS_FAKE_TIME};
 *   <li>the times it copies from the staged files: mtime is staged, but ctime and atime are
 *       the host's, so a debugfs pass sets all three on every inode it copied;
 *   <li>extended attributes the host put on the staged files: the image has no ext_attr.
 * </ul>
 * Every timestamp is {@link StagedTree#FIXED_TIME}. A golden-digest test pins the bytes.
 *
 * <p>The image is sized from the tree (content, folders, inodes, metadata, a little slack),
 * with 4 KiB blocks, no journal and no room to grow: the guest never writes to it.
 */
public final class Ext4Image {
  static final int BLOCK_SIZE = 4096;
  static final int INODE_SIZE = 256;
  /** Inodes below this are ext4's own (bad blocks, root, journal ...); 11 is lost+found. */
  private static final int FIRST_COPIED_INODE = 11;

  private static final Pattern INODE_COUNT = Pattern.compile("(?m)^Inode count:\\s+(\\d+)$");
  private static final Pattern FREE_INODES = Pattern.compile("(?m)^[ \\t]+Free inodes: ?(.*)$");

  /**
   * claw's own mke2fs.conf, so the host's cannot change the image. Features: extents and
   * flex_bg as ext4 has them; metadata_csum so the guest notices a damaged image; no journal
   * (nothing writes), no resize_inode (it never grows), no ext_attr (see the class comment).
   */
  private static final String MKE2FS_CONF = String.join("\n",
      "[defaults]",
      "\tbase_features = sparse_super,large_file,filetype,dir_index",
      "\tdefault_mntopts = acl,user_xattr",
      "\tenable_periodic_fsck = 0",
      "\tblocksize = " + BLOCK_SIZE,
      "\tinode_size = " + INODE_SIZE,
      "\tinode_ratio = 16384",
      "\thash_alg = half_md4",
      "\tflex_bg_size = " + Ext4Size.FLEX_BG_SIZE,
      "\tlazy_itable_init = false",
      "\tlazy_journal_init = false",
      "",
      "[fs_types]",
      "\text4 = {",
      "\t\tfeatures = extent,huge_file,flex_bg,metadata_csum,64bit,dir_nlink,extra_isize",
      "\t}",
      // The usage type claw names (-T): else mke2fs picks one by size (floppy, small, big).
      "\tclaw = {",
      "\t\tinode_ratio = 16384",
      "\t}",
      "");

  private Ext4Image() {}

  /** Writes {@code tree} as an ext4 image at {@code out}, through a temporary file. */
  public static void write(FileTree tree, Path out) throws IOException {
    write(tree, tree.entries(), out);
  }

  /** As {@link #write(FileTree, Path)}, staging the entries in {@code stagingOrder}. */
  static void write(FileTree tree, List<Entry> stagingOrder, Path out) throws IOException {
    Path mke2fs = DiskImages.tool("mke2fs", "e2fsprogs");
    Path debugfs = DiskImages.tool("debugfs", "e2fsprogs");
    Path dumpe2fs = DiskImages.tool("dumpe2fs", "e2fsprogs");

    try (StagedTree staged = StagedTree.stage(stagingOrder, out)) {
      Path image = staged.scratch().resolve("image.ext4");
      Path config = Files.writeString(staged.scratch().resolve("mke2fs.conf"), MKE2FS_CONF);
      Ext4Size size = Ext4Size.of(tree);
      Exec.Result made = DiskImages.run(environment(config), mke2fs(mke2fs, tree, staged,
          size, image));
      if (!made.ok() && made.tail(5).contains("Could not allocate")) {
        // The estimate fell short for an unusual tree; twice the room is plenty.
        Files.deleteIfExists(image);
        made = DiskImages.run(environment(config), mke2fs(mke2fs, tree, staged,
            size.doubled(), image));
      }
      if (!made.ok()) {
        throw DiskImages.toolFailed(made, out);
      }

      fixCopiedTimes(debugfs, dumpe2fs, config, image, out);
      DiskImages.moveInto(image, out);
    }
  }

  private static Map<String, String> environment(Path config) {
    return Map.of(
        // What mke2fs and debugfs write as "now" (0 would mean the real clock).
        "E2FSPROGS_FAKE_TIME", String.valueOf(StagedTree.FIXED_TIME),
        "MKE2FS_CONFIG", config.toString());
  }

  private static List<String> mke2fs(Path mke2fs, FileTree tree, StagedTree staged,
      Ext4Size size, Path image) {
    return List.of(mke2fs.toString(), "-q", "-F", "-t", "ext4", "-T", "claw",
        "-b", String.valueOf(BLOCK_SIZE), "-I", String.valueOf(INODE_SIZE),
        "-N", String.valueOf(size.inodes()),
        // Root needs no reserved blocks on a disk nobody writes.
        "-m", "0",
        "-O", "^has_journal,^resize_inode,^ext_attr",
        "-U", DiskImages.uuid(tree, "uuid").toString(),
        "-E", "hash_seed=" + DiskImages.uuid(tree, "hash seed") + ",root_owner=0:0"
            // Zeroed inode tables and no discard: the same work, and the same bytes, whatever
            // the host's filesystem says about zeroing.
            + ",lazy_itable_init=0,nodiscard",
        "-L", "claw-root",
        "-d", staged.root().toString(),
        image.toString(), String.valueOf(size.blocks()));
  }

  /**
   * mke2fs copies ctime and atime from the staged files, and the host sets those itself: on
   * every write, and atime when mke2fs reads the file. So every inode mke2fs made from the
   * staging folder gets the fixed time in all three, nanoseconds cleared.
   */
  private static void fixCopiedTimes(Path debugfs, Path dumpe2fs, Path config, Path image,
      Path out) throws IOException {
    StringBuilder script = new StringBuilder();
    BitSet used = usedInodes(dumpe2fs, image, out);
    for (int inode = used.nextSetBit(FIRST_COPIED_INODE); inode >= 0;
        inode = used.nextSetBit(inode + 1)) {
      for (String field : List.of("atime", "ctime", "mtime")) {
        script.append("sif <").append(inode).append("> ").append(field).append(" @")
            .append(StagedTree.FIXED_TIME).append('\n');
        script.append("sif <").append(inode).append("> ").append(field).append("_extra 0\n");
      }
    }
    Path commands = Files.writeString(image.resolveSibling("debugfs.commands"), script);
    Exec.Result fixed = DiskImages.run(environment(config),
        List.of(debugfs.toString(), "-w", "-f", commands.toString(), image.toString()));
    // debugfs exits 0 even when a command fails: anything on stderr but its banner is one.
    boolean complained = fixed.stderr().lines().anyMatch(line -> !line.startsWith("debugfs "));
    if (!fixed.ok() || complained) {
      throw DiskImages.toolFailed(fixed, out);
    }
  }

  /** The inodes in use, from dumpe2fs's list of free ones in each block group. */
  private static BitSet usedInodes(Path dumpe2fs, Path image, Path out) throws IOException {
    Exec.Result dump = DiskImages.run(Map.of(), List.of(dumpe2fs.toString(), image.toString()));
    Matcher count = INODE_COUNT.matcher(dump.stdout());
    if (!dump.ok() || !count.find()) {
      throw DiskImages.toolFailed(dump, out);
    }
    BitSet used = new BitSet();
    used.set(1, Integer.parseInt(count.group(1)) + 1);
    Matcher free = FREE_INODES.matcher(dump.stdout());
    while (free.find()) {
      for (String range : free.group(1).split(",")) {
        String[] ends = range.strip().split("-");
        if (!ends[0].isEmpty()) {
          used.clear(Integer.parseInt(ends[0]), Integer.parseInt(ends[ends.length - 1]) + 1);
        }
      }
    }
    return used;
  }

  /** Blocks and inodes for a tree, counted the way ext4 lays them out. */
  record Ext4Size(long blocks, long inodes) {
    private static final long BLOCKS_PER_GROUP = 8L * BLOCK_SIZE;
    private static final int DESCRIPTOR_BYTES = 64;
    /** A directory block loses 12 bytes to its checksum tail. */
    private static final int DIR_BLOCK_ROOM = BLOCK_SIZE - 12;
    /** Symbolic links shorter than this live in the inode itself. */
    private static final int FAST_SYMLINK_MAX = 59;
    /** Reserved inodes, root included, and lost+found's four blocks. */
    private static final int RESERVED_INODES = 11;
    private static final int LOST_FOUND_BLOCKS = 4;
    private static final int FLEX_BG_SIZE = 16;

    static Ext4Size of(FileTree tree) {
      List<Entry> entries = tree.entries();
      long inodes = RESERVED_INODES + 1 + entries.stream()
          .filter(e -> e.type() != FileTree.Type.HARDLINK).count();
      inodes += inodes / 64 + 16;

      long content = LOST_FOUND_BLOCKS + directoryBlocks(entries);
      for (Entry entry : entries) {
        content += blocksOf(entry);
      }
      long inodeTable = ceil(inodes * INODE_SIZE, BLOCK_SIZE);
      long blocks = content + inodeTable;
      for (int i = 0; i < 3; i++) {
        // Metadata grows with the group count, which grows with the total: settle it.
        blocks = content + inodeTable + groupMetadata(ceil(blocks, BLOCKS_PER_GROUP));
      }
      // Slack for extent index blocks of long files and what this count leaves out.
      return new Ext4Size(blocks + blocks / 32 + 16, inodes);
    }

    Ext4Size doubled() {
      return new Ext4Size(blocks * 2, inodes * 2);
    }

    private static long blocksOf(Entry entry) {
      switch (entry.type()) {
        case FILE:
          return ceil(entry.size(), BLOCK_SIZE);
        case SYMLINK:
          return entry.target().getBytes(StandardCharsets.UTF_8).length > FAST_SYMLINK_MAX
              ? 1 : 0;
        default:
          return 0;
      }
    }

    /**
     * One block per folder that fits in one; a larger folder becomes a hash tree whose leaf
     * blocks split as they fill, so count it twice over, plus its index block.
     */
    private static long directoryBlocks(List<Entry> entries) {
      Map<String, Long> bytes = new HashMap<>();
      bytes.put("/", 24L);
      for (Entry entry : entries) {
        if (entry.isDirectory()) {
          bytes.merge(entry.path(), 24L, Long::sum); // "." and ".."
        }
        String name = entry.path().substring(entry.path().lastIndexOf('/') + 1);
        long record = 8 + ceil(name.getBytes(StandardCharsets.UTF_8).length, 4) * 4;
        bytes.merge(FileTree.parentOf(entry.path()), record, Long::sum);
      }
      long blocks = 0;
      for (long size : bytes.values()) {
        long linear = ceil(size, DIR_BLOCK_ROOM);
        blocks += linear == 1 ? 1 : 2 * linear + 1;
      }
      return blocks;
    }

    /**
     * Two bitmaps per group, laid out for whole flex groups (so at least 16 groups' worth,
     * even in a one-group image), and superblock and descriptor copies in the sparse_super
     * groups.
     */
    private static long groupMetadata(long groups) {
      long descriptorBlocks = ceil(groups * DESCRIPTOR_BYTES, BLOCK_SIZE);
      long copies = 0;
      for (long group = 0; group < groups; group++) {
        if (hasSuperblockCopy(group)) {
          copies++;
        }
      }
      return 2 * FLEX_BG_SIZE * ceil(groups, FLEX_BG_SIZE) + copies * (1 + descriptorBlocks);
    }

    private static boolean hasSuperblockCopy(long group) {
      if (group <= 1) {
        return true;
      }
      for (long base : new long[] {3, 5, 7}) {
        long power = base;
        while (power < group) {
          power *= base;
        }
        if (power == group) {
          return true;
        }
      }
      return false;
    }

    private static long ceil(long amount, long unit) {
      return (amount + unit - 1) / unit;
    }
  }
}
