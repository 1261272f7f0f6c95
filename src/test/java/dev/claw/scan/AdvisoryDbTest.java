package dev.claw.scan;

import static dev.claw.scan.Packages.pkg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdvisoryDbTest {
  @TempDir Path dir;

  /**
   * A tracker export in the tracker's own shape, one issue per status, plus a release other
   * than bookworm that must be ignored.
   */
  private static final String TRACKER = """
      {
        "openssl": {
          "CVE-2024-0001": {"description": "fixed by a point release", "releases": {
            "bookworm": {"status": "resolved", "fixed_version": "3.0.11-1~deb12u1",
                         "urgency": "high", "repositories": {"bookworm": "3.0.11-1~deb12u2"}},
            "trixie": {"status": "open", "urgency": "high"}}},
          "CVE-2024-0002": {"releases": {
            "bookworm": {"status": "open", "urgency": "medium"}}},
          "CVE-2024-0003": {"releases": {
            "bookworm": {"status": "open", "urgency": "unimportant"}}},
          "CVE-2024-0004": {"releases": {
            "bookworm": {"status": "open", "urgency": "low", "nodsa": "Minor issue",
                         "nodsa_reason": "postponed"}}},
          "CVE-2024-0005": {"releases": {
            "bookworm": {"status": "open", "urgency": "low", "nodsa": "Minor issue",
                         "nodsa_reason": ""}}},
          "CVE-2024-0006": {"releases": {
            "bookworm": {"status": "resolved", "fixed_version": "0",
                         "urgency": "unimportant"}}},
          "CVE-2024-0007": {"releases": {
            "bookworm": {"status": "undetermined", "urgency": "not yet assigned"}}},
          "CVE-2024-0008": {"releases": {
            "bookworm": {"status": "resolved", "fixed_version": "3.0.9-1",
                         "urgency": "medium"}}},
          "CVE-2024-0009": {"releases": {
            "bookworm": {"status": "open", "urgency": "low", "nodsa": "Ignored",
                         "nodsa_reason": "ignored"}}}
        },
        "oldlib": {
          "CVE-2023-0100": {"releases": {
            "bookworm": {"status": "open", "urgency": "end-of-life"}}}
        },
        "glibc": {
          "CVE-2024-0200": {"releases": {
            "bookworm": {"status": "resolved", "fixed_version": "2.36-9+deb12u10",
                         "urgency": "high"}}},
          "CVE-2024-0201": {"releases": {
            "bookworm": {"status": "resolved", "fixed_version": "2.36-9+deb12u3",
                         "urgency": "high"}}}
        },
        "zlib": {
          "CVE-2024-0300": {"releases": {
            "bookworm": {"status": "resolved", "fixed_version": "1:1.2.13.dfsg-1",
                         "urgency": "low**"}}}
        },
        "bigver": {
          "CVE-2024-0400": {"releases": {
            "bookworm": {"status": "resolved", "fixed_version": "20240101000000000000002-1",
                         "urgency": "medium"}}}
        }
      }
      """;

  private Map<String, Finding> trackerFindings(InstalledPackage... packages)
      throws IOException {
    Path file = dir.resolve("tracker.json");
    Files.writeString(file, TRACKER);
    AdvisoryDb db = new AdvisoryDb(dir.resolve("db"));
    assertThat(db.importFile(file).format()).isEqualTo("tracker");
    return db.findings(List.of(packages)).stream()
        .collect(Collectors.toMap(Finding::id, Function.identity()));
  }

  @Test
  void everyTrackerStatusIsKeptApart() throws IOException {
    Map<String, Finding> found = trackerFindings(pkg("libssl3", "openssl", "3.0.11-1~deb12u0"),
        pkg("oldlib1", "oldlib", "1.0-1"));

    assertThat(found.get("CVE-2024-0001").status()).isEqualTo(Finding.Status.FIXED);
    assertThat(found.get("CVE-2024-0001").fixedVersion()).contains("3.0.11-1~deb12u1");
    assertThat(found.get("CVE-2024-0001").severity()).isEqualTo(Severity.HIGH);
    assertThat(found.get("CVE-2024-0002").status()).isEqualTo(Finding.Status.OPEN);
    assertThat(found.get("CVE-2024-0002").severity()).isEqualTo(Severity.MEDIUM);
    assertThat(found.get("CVE-2024-0003").status()).isEqualTo(Finding.Status.UNIMPORTANT);
    assertThat(found.get("CVE-2024-0003").severity()).isEqualTo(Severity.NONE);
    assertThat(found.get("CVE-2024-0004").status()).isEqualTo(Finding.Status.NO_DSA);
    assertThat(found.get("CVE-2024-0004").reason()).isEqualTo("postponed");
    assertThat(found.get("CVE-2024-0005").reason()).isEqualTo("minor issue");
    assertThat(found.get("CVE-2024-0009").reason()).isEqualTo("ignored");
    assertThat(found.get("CVE-2024-0006").status()).isEqualTo(Finding.Status.NOT_AFFECTED);
    assertThat(found.get("CVE-2024-0006").affects()).isFalse();
    assertThat(found.get("CVE-2024-0007").status()).isEqualTo(Finding.Status.OPEN);
    assertThat(found.get("CVE-2024-0007").reason()).isEqualTo("undetermined");
    assertThat(found.get("CVE-2024-0007").severity()).isEqualTo(Severity.UNKNOWN);
    assertThat(found.get("CVE-2023-0100").status()).isEqualTo(Finding.Status.END_OF_LIFE);
    // Fixed in 3.0.9-1, older than what is installed: not a finding at all.
    assertThat(found).doesNotContainKey("CVE-2024-0008");
    assertThat(found.keySet()).allMatch(id -> !id.startsWith("CVE-2024-02"));
  }

  @Test
  void tildeSortsBeforeTheReleaseItPrecedes() throws IOException {
    // 3.0.11-1~deb12u1 is older than 3.0.11-1: the fix is in, the issue is gone.
    assertThat(trackerFindings(pkg("libssl3", "openssl", "3.0.11-1")))
        .doesNotContainKey("CVE-2024-0001");
    assertThat(trackerFindings(pkg("libssl3", "openssl", "3.0.11-1~deb12u1")))
        .doesNotContainKey("CVE-2024-0001");
    assertThat(trackerFindings(pkg("libssl3", "openssl", "3.0.11-1~~")))
        .containsKey("CVE-2024-0001");
  }

  @Test
  void debianUpdateNumbersCompareAsNumbersNotText() throws IOException {
    // As text "u3" > "u10"; as dpkg compares, deb12u3 < deb12u10.
    Map<String, Finding> found = trackerFindings(pkg("libc6", "glibc", "2.36-9+deb12u4"));
    assertThat(found).containsKey("CVE-2024-0200").doesNotContainKey("CVE-2024-0201");
    assertThat(trackerFindings(pkg("libc6", "glibc", "2.36-9+deb12u10"))).isEmpty();
  }

  @Test
  void revisionsAndPlusSuffixesAreOrderedByDpkg() throws IOException {
    assertThat(trackerFindings(pkg("libc6", "glibc", "2.36-9"))).containsKey("CVE-2024-0201");
    // A binNMU or stable update of the fixed version is newer than it.
    assertThat(trackerFindings(pkg("libc6", "glibc", "2.36-10"))).isEmpty();
  }

  @Test
  void anEpochOutweighsEverythingAfterIt() throws IOException {
    assertThat(trackerFindings(pkg("zlib1g", "zlib", "1.3-1"))).containsKey("CVE-2024-0300");
    assertThat(trackerFindings(pkg("zlib1g", "zlib", "1:1.2.13.dfsg-1+deb12u1"))).isEmpty();
    assertThat(trackerFindings(pkg("zlib1g", "zlib", "2:0.1-1"))).isEmpty();
    assertThat(trackerFindings(pkg("zlib1g", "zlib", "1.3-1")).get("CVE-2024-0300")
        .severity()).isEqualTo(Severity.LOW);
  }

  @Test
  void digitRunsLongerThanALongCompareExactly() throws IOException {
    assertThat(trackerFindings(pkg("big", "bigver", "20240101000000000000001-1")))
        .containsKey("CVE-2024-0400");
    assertThat(trackerFindings(pkg("big", "bigver", "20240101000000000000002-1"))).isEmpty();
    assertThat(trackerFindings(pkg("big", "bigver", "020240101000000000000002-2"))).isEmpty();
  }

  @Test
  void matchingIsBySourcePackageAndItsVersion() throws IOException {
    InstalledPackage binNmu = new InstalledPackage("libc6", "2.36-9+deb12u4+b1", "amd64",
        "glibc", "2.36-9+deb12u4", "base", Optional.empty(), Optional.empty(), List.of());
    assertThat(trackerFindings(binNmu).get("CVE-2024-0200").packageName()).isEqualTo("libc6");
    assertThat(trackerFindings(pkg("glibc", "other-source", "1.0-1"))).isEmpty();
  }

  private static final String OSV = """
      [
        {"id": "DSA-5000-1", "aliases": ["CVE-2024-1000"],
         "affected": [
           {"package": {"ecosystem": "Debian:12", "name": "curl"},
            "ranges": [{"type": "ECOSYSTEM", "events": [
              {"introduced": "0"}, {"fixed": "7.88.1-10+deb12u5"}]}],
            "ecosystem_specific": {"urgency": "high"}},
           {"package": {"ecosystem": "Debian:11", "name": "curl"},
            "ranges": [{"type": "ECOSYSTEM", "events": [
              {"introduced": "0"}, {"fixed": "7.74.0-1.3+deb11u9"}]}]}]},
        {"id": "DEBIAN-CVE-2024-2000",
         "severity": [{"type": "CVSS_V3",
                       "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
         "affected": [
           {"package": {"ecosystem": "Debian:12", "name": "curl"},
            "ranges": [{"type": "ECOSYSTEM", "events": [
              {"introduced": "7.88.1-10+deb12u2"}, {"last_affected": "7.88.1-10+deb12u4"}]}]}]},
        {"id": "DEBIAN-CVE-2024-3000",
         "affected": [
           {"package": {"ecosystem": "Debian:12", "name": "curl"},
            "versions": ["7.88.1-10+deb12u3"]}]}
      ]
      """;

  @Test
  void osvRangesLastAffectedAndListedVersionsMatchTheSourceVersion() throws IOException {
    Path file = dir.resolve("osv.json");
    Files.writeString(file, OSV);
    AdvisoryDb db = new AdvisoryDb(dir.resolve("db"));
    AdvisoryDb.Imported imported = db.importFile(file);
    assertThat(imported.format()).isEqualTo("osv");
    assertThat(imported.advisories()).isEqualTo(3);

    Map<String, Finding> u3 = byId(db, pkg("libcurl4", "curl", "7.88.1-10+deb12u3"));
    assertThat(u3.get("DSA-5000-1").status()).isEqualTo(Finding.Status.FIXED);
    assertThat(u3.get("DSA-5000-1").fixedVersion()).contains("7.88.1-10+deb12u5");
    assertThat(u3.get("DSA-5000-1").severity()).isEqualTo(Severity.HIGH);
    assertThat(u3.get("DEBIAN-CVE-2024-2000").status()).isEqualTo(Finding.Status.OPEN);
    assertThat(u3.get("DEBIAN-CVE-2024-2000").severity()).isEqualTo(Severity.CRITICAL);
    assertThat(u3).containsKey("DEBIAN-CVE-2024-3000");

    assertThat(byId(db, pkg("libcurl4", "curl", "7.88.1-10+deb12u1")).keySet())
        .containsExactly("DSA-5000-1");
    assertThat(byId(db, pkg("libcurl4", "curl", "7.88.1-10+deb12u4")).keySet())
        .containsExactlyInAnyOrder("DSA-5000-1", "DEBIAN-CVE-2024-2000");
    assertThat(byId(db, pkg("libcurl4", "curl", "7.88.1-10+deb12u5"))).isEmpty();
  }

  @Test
  void osvImportsMergeByIdAndTheTrackerImportIsKept() throws IOException {
    Path tracker = dir.resolve("tracker.json");
    Files.writeString(tracker, TRACKER);
    Path osv = dir.resolve("osv.json");
    Files.writeString(osv, OSV);
    AdvisoryDb db = new AdvisoryDb(dir.resolve("db"));
    db.importFile(tracker);
    db.importFile(osv);
    db.importFile(osv);

    List<Finding> found = db.findings(List.of(pkg("libcurl4", "curl", "7.88.1-10+deb12u3"),
        pkg("libssl3", "openssl", "3.0.11-1~deb12u0")));
    assertThat(found.stream().filter(f -> f.origin().equals("osv"))).hasSize(3);
    assertThat(found.stream().filter(f -> f.origin().equals("tracker"))).hasSize(8);
  }

  @Test
  void aFileOfAnotherShapeIsRefusedAndTheDatabaseIsUnchanged() throws IOException {
    Path tracker = dir.resolve("tracker.json");
    Files.writeString(tracker, TRACKER);
    AdvisoryDb db = new AdvisoryDb(dir.resolve("db"));
    db.importFile(tracker);
    byte[] before = Files.readAllBytes(dir.resolve("db/tracker.json"));

    Path other = dir.resolve("other.json");
    Files.writeString(other, "{\"hello\": [1, 2]}");
    assertThatThrownBy(() -> db.importFile(other)).isInstanceOf(ClawException.class)
        .hasMessageContaining("neither");
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{\"openssl\": ");
    assertThatThrownBy(() -> db.importFile(broken)).isInstanceOf(ClawException.class)
        .hasMessageContaining("is not JSON");
    Path badVersion = dir.resolve("bad.json");
    Files.writeString(badVersion, OSV.replace("7.88.1-10+deb12u5", "not a version"));
    assertThatThrownBy(() -> db.importFile(badVersion)).isInstanceOf(ClawException.class)
        .hasMessageContaining("not a Debian version");

    assertThat(Files.readAllBytes(dir.resolve("db/tracker.json"))).isEqualTo(before);
    try (var files = Files.list(dir.resolve("db"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("tracker.json");
    }
  }

  @Test
  void cvssVectorsScoreAsTheSpecificationSays() {
    assertThat(Cvss3.baseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")).contains(9.8);
    assertThat(Cvss3.baseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N")).contains(6.1);
    assertThat(Cvss3.baseScore("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N")).contains(5.5);
    assertThat(Cvss3.baseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N")).contains(0.0);
    assertThat(Cvss3.baseScore("CVSS:3.1/AV:N")).isEmpty();
  }

  @Test
  void failOnCountsAffectingFindingsAndRatesUnknownAsMedium() {
    Finding open = new Finding("p", "1", "s", "CVE-1", Finding.Status.OPEN, "",
        Severity.UNKNOWN, Optional.empty(), "tracker");
    assertThat(open.failsGate(Severity.MEDIUM)).isTrue();
    assertThat(open.failsGate(Severity.HIGH)).isFalse();
    Finding unimportant = new Finding("p", "1", "s", "CVE-2", Finding.Status.UNIMPORTANT, "",
        Severity.NONE, Optional.empty(), "tracker");
    assertThat(unimportant.failsGate(Severity.LOW)).isFalse();
    Finding critical = open.withSeverity(Severity.CRITICAL);
    assertThat(critical.failsGate(Severity.CRITICAL)).isTrue();
  }

  private static Map<String, Finding> byId(AdvisoryDb db, InstalledPackage pkg)
      throws IOException {
    return db.findings(List.of(pkg)).stream()
        .collect(Collectors.toMap(Finding::id, Function.identity()));
  }
}
