package dev.claw.debian;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every package the configured repositories offer for one architecture, merged. A name's
 * candidate is its highest version across all suites, which is what apt installs when all
 * repositories have the same pin priority; on equal versions the repository listed first
 * wins. Virtual packages are found through the candidates' Provides fields.
 */
public final class PackageUniverse {
  private final Map<String, PackageRecord> candidates;
  private final Map<String, List<Provision>> providers;

  /** A candidate that provides a virtual name, at a version or (null) at none. */
  record Provision(PackageRecord provider, DebianVersion version) {}

  private PackageUniverse(Map<String, PackageRecord> candidates) {
    this.candidates = candidates;
    this.providers = indexProvides(candidates);
  }

  /**
   * Merges records in repository order.
   *
   * @throws IllegalArgumentException if a record's version or Provides field is malformed
   */
  public static PackageUniverse of(Collection<PackageRecord> records) {
    Map<String, PackageRecord> best = new TreeMap<>();
    for (PackageRecord record : records) {
      // Most names occur once: versions are parsed only where two suites compete.
      PackageRecord current = best.putIfAbsent(record.name(), record);
      if (current != null
          && record.debianVersion().compareTo(current.debianVersion()) > 0) {
        best.put(record.name(), record);
      }
    }
    return new PackageUniverse(best);
  }

  private static Map<String, List<Provision>> indexProvides(Map<String, PackageRecord> all) {
    Map<String, List<Provision>> index = new HashMap<>();
    for (PackageRecord record : all.values()) {
      for (List<Dependency> group : Dependency.parseRelations(record.field("Provides"))) {
        for (Dependency provided : group) {
          DebianVersion version = "=".equals(provided.operator()) ? provided.version() : null;
          index.computeIfAbsent(provided.name(), name -> new ArrayList<>())
              .add(new Provision(record, version));
        }
      }
    }
    // Candidates are walked in name order, so each list is already sorted by provider name.
    return index;
  }

  /** The version apt would install for {@code name}; empty for virtual or unknown names. */
  public Optional<PackageRecord> candidate(String name) {
    return Optional.ofNullable(candidates.get(name));
  }

  /** Candidates whose Provides name {@code virtual} (with or without a version), by name. */
  public List<PackageRecord> providers(String virtual) {
    List<PackageRecord> result = new ArrayList<>();
    for (Provision provision : provisions(virtual)) {
      result.add(provision.provider());
    }
    result.sort(Comparator.comparing(PackageRecord::name));
    return List.copyOf(result);
  }

  /** Like {@link #providers} but with the provided version, for versioned dependencies. */
  List<Provision> provisions(String virtual) {
    return providers.getOrDefault(virtual, List.of());
  }

  /** How many package names have a candidate. */
  public int size() {
    return candidates.size();
  }
}
