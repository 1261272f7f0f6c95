package dev.claw.deb;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What installing packages did, per package and per layer, for the build report: what was kept
 * and dropped, what was changed on the way (setuid bits), and what a real dpkg would have done
 * that claw did not (maintainer scripts). "Files" counts everything but folders: regular
 * files, symbolic links and hard links; "bytes" counts regular files' contents.
 *
 * <p>Filled in by {@link PackageInstaller}; a refused package leaves no trace here either.
 * Lists are in install order, so the same packages in the same order give the same report.
 */
public final class InstallReport {
  private final List<PackageReport> packages = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private int caCertificates;

  /**
   * One installed package.
   *
   * @param setuidStripped files whose setuid or setgid bits were removed, as "path (04755)"
   * @param scriptsNotRun maintainer scripts and triggers the package carries, none of them run
   * @param ownersNotRoot entries owned by someone other than root, as "path uid:gid (user:group)"
   */
  public record PackageReport(String name, String version, String layer, int filesKept,
      long bytesKept, int filesDropped, long bytesDropped, List<String> setuidStripped,
      List<String> scriptsNotRun, List<String> ownersNotRoot) {

    public PackageReport {
      setuidStripped = List.copyOf(setuidStripped);
      scriptsNotRun = List.copyOf(scriptsNotRun);
      ownersNotRoot = List.copyOf(ownersNotRoot);
    }
  }

  /** The sums over the packages installed into one layer. */
  public record LayerReport(String layer, int packages, int filesKept, long bytesKept,
      int filesDropped, long bytesDropped) {}

  /** Every installed package, in install order. */
  public List<PackageReport> packages() {
    return List.copyOf(packages);
  }

  /** The report for package {@code name}; throws if it was not installed. */
  public PackageReport get(String name) {
    return packages.stream().filter(p -> p.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no package " + name + " installed"));
  }

  /** One line per layer, in the order layers were first installed into. */
  public List<LayerReport> layers() {
    Map<String, LayerReport> layers = new LinkedHashMap<>();
    for (PackageReport p : packages) {
      layers.merge(p.layer(),
          new LayerReport(p.layer(), 1, p.filesKept(), p.bytesKept(), p.filesDropped(),
              p.bytesDropped()),
          (a, b) -> new LayerReport(a.layer(), a.packages() + 1, a.filesKept() + b.filesKept(),
              a.bytesKept() + b.bytesKept(), a.filesDropped() + b.filesDropped(),
              a.bytesDropped() + b.bytesDropped()));
    }
    return List.copyOf(layers.values());
  }

  /** Certificates in the CA bundle {@link PackageInstaller#finish()} wrote; 0 if none. */
  public int caCertificates() {
    return caCertificates;
  }

  /** What finishing did, or left undone, that a reader should know. */
  public List<String> notes() {
    return List.copyOf(notes);
  }

  /** The report for people: a line per layer, then per package, then the notes. */
  public List<String> toLines() {
    List<String> lines = new ArrayList<>();
    for (LayerReport layer : layers()) {
      lines.add("layer " + layer.layer() + ": " + layer.packages()
          + (layer.packages() == 1 ? " package, " : " packages, ")
          + counts(layer.filesKept(), layer.bytesKept()) + " kept, "
          + counts(layer.filesDropped(), layer.bytesDropped()) + " dropped");
      for (PackageReport p : packages) {
        if (p.layer().equals(layer.layer())) {
          lines.addAll(packageLines(p));
        }
      }
    }
    notes.forEach(note -> lines.add("note: " + note));
    return lines;
  }

  private static List<String> packageLines(PackageReport p) {
    List<String> lines = new ArrayList<>();
    lines.add("  " + p.name() + " " + p.version() + ": " + counts(p.filesKept(), p.bytesKept())
        + " kept, " + counts(p.filesDropped(), p.bytesDropped()) + " dropped");
    if (!p.scriptsNotRun().isEmpty()) {
      lines.add("    not run: " + String.join(", ", p.scriptsNotRun()));
    }
    if (!p.setuidStripped().isEmpty()) {
      lines.add("    setuid/setgid removed: " + String.join(", ", p.setuidStripped()));
    }
    if (!p.ownersNotRoot().isEmpty()) {
      lines.add("    not owned by root: " + String.join(", ", p.ownersNotRoot()));
    }
    return lines;
  }

  private static String counts(int files, long bytes) {
    return files + (files == 1 ? " file" : " files") + " (" + bytes + " bytes)";
  }

  void add(PackageReport report) {
    packages.add(report);
  }

  void caBundle(int certificates) {
    caCertificates = certificates;
  }

  void note(String note) {
    notes.add(note);
  }
}
