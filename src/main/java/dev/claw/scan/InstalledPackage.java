package dev.claw.scan;

import java.util.List;
import java.util.Optional;

/**
 * One Debian package installed in a root, as its dpkg record and copyright file tell it.
 *
 * @param source the source package it was built from (security advisories are filed under
 *     it); the package's own name when its record names none
 * @param sourceVersion the source's version, which differs from {@code version} for binNMUs
 *     and for packages that set their own
 * @param layer the claw layer that installed it
 * @param sha256 the .deb's SHA-256 from claw.lock; empty when no lock says it
 * @param debUrl where the .deb came from, per claw.lock; empty when unknown
 * @param licenses the licence short names of its machine-readable copyright file, in order of
 *     first appearance; empty when it has none or the file is not in the root
 */
public record InstalledPackage(String name, String version, String architecture,
    String source, String sourceVersion, String layer, Optional<String> sha256,
    Optional<String> debUrl, List<String> licenses) {

  /** The package URL that SBOMs and advisory databases use for a Debian 12 package. */
  public String purl() {
    return "pkg:deb/debian/" + name + "@" + Purls.encode(version) + "?arch=" + architecture
        + "&distro=debian-12";
  }
}
