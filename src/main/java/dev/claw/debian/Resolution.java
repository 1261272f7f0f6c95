package dev.claw.debian;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a layer installs.
 *
 * @param packages the packages to install, sorted by name; none that an earlier layer has
 * @param pulledBy for each package, the package whose dependency brought it in, or
 *     "profile" for those the layer asked for by name
 * @param skipped dependencies left out because only excluded packages satisfy them, such as
 *     "ca-certificates depends on openssl: excluded by layer"
 * @param choices where several packages provide what a dependency names and none was
 *     installed or chosen yet, which one claw took and which it passed over
 */
public record Resolution(List<PackageRecord> packages, Map<String, String> pulledBy,
    List<String> skipped, List<String> choices) {

  public Resolution {
    packages = List.copyOf(packages);
    pulledBy = Collections.unmodifiableMap(new TreeMap<>(pulledBy));
    skipped = List.copyOf(skipped);
    choices = List.copyOf(choices);
  }
}
