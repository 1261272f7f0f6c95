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
  private final EventListener events;

  public DebianRoot(LayerLoader layers, LayerLock lock, DebCache debs, EventListener events) {
    this.layers = layers;
    this.lock = lock;
    this.debs = debs;
    this.events = events;
  }

  /** Layers from the repositories the host's apt uses, cached under claw's cache folder. */
  public static DebianRoot forHost(ClawDirs dirs, EventListener events) throws IOException {
    LayerLock lock = new LayerLock(Path.of("/etc/apt"), dirs.cache("debian-indexes"), events);
    return new DebianRoot(new LayerLoader(), lock,
        new DebCache(dirs.cache("debs"), events), events);
  }

  /** The lock this root is built from, for {@code claw lock}. */
  public LayerLock lock() {
    return lock;
  }

  @Override
  public LayerReport install(AgentProfile profile, FileTree tree) throws IOException {
    List<LayerDefinition> definitions = layers.layersOf(profile);
    List<LockedPackage> locked = lock.packages(profile, definitions);

    InstallReport report = new InstallReport();
    PackageInstaller installer = new PackageInstaller(tree, report);
    List<LayerReport.Layer> summary = new ArrayList<>();
    for (LayerDefinition layer : definitions) {
      List<String> names = new ArrayList<>();
      for (LockedPackage pinned : locked) {
        if (pinned.layer().equals(layer.name())) {
          installer.install(read(pinned), layer.name(), policy(layer, pinned.name()));
          names.add(pinned.name() + " " + pinned.version());
        }
      }
      summary.add(new LayerReport.Layer(layer.name(), layer.purpose(), names,
          report.droppedFiles(layer.name()), report.droppedBytes(layer.name())));
    }
    checkLockCoversLayers(locked, definitions);
    installer.finish();
    return new LayerReport(summary, report.toLines());
  }

  private DebPackage read(LockedPackage pinned) throws IOException {
    Path deb = debs.fetch(pinned);
    DebPackage parsed = DebPackage.read(deb);
    // The hash already ties the file to the lock; this catches a lock edited by hand so that
    // a name points at another package's file.
    String name = parsed.control().get("Package");
    String version = parsed.control().get("Version");
    if (!pinned.name().equals(name) || !pinned.version().equals(version)) {
      throw new ClawException("claw.lock pins " + pinned.name() + " " + pinned.version()
          + " to a .deb that is " + name + " " + version,
          "run 'claw lock' to pin the packages again");
    }
    events.detail("installing " + name + " " + version);
    return parsed;
  }

  private static InstallPolicy policy(LayerDefinition layer, String packageName) {
    List<String> only = layer.packages().stream()
        .filter(request -> request.name().equals(packageName))
        .findFirst().map(LayerDefinition.PackageRequest::only).orElse(List.of());
    return new InstallPolicy(only, layer.drop(), layer.setuid());
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
