package dev.claw.fs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A root filesystem being assembled: the one model that package extraction, the agent's files
 * and claw's own parts write into, and that every image format (initramfs, ext4, erofs, OCI)
 * reads. It lives in memory and knows nothing of the host: owners, modes and contents are only
 * what was put here, so whatever writes it out writes the same bytes on any host.
 *
 * <p>Rules that keep every image format honest:
 *
 * <ul>
 *   <li>Paths are absolute and normalised; the root is implicit.
 *   <li>Nothing may go below a symbolic link or a file. A package cannot write "through" a link
 *       that it, or another package, put in place: that is how an archive climbs out of the
 *       root, and {@link #put} refuses it.
 *   <li>A hard link names a regular file already in the tree.
 *   <li>The same directory may be added twice (the first mode wins); anything else added twice
 *       is a conflict, reported to the caller.
 * </ul>
 */
public final class FileTree {
  private static final int DEFAULT_DIR_MODE = 0755;
  private static final int MAX_LINK_HOPS = 40;

  private final TreeMap<String, Entry> entries = new TreeMap<>();

  /** What kind of thing an entry is. */
  public enum Type { DIRECTORY, FILE, SYMLINK, HARDLINK, CHAR_DEVICE }

  /**
   * One thing in the tree.
   *
   * @param path absolute and normalised, such as {@code /usr/bin/jq}
   * @param mode permission bits only (07777)
   * @param content a regular file's bytes; empty for everything else
   * @param target a symbolic link's text as stored, or for a hard link the absolute path of the
   *     file it shares; null for other types
   * @param layer the claw layer that brought the entry ("base", "python", "agent", "claw"):
   *     the OCI writer makes one image layer of each, and the build report counts by it
   */
  public record Entry(String path, Type type, int mode, int uid, int gid, byte[] content,
      String target, int rdevMajor, int rdevMinor, String layer) {

    /** The same entry, attributed to {@code layerName}. */
    public Entry inLayer(String layerName) {
      return new Entry(path, type, mode, uid, gid, content, target, rdevMajor, rdevMinor,
          layerName);
    }

    /** The same entry with other permission bits. */
    public Entry withMode(int newMode) {
      return new Entry(path, type, newMode & 07777, uid, gid, content, target, rdevMajor,
          rdevMinor, layer);
    }

    /** The same entry with another owner. */
    public Entry withOwner(int newUid, int newGid) {
      return new Entry(path, type, mode, newUid, newGid, content, target, rdevMajor, rdevMinor,
          layer);
    }

    public boolean isDirectory() {
      return type == Type.DIRECTORY;
    }

    /** Bytes this entry adds to an image: a hard link shares its file's bytes. */
    public long size() {
      return type == Type.FILE ? content.length : 0;
    }
  }

  /** A directory owned by root, attributed to no layer. */
  public static Entry directoryEntry(String path, int mode) {
    return new Entry(normalize(path), Type.DIRECTORY, mode, 0, 0, new byte[0], null, 0, 0, "");
  }

  /** A regular file owned by root. */
  public static Entry fileEntry(String path, int mode, byte[] content) {
    return new Entry(normalize(path), Type.FILE, mode, 0, 0, content, null, 0, 0, "");
  }

  /** A symbolic link owned by root; its mode is always 0777, as on Linux. */
  public static Entry symlinkEntry(String path, String target) {
    return new Entry(normalize(path), Type.SYMLINK, 0777, 0, 0, new byte[0], target, 0, 0, "");
  }

  /** A hard link to the regular file at {@code existing}. */
  public static Entry hardlinkEntry(String path, String existing) {
    return new Entry(normalize(path), Type.HARDLINK, 0, 0, 0, new byte[0], normalize(existing),
        0, 0, "");
  }

  /** A character device node owned by root. */
  public static Entry charDeviceEntry(String path, int mode, int major, int minor) {
    return new Entry(normalize(path), Type.CHAR_DEVICE, mode, 0, 0, new byte[0], null, major,
        minor, "");
  }

  /** Adds a directory owned by root. */
  public FileTree directory(String path, int mode) {
    return put(directoryEntry(path, mode));
  }

  /** Adds a regular file owned by root. */
  public FileTree file(String path, int mode, byte[] content) {
    return put(fileEntry(path, mode, content));
  }

  /** Adds a symbolic link owned by root. */
  public FileTree symlink(String path, String target) {
    return put(symlinkEntry(path, target));
  }

  /** Adds a character device node owned by root. */
  public FileTree charDevice(String path, int mode, int major, int minor) {
    return put(charDeviceEntry(path, mode, major, minor));
  }

  /**
   * Adds {@code entry}.
   *
   * @throws TreeConflictException if the entry cannot go there: below a link or a file, a
   *     second entry at a taken path, a hard link to something that is not a file
   */
  public FileTree put(Entry entry) {
    String path = normalize(entry.path());
    if (path.equals("/")) {
      throw new TreeConflictException("the root directory is implicit: " + entry.path(), path);
    }
    conflictAt(path, entry.type()).ifPresent(reason -> {
      throw new TreeConflictException(reason, path);
    });
    Entry previous = entries.get(path);
    if (previous != null) {
      if (previous.isDirectory() && entry.isDirectory()) {
        return this;
      }
      throw new TreeConflictException("two entries for " + path + " (from "
          + describe(previous) + " and " + describe(entry) + ")", path);
    }
    if (entry.type() == Type.HARDLINK) {
      Entry linked = entries.get(normalize(entry.target()));
      if (linked == null || linked.type() != Type.FILE) {
        throw new TreeConflictException("hard link " + path + " names " + entry.target()
            + ", which is not a regular file already in the image", path);
      }
    }
    entries.put(path, path.equals(entry.path()) ? entry : withPath(entry, path));
    return this;
  }

  /**
   * Adds every entry of {@code batch} in order, or none of them: when one cannot go in, the
   * entries this call added are taken out again before the conflict is thrown, so the tree is
   * exactly as it was. A package is installed this way, so that a refused package leaves no
   * trace. Folders that were already there stay, as {@link #put} left them unchanged.
   *
   * @throws TreeConflictException for the first entry that cannot go in; its {@code path()}
   *     names that entry
   */
  public FileTree putAll(List<Entry> batch) {
    List<String> added = new ArrayList<>();
    try {
      for (Entry entry : batch) {
        String path = normalize(entry.path());
        boolean fresh = !entries.containsKey(path);
        put(entry);
        if (fresh) {
          added.add(path);
        }
      }
    } catch (TreeConflictException e) {
      // Exactly what this call added, nothing below it: a folder added here may hold entries
      // that were in the tree before (then implicit), and those must stay.
      added.forEach(entries::remove);
      throw e;
    }
    return this;
  }

  /** Replaces the entry at the same path (to change its mode or owner, say). */
  public void replace(Entry entry) {
    String path = normalize(entry.path());
    if (!entries.containsKey(path)) {
      throw new IllegalArgumentException("nothing at " + path + " to replace");
    }
    entries.put(path, withPath(entry, path));
  }

  /**
   * Removes the entry at {@code path} and everything below it, and hard links to what is
   * removed. Returns the removed entries.
   */
  public List<Entry> remove(String path) {
    String key = normalize(path);
    List<Entry> removed = new ArrayList<>();
    Entry self = entries.remove(key);
    if (self != null) {
      removed.add(self);
    }
    Map<String, Entry> below = entries.subMap(key + "/", key + "0");
    removed.addAll(below.values());
    below.clear();
    for (Entry gone : List.copyOf(removed)) {
      if (gone.type() == Type.FILE) {
        entries.values().removeIf(e -> e.type() == Type.HARDLINK
            && e.target().equals(gone.path()) && removed.add(e));
      }
    }
    return removed;
  }

  /** Whether something is at {@code path}; the root always exists. */
  public boolean contains(String path) {
    String key = normalize(path);
    return key.equals("/") || entries.containsKey(key);
  }

  /** The entry at exactly {@code path} (links not followed), or null. */
  public Entry get(String path) {
    return entries.get(normalize(path));
  }

  /**
   * The entry {@code path} leads to inside this tree, following symbolic links (in the path's
   * folders and at its end) the way the guest kernel would, never above the root. Empty when
   * the path leads nowhere, or loops.
   */
  public Optional<Entry> resolve(String path) {
    return resolve(normalize(path), 0);
  }

  private Optional<Entry> resolve(String path, int hops) {
    if (hops > MAX_LINK_HOPS) {
      return Optional.empty();
    }
    String[] parts = path.substring(1).split("/");
    String current = "";
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].isEmpty()) {
        continue;
      }
      current = current + "/" + parts[i];
      Entry entry = entries.get(current);
      if (entry == null) {
        // A folder nobody added may still lead on to the entry asked for.
        Optional<Entry> implicit = implicitDirectory(current);
        if (implicit.isEmpty() || i == parts.length - 1) {
          return implicit;
        }
        continue;
      }
      if (entry.type() == Type.SYMLINK) {
        String rest = String.join("/", List.of(parts).subList(i + 1, parts.length));
        String base = entry.target().startsWith("/") ? "" : parentOf(current);
        String next = normalize(base + "/" + entry.target() + (rest.isEmpty() ? "" : "/" + rest));
        return resolve(next, hops + 1);
      }
      if (entry.type() == Type.HARDLINK) {
        entry = entries.get(entry.target());
      }
      if (i == parts.length - 1) {
        return Optional.ofNullable(entry);
      }
      if (!entry.isDirectory()) {
        return Optional.empty();
      }
    }
    return Optional.of(directoryEntry("/", DEFAULT_DIR_MODE));
  }

  /** A folder nobody added but something lies below: the writers will create it. */
  private Optional<Entry> implicitDirectory(String path) {
    String below = entries.ceilingKey(path + "/");
    if (below != null && below.startsWith(path + "/")) {
      return Optional.of(directoryEntry(path, DEFAULT_DIR_MODE));
    }
    return Optional.empty();
  }

  /**
   * What already in the tree keeps something of {@code type} from going at {@code path}: a
   * file or link where one of its folders would be, or entries below a path that would not be
   * a folder.
   */
  public Optional<String> conflictAt(String path, Type type) {
    String key = normalize(path);
    for (String parent = parentOf(key); !parent.equals("/"); parent = parentOf(parent)) {
      Entry above = entries.get(parent);
      if (above != null && above.type() == Type.SYMLINK) {
        return Optional.of(parent + " is a symbolic link (to " + above.target()
            + "), and nothing may be written through a link");
      }
      if (above != null && !above.isDirectory()) {
        return Optional.of(parent + " is a file, so nothing can go inside it");
      }
    }
    String below = entries.ceilingKey(key + "/");
    if (type != Type.DIRECTORY && below != null && below.startsWith(key + "/")) {
      return Optional.of(below + " is inside " + key + ", so it must be a folder");
    }
    return Optional.empty();
  }

  /** Every entry the tree holds as added, sorted by path; implicit folders are not included. */
  public Collection<Entry> added() {
    return List.copyOf(entries.values());
  }

  /**
   * Every entry, sorted by path (so "a" comes before "a/b"), with each folder that was never
   * added but holds something filled in as root-owned 0755. This is what writers write.
   */
  public List<Entry> entries() {
    TreeMap<String, Entry> all = new TreeMap<>(entries);
    for (String path : entries.keySet()) {
      for (String parent = parentOf(path); !parent.equals("/"); parent = parentOf(parent)) {
        Entry existing = all.putIfAbsent(parent, directoryEntry(parent, DEFAULT_DIR_MODE)
            .inLayer(entries.get(path).layer()));
        if (existing != null) {
          break;
        }
      }
    }
    return new ArrayList<>(all.values());
  }

  /** Bytes of file content in the tree. */
  public long contentBytes() {
    return entries.values().stream().mapToLong(Entry::size).sum();
  }

  /** Normalises a path to its absolute form without "." or ".." or doubled slashes. */
  public static String normalize(String path) {
    return Path.of("/").resolve(path).normalize().toString();
  }

  /** The folder holding {@code path}; the root for a top-level entry. */
  public static String parentOf(String path) {
    Path parent = Path.of(path).getParent();
    return parent == null ? "/" : parent.toString();
  }

  private static Entry withPath(Entry entry, String path) {
    return new Entry(path, entry.type(), entry.mode(), entry.uid(), entry.gid(),
        entry.content(), entry.target(), entry.rdevMajor(), entry.rdevMinor(), entry.layer());
  }

  private static String describe(Entry entry) {
    return entry.layer().isEmpty() ? "claw" : "layer " + entry.layer();
  }
}
