package dev.claw.rootfs;

import dev.claw.ClawException;
import dev.claw.debian.AptSource;
import dev.claw.debian.AptSources;
import dev.claw.debian.DebianRepository;
import dev.claw.debian.LockFile;
import dev.claw.debian.LockedPackage;
import dev.claw.debian.PackageRecord;
import dev.claw.debian.PackageUniverse;
import dev.claw.debian.Resolution;
import dev.claw.debian.Resolver;
import dev.claw.event.EventListener;
import dev.claw.host.Sha256;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.LayerDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Pins an agent's layers to exact packages in {@code claw.lock}, next to its profile.
 *
 * <p>A build with a current lock reads no index at all: it takes the packages the lock names,
 * and the .deb cache refuses any file whose hash differs. A lock is current when it was made
 * for the same base, the same layer package lists and exclusions, and the same architecture;
 * the lock records a digest of those inputs. A stale lock is an error, never silently
 * re-resolved, because a build that quietly changes what it pins defeats the point of a lock.
 */
public final class LayerLock {
  /** The lock's file name, beside claw.yaml. */
  public static final String FILE_NAME = "claw.lock";

  /** Debian 12's suites all start with its codename (bookworm-updates, bookworm-security). */
  private static final String DEBIAN_12_CODENAME = "bookworm";

  private final Path etcApt;
  private final Path indexCache;
  private final EventListener events;
  private List<String> trustedRepositories;

  public LayerLock(Path etcApt, Path indexCache, EventListener events) {
    this.etcApt = etcApt;
    this.indexCache = indexCache;
    this.events = events;
  }

  /** The packages for {@code layers}: from a current lock, or resolved and locked now. */
  public List<LockedPackage> packages(AgentProfile profile, List<LayerDefinition> layers)
      throws IOException {
    Path lock = profile.directory().resolve(FILE_NAME);
    String architecture = architecture();
    String inputs = inputs(profile, layers, architecture);
    if (!Files.exists(lock)) {
      List<LockedPackage> packages = resolve(profile, layers, architecture);
      write(lock, inputs, architecture, packages);
      return packages;
    }

    LockFile file = LockFile.read(lock);
    if (!file.inputs().equals(inputs) || !file.architecture().equals(architecture)) {
      throw new ClawException(lock + " was made for other layers or another architecture "
          + "than " + profile.name() + "'s claw.yaml now asks for",
          "run 'claw lock " + profile.directory() + "' to pin the packages again, and review "
              + "the change to claw.lock");
    }
    return file.packages();
  }

  /** Resolves {@code layers} against the host's Debian repositories and writes the lock. */
  public List<LockedPackage> relock(AgentProfile profile, List<LayerDefinition> layers)
      throws IOException {
    String architecture = architecture();
    List<LockedPackage> packages = resolve(profile, layers, architecture);
    write(profile.directory().resolve(FILE_NAME), inputs(profile, layers, architecture),
        architecture, packages);
    return packages;
  }

  /**
   * A lock comes with the agent, like its profile, and may be hostile: before claw downloads
   * what it names, the repository must be one the host's apt trusts, so that a lock cannot
   * point claw at an arbitrary address (the hash would catch a bad file, but not the request).
   */
  void checkRepository(LockedPackage pinned) {
    List<String> trusted = trustedRepositories();
    if (!trusted.contains(withoutTrailingSlash(pinned.repository()))) {
      throw new ClawException("claw.lock fetches " + pinned.name() + " from "
          + pinned.repository() + ", which is not one of the host's apt repositories "
          + trusted, "run 'claw lock' to pin the packages against the host's repositories");
    }
  }

  /** The host's apt repositories, read once: a cold build asks for every package it fetches. */
  private List<String> trustedRepositories() {
    if (trustedRepositories == null) {
      trustedRepositories = AptSources.fromHost(etcApt).stream().map(AptSource::uri)
          .map(LayerLock::withoutTrailingSlash).toList();
    }
    return trustedRepositories;
  }

  private static String withoutTrailingSlash(String uri) {
    return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
  }

  private void write(Path lock, String inputs, String architecture,
      List<LockedPackage> packages) throws IOException {
    new LockFile(inputs, architecture, packages).write(lock);
    events.progress("lock", "wrote " + lock + " (" + packages.size() + " packages)");
  }

  /**
   * Resolves each layer in order; what an earlier layer installed satisfies the later ones'
   * dependencies, so every package belongs to exactly one layer: the first that needs it.
   */
  private List<LockedPackage> resolve(AgentProfile profile, List<LayerDefinition> layers,
      String architecture) throws IOException {
    PackageUniverse universe = load(profile, architecture);
    Resolver resolver = new Resolver(universe);
    Set<String> installed = new HashSet<>();
    List<LockedPackage> locked = new ArrayList<>();

    for (LayerDefinition layer : layers) {
      List<String> wanted = layer.packages().stream()
          .map(LayerDefinition.PackageRequest::name).toList();
      Resolution resolution = resolver.resolve(wanted, layer.exclude(), Set.copyOf(installed));
      resolution.skipped().forEach(skip -> events.detail("layer " + layer.name() + ": " + skip));
      resolution.choices().forEach(c -> events.detail("layer " + layer.name() + ": " + c));
      for (PackageRecord record : resolution.packages()) {
        installed.add(record.name());
        locked.add(LockedPackage.of(record, layer.name()));
      }
    }
    return locked;
  }

  private PackageUniverse load(AgentProfile profile, String architecture) throws IOException {
    List<AptSource> sources = AptSources.fromHost(etcApt);
    List<AptSource> debian12 = sources.stream()
        .filter(source -> source.suite().startsWith(DEBIAN_12_CODENAME)).toList();
    if (debian12.isEmpty()) {
      throw new ClawException("base " + profile.base() + " needs Debian 12 (bookworm) "
          + "repositories, and the host's apt lists none in " + etcApt,
          "build on a Debian 12 host, or add bookworm to the host's apt sources");
    }
    events.progress("lock", "resolving " + profile.name() + "'s layers against "
        + debian12.size() + " Debian suites");
    return new DebianRepository(debian12, architecture, indexCache, events).load();
  }

  /**
   * What the lock depends on. Paths a layer keeps or drops do not change which packages it
   * needs, so they are not part of it: editing them needs no new lock.
   */
  static String inputs(AgentProfile profile, List<LayerDefinition> layers,
      String architecture) {
    Sha256 sha = Sha256.start().add("claw-lock-inputs 1").add("base " + profile.base())
        .add("architecture " + architecture);
    for (LayerDefinition layer : layers) {
      sha.add("layer " + layer.name());
      layer.packages().forEach(p -> sha.add("  package " + p.name()));
      layer.exclude().forEach(e -> sha.add("  exclude " + e));
    }
    return sha.hex();
  }

  private static String architecture() {
    return AptSources.hostArchitecture();
  }
}
