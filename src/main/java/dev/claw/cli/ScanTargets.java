package dev.claw.cli;

import dev.claw.ClawException;
import dev.claw.debian.LockFile;
import dev.claw.debian.LockedPackage;
import dev.claw.event.EventListener;
import dev.claw.fs.FileTree;
import dev.claw.guest.GuestInit;
import dev.claw.host.ClawDirs;
import dev.claw.image.ImageBuilder;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.LayerLoader;
import dev.claw.profile.ProfileLoader;
import dev.claw.rootfs.DebianRoot;
import dev.claw.rootfs.LayerLock;
import dev.claw.scan.RootView;
import dev.claw.scan.TreeRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What {@code claw scan} and {@code claw diff} look at: an agent's image, built exactly as
 * {@code claw build} builds it (from its claw.lock), or the packages of a list of layers
 * written like {@code base+net}, which needs no agent at all.
 */
final class ScanTargets {
  private static final Pattern LAYER_SPEC = Pattern.compile("base(\\+[a-z0-9][a-z0-9-]*)*");

  /** A root to scan, its name, and what claw.lock pinned for it. */
  record Target(String name, RootView root, List<LockedPackage> lock) {}

  private ScanTargets() {}

  /** An agent folder (or claw.yaml), else a layer list such as {@code base+net}. */
  static Target of(String argument, ClawDirs dirs, EventListener events) throws IOException {
    Path path = Path.of(argument);
    if (Files.exists(path)) {
      return agent(path, dirs, events);
    }
    if (LAYER_SPEC.matcher(argument).matches()) {
      return layers(argument, dirs, events);
    }
    throw new ClawException("'" + argument + "' is neither an agent folder nor a list of "
        + "layers", "give a folder with a claw.yaml, or layers joined by '+' starting with "
        + "base, such as base+net");
  }

  static Target agent(Path location, ClawDirs dirs, EventListener events) throws IOException {
    AgentProfile agent = new ProfileLoader().load(location);
    byte[] init = Files.readAllBytes(new GuestInit(dirs.cache("init"), events).binary());
    ImageBuilder builder = new ImageBuilder(init, DebianRoot.forHost(dirs, events));
    FileTree tree = builder.assemble(agent, List.of(), ImageBuilder.Target.MICROVM).tree();
    Path lock = agent.directory().resolve(LayerLock.FILE_NAME);
    List<LockedPackage> pinned = agent.base().equals(AgentProfile.NO_BASE)
        || !Files.exists(lock) ? List.of() : LockFile.read(lock).packages();
    return new Target(agent.name(), new TreeRoot(tree), pinned);
  }

  /**
   * The packages of {@code spec}'s layers alone, with no agent files and none of claw's guest
   * parts. The lock lives in claw's cache, one per spec; one made for older layer files is
   * made again rather than refused, as no user reviews it.
   */
  static Target layers(String spec, ClawDirs dirs, EventListener events) throws IOException {
    Path folder = Files.createDirectories(dirs.cache("scan-layers").resolve(spec));
    AgentProfile profile = layerProfile(spec, folder);
    DebianRoot root = DebianRoot.forHost(dirs, events);
    Path lock = folder.resolve(LayerLock.FILE_NAME);
    if (Files.exists(lock) && !lockIsCurrent(root, profile)) {
      Files.delete(lock);
    }
    FileTree tree = new FileTree();
    root.install(profile, tree);
    return new Target(spec, new TreeRoot(tree), LockFile.read(lock).packages());
  }

  private static boolean lockIsCurrent(DebianRoot root, AgentProfile profile)
      throws IOException {
    try {
      root.lock().packages(profile, new LayerLoader().layersOf(profile));
      return true;
    } catch (ClawException e) {
      return false;
    }
  }

  private static AgentProfile layerProfile(String spec, Path folder) {
    List<String> layers = new ArrayList<>(Arrays.asList(spec.split("\\+")));
    layers.remove(0);
    AgentProfile.RunSettings run = new AgentProfile.RunSettings(List.of("/nonexistent"),
        Map.of(), "/", 1000, 1000, Duration.ofSeconds(60));
    return new AgentProfile(folder, spec.replace('+', '-'), AgentProfile.DEBIAN_12, layers,
        List.of(), run, new AgentProfile.VmSettings(128, 1), "default");
  }
}
