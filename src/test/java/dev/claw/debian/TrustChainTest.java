package dev.claw.debian;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.claw.ClawException;
import dev.claw.event.ClawEvent;
import dev.claw.event.EventListener;
import dev.claw.host.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * apt's chain of trust end to end: a signed repository on loopback, real gpg and gpgv, and a
 * mirror that misbehaves in each way claw must catch.
 */
class TrustChainTest {
  private static final String INDEX = "main/binary-amd64/Packages";
  private static final String INDEX_XZ = INDEX + ".xz";
  private static final String INDEX_GZ = "main/binary-amd64/Packages.gz";
  private static final String DISTS = "dists/" + TestMirror.SUITE + "/";

  @TempDir
  static Path keys;
  private static TestMirror.Key archiveKey;
  private static TestMirror.Key strangerKey;

  @TempDir
  Path cache;
  private TestMirror mirror;
  private final List<ClawEvent> events = new ArrayList<>();

  @BeforeAll
  static void makeKeys() throws IOException {
    archiveKey = TestMirror.Key.generate(keys, "archive");
    strangerKey = TestMirror.Key.generate(keys, "stranger");
  }

  @AfterAll
  static void stopAgents() throws IOException {
    archiveKey.close();
    strangerKey.close();
  }

  @BeforeEach
  void startMirror() throws IOException {
    mirror = new TestMirror();
    publish(archiveKey, "", "");
    mirror.put(TestMirror.DEB_PATH, TestMirror.DEB);
  }

  @AfterEach
  void stopMirror() {
    mirror.close();
  }

  /** Serves the packages index and an InRelease signed by {@code key}. */
  private void publish(TestMirror.Key key, String extraFields, String codename)
      throws IOException {
    byte[] xz = TestMirror.xz(TestMirror.packagesIndex());
    mirror.put(DISTS + INDEX_XZ, xz);
    // Like Debian's, the Release vouches for the compressed and the uncompressed index.
    String release = TestMirror.release(codename.isEmpty() ? TestMirror.SUITE : codename,
        extraFields, Map.of(INDEX_XZ, xz, INDEX, plainIndex()));
    mirror.put(DISTS + "InRelease", key.clearsign(release));
  }

  private DebianRepository repository(Path keyring) {
    return repository(keyring, false);
  }

  private DebianRepository repository(Path keyring, boolean checkValidUntil) {
    AptSource source = new AptSource(mirror.uri(), TestMirror.SUITE, List.of("main"), keyring);
    EventListener listener = events::add;
    return new DebianRepository(List.of(source), "amd64", cache, listener, checkValidUntil);
  }

  @Test
  void aCorrectlySignedRepositoryLoads() {
    PackageUniverse universe = repository(archiveKey.keyring()).load();

    PackageRecord hello = universe.candidate("hello").orElseThrow();
    assertThat(hello.version()).isEqualTo("1.0-1");
    assertThat(hello.source()).isEqualTo("hello-src");
    assertThat(hello.sha256()).isEqualTo(Sha256.of(TestMirror.DEB));
    assertThat(hello.repository()).isEqualTo(mirror.uri());
    assertThat(new Resolver(universe).resolve(List.of("hello"), Set.of(), Set.of()).packages())
        .extracting(PackageRecord::name).containsExactly("hello", "libhello");
    assertNothingPartialIn(cache);
  }

  @Test
  void aSecondLoadReusesTheVerifiedIndexButRechecksInRelease() {
    repository(archiveKey.keyring()).load();
    repository(archiveKey.keyring()).load();

    assertThat(mirror.hits(DISTS + "InRelease")).isEqualTo(2);
    assertThat(mirror.hits(DISTS + INDEX_XZ)).isEqualTo(1);
  }

  @Test
  void theIndexIsCachedUncompressedUnderTheDigestTheReleaseGivesForIt() throws IOException {
    repository(archiveKey.keyring()).load();

    try (Stream<Path> indexes = Files.list(cache.resolve("indexes"))) {
      assertThat(indexes).containsExactly(cache.resolve("indexes/" + Sha256.of(plainIndex())));
    }
  }

  @Test
  void indexesNoLongerUsedAreRemovedOnceADayOld() throws IOException {
    Path indexes = Files.createDirectories(cache.resolve("indexes"));
    Path stale = Files.writeString(indexes.resolve("f".repeat(64)), "superseded index");
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
    Path recent = Files.writeString(indexes.resolve(".download-1.partial"), "another claw's");

    repository(archiveKey.keyring()).load();

    assertThat(stale).doesNotExist();
    assertThat(recent).exists();
    assertThat(indexes.resolve(Sha256.of(plainIndex()))).exists();
  }

  @Test
  void anIndexThatDecompressesToOtherBytesThanTheReleaseSaysIsRefused() throws IOException {
    byte[] xz = TestMirror.xz(TestMirror.packagesIndex());
    byte[] other = TestMirror.packagesIndex().replace("1.0-1", "6.6-6")
        .getBytes(StandardCharsets.UTF_8);
    mirror.put(DISTS + "InRelease", archiveKey.clearsign(TestMirror.release(TestMirror.SUITE,
        "", Map.of(INDEX_XZ, xz, INDEX, other))));

    assertThatThrownBy(() -> repository(archiveKey.keyring()).load())
        .hasMessageContaining(INDEX + " with")
        .hasMessageContaining("but the signed InRelease says");
    assertNoIndexCached();
  }

  @Test
  void anArmouredKeyAndAKeyFolderWorkLikeApt() throws IOException {
    Path armoured = Files.writeString(keys.resolve("archive.asc"), archiveKey.armoured());
    Path folder = Files.createDirectories(cache.resolve("trusted.gpg.d"));
    Files.copy(armoured, folder.resolve("archive.asc"));
    Files.copy(strangerKey.keyring(), folder.resolve("stranger.gpg"));

    assertThat(repository(armoured).load().candidate("hello")).isPresent();
    assertThat(repository(folder).load().candidate("hello")).isPresent();
  }

  @Test
  void anInReleaseSignedByAnotherKeyIsRefused() throws IOException {
    publish(strangerKey, "", "");

    assertThatThrownBy(() -> repository(archiveKey.keyring()).load())
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("InRelease")
        .hasMessageContaining("which gpgv could not check");
    assertNothingPartialIn(cache);
  }

  @Test
  void signedTextChangedAfterSigningIsRefused() throws IOException {
    String signed = new String(archiveKey.clearsign(TestMirror.release(TestMirror.SUITE, "",
        Map.of(INDEX_XZ, TestMirror.xz(TestMirror.packagesIndex())))), StandardCharsets.UTF_8);
    mirror.put(DISTS + "InRelease", signed.replace("Origin: claw-test", "Origin: claw-evil")
        .getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> repository(archiveKey.keyring()).load())
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("bad signature");
    assertNothingPartialIn(cache);
  }

  @Test
  void unsignedTextAroundTheSignedMessageIsRefused() throws IOException {
    byte[] signed = archiveKey.clearsign(TestMirror.release(TestMirror.SUITE, "",
        Map.of(INDEX_XZ, TestMirror.xz(TestMirror.packagesIndex()))));
    String smuggled = new String(signed, StandardCharsets.UTF_8)
        + "\nSHA256:\n " + "0".repeat(64) + " 1 main/binary-amd64/Packages.xz\n";
    mirror.put(DISTS + "InRelease", smuggled.getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> repository(archiveKey.keyring()).load())
        .hasMessageContaining("not a single clearsigned message");
  }

  @Test
  void aWeakDigestIsRefused() throws IOException {
    String release = TestMirror.release(TestMirror.SUITE, "",
        Map.of(INDEX_XZ, TestMirror.xz(TestMirror.packagesIndex())));
    mirror.put(DISTS + "InRelease", archiveKey.clearsign(release, "--digest-algo", "SHA1"));

    assertThatThrownBy(() -> repository(archiveKey.keyring()).load())
        .hasMessageContaining("weak digest");
  }

  @Test
  void anAlteredPackagesIndexIsAHashError() throws IOException {
    byte[] altered = TestMirror.xz(TestMirror.packagesIndex());
    altered[altered.length / 2] ^= 1;
    mirror.put(DISTS + INDEX_XZ, altered);

    assertThatThrownBy(() -> repository(archiveKey.keyring()).load())
        .isInstanceOf(ClawException.class)
        .hasMessageContaining(INDEX_XZ)
        .hasMessageContaining("but the signed InRelease says");
    assertNoIndexCached();
  }

  @Test
  void aLongerPackagesIndexIsCutOffAndRefused() throws IOException {
    mirror.put(DISTS + INDEX_XZ, TestMirror.xz(TestMirror.packagesIndex()
        .replace("Version: 1.0-1", "Version: 9.9.9.9.9-1")));

    assertThatThrownBy(() -> repository(archiveKey.keyring()).load())
        .isInstanceOf(ClawException.class)
        .hasMessageContaining(INDEX_XZ)
        .hasMessageContaining("more than the expected");
    assertNoIndexCached();
  }

  private void assertNoIndexCached() throws IOException {
    assertNothingPartialIn(cache);
    try (Stream<Path> indexes = Files.list(cache.resolve("indexes"))) {
      assertThat(indexes).isEmpty();
    }
  }

  @Test
  void aCorruptCachedIndexIsDownloadedAgain() throws IOException {
    repository(archiveKey.keyring()).load();
    try (Stream<Path> indexes = Files.list(cache.resolve("indexes"))) {
      Files.write(indexes.findFirst().orElseThrow(), new byte[] {1, 2, 3});
    }

    assertThat(repository(archiveKey.keyring()).load().candidate("hello")).isPresent();
    assertThat(mirror.hits(DISTS + INDEX_XZ)).isEqualTo(2);
    assertThat(events).anyMatch(event -> event instanceof ClawEvent.Warning warning
        && warning.message().contains("corrupt"));
  }

  @Test
  void whenTheXzIndexIsMissingTheGzipOneIsUsed() throws IOException {
    byte[] xz = TestMirror.xz(TestMirror.packagesIndex());
    byte[] gz = TestMirror.gzip(TestMirror.packagesIndex());
    mirror.put(DISTS + "InRelease", archiveKey.clearsign(TestMirror.release(TestMirror.SUITE,
        "", Map.of(INDEX_XZ, xz, INDEX_GZ, gz))));
    mirror.remove(DISTS + INDEX_XZ);
    mirror.put(DISTS + INDEX_GZ, gz);

    assertThat(repository(archiveKey.keyring()).load().candidate("libhello")).isPresent();
    assertThat(mirror.hits(DISTS + INDEX_GZ)).isEqualTo(1);
  }

  @Test
  void aReleaseForAnotherSuiteIsRefused() throws IOException {
    publish(archiveKey, "", "bullseye");

    assertThatThrownBy(() -> repository(archiveKey.keyring()).load())
        .hasMessageContaining("not 'bookworm' as asked");
  }

  @Test
  void anExpiredReleaseIsRefusedUnlessAptSaysNotToCheck() throws IOException {
    publish(archiveKey, "Valid-Until: Sun, 02 Jun 2024 10:00:00 UTC\n", "");

    assertThatThrownBy(() -> repository(archiveKey.keyring(), true).load())
        .hasMessageContaining("expired on 2024-06-02T10:00:00Z");
    assertThat(repository(archiveKey.keyring(), false).load().candidate("hello")).isPresent();
    assertThat(events).anyMatch(event -> event instanceof ClawEvent.Warning warning
        && warning.message().contains("Acquire::Check-Valid-Until"));
  }

  @Test
  void aMissingInReleaseSaysWhichSuite() {
    mirror.remove(DISTS + "InRelease");

    assertThatThrownBy(() -> repository(archiveKey.keyring()).load())
        .hasMessageContaining("the mirror has no " + mirror.uri() + "/" + DISTS + "InRelease");
  }

  // ---- the .deb cache

  @Test
  void aDebIsFetchedVerifiedAndThenServedFromTheCache() throws IOException {
    LockedPackage hello = lockedHello();
    DebCache debs = new DebCache(cache.resolve("debs"), events::add);

    Path deb = debs.fetch(hello);
    Path again = debs.fetch(hello);

    assertThat(deb).isEqualTo(cache.resolve("debs/sha256/" + hello.sha256() + ".deb"));
    assertThat(Files.readAllBytes(deb)).isEqualTo(TestMirror.DEB);
    assertThat(again).isEqualTo(deb);
    assertThat(mirror.hits(TestMirror.DEB_PATH)).isEqualTo(1);
    assertThat(debs.cached(hello)).contains(deb);
    assertNothingPartialIn(cache);
  }

  @Test
  void anAlteredDebIsRefusedAndNothingIsKept() {
    mirror.put(TestMirror.DEB_PATH, "!<arch>\nnot really a deb, but bytes with a DIGEST\n"
        .getBytes(StandardCharsets.US_ASCII));
    DebCache debs = new DebCache(cache.resolve("debs"), events::add);

    assertThatThrownBy(() -> debs.fetch(lockedHello()))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("the mirror served a .deb whose sha256 differs from claw.lock");
    assertThat(debs.cached(lockedHello())).isEmpty();
    assertNothingPartialIn(cache);
  }

  @Test
  void aDebLargerThanLockedIsCutOffAndRefused() {
    byte[] longer = (new String(TestMirror.DEB, StandardCharsets.US_ASCII) + "more")
        .getBytes(StandardCharsets.US_ASCII);
    mirror.put(TestMirror.DEB_PATH, longer);

    assertThatThrownBy(() -> new DebCache(cache.resolve("debs"), events::add)
        .fetch(lockedHello()))
        .hasMessageContaining("more than the expected " + TestMirror.DEB.length + " bytes");
    assertNothingPartialIn(cache);
  }

  @Test
  void aDamagedCachedDebIsReplaced() throws IOException {
    DebCache debs = new DebCache(cache.resolve("debs"), events::add);
    Path deb = debs.fetch(lockedHello());
    Files.write(deb, new byte[TestMirror.DEB.length]);

    assertThat(debs.cached(lockedHello())).isEmpty();
    assertThat(Files.readAllBytes(debs.fetch(lockedHello()))).isEqualTo(TestMirror.DEB);
    assertThat(mirror.hits(TestMirror.DEB_PATH)).isEqualTo(2);
  }

  @Test
  void aDebTheMirrorNoLongerHasSaysWhatToDo() {
    mirror.remove(TestMirror.DEB_PATH);

    ClawException error = (ClawException) catchThrowable(
        () -> new DebCache(cache.resolve("debs"), events::add).fetch(lockedHello()));

    assertThat(error.getMessage()).contains("no longer has hello 1.0-1");
    assertThat(error.fix()).contains("snapshot.debian.org");
    assertNothingPartialIn(cache);
  }

  private LockedPackage lockedHello() {
    return LockedPackage.of(repository(archiveKey.keyring()).load().candidate("hello")
        .orElseThrow(), "base");
  }

  private static byte[] plainIndex() {
    return TestMirror.packagesIndex().getBytes(StandardCharsets.UTF_8);
  }

  /** No temporary download, scratch folder or partial file survives. */
  private static void assertNothingPartialIn(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      assertThat(all.map(path -> path.getFileName().toString()))
          .noneMatch(name -> name.endsWith(".partial") || name.startsWith("inrelease-"));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
