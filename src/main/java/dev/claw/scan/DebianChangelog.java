package dev.claw.scan;

import dev.claw.debian.DebianVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A package's {@code changelog.Debian}: entries newest first, each headed by its version. */
final class DebianChangelog {
  /** "glibc (2.36-9+deb12u10) bookworm-security; urgency=medium". */
  private static final Pattern HEADER = Pattern.compile(
      "^[a-z0-9][a-z0-9+.-]* \\(([^() ]+)\\) [^;]*;.*$");
  private static final Pattern CVE = Pattern.compile("CVE-\\d{4}-\\d{4,}");

  private DebianChangelog() {}

  /**
   * The CVE ids named in the entries for versions newer than {@code installed}, sorted. The
   * walk stops at the first entry at or below it: what follows is history the installed
   * version already has.
   */
  static List<String> cvesSince(String changelog, DebianVersion installed) {
    TreeSet<String> cves = new TreeSet<>();
    boolean newer = false;
    for (String line : changelog.split("\n")) {
      Matcher header = HEADER.matcher(line);
      if (header.matches()) {
        newer = isNewer(header.group(1), installed);
        if (!newer) {
          break;
        }
      } else if (newer) {
        Matcher cve = CVE.matcher(line);
        while (cve.find()) {
          cves.add(cve.group());
        }
      }
    }
    return new ArrayList<>(cves);
  }

  private static boolean isNewer(String version, DebianVersion installed) {
    try {
      return DebianVersion.parse(version).compareTo(installed) > 0;
    } catch (IllegalArgumentException e) {
      // An old entry with a version dpkg no longer accepts is older than anything installed.
      return false;
    }
  }
}
