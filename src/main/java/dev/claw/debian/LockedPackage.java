package dev.claw.debian;

/**
 * One package as claw.lock pins it: enough to fetch the exact .deb again and check it.
 *
 * @param size bytes of the .deb
 * @param sha256 the .deb's SHA-256, 64 lower-case hex digits
 * @param filename the .deb's path below {@code repository}
 * @param repository the base URI it came from
 * @param layer the profile layer that installs it
 */
public record LockedPackage(String name, String version, String architecture, String source,
    long size, String sha256, String filename, String repository, String layer) {

  /** Pins a resolved package for {@code layer}. */
  public static LockedPackage of(PackageRecord record, String layer) {
    return new LockedPackage(record.name(), record.version(), record.architecture(),
        record.source(), record.size(), record.sha256(), record.filename(),
        record.repository(), layer);
  }

  /** Where the .deb can be downloaded. */
  public String url() {
    return repository + "/" + filename;
  }
}
