package dev.claw.deb;

import dev.claw.ClawException;
import dev.claw.fs.FileTree;
import dev.claw.fs.FileTree.Entry;
import dev.claw.fs.TreeConflictException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Installs Debian packages into a {@link FileTree} the way dpkg would unpack them, and runs
 * nothing from them: no maintainer script, no trigger. {@link #finish()} then does the two
 * things those scripts would have done that an agent's image needs (the CA bundle, and dpkg's
 * package list for scanners).
 *
 * <p>Each package goes in whole or not at all: its entries are all read, checked and staged
 * first, then added together; a package that is refused (a hostile name, a device node, a
 * clash with what is already in the tree, a damaged tarball) leaves the tree and the report
 * as they were, and the {@link ClawException} names the package and the entry.
 *
 * <p>What changes on the way in: paths move to merged /usr ({@link DebPaths}); the policy
 * drops what agents never need ({@link InstallPolicy}); regular files lose their setuid and
 * setgid bits unless the policy keeps them (folders keep setgid, which only passes the group
 * on to new files); owners stay as the tarball's numbers, "root" by name meaning 0, and
 * anything not owned by root is reported.
 *
 * <p>The same packages installed in the same order with the same policies give the same tree
 * and the same report: nothing depends on the host, the clock or hash-map order.
 *
 * <p>Install packages before anything else goes into the tree: the merged-/usr links
 * ({@code /bin -> usr/bin} ...) cannot be made where something already lies below
 * {@code /bin}.
 */
public final class PackageInstaller {
  private final FileTree tree;
  private final InstallReport report;
  private final Map<String, InstalledPackage> installed = new LinkedHashMap<>();
  private final Map<String, String> installedBy = new HashMap<>();
  private final List<String> layers = new ArrayList<>();
  private boolean finished;

  /** What {@link #finish()} needs to know of an installed package. */
  record InstalledPackage(DebPackage deb, String layer, String md5sums) {}

  public PackageInstaller(FileTree tree, InstallReport report) {
    this.tree = tree;
    this.report = report;
  }

  /**
   * Installs {@code deb} into the tree, attributing every entry to {@code layer}.
   *
   * @throws ClawException if the package cannot be installed; then nothing of it was
   */
  public void install(DebPackage deb, String layer, InstallPolicy policy) {
    if (finished) {
      throw new IllegalStateException("install(" + deb + ") after finish()");
    }
    if (layer.isEmpty()) {
      throw new IllegalArgumentException("a package needs a layer name");
    }
    InstalledPackage previous = installed.get(deb.name());
    if (previous != null) {
      throw new ClawException("package " + deb.name() + " is installed twice ("
          + previous.deb().fileName() + " and " + deb.fileName() + ")",
          "list each package once");
    }

    StagedPackage staged = PackageStaging.stage(deb, layer, policy);
    List<Entry> batch = new ArrayList<>(mergedFolderLinks(staged.mergedFolders(), layer));
    batch.addAll(staged.entries());
    try {
      tree.putAll(batch);
    } catch (TreeConflictException e) {
      throw conflict(deb, staged, e);
    }

    for (Entry entry : staged.entries()) {
      if (!entry.isDirectory()) {
        installedBy.put(entry.path(), deb.toString());
      }
    }
    installed.put(deb.name(), new InstalledPackage(deb, layer, staged.md5sums()));
    if (!layers.contains(layer)) {
      layers.add(layer);
    }
    report.add(staged.report());
  }

  /**
   * Writes what the skipped maintainer scripts would have left that matters to an agent's
   * image: {@code /etc/ssl/certs/ca-certificates.crt} (when the tree holds certificates
   * under {@code /usr/share/ca-certificates}) and, for every installed package, its stanza
   * and md5sums under {@code /var/lib/dpkg/status.d}, where Trivy, Grype and Syft look for
   * packages in images without dpkg's own database (as in distroless images). Call once,
   * after the last {@link #install}.
   */
  public void finish() {
    if (finished) {
      throw new IllegalStateException("finish() called twice");
    }
    CaBundle bundle = CaBundle.of(tree, layers);
    List<Entry> batch = new ArrayList<>(bundle.entries());
    if (!installed.isEmpty()) {
      batch.addAll(DpkgStatus.folders(layers.get(0)));
    }
    installed.values().forEach(p -> batch.addAll(DpkgStatus.entries(p)));
    try {
      tree.putAll(batch);
    } catch (TreeConflictException e) {
      throw Printable.exception("cannot write " + e.path().orElse("dpkg's files") + ": "
          + e.getMessage(), "leave " + e.path().orElse("that path") + " to claw: nothing"
          + " else (a package, the profile's files) may put anything there", e);
    }
    finished = true;

    report.caBundle(bundle.certificates());
    bundle.note(installed.containsKey("ca-certificates")).ifPresent(report::note);
    if (!installed.isEmpty()) {
      report.note("dpkg status for " + installed.size() + " packages written to "
          + DpkgStatus.FOLDER + " (no /var/lib/dpkg/status: the image has no dpkg database)");
    }
  }

  /** Links for the merged folders the package uses that the tree does not have yet. */
  private List<Entry> mergedFolderLinks(List<String> folders, String layer) {
    List<Entry> links = new ArrayList<>();
    for (String folder : DebPaths.MERGED_FOLDERS) {
      Entry existing = tree.get(folder);
      boolean present = existing != null && existing.type() == FileTree.Type.SYMLINK
          && existing.target().equals(DebPaths.linkTarget(folder));
      if (folders.contains(folder) && !present) {
        links.add(FileTree.symlinkEntry(folder, DebPaths.linkTarget(folder)).inLayer(layer));
      }
    }
    return links;
  }

  private ClawException conflict(DebPackage deb, StagedPackage staged,
      TreeConflictException e) {
    String path = e.path().orElse("");
    String problem = deb + " (" + deb.fileName() + ") cannot be installed: ";
    if (staged.tarNameAt(path).isEmpty() && DebPaths.MERGED_FOLDERS.contains(path)) {
      return Printable.exception(problem + "with merged /usr, " + path + " must be a link to "
          + DebPaths.linkTarget(path) + ", but the image has something else there ("
          + e.getMessage() + ")", "install packages before adding other files to the image,"
          + " and put nothing at " + path + "; nothing of " + deb.name() + " was installed", e);
    }
    String entry = staged.tarNameAt(path).map(name -> "entry " + name
        + (name.endsWith(path.substring(1)) ? "" : " (installed as " + path + ")"))
        .orElse("an entry");
    String other = ownerOf(path).map(owner -> " (" + owner + " is there already)").orElse("");
    return Printable.exception(problem + entry + ": " + e.getMessage() + other,
        "leave out one of the packages that want " + path + ", or drop the path from one of"
            + " them with a drop pattern; nothing of " + deb.name() + " was installed", e);
  }

  /** The package that installed {@code path}, or the link or file it lies below. */
  private Optional<String> ownerOf(String path) {
    for (String p = path; !p.equals("/") && !p.isEmpty(); p = FileTree.parentOf(p)) {
      String owner = installedBy.get(p);
      if (owner != null) {
        return Optional.of(owner);
      }
    }
    return Optional.empty();
  }
}
