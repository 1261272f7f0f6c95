package dev.claw.deb;

import dev.claw.ClawException;
import dev.claw.deb.DebPaths.UnsafePathException;
import dev.claw.fs.FileTree;
import dev.claw.fs.FileTree.Entry;
import dev.claw.fs.FileTree.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns one package's data entries into the tree entries to add, without touching the tree:
 * names checked and moved to merged /usr, the policy applied, setuid bits stripped, owners
 * resolved, hard links pointed at a file that is kept. Anything claw will not install stops
 * the package here, before the first entry reaches the tree.
 *
 * <p>The policy is applied before an entry's kind and length are checked, so a drop pattern
 * is the way out for a package with one entry claw cannot install (a device node, say). Names
 * that climb out of the root are refused whatever the policy says.
 */
final class PackageStaging {
  private static final int SETUID_BITS = 06000;

  private final DebPackage deb;
  private final String layer;
  private final InstallPolicy policy;

  private final List<Staged> staged = new ArrayList<>();
  private final Map<String, SharedFile> files = new HashMap<>();
  private final NavigableSet<String> shipped = new TreeSet<>();
  private final List<String> setuidStripped = new ArrayList<>();
  private final Set<String> mergedFoldersUsed = new TreeSet<>();
  private int filesDropped;
  private long bytesDropped;

  /** An entry that passed the policy (folders: not yet decided), and where it came from. */
  record Staged(Entry entry, String tarName, String original, String ownerNames) {}

  /** A regular file hard links may share, and the path its content is kept at, if any. */
  private static final class SharedFile {
    final Entry entry;
    final boolean stripped;
    String keptAt;

    SharedFile(Entry entry, boolean stripped, String keptAt) {
      this.entry = entry;
      this.stripped = stripped;
      this.keptAt = keptAt;
    }
  }

  private PackageStaging(DebPackage deb, String layer, InstallPolicy policy) {
    this.deb = deb;
    this.layer = layer;
    this.policy = policy;
  }

  /** Reads and stages every data entry of {@code deb}. */
  static StagedPackage stage(DebPackage deb, String layer, InstallPolicy policy) {
    PackageStaging staging = new PackageStaging(deb, layer, policy);
    deb.readData(staging::add);
    return staging.result();
  }

  private void add(DebEntry entry) {
    try {
      addChecked(entry);
    } catch (UnsafePathException e) {
      throw refused(entry.name(), e.getMessage(), "the package is not safe to install as"
          + " built: leave it out of the image and report it to whoever built it");
    }
  }

  private void addChecked(DebEntry entry) throws UnsafePathException {
    String original = DebPaths.absolute(entry.name());
    if (original.equals("/")) {
      if (entry.kind() != DebEntry.Kind.DIRECTORY) {
        throw new UnsafePathException("it names the root, which can only be a folder");
      }
      return;
    }
    boolean isMergedFolder = DebPaths.mergedFolderOf(original).filter(original::equals)
        .isPresent();
    if (isMergedFolder && entry.kind() != DebEntry.Kind.DIRECTORY) {
      absorbMergedLink(entry, original);
      return;
    }

    String path = DebPaths.merged(original);
    shipped.add(path);
    boolean folder = entry.kind() == DebEntry.Kind.DIRECTORY;
    if (!folder && !policy.keeps(deb.name(), path)) {
      addDropped(entry, path);
      return;
    }
    if (!folder) {
      // A folder's length is checked once it is known to be kept (see result()).
      checkLength(entry.name(), path);
    }
    addKept(entry, path, original);
  }

  private void addKept(DebEntry entry, String path, String original)
      throws UnsafePathException {
    switch (entry.kind()) {
      case DIRECTORY:
        stage(entry, original, owned(entry, path, Type.DIRECTORY, entry.mode(), null));
        break;
      case FILE:
        addFile(entry, path, original);
        break;
      case SYMLINK:
        DebPaths.checkLinkTarget(entry.linkName());
        stage(entry, original, owned(entry, path, Type.SYMLINK, 0777, entry.linkName()));
        break;
      case HARDLINK:
        addHardLink(entry, path, original);
        break;
      case CHAR_DEVICE:
      case BLOCK_DEVICE:
      case FIFO:
        throw refused(entry.name(), "it is a " + describe(entry.kind()) + "; images get"
            + " their device nodes from claw, never from packages", "drop " + path
            + " with a drop pattern for " + deb.name() + ", or leave the package out");
      default:
        throw refused(entry.name(), "it has tar type '" + entry.typeFlag() + "', which is"
            + " not a file, folder or link, so claw does not install it", "drop " + path
            + " with a drop pattern for " + deb.name() + ", or leave the package out");
    }
  }

  /** A package's own link for a merged folder, such as "./lib -> usr/lib": claw's already. */
  private void absorbMergedLink(DebEntry entry, String folder) throws UnsafePathException {
    String target = entry.linkName().startsWith("/") ? entry.linkName()
        : "/" + entry.linkName();
    boolean sameAsClaws = entry.kind() == DebEntry.Kind.SYMLINK
        && FileTree.normalize(target).equals("/" + DebPaths.linkTarget(folder));
    if (!sameAsClaws) {
      throw new UnsafePathException("it makes " + folder + " a " + describe(entry.kind())
          + ", but with merged /usr " + folder + " is a link to " + DebPaths.linkTarget(folder));
    }
    if (policy.keeps(deb.name(), folder)) {
      mergedFoldersUsed.add(folder);
    }
  }

  private void addFile(DebEntry entry, String path, String original)
      throws UnsafePathException {
    int mode = entry.mode();
    boolean stripped = (mode & SETUID_BITS) != 0 && !policy.keepsSetuid(path);
    if (stripped) {
      setuidStripped.add(path + " (" + String.format("%05o", mode) + ")");
      mode &= ~SETUID_BITS;
    }
    Entry file = owned(entry, path, Type.FILE, mode, null);
    files.put(path, new SharedFile(file, stripped, path));
    stage(entry, original, file);
  }

  private void addDropped(DebEntry entry, String path) throws UnsafePathException {
    filesDropped++;
    bytesDropped += entry.size();
    if (entry.kind() == DebEntry.Kind.FILE) {
      // Kept aside in case a hard link that is kept shares this file.
      boolean stripped = (entry.mode() & SETUID_BITS) != 0 && !policy.keepsSetuid(path);
      int mode = stripped ? entry.mode() & ~SETUID_BITS : entry.mode();
      files.put(path, new SharedFile(owned(entry, path, Type.FILE, mode, null), stripped, null));
    } else if (entry.kind() == DebEntry.Kind.HARDLINK) {
      sharedFile(entry);
    }
  }

  /**
   * A hard link. If the file it shares was dropped by the policy, the first kept link takes
   * the file's place with its content, and later links share that one.
   */
  private void addHardLink(DebEntry entry, String path, String original)
      throws UnsafePathException {
    SharedFile file = sharedFile(entry);
    if (file.keptAt != null) {
      stage(entry, original, FileTree.hardlinkEntry(path, file.keptAt).inLayer(layer));
      return;
    }
    Entry promoted = new Entry(path, Type.FILE, file.entry.mode(), file.entry.uid(),
        file.entry.gid(), file.entry.content(), null, 0, 0, layer);
    file.keptAt = path;
    if (file.stripped) {
      setuidStripped.add(path + " (shares " + file.entry.path() + ", whose setuid or setgid"
          + " bits were removed)");
    }
    stage(entry, original, promoted);
  }

  private SharedFile sharedFile(DebEntry entry) throws UnsafePathException {
    String target = DebPaths.merged(DebPaths.absolute(entry.linkName()));
    SharedFile file = files.get(target);
    if (file == null) {
      throw new UnsafePathException("it is a hard link to " + entry.linkName() + ", which is"
          + " not a regular file earlier in the same package");
    }
    return file;
  }

  private void stage(DebEntry entry, String original, Entry treeEntry) {
    String names = entry.userName() + ":" + entry.groupName();
    staged.add(new Staged(treeEntry, entry.name(), original, names));
  }

  /** An entry with the tarball's owner; the name "root" wins over a number, as with dpkg. */
  private Entry owned(DebEntry entry, String path, Type type, int mode, String target)
      throws UnsafePathException {
    long uid = entry.userName().equals("root") ? 0 : entry.uid();
    long gid = entry.groupName().equals("root") ? 0 : entry.gid();
    if (uid < 0 || gid < 0 || uid > Integer.MAX_VALUE || gid > Integer.MAX_VALUE) {
      throw new UnsafePathException("its owner " + uid + ":" + gid + " is out of range");
    }
    byte[] content = type == Type.FILE ? entry.content() : new byte[0];
    return new Entry(path, type, mode & 07777, (int) uid, (int) gid, content, target, 0, 0,
        layer);
  }

  private StagedPackage result() {
    Set<String> keptFolders = keptFolders();
    List<Staged> kept = new ArrayList<>();
    for (Staged s : staged) {
      boolean folder = s.entry().isDirectory();
      if (!folder || keptFolders.contains(s.entry().path())) {
        if (folder) {
          checkLength(s.tarName(), s.entry().path());
        }
        kept.add(s);
        DebPaths.mergedFolderOf(s.original()).ifPresent(mergedFoldersUsed::add);
      }
    }
    return new StagedPackage(deb, layer, kept, List.copyOf(mergedFoldersUsed), setuidStripped,
        filesDropped, bytesDropped);
  }

  /** Refuses a path too long for the images; dropping it is the way out. */
  private void checkLength(String tarName, String path) {
    try {
      DebPaths.checkLength(path);
    } catch (UnsafePathException e) {
      throw refused(tarName, e.getMessage(), "drop " + path + " with a drop pattern for "
          + deb.name() + ", or leave the package out");
    }
  }

  /**
   * The folders to create: those holding something kept, and those the package ships empty
   * if the policy keeps their own path. Deepest first, so a kept folder counts for its parent.
   */
  private Set<String> keptFolders() {
    NavigableSet<String> keptPaths = new TreeSet<>();
    List<String> folders = new ArrayList<>();
    for (Staged s : staged) {
      (s.entry().isDirectory() ? folders : keptPaths).add(s.entry().path());
    }
    folders.sort(null);

    Set<String> kept = new TreeSet<>();
    for (int i = folders.size() - 1; i >= 0; i--) {
      String folder = folders.get(i);
      boolean holdsKept = isBelow(keptPaths.ceiling(folder + "/"), folder);
      boolean shippedEmpty = !isBelow(shipped.ceiling(folder + "/"), folder);
      if (holdsKept || (shippedEmpty && policy.keeps(deb.name(), folder))) {
        kept.add(folder);
        keptPaths.add(folder);
      }
    }
    return kept;
  }

  private static boolean isBelow(String candidate, String folder) {
    return candidate != null && candidate.startsWith(folder + "/");
  }

  private ClawException refused(String tarName, String why, String fix) {
    return Printable.exception(deb + " (" + deb.fileName() + ") cannot be installed: entry "
        + tarName + ": " + why, fix + "; nothing of " + deb.name() + " was installed", null);
  }

  private static String describe(DebEntry.Kind kind) {
    switch (kind) {
      case CHAR_DEVICE:
        return "character device";
      case BLOCK_DEVICE:
        return "block device";
      case FIFO:
        return "named pipe (fifo)";
      case SYMLINK:
        return "symbolic link";
      case HARDLINK:
        return "hard link";
      default:
        return kind.name().toLowerCase();
    }
  }
}
