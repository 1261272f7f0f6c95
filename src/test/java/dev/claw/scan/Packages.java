package dev.claw.scan;

import java.util.List;
import java.util.Optional;

/** Installed packages for tests, as dpkg's records would give them. */
final class Packages {
  private Packages() {}

  static InstalledPackage pkg(String name, String source, String version) {
    return new InstalledPackage(name, version, "amd64", source, version, "base",
        Optional.empty(), Optional.empty(), List.of());
  }
}
