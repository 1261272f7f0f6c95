package dev.claw.scan;

import dev.claw.ClawException;
import dev.claw.debian.LockedPackage;
import dev.claw.event.EventListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Scans a root: its packages from dpkg's records, their vulnerabilities from the security
 * suite (when given) and the imported advisory database, and its attack surface.
 */
public final class Scanner {
  private final Optional<SecuritySuite> securitySuite;
  private final AdvisoryDb advisories;
  private final EventListener events;

  /**
   * @param securitySuite the suite to check, or empty to skip it (offline)
   * @param advisories the imported database (may be empty)
   */
  public Scanner(Optional<SecuritySuite> securitySuite, AdvisoryDb advisories,
      EventListener events) {
    this.securitySuite = securitySuite;
    this.advisories = advisories;
    this.events = events;
  }

  /**
   * Scans {@code root}.
   *
   * @param lock the packages claw.lock pinned (for .deb hashes); empty for other roots
   */
  public ScanReport scan(String name, RootView root, List<LockedPackage> lock)
      throws IOException {
    long start = System.nanoTime();
    List<InstalledPackage> packages = DpkgRecords.read(root, lock);
    AttackSurface surface = AttackSurface.of(root,
        lock.stream().map(LockedPackage::layer).distinct().toList());
    events.detail(String.format("scanned %s: %d packages, %d ELF files in %.2f s", name,
        packages.size(), surface.elves().size(), (System.nanoTime() - start) / 1e9));

    List<String> notes = new ArrayList<>();
    List<Finding> findings = new ArrayList<>();
    if (securitySuite.isPresent()) {
      try {
        findings.addAll(securitySuite.get().findings(packages));
      } catch (ClawException e) {
        events.warn("the security suite was not checked: " + e.getMessage());
        notes.add("bookworm-security not checked: " + e.getMessage());
      }
    } else {
      notes.add("bookworm-security not checked (--skip-security-suite)");
    }
    findings.addAll(advisories.findings(packages));
    if (advisories.isEmpty()) {
      notes.add("no advisory database imported ('claw db import FILE')");
    }
    List<Finding> rated = new ArrayList<>(advisories.rate(findings));
    rated.sort(Comparator.comparing(Finding::packageName).thenComparing(Finding::id)
        .thenComparing(Finding::origin));
    return new ScanReport(name, packages, List.copyOf(rated), surface, List.copyOf(notes));
  }
}
