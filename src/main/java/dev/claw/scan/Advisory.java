package dev.claw.scan;

import dev.claw.debian.DebianVersion;
import java.util.List;
import java.util.Optional;

/**
 * One vulnerability of one Debian source package for bookworm, as claw stores it after
 * {@code claw db import}: from a security tracker entry, or from an OSV record.
 *
 * @param source the Debian source package
 * @param id the CVE (or TEMP-, DSA-, DLA-) id
 * @param status the tracker's status; for OSV, FIXED when a range has a fix, else OPEN
 * @param reason the no-DSA reason, "undetermined", or empty
 * @param severity the tracker's urgency or the OSV record's severity
 * @param fixed the first fixed version (tracker), or null
 * @param ranges OSV's affected ranges; empty for tracker entries
 * @param versions OSV's list of affected versions; empty for tracker entries
 * @param origin "tracker" or "osv"
 */
public record Advisory(String source, String id, Finding.Status status, String reason,
    Severity severity, String fixed, List<Range> ranges, List<String> versions,
    String origin) {

  /**
   * An OSV ECOSYSTEM range: versions from {@code introduced} ("0" for all) up to but not
   * including {@code fixed}, or up to and including {@code lastAffected}; null for absent.
   */
  public record Range(String introduced, String fixed, String lastAffected) {}

  /**
   * What this advisory means for {@code pkg}, whose source version it is compared against;
   * empty when the installed version already has the fix or is outside every affected range.
   * A tracker entry that says "not affected" gives a finding with that status, so that it is
   * seen apart from "fixed".
   */
  public Optional<Finding> applyTo(InstalledPackage pkg) {
    DebianVersion installed = DebianVersion.parse(pkg.sourceVersion());
    Optional<String> fixedIn = origin.equals("osv") ? osvRange(installed).map(Range::fixed)
        : Optional.ofNullable(fixed);
    boolean affected = origin.equals("osv") ? osvAffected(installed)
        : fixed == null || installed.compareTo(DebianVersion.parse(fixed)) < 0;
    if (!affected) {
      return Optional.empty();
    }
    return Optional.of(new Finding(pkg.name(), pkg.version(), source, id, status, reason,
        severity, fixedIn, origin));
  }

  private boolean osvAffected(DebianVersion installed) {
    return versions.contains(installed.toString()) || osvRange(installed).isPresent();
  }

  private Optional<Range> osvRange(DebianVersion installed) {
    return ranges.stream().filter(r -> holds(r, installed)).findFirst();
  }

  private static boolean holds(Range range, DebianVersion installed) {
    boolean fromStart = range.introduced() == null || range.introduced().equals("0");
    if (!fromStart && installed.compareTo(DebianVersion.parse(range.introduced())) < 0) {
      return false;
    }
    if (range.fixed() != null && installed.compareTo(DebianVersion.parse(range.fixed())) >= 0) {
      return false;
    }
    return range.lastAffected() == null
        || installed.compareTo(DebianVersion.parse(range.lastAffected())) <= 0;
  }
}
