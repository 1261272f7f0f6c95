package dev.claw.debian;

import java.util.List;
import java.util.Map;

/**
 * One binary package as a signed Packages index describes it.
 *
 * @param name the package name
 * @param version the version as written in the index
 * @param architecture "amd64", "all", ...
 * @param source the source package it was built from: the {@code Source:} field without its
 *     "(version)" part, or the package name when the index gives none
 * @param size bytes of the .deb
 * @param sha256 the .deb's SHA-256, 64 lower-case hex digits
 * @param filename the .deb's path below the repository, such as
 *     {@code pool/main/g/glibc/libc6_2.36-9_amd64.deb}
 * @param repository the repository's base URI, such as {@code http://deb.debian.org/debian}
 * @param fields the index fields later steps need (see {@link #KEPT_FIELDS}), verbatim
 */
public record PackageRecord(String name, String version, String architecture, String source,
    long size, String sha256, String filename, String repository, Map<String, String> fields) {

  /**
   * Fields kept from the index: relations for resolving, the rest for the image's dpkg status
   * and the SBOM.
   */
  public static final List<String> KEPT_FIELDS = List.of("Depends", "Pre-Depends", "Provides",
      "Multi-Arch", "Essential", "Priority", "Section", "Installed-Size", "Maintainer",
      "Description", "Homepage");

  public PackageRecord {
    fields = Map.copyOf(fields);
  }

  /** The version in dpkg's order. */
  public DebianVersion debianVersion() {
    return DebianVersion.parse(version);
  }

  /** A field of {@link #KEPT_FIELDS}, or "" if the index did not give it. */
  public String field(String name) {
    return fields.getOrDefault(name, "");
  }

  /** Where the .deb can be downloaded. */
  public String url() {
    return repository + "/" + filename;
  }

  @Override
  public String toString() {
    return name + " " + version + " (" + architecture + ")";
  }
}
