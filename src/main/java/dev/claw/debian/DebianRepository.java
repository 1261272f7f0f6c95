package dev.claw.debian;

import dev.claw.ClawException;
import dev.claw.event.EventListener;
import dev.claw.host.Exec;
import dev.claw.host.Sha256;
import dev.claw.host.Trees;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The Debian repositories apt is configured for, loaded into one {@link PackageUniverse} with
 * apt's chain of trust:
 *
 * <ol>
 *   <li>each suite's InRelease is fetched and checked with gpgv against the source's keyring
 *       (see {@link SignatureCheck}); only the text gpgv outputs is read;
 *   <li>the signed Release must name the suite that was asked for, and must not have passed
 *       its Valid-Until date, unless apt's own {@code Acquire::Check-Valid-Until} is false;
 *   <li>each Packages index (xz, else gz, else uncompressed, whichever the Release lists and
 *       the mirror has) must have exactly the size and SHA-256 the Release gives for it.
 * </ol>
 *
 * <p>Verified indexes are kept under {@code cacheDir/indexes}, named by their SHA-256 as the
 * signed Release gives it, so a later load downloads only the (small) InRelease files and any
 * index that has changed. Every cached index is hashed again before use. InRelease is fetched
 * every time: it is what says whether the cached indexes are still current.
 *
 * <p>Loads one suite after another; an instance may be used by one thread at a time, and
 * several claw processes may share one cache folder.
 */
public final class DebianRepository {
  private static final String STEP = "debian";
  // Debian's largest InRelease is about 150 KB; anything far beyond is not an InRelease.
  private static final long MAX_INRELEASE_BYTES = 16L << 20;
  private static final List<String> COMPRESSIONS = List.of(".xz", ".gz", "");
  private static final Duration PRUNE_AFTER = Duration.ofDays(1);

  private final List<AptSource> sources;
  private final String architecture;
  private final Path cacheDir;
  private final EventListener events;
  private final Boolean checkValidUntil;
  private final Http http = Http.create();

  /**
   * @param sources the suites to load, in priority order for equal versions
   * @param architecture the dpkg architecture to load, such as "amd64"
   * @param cacheDir a folder of claw's cache for verified indexes
   */
  public DebianRepository(List<AptSource> sources, String architecture, Path cacheDir,
      EventListener events) {
    this(sources, architecture, cacheDir, events, null);
  }

  /** As above; {@code checkValidUntil} null means: as apt's configuration says. */
  DebianRepository(List<AptSource> sources, String architecture, Path cacheDir,
      EventListener events, Boolean checkValidUntil) {
    LockRules.checkArchitecture(architecture);
    this.sources = List.copyOf(sources);
    this.architecture = architecture;
    this.cacheDir = cacheDir;
    this.events = events;
    this.checkValidUntil = checkValidUntil;
  }

  /**
   * Downloads (or reuses) and verifies every source's indexes, and merges them.
   *
   * @throws ClawException if a signature, a digest, or the network fails; nothing unverified
   *     is left in the cache
   */
  public PackageUniverse load() {
    boolean validUntil = checkValidUntil != null ? checkValidUntil : aptChecksValidUntil();
    if (!validUntil) {
      events.warn("not checking the Valid-Until dates of Release files, because apt's"
          + " configuration says Acquire::Check-Valid-Until \"false\": a mirror serving stale"
          + " indexes would go unnoticed");
    }

    List<PackageRecord> records = new ArrayList<>();
    try {
      Path indexes = Files.createDirectories(cacheDir.resolve("indexes"));
      Set<Path> used = new HashSet<>();
      for (AptSource source : sources) {
        ReleaseFile release = release(source, validUntil);
        for (String component : source.components()) {
          records.addAll(packages(source, release, component, indexes, used));
        }
      }
      prune(indexes, used);
    } catch (IOException e) {
      throw new ClawException("could not use the package index cache in " + cacheDir + ": " + e,
          "check that " + cacheDir + " is writable and the disk has room", e);
    }

    PackageUniverse universe = PackageUniverse.of(records);
    events.detail("loaded " + universe.size() + " package names for " + architecture + " from "
        + sources.size() + " suites");
    return universe;
  }

  // ---- InRelease

  private ReleaseFile release(AptSource source, boolean validUntil) throws IOException {
    URI uri = URI.create(source.uri() + "/dists/" + source.suite() + "/InRelease");
    String what = "the InRelease file " + uri;
    events.progress(STEP, "checking " + source.suite() + " at " + source.uri());

    Path scratch = Files.createTempDirectory(cacheDir, "inrelease-");
    try {
      Path file = scratch.resolve("InRelease");
      if (http.fetch(uri, file, MAX_INRELEASE_BYTES).isEmpty()) {
        throw new ClawException("the mirror has no " + uri, "check the suite name '"
            + source.suite() + "' in the apt source; claw needs a signed InRelease file");
      }
      ReleaseFile release = ReleaseFile.parse(
          SignatureCheck.verify(file, source.keyring(), scratch, what), what);
      checkRelease(release, source, what, validUntil);
      return release;
    } finally {
      Trees.deleteQuietly(scratch);
    }
  }

  private void checkRelease(ReleaseFile release, AptSource source, String what,
      boolean validUntil) {
    if (!release.describes(source.suite())) {
      throw new ClawException(what + " describes suite '" + release.suite() + "' (codename '"
          + release.codename() + "'), not '" + source.suite() + "' as asked",
          "the mirror serves another distribution under this name (or replays an old one):"
          + " check the suite in the apt source, or use another mirror");
    }
    if (!release.offers(architecture)) {
      throw new ClawException(what + " has no packages for " + architecture + " (it has "
          + String.join(" ", release.architectures()) + ")",
          "remove this source from apt's sources, or build for an architecture it has");
    }
    Optional<Instant> expiry = release.validUntil();
    if (validUntil && expiry.isPresent() && Instant.now().isAfter(expiry.get())) {
      throw new ClawException(what + " expired on " + expiry.get() + " (Valid-Until): the"
          + " mirror serves stale indexes, which could hide security updates",
          "use an up-to-date mirror; to build from a snapshot on purpose, set"
          + " Acquire::Check-Valid-Until \"false\" in apt's configuration, as apt requires");
    }
  }

  /** apt's {@code Acquire::Check-Valid-Until}; true (apt's default) when apt-config is absent. */
  static boolean aptChecksValidUntil() {
    Optional<Path> aptConfig = Exec.which("apt-config");
    if (aptConfig.isEmpty()) {
      return true;
    }
    try {
      Exec.Result dump = Exec.run(null, List.of(aptConfig.get().toString(), "dump"));
      return checkValidUntilSetting(dump.stdout());
    } catch (IOException e) {
      return true;
    }
  }

  /** Reads the setting from {@code apt-config dump} output; apt's boolean spellings. */
  static boolean checkValidUntilSetting(String dump) {
    boolean check = true;
    for (String line : dump.split("\n")) {
      String prefix = "Acquire::Check-Valid-Until ";
      if (line.regionMatches(true, 0, prefix, 0, prefix.length())) {
        String value = line.substring(prefix.length()).replace("\"", "").replace(";", "")
            .strip().toLowerCase(Locale.ROOT);
        check = !List.of("false", "no", "0", "off", "without", "disable").contains(value);
      }
    }
    return check;
  }

  // ---- Packages indexes

  /**
   * Loads one component's index. When the Release vouches for the uncompressed index too, as
   * Debian's do, the cache keeps it uncompressed (verified against that entry): decompressing
   * xz is most of the cost of a warm load.
   */
  private List<PackageRecord> packages(AptSource source, ReleaseFile release,
      String component, Path indexes, Set<Path> used) throws IOException {
    String base = component + "/binary-" + architecture + "/Packages";
    ReleaseFile.FileEntry plain = release.files().get(base);
    boolean listed = false;
    for (String compression : COMPRESSIONS) {
      ReleaseFile.FileEntry entry = release.files().get(base + compression);
      if (entry == null) {
        continue;
      }
      listed = true;
      ReleaseFile.FileEntry kept = plain != null ? plain : entry;
      Optional<Path> file = cached(kept, indexes, source);
      if (file.isEmpty()) {
        file = fetchIndex(source, release, entry, kept, indexes);
      }
      if (file.isPresent()) {
        used.add(file.get());
        return parse(file.get(), kept == plain ? "" : compression, source, entry);
      }
    }
    String where = source.uri() + "/dists/" + source.suite() + "/" + base;
    throw new ClawException(listed ? "the mirror has none of the files " + where + "{.xz,.gz,}"
        + " that its InRelease lists" : "the InRelease of " + source.suite() + " lists no "
        + base + " index", listed ? "the mirror is incomplete: try again later or use another"
        + " mirror" : "check the component '" + component + "' in the apt source");
  }

  /** The cached copy of {@code entry}, if it is there and still has the right digest. */
  private Optional<Path> cached(ReleaseFile.FileEntry entry, Path indexes, AptSource source)
      throws IOException {
    Path cached = indexes.resolve(entry.sha256());
    if (!Files.isRegularFile(cached)) {
      return Optional.empty();
    }
    if (Files.size(cached) == entry.size() && Sha256.of(cached).equals(entry.sha256())) {
      events.detail("using the cached " + entry.path() + " of " + source.suite());
      // Marks it as in use, so that a concurrent claw's prune leaves it alone.
      Files.setLastModifiedTime(cached, FileTime.from(Instant.now()));
      return Optional.of(cached);
    }
    events.warn("the cached index " + cached + " is corrupt; downloading it again");
    Files.delete(cached);
    return Optional.empty();
  }

  /**
   * Downloads {@code entry}, checks it, and caches it as {@code kept}: the same file, or its
   * uncompressed content, checked against the Release's entry for that.
   */
  private Optional<Path> fetchIndex(AptSource source, ReleaseFile release,
      ReleaseFile.FileEntry entry, ReleaseFile.FileEntry kept, Path indexes)
      throws IOException {
    Path partial = Files.createTempFile(indexes, ".download-", ".partial");
    Path unpacked = null;
    try {
      Optional<Http.Download> download = download(source, release, entry, partial);
      if (download.isEmpty()) {
        return Optional.empty();
      }
      checkDigest(download.get(), entry, source);

      Path verified = partial;
      if (kept != entry) {
        unpacked = Files.createTempFile(indexes, ".unpacked-", ".partial");
        checkDigest(decompress(partial, entry, unpacked, kept), kept, source);
        verified = unpacked;
      }
      Path cached = indexes.resolve(kept.sha256());
      Files.move(verified, cached, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      return Optional.of(cached);
    } finally {
      Files.deleteIfExists(partial);
      if (unpacked != null) {
        Files.deleteIfExists(unpacked);
      }
    }
  }

  /**
   * Fetches by hash when the Release offers it, as apt does: a mirror that updates between our
   * InRelease and index requests still serves the index that InRelease describes.
   */
  private Optional<Http.Download> download(AptSource source, ReleaseFile release,
      ReleaseFile.FileEntry entry, Path partial) {
    String dists = source.uri() + "/dists/" + source.suite() + "/";
    events.progress(STEP, "downloading " + entry.path() + " of " + source.suite() + " ("
        + entry.size() / 1024 + " KiB)");
    if (release.acquireByHash()) {
      String folder = entry.path().substring(0, entry.path().lastIndexOf('/') + 1);
      URI byHash = URI.create(dists + folder + "by-hash/SHA256/" + entry.sha256());
      Optional<Http.Download> download = http.fetch(byHash, partial, entry.size());
      if (download.isPresent()) {
        return download;
      }
    }
    return http.fetch(URI.create(dists + entry.path()), partial, entry.size());
  }

  private static Http.Download decompress(Path compressed, ReleaseFile.FileEntry entry,
      Path target, ReleaseFile.FileEntry expected) throws IOException {
    String compression = entry.path().substring(entry.path().lastIndexOf('/'))
        .replaceFirst("^/Packages", "");
    try (InputStream in = decompress(new BufferedInputStream(Files.newInputStream(compressed),
        1 << 16), compression)) {
      return Http.copy(in, target, expected.size(), expected.path());
    }
  }

  /**
   * Deletes what this load did not use (superseded indexes, downloads a killed claw left),
   * once it is a day old: the index of a point release is 50 MB, and Debian makes several a
   * year. The day's grace spares files a concurrent claw is working with.
   */
  private void prune(Path indexes, Set<Path> used) {
    Instant cutoff = Instant.now().minus(PRUNE_AFTER);
    try (Stream<Path> files = Files.list(indexes)) {
      for (Path file : files.filter(file -> !used.contains(file)).toList()) {
        if (Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)) {
          Files.deleteIfExists(file);
          events.detail("removed the unused index " + file.getFileName() + " from the cache");
        }
      }
    } catch (IOException e) {
      events.detail("could not clean up " + indexes + ": " + e);
    }
  }

  private static void checkDigest(Http.Download download, ReleaseFile.FileEntry entry,
      AptSource source) {
    if (download.size() != entry.size() || !download.sha256().equals(entry.sha256())) {
      throw new ClawException("the mirror served " + source.uri() + "/dists/" + source.suite()
          + "/" + entry.path() + " with " + download.size() + " bytes and sha256 "
          + download.sha256() + ", but the signed InRelease says " + entry.size()
          + " bytes and sha256 " + entry.sha256(), "the mirror may be mid-update: try again in"
          + " a few minutes; if it persists, the mirror is broken or tampered with, so use"
          + " another one");
    }
  }

  private List<PackageRecord> parse(Path file, String compression, AptSource source,
      ReleaseFile.FileEntry entry) throws IOException {
    String what = source.uri() + "/dists/" + source.suite() + "/" + entry.path();
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        InputStream in = decompress(raw, compression);
        BufferedReader reader = new BufferedReader(
            new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
      List<PackageRecord> records = PackagesIndex.parse(reader, source.uri(), what);
      events.detail(records.size() + " packages in " + what);
      return records;
    }
  }

  private static InputStream decompress(InputStream raw, String compression)
      throws IOException {
    switch (compression) {
      case ".xz":
        return new XZInputStream(raw);
      case ".gz":
        return new GZIPInputStream(raw, 1 << 16);
      default:
        return raw;
    }
  }
}
