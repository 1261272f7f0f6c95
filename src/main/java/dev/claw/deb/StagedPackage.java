package dev.claw.deb;

import dev.claw.deb.DebPaths.UnsafePathException;
import dev.claw.deb.PackageStaging.Staged;
import dev.claw.fs.FileTree.Entry;
import dev.claw.fs.FileTree.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** One package's entries, ready to go into the tree together, and what to report of them. */
final class StagedPackage {
  private static final int MD5_HEX_LENGTH = 32;

  private final DebPackage deb;
  private final String layer;
  private final List<Staged> kept;
  private final List<String> mergedFolders;
  private final List<String> setuidStripped;
  private final int filesDropped;
  private final long bytesDropped;
  private final Map<String, String> tarNames = new HashMap<>();

  StagedPackage(DebPackage deb, String layer, List<Staged> kept, List<String> mergedFolders,
      List<String> setuidStripped, int filesDropped, long bytesDropped) {
    this.deb = deb;
    this.layer = layer;
    this.kept = List.copyOf(kept);
    this.mergedFolders = mergedFolders;
    this.setuidStripped = List.copyOf(setuidStripped);
    this.filesDropped = filesDropped;
    this.bytesDropped = bytesDropped;
    kept.forEach(s -> tarNames.putIfAbsent(s.entry().path(), s.tarName()));
  }

  /** The entries to add, in the package's order. */
  List<Entry> entries() {
    return kept.stream().map(Staged::entry).toList();
  }

  /** The merged-/usr folders ("/lib") something kept was shipped under. */
  List<String> mergedFolders() {
    return mergedFolders;
  }

  /** The tar name the entry at {@code path} came from, if this package put one there. */
  Optional<String> tarNameAt(String path) {
    return Optional.ofNullable(tarNames.get(path));
  }

  InstallReport.PackageReport report() {
    int files = 0;
    long bytes = 0;
    List<String> ownersNotRoot = new ArrayList<>();
    for (Staged s : kept) {
      Entry entry = s.entry();
      files += entry.isDirectory() ? 0 : 1;
      bytes += entry.size();
      if (entry.uid() != 0 || entry.gid() != 0) {
        ownersNotRoot.add(entry.path() + " " + entry.uid() + ":" + entry.gid() + " ("
            + s.ownerNames() + ")");
      }
    }
    return new InstallReport.PackageReport(deb.name(), deb.version(), layer, files, bytes,
        filesDropped, bytesDropped, setuidStripped, List.copyOf(deb.maintainerScripts()),
        ownersNotRoot);
  }

  /**
   * The package's md5sums for what was kept: each listed path moved to merged /usr like the
   * file itself, lines for files not kept left out, order kept. Empty if the package has none.
   */
  String md5sums() {
    Set<String> keptFiles = new HashSet<>();
    for (Staged s : kept) {
      Type type = s.entry().type();
      if (type == Type.FILE || type == Type.HARDLINK) {
        keptFiles.add(s.entry().path());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String line : deb.md5sums().orElse("").split("\n")) {
      installedPath(line).filter(keptFiles::contains).ifPresent(path -> out
          .append(line, 0, MD5_HEX_LENGTH).append("  ").append(path.substring(1)).append('\n'));
    }
    return out.toString();
  }

  /** The installed path a md5sums line names; empty for a line that is not "hash  path". */
  private static Optional<String> installedPath(String line) {
    if (line.length() <= MD5_HEX_LENGTH + 1 || line.charAt(MD5_HEX_LENGTH) != ' ') {
      return Optional.empty();
    }
    String name = line.substring(MD5_HEX_LENGTH + 1).stripLeading();
    try {
      return Optional.of(DebPaths.merged(DebPaths.absolute(name)));
    } catch (UnsafePathException e) {
      // Such a name matches no installed file, so the line has nothing to describe.
      return Optional.empty();
    }
  }
}
