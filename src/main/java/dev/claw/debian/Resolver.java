package dev.claw.debian;

import dev.claw.ClawException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Works out which packages a layer needs: what it names, and everything those depend on
 * (Depends and Pre-Depends; never Recommends or Suggests), as candidates of one
 * {@link PackageUniverse}.
 *
 * <p>Rules, in the order they are applied to each dependency:
 *
 * <ol>
 *   <li>It holds if a package already installed (by an earlier layer) or already chosen meets
 *       it: by name at a version that matches, or through Provides. For {@code a | b} any
 *       alternative will do, so an installed {@code b} beats a new {@code a}.
 *   <li>Otherwise the first alternative that can be met is taken: the real package if its
 *       candidate matches the version, else a package that provides the name (a versioned
 *       dependency only accepts a Provides with {@code (= version)}, as dpkg does). Among
 *       several providers, the one with the most important Priority wins, then the first by
 *       name, and {@link Resolution#choices} says so.
 *   <li>Excluded packages are never taken. A dependency that only excluded packages could meet
 *       is recorded in {@link Resolution#skipped}, not treated as an error.
 *   <li>Anything else is unsatisfiable: a {@link ClawException} names the chain from the
 *       profile to the dependency.
 * </ol>
 *
 * <p>Architecture qualifiers: {@code :native} and no qualifier take any package of the
 * universe (which holds one architecture and "all"); {@code :any} takes a real package only
 * if it is {@code Multi-Arch: allowed}, as dpkg requires. Conflicts and Breaks are not
 * checked: Debian's own archive keeps one release's candidates co-installable.
 */
public final class Resolver {
  private static final List<String> PRIORITIES =
      List.of("required", "important", "standard", "optional", "extra");

  private final PackageUniverse universe;

  public Resolver(PackageUniverse universe) {
    this.universe = universe;
  }

  /**
   * Resolves one layer.
   *
   * @param wanted the names the layer lists, real or virtual, in the layer's order (a
   *     constraint such as {@code python3 (>= 3.11)} is honoured too)
   * @param excluded names never to install
   * @param alreadyInstalled names earlier layers installed; taken to be at their candidate
   *     version, they satisfy dependencies and are not returned again
   * @throws ClawException if a name is unknown or a dependency cannot be met
   */
  public Resolution resolve(List<String> wanted, Set<String> excluded,
      Set<String> alreadyInstalled) {
    return new Walk(Set.copyOf(excluded), Set.copyOf(alreadyInstalled)).run(wanted);
  }

  /** The state of one resolution; breadth first, so the order of choices is reproducible. */
  private final class Walk {
    private final Set<String> excluded;
    private final Set<String> installed;
    private final Map<String, PackageRecord> chosen = new HashMap<>();
    private final Map<String, String> pulledBy = new HashMap<>();
    private final Deque<PackageRecord> queue = new ArrayDeque<>();
    private final Set<String> skipped = new LinkedHashSet<>();
    private final List<String> choices = new ArrayList<>();

    Walk(Set<String> excluded, Set<String> installed) {
      this.excluded = excluded;
      this.installed = installed;
    }

    Resolution run(List<String> wanted) {
      for (String name : wanted) {
        want(name);
      }

      while (!queue.isEmpty()) {
        PackageRecord record = queue.poll();
        for (List<Dependency> group : relations(record)) {
          satisfy(record, group);
        }
      }

      List<PackageRecord> packages = new ArrayList<>(chosen.values());
      packages.sort(Comparator.comparing(PackageRecord::name));
      return new Resolution(packages, pulledBy, new ArrayList<>(skipped), choices);
    }

    private void want(String name) {
      if (excluded.contains(name)) {
        throw new ClawException("the layer both asks for " + name + " and excludes it",
            "remove " + name + " from the layer's packages or from its excludes");
      }
      Dependency dependency;
      try {
        dependency = Dependency.parse(name);
      } catch (IllegalArgumentException e) {
        throw new ClawException("the layer asks for '" + name + "', which is not a package"
            + " name", "write package names as Debian does: lower case, such as libc6");
      }
      satisfy(null, List.of(dependency));
    }

    private List<List<Dependency>> relations(PackageRecord record) {
      try {
        List<List<Dependency>> all = new ArrayList<>(
            Dependency.parseRelations(record.field("Pre-Depends")));
        all.addAll(Dependency.parseRelations(record.field("Depends")));
        return all;
      } catch (IllegalArgumentException e) {
        throw new ClawException("the index entry for " + record + " from "
            + record.repository() + " has a malformed dependency: " + e.getMessage(),
            "exclude " + record.name() + " from the layer, or report it to the mirror");
      }
    }

    /** Makes sure one group of alternatives holds; {@code parent} null means the profile. */
    private void satisfy(PackageRecord parent, List<Dependency> group) {
      for (Dependency alternative : group) {
        if (isPresent(alternative)) {
          return;
        }
      }

      Attempt attempt = new Attempt();
      for (Dependency alternative : group) {
        PackageRecord found = pick(alternative, attempt);
        if (found != null) {
          add(found, parent);
          return;
        }
      }

      if (attempt.excludedOnly()) {
        skipped.add(label(parent) + " depends on " + text(group) + ": excluded by layer");
        return;
      }
      throw unsatisfiable(parent, group, attempt);
    }

    private boolean isPresent(Dependency dependency) {
      String name = dependency.name();
      PackageRecord real = chosen.get(name);
      if (real == null && installed.contains(name)) {
        real = universe.candidate(name).orElse(null);
        // Installed by a layer claw did not resolve (a local package): trust the name alone.
        if (real == null && !dependency.isVersioned()) {
          return true;
        }
      }
      if (real != null && dependency.allows(real.debianVersion()) && fits(dependency, real)) {
        return true;
      }

      for (PackageUniverse.Provision provision : universe.provisions(name)) {
        String provider = provision.provider().name();
        boolean present = chosen.containsKey(provider) || installed.contains(provider);
        if (present && provides(dependency, provision)) {
          return true;
        }
      }
      return false;
    }

    /** The package to install for one alternative, or null (and why, in {@code attempt}). */
    private PackageRecord pick(Dependency dependency, Attempt attempt) {
      String name = dependency.name();
      if (excluded.contains(name)) {
        // Excluding a name excludes what it stands for: a virtual package (debconf-2.0) is
        // not met through one of its providers (cdebconf) instead.
        attempt.excludedMatch = true;
        return null;
      }
      PackageRecord real = universe.candidate(name).orElse(null);
      if (real != null) {
        if (!dependency.allows(real.debianVersion())) {
          attempt.reasons.add("the candidate " + name + " " + real.version()
              + " does not match " + dependency);
        } else if (!fits(dependency, real)) {
          attempt.reasons.add(name + " is not Multi-Arch: allowed, so " + dependency
              + " cannot use it");
        } else {
          return real;
        }
      }
      return pickProvider(dependency, real != null, attempt);
    }

    private PackageRecord pickProvider(Dependency dependency, boolean realExists,
        Attempt attempt) {
      List<PackageRecord> usable = new ArrayList<>();
      List<PackageUniverse.Provision> provisions = universe.provisions(dependency.name());
      for (PackageUniverse.Provision provision : provisions) {
        if (!provides(dependency, provision)) {
          continue;
        }
        if (excluded.contains(provision.provider().name())) {
          attempt.excludedMatch = true;
        } else {
          usable.add(provision.provider());
        }
      }

      if (usable.isEmpty()) {
        if (!realExists && provisions.isEmpty()) {
          attempt.reasons.add("no repository has a package named " + dependency.name()
              + " or one that provides it");
        } else if (!provisions.isEmpty()) {
          attempt.reasons.add("no package provides " + dependency);
        }
        return null;
      }
      usable.sort(Comparator.comparing((PackageRecord p) -> priorityRank(p))
          .thenComparing(PackageRecord::name));
      if (usable.size() > 1) {
        choices.add(dependency.name() + ": chose " + usable.get(0).name() + " over "
            + usable.stream().skip(1).map(PackageRecord::name).collect(Collectors.joining(", ")));
      }
      return usable.get(0);
    }

    private void add(PackageRecord record, PackageRecord parent) {
      chosen.put(record.name(), record);
      pulledBy.put(record.name(), label(parent));
      queue.add(record);
    }

    private ClawException unsatisfiable(PackageRecord parent, List<Dependency> group,
        Attempt attempt) {
      if (parent == null) {
        return new ClawException("the layer asks for " + text(group) + ", but "
            + String.join("; ", attempt.reasons),
            "check the name (apt-cache policy " + group.get(0).name() + " shows what the"
            + " host's repositories offer), or add the repository that has it");
      }
      return new ClawException("cannot install " + chain(parent) + " → " + text(group) + ": "
          + String.join("; ", attempt.reasons),
          "exclude " + parent.name() + " (or whatever pulls it in) from the layer, or add the"
          + " repository or suite (such as bookworm-updates) that has a matching version");
    }

    /** "profile → python3 → python3.11", the path by which {@code record} came in. */
    private String chain(PackageRecord record) {
      List<String> names = new ArrayList<>();
      for (String name = record.name(); !name.equals("profile"); name = pulledBy.get(name)) {
        names.add(0, name);
      }
      names.add(0, "profile");
      return String.join(" → ", names);
    }
  }

  /** What went wrong while trying the alternatives of one dependency. */
  private static final class Attempt {
    private final List<String> reasons = new ArrayList<>();
    private boolean excludedMatch;

    /** Only excluded packages could have met it: skipped, not an error. */
    boolean excludedOnly() {
      return excludedMatch;
    }
  }

  /** Whether a real package's architecture fits the dependency's qualifier. */
  private static boolean fits(Dependency dependency, PackageRecord record) {
    String qualifier = dependency.architecture();
    if (qualifier == null || qualifier.equals("native")) {
      return true;
    }
    if (qualifier.equals("any")) {
      return record.field("Multi-Arch").equals("allowed");
    }
    return qualifier.equals(record.architecture());
  }

  /** A versioned dependency is met only by {@code Provides: name (= version)} that matches. */
  private static boolean provides(Dependency dependency, PackageUniverse.Provision provision) {
    String qualifier = dependency.architecture();
    if (qualifier != null && !qualifier.equals("any") && !qualifier.equals("native")
        && !qualifier.equals(provision.provider().architecture())) {
      return false;
    }
    if (!dependency.isVersioned()) {
      return true;
    }
    return provision.version() != null && dependency.allows(provision.version());
  }

  private static int priorityRank(PackageRecord record) {
    int rank = PRIORITIES.indexOf(record.field("Priority"));
    return rank < 0 ? PRIORITIES.size() : rank;
  }

  private static String label(PackageRecord parent) {
    return parent == null ? "profile" : parent.name();
  }

  private static String text(List<Dependency> group) {
    return group.stream().map(Dependency::toString).collect(Collectors.joining(" | "));
  }
}
