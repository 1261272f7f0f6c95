package dev.claw.deb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.claw.fs.FileTree;
import dev.claw.fs.FileTree.Entry;
import dev.claw.host.Exec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real packages from Debian's mirror, fetched with {@code apt-get download} (skipped, with the
 * reason, where that fails), checked against what Debian's own tools make of them.
 */
class RealDebianPackagesTest {
  private static final List<String> PACKAGES = List.of("netbase", "libjq1", "ca-certificates");

  @TempDir
  static Path downloads;

  private static final Map<String, DebPackage> debs = new TreeMap<>();
  private static final Map<String, Path> files = new TreeMap<>();

  @BeforeAll
  static void download() throws IOException {
    assumeTrue(Exec.which("apt-get").isPresent(), "apt-get is not installed");
    List<String> command = new ArrayList<>(List.of("timeout", "300", "apt-get", "download"));
    command.addAll(PACKAGES);
    Exec.Result fetched = Exec.run(downloads, command);
    assumeTrue(fetched.ok(), "apt-get download failed: " + fetched.tail(5));

    try (Stream<Path> listed = Files.list(downloads)) {
      for (Path deb : listed.filter(p -> p.toString().endsWith(".deb")).toList()) {
        DebPackage read = DebPackage.read(deb);
        debs.put(read.name(), read);
        files.put(read.name(), deb);
      }
    }
    assertThat(debs.keySet()).containsExactlyInAnyOrderElementsOf(PACKAGES);
  }

  @Test
  void installsFilesUnderUsrAndWritesTheirStatus() {
    FileTree tree = new FileTree();
    InstallReport report = new InstallReport();
    PackageInstaller installer = new PackageInstaller(tree, report);
    debs.values().forEach(deb -> installer.install(deb, "base", InstallPolicy.defaults()));
    installer.finish();

    assertThat(text(tree, "/etc/services")).contains("22/tcp");
    Entry libjq = tree.added().stream()
        .filter(e -> e.path().matches("/usr/lib/[^/]+/libjq\\.so\\.1")).findFirst()
        .orElseThrow();
    assertThat(libjq.type()).isEqualTo(FileTree.Type.SYMLINK);
    byte[] library = tree.resolve(libjq.path()).orElseThrow().content();
    assertThat(new String(library, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("ELF");
    assertThat(tree.contains("/usr/share/doc/netbase/copyright")).isTrue();
    assertThat(tree.contains("/usr/share/doc/netbase/changelog.gz")).isFalse();
    assertThat(report.get("netbase").filesDropped()).isPositive();
    assertThat(report.get("ca-certificates").scriptsNotRun()).contains("postinst");
    assertThat(report.caCertificates()).isGreaterThan(100);
    for (DebPackage deb : debs.values()) {
      assertThat(text(tree, "/var/lib/dpkg/status.d/" + deb.name()))
          .startsWith("Package: " + deb.name() + "\nVersion: " + deb.version() + "\n");
      assertMd5sumsDescribeTheTree(tree, deb);
    }
  }

  @Test
  void readsTheSameEntriesAsDpkgDeb(@TempDir Path dir) throws IOException {
    assumeTrue(Exec.which("dpkg-deb").isPresent(), "dpkg-deb is not installed");
    for (DebPackage deb : debs.values()) {
      Path extracted = dir.resolve(deb.name());
      Exec.Result unpacked = Exec.run(dir, List.of("dpkg-deb", "--extract",
          files.get(deb.name()).toString(), extracted.toString()));
      assertThat(unpacked.ok()).as(unpacked.stderr()).isTrue();

      List<DebEntry> entries = DebPackageTest.entries(deb);

      assertThat(entries).isNotEmpty();
      for (DebEntry entry : entries) {
        Path onDisk = extracted.resolve(entry.name());
        if (entry.kind() == DebEntry.Kind.FILE) {
          assertThat(entry.content()).as(entry.name()).isEqualTo(Files.readAllBytes(onDisk));
        } else if (entry.kind() == DebEntry.Kind.SYMLINK) {
          assertThat(Files.readSymbolicLink(onDisk).toString()).isEqualTo(entry.linkName());
        } else {
          assertThat(Files.exists(onDisk)).as(entry.name()).isTrue();
        }
      }
    }
  }

  @Test
  void theCaBundleIsWhatUpdateCaCertificatesMakes(@TempDir Path dir) throws IOException {
    Path update = Path.of("/usr/sbin/update-ca-certificates");
    assumeTrue(Files.isExecutable(update) && Exec.which("dpkg-deb").isPresent()
        && Exec.which("openssl").isPresent(), "update-ca-certificates, dpkg-deb or openssl"
        + " is missing");
    Exec.Result unpacked = Exec.run(dir, List.of("dpkg-deb", "--extract",
        files.get("ca-certificates").toString(), "root"));
    assertThat(unpacked.ok()).as(unpacked.stderr()).isTrue();
    for (String folder : List.of("certs", "hooks", "local")) {
      Files.createDirectories(dir.resolve(folder));
    }
    Files.writeString(dir.resolve("empty.conf"), "");

    // --default enables every certificate, as ca-certificates' postinst does by default.
    Exec.Result made = Exec.run(dir, List.of("env", "LC_ALL=C", update.toString(), "--fresh",
        "--default", "--certsconf", dir.resolve("empty.conf").toString(),
        "--certsdir", dir.resolve("root/usr/share/ca-certificates").toString(),
        "--localcertsdir", dir.resolve("local").toString(),
        "--etccertsdir", dir.resolve("certs").toString(),
        "--hooksdir", dir.resolve("hooks").toString()));
    assertThat(made.ok()).as(made.tail(5)).isTrue();

    FileTree tree = new FileTree();
    PackageInstaller installer = new PackageInstaller(tree, new InstallReport());
    installer.install(debs.get("ca-certificates"), "base", InstallPolicy.defaults());
    installer.finish();

    assertThat(tree.get("/etc/ssl/certs/ca-certificates.crt").content())
        .isEqualTo(Files.readAllBytes(dir.resolve("certs/ca-certificates.crt")));
  }

  /** Every md5sums line names a file in the tree with that digest, and no kept file is left out. */
  private static void assertMd5sumsDescribeTheTree(FileTree tree, DebPackage deb) {
    Entry md5sums = tree.get("/var/lib/dpkg/status.d/" + deb.name() + ".md5sums");
    assertThat(md5sums).as(deb.name() + ".md5sums").isNotNull();
    List<String> lines = new String(md5sums.content(), StandardCharsets.UTF_8).lines()
        .toList();
    for (String line : lines) {
      Entry file = tree.resolve("/" + line.substring(34)).orElseThrow();
      assertThat(TestDeb.md5(file.content())).as(line).isEqualTo(line.substring(0, 32));
    }
    assertThat(lines).hasSize((int) listedAndKept(tree, deb));
  }

  /** How many names of the package's own md5sums are in the tree, under merged /usr. */
  private static long listedAndKept(FileTree tree, DebPackage deb) {
    return deb.md5sums().orElseThrow().lines()
        .map(line -> "/" + line.substring(34))
        .map(path -> path.matches("/(bin|sbin|lib|lib64)/.*") ? "/usr" + path : path)
        .filter(tree::contains)
        .count();
  }

  private static String text(FileTree tree, String path) {
    return new String(tree.resolve(path).orElseThrow().content(), StandardCharsets.UTF_8);
  }
}
