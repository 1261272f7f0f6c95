package dev.claw.scan;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.claw.ClawException;
import dev.claw.deb.DebEntry;
import dev.claw.deb.DebPackage;
import dev.claw.debian.AptSource;
import dev.claw.debian.AptSources;
import dev.claw.debian.DebCache;
import dev.claw.debian.DebianRepository;
import dev.claw.debian.DebianVersion;
import dev.claw.debian.LockedPackage;
import dev.claw.debian.PackageRecord;
import dev.claw.debian.PackageUniverse;
import dev.claw.event.EventListener;
import dev.claw.host.Sha256;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Known vulnerabilities from the Debian security suite the host's apt reaches
 * (bookworm-security): for each installed package that the suite has in a newer version, the
 * CVEs that newer version fixes, read from its {@code changelog.Debian.gz}, entries newer than
 * the installed version only.
 *
 * <p>The suite's index is verified as for building (signed InRelease, hashed Packages), and
 * each newer .deb against that index. Downloading the .debs is what costs; the CVE list of
 * each (package, installed version, newer version) is cached under {@code cacheDir}, so a
 * second scan only re-reads the suite's InRelease.
 */
public final class SecuritySuite {
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  /** The id given when a newer version's changelog names no CVE (a regression fix, say). */
  static final String NO_CVE = "(no CVE named)";

  private final List<AptSource> sources;
  private final String architecture;
  private final Path indexCache;
  private final DebCache debs;
  private final Path cacheDir;
  private final EventListener events;

  public SecuritySuite(List<AptSource> sources, String architecture, Path indexCache,
      DebCache debs, Path cacheDir, EventListener events) {
    this.sources = sources.stream().filter(s -> s.suite().equals("bookworm-security")).toList();
    this.architecture = architecture;
    this.indexCache = indexCache;
    this.debs = debs;
    this.cacheDir = cacheDir;
    this.events = events;
  }

  /** The security suite of the host's apt sources. */
  public static SecuritySuite forHost(Path indexCache, DebCache debs, Path cacheDir,
      EventListener events) {
    return new SecuritySuite(AptSources.fromHost(Path.of("/etc/apt")),
        AptSources.hostArchitecture(), indexCache, debs, cacheDir, events);
  }

  /**
   * The findings for {@code packages}, by package then CVE.
   *
   * @throws ClawException if the host's apt has no bookworm-security source, or it cannot be
   *     reached and verified
   */
  public List<Finding> findings(List<InstalledPackage> packages) throws IOException {
    if (sources.isEmpty()) {
      throw new ClawException("the host's apt sources list no bookworm-security suite",
          "add deb.debian.org/debian-security bookworm-security to the host's apt sources, "
              + "or scan with --skip-security-suite");
    }
    PackageUniverse suite = new DebianRepository(sources, architecture, indexCache, events)
        .load();
    List<Finding> findings = new ArrayList<>();
    for (InstalledPackage pkg : packages) {
      Optional<PackageRecord> newer = suite.candidate(pkg.name())
          .filter(r -> r.architecture().equals(pkg.architecture()))
          .filter(r -> r.debianVersion().compareTo(DebianVersion.parse(pkg.version())) > 0);
      if (newer.isPresent()) {
        for (String cve : cves(pkg, newer.get(), suite)) {
          findings.add(new Finding(pkg.name(), pkg.version(), pkg.source(), cve,
              Finding.Status.FIXED, "", Severity.UNKNOWN, Optional.of(newer.get().version()),
              "bookworm-security"));
        }
      }
    }
    return findings;
  }

  private List<String> cves(InstalledPackage pkg, PackageRecord newer, PackageUniverse suite)
      throws IOException {
    Path cached = cacheDir.resolve(Sha256.of((pkg.name() + " " + pkg.version() + " "
        + newer.version()).getBytes(StandardCharsets.UTF_8)) + ".json");
    if (Files.isRegularFile(cached)) {
      return Json.MAPPER.readValue(cached.toFile(), STRINGS);
    }
    events.progress("scan", "reading the changelog of " + newer.name() + " " + newer.version()
        + " from bookworm-security");
    Optional<String> changelog = changelog(newer);
    if (changelog.isEmpty()) {
      // Packages may share their source's documentation folder: read a sibling's changelog.
      Optional<PackageRecord> sibling = suite.candidate(pkg.source())
          .filter(r -> r.version().equals(newer.version()));
      changelog = sibling.isPresent() ? changelog(sibling.get()) : Optional.empty();
    }
    List<String> cves = changelog.map(text -> DebianChangelog.cvesSince(text,
        DebianVersion.parse(pkg.version()))).orElse(List.of());
    List<String> ids = cves.isEmpty() ? List.of(NO_CVE) : cves;
    save(cached, ids);
    return ids;
  }

  /** The text of the package's own {@code /usr/share/doc/NAME/changelog.Debian.gz}. */
  private Optional<String> changelog(PackageRecord record) throws IOException {
    Path deb = debs.fetch(LockedPackage.of(record, "bookworm-security"));
    String wanted = "./usr/share/doc/" + record.name() + "/changelog.Debian.gz";
    byte[][] found = new byte[1][];
    DebPackage.read(deb).readData(entry -> {
      if (entry.kind() == DebEntry.Kind.FILE && entry.name().equals(wanted)) {
        found[0] = entry.content();
      }
    });
    if (found[0] == null) {
      return Optional.empty();
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(found[0]))) {
      return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private void save(Path file, List<String> ids) throws IOException {
    Files.createDirectories(cacheDir);
    Path temp = Files.createTempFile(cacheDir, "cves", ".tmp");
    try {
      Files.write(temp, Json.bytes(Json.strings(ids)));
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
