package dev.claw.scan;

import java.util.Optional;

/**
 * One known vulnerability as it applies to one installed package.
 *
 * @param id CVE-..., or the advisory's own id (DSA-..., TEMP-...)
 * @param status what Debian says of it for bookworm
 * @param reason more about the status: the no-DSA reason, "undetermined", the tracker's note
 * @param fixedVersion the first version with the fix, when one exists
 * @param origin where this came from: "bookworm-security" (the security suite's changelog),
 *     "tracker" or "osv" (an imported database)
 */
public record Finding(String packageName, String installedVersion, String source, String id,
    Status status, String reason, Severity severity, Optional<String> fixedVersion,
    String origin) {

  /** What Debian's security tracker says of a vulnerability for a release. */
  public enum Status {
    /** Fixed in a newer version than the one installed. */
    FIXED,
    /** Affects the installed version; no fix yet. */
    OPEN,
    /** Affects it, but Debian rates it as no security problem. */
    UNIMPORTANT,
    /** Affects it; Debian will not issue an advisory (minor, postponed or ignored). */
    NO_DSA,
    /** The package as Debian builds it was never affected. */
    NOT_AFFECTED,
    /** Debian no longer supports the package with security updates. */
    END_OF_LIFE;

    /** The lower-case name with '-', as tables and JSON show it. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** Whether the installed package is affected at all. */
  public boolean affects() {
    return status != Status.NOT_AFFECTED;
  }

  /** Whether a {@code --fail-on threshold} gate fails on this finding. */
  public boolean failsGate(Severity threshold) {
    boolean counts = status == Status.FIXED || status == Status.OPEN
        || status == Status.NO_DSA || status == Status.END_OF_LIFE;
    return counts && severity.gateRank() >= threshold.ordinal();
  }

  /** The same finding with another severity. */
  public Finding withSeverity(Severity other) {
    return new Finding(packageName, installedVersion, source, id, status, reason, other,
        fixedVersion, origin);
  }
}
