package dev.claw.rootfs;

import dev.claw.ClawException;
import dev.claw.deb.DebPackage;
import dev.claw.deb.InstallPolicy;
import dev.claw.deb.InstallReport;
import dev.claw.deb.PackageInstaller;
import dev.claw.debian.DebCache;
import dev.claw.debian.LockedPackage;
import dev.claw.event.EventListener;
import dev.claw.fs.FileTree;
import dev.claw.fs.FileTreeArchive;
import dev.claw.fs.TreeConflictException;
import dev.claw.host.ClawDirs;
import dev.claw.image.LayerReport;
import dev.claw.image.PackageLayers;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.LayerDefinition;
import dev.claw.profile.LayerLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An agent's base and layers from Debian packages: pinned by {@link LayerLock}, fetched into
 * a content-addressed cache whose every file is checked against the lock's sha256, unpacked
 * in Java without running anything from them, layer by layer into the image.
 */
public final class DebianRoot implements PackageLayers {
  private final LayerLoader layers;
  private final LayerLock lock;
  private final DebCache debs;
  private final LayerCache cache;
  private final EventListener events;

  DebianRoot(LayerLoader layers, LayerLock lock, DebCache debs, LayerCache cache,
      EventListener events) {
    this.layers = layers;
    this.lock = lock;
    this.debs = debs;
    this.cache = cache;
    this.events = events;
  }

  /** Layers from the repositories the host's apt uses, cached under claw's cache folder. */
  public static DebianRoot forHost(ClawDirs dirs, EventListener events) throws IOException {
    LayerLock lock = new LayerLock(Path.of("/etc/apt"), dirs.cache("debian-indexes"), events);
    return new DebianRoot(new LayerLoader(), lock, new DebCache(dirs.cache("debs"), events),
        new LayerCache(dirs.cache("layers")), events);
  }

  /** The lock this root is built from, for {@code claw lock}. */
  public LayerLock lock() {
    return lock;
  }

  @Override
  public LayerReport install(AgentProfile profile, FileTree tree) throws IOException {
    List<LayerDefinition> definitions = layers.layersOf(profile);
    List<LockedPackage> locked = lock.packages(profile, definitions);
    checkLockCoversLayers(locked, definitions);

    String key = LayerCache.key(definitions, locked);
    LayerCache.Installed installed = cache.load(key).orElse(null);
    if (installed == null) {
      FileTree packages = new FileTree();
      LayerReport report = installPackages(definitions, locked, packages);
      cache.save(key, packages, report);
      installed = new LayerCache.Installed(FileTreeArchive.insertable(packages), report);
    }
    try {
      tree.putAll(installed.entries());
    } catch (TreeConflictException e) {
      throw new ClawException("the layers' packages clash with claw's own files: "
          + e.getMessage(), "remove the package that ships it from the layer");
    }
    return installed.report();
  }

  /** Unpacks every pinned package into {@code tree}, layer by layer, in the lock's order. */
  private LayerReport installPackages(List<LayerDefinition> definitions,
      List<LockedPackage> locked, FileTree tree) throws IOException {
    InstallReport report = new InstallReport();
    PackageInstaller installer = new PackageInstaller(tree, report);
    for (LayerDefinition layer : definitions) {
      InstallPolicy policy = policy(layer);
      for (LockedPackage pinned : locked) {
        if (pinned.layer().equals(layer.name())) {
          installer.install(read(pinned), layer.name(), policy);
        }
      }
    }
    installer.finish();
    return summary(definitions, report);
  }

  private static LayerReport summary(List<LayerDefinition> definitions, InstallReport report) {
    List<LayerReport.Layer> layers = new ArrayList<>();
    for (LayerDefinition layer : definitions) {
      List<String> names = new ArrayList<>();
      int droppedFiles = 0;
      long droppedBytes = 0;
      for (InstallReport.PackageReport installed : report.packages()) {
        if (installed.layer().equals(layer.name())) {
          names.add(installed.name() + " " + installed.version());
          droppedFiles += installed.filesDropped();
          droppedBytes += installed.bytesDropped();
        }
      }
      layers.add(new LayerReport.Layer(layer.name(), layer.purpose(), names, droppedFiles,
          droppedBytes));
    }
    List<String> notes = new ArrayList<>(report.notes());
    for (InstallReport.PackageReport installed : report.packages()) {
      if (!installed.scriptsNotRun().isEmpty()) {
        notes.add(installed.name() + ": not run: " + String.join(", ",
            installed.scriptsNotRun()));
      }
      installed.setuidStripped().forEach(p -> notes.add(installed.name()
          + ": setuid/setgid stripped: " + p));
    }
    return new LayerReport(layers, notes);
  }

  private DebPackage read(LockedPackage pinned) throws IOException {
    // A cached .deb is hashed once here; only a download needs the repository checked.
    Path deb = debs.cached(pinned).orElse(null);
    if (deb == null) {
      lock.checkRepository(pinned);
      deb = debs.fetch(pinned);
    }
    DebPackage parsed = DebPackage.read(deb);
    // The hash already ties the file to the lock; this catches a lock edited by hand so that
    // a name points at another package's file.
    String name = parsed.name();
    String version = parsed.version();
    if (!pinned.name().equals(name) || !pinned.version().equals(version)) {
      throw new ClawException("claw.lock pins " + pinned.name() + " " + pinned.version()
          + " to a .deb that is " + name + " " + version,
          "run 'claw lock' to pin the packages again");
    }
    events.detail("installing " + name + " " + version);
    return parsed;
  }

  /** The layer's cuts on top of claw's defaults, and what its packages keep. */
  private static InstallPolicy policy(LayerDefinition layer) {
    InstallPolicy policy = InstallPolicy.defaults()
        .dropEverywhere(layer.drop().toArray(String[]::new))
        .keepSetuid(layer.setuid().toArray(String[]::new));
    for (LayerDefinition.PackageRequest request : layer.packages()) {
      if (!request.only().isEmpty()) {
        policy = policy.only(request.name(), request.only().toArray(String[]::new));
      }
    }
    return policy;
  }

  /** A lock that names a layer the profile no longer has was made for something else. */
  private static void checkLockCoversLayers(List<LockedPackage> locked,
      List<LayerDefinition> definitions) {
    List<String> names = definitions.stream().map(LayerDefinition::name).toList();
    for (LockedPackage pinned : locked) {
      if (!names.contains(pinned.layer())) {
        throw new ClawException("claw.lock puts " + pinned.name() + " in layer '"
            + pinned.layer() + "', which the profile does not list",
            "run 'claw lock' to pin the packages again");
      }
    }
  }
}
