package dev.claw.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.debian.AptSource;
import dev.claw.debian.AptSources;
import dev.claw.debian.DebCache;
import dev.claw.debian.DebianRepository;
import dev.claw.debian.DebianVersion;
import dev.claw.debian.PackageRecord;
import dev.claw.debian.PackageUniverse;
import dev.claw.event.EventListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against Debian's real mirror: packages at the versions of the bookworm main suite, as an
 * image locked from main alone would have them, must be reported with the CVEs that the
 * security suite's newer versions fix, read from their real changelogs.
 */
class SecuritySuiteTest {
  @TempDir Path cache;

  @Test
  void packagesFromTheMainSuiteAreReportedWithTheCvesTheirUpdatesFix() throws Exception {
    List<AptSource> sources = AptSources.fromHost(Path.of("/etc/apt"));
    String architecture = AptSources.hostArchitecture();
    List<AptSource> main = sources.stream().filter(s -> s.suite().equals("bookworm")).toList();
    PackageUniverse mainSuite = new DebianRepository(main, architecture,
        cache.resolve("indexes"), EventListener.IGNORE).load();

    List<InstalledPackage> image = new ArrayList<>();
    for (String name : List.of("libc6", "libssl3", "python3.11-minimal")) {
      PackageRecord record = mainSuite.candidate(name).orElseThrow();
      image.add(new InstalledPackage(name, record.version(), record.architecture(),
          record.source(), record.version(), "base", Optional.empty(), Optional.empty(),
          List.of()));
    }
    SecuritySuite suite = new SecuritySuite(sources, architecture, cache.resolve("indexes"),
        new DebCache(cache.resolve("debs"), EventListener.IGNORE), cache.resolve("cves"),
        EventListener.IGNORE);

    List<Finding> findings = suite.findings(image);
    Map<String, List<Finding>> byPackage = findings.stream()
        .collect(Collectors.groupingBy(Finding::packageName));
    // Which of them the security suite has updated since the last point release changes with
    // time; today at least one of them, always exactly those.
    assertThat(byPackage.keySet()).isNotEmpty().isEqualTo(updated(sources, architecture, image));
    for (List<Finding> own : byPackage.values()) {
      assertThat(own).allSatisfy(f -> {
        assertThat(f.id()).matches("CVE-\\d{4}-\\d{4,}");
        assertThat(f.status()).isEqualTo(Finding.Status.FIXED);
        assertThat(f.origin()).isEqualTo("bookworm-security");
        assertThat(f.fixedVersion()).isPresent();
      });
    }

    // Cached by version: a second check reads no .deb and gives the same answer.
    try (var files = Files.list(cache.resolve("cves"))) {
      assertThat(files.count()).isEqualTo(byPackage.size());
    }
    Files.walk(cache.resolve("debs")).filter(Files::isRegularFile).forEach(p -> p.toFile()
        .delete());
    assertThat(suite.findings(image)).isEqualTo(findings);
  }

  private Set<String> updated(List<AptSource> sources, String architecture,
      List<InstalledPackage> image) {
    List<AptSource> security = sources.stream()
        .filter(s -> s.suite().equals("bookworm-security")).toList();
    PackageUniverse suite = new DebianRepository(security, architecture,
        cache.resolve("indexes"), EventListener.IGNORE).load();
    return image.stream().filter(p -> suite.candidate(p.name())
        .filter(r -> r.debianVersion().compareTo(DebianVersion.parse(p.version())) > 0)
        .isPresent()).map(InstalledPackage::name).collect(Collectors.toSet());
  }
}
