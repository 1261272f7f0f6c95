package dev.claw.deb;

import static dev.claw.deb.TestDeb.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import dev.claw.fs.FileTree;
import dev.claw.fs.FileTree.Entry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FinishTest {
  private final FileTree tree = new FileTree();
  private final InstallReport report = new InstallReport();
  private final PackageInstaller installer = new PackageInstaller(tree, report);

  /** Two certificates, the first without a final newline, listed out of path order. */
  static TestDeb certificates() {
    return TestDeb.named("ca-certificates")
        .script("postinst", "#!/bin/sh\nupdate-ca-certificates\n")
        .dir("./etc/ssl/certs/", 0755)
        .file("./usr/share/ca-certificates/mozilla/Zeta_Root.crt", 0644,
            "-----BEGIN CERTIFICATE-----\nZETA\n-----END CERTIFICATE-----")
        .file("./usr/share/ca-certificates/mozilla/Alpha_Root.crt", 0644,
            "-----BEGIN CERTIFICATE-----\nALPHA\n-----END CERTIFICATE-----\n")
        .file("./usr/share/ca-certificates/mozilla/README", 0644, "not a certificate")
        .file("./usr/share/doc/ca-certificates/copyright", 0644, "MPL-2.0");
  }

  @Test
  void concatenatesEveryCertificateInPathOrderIntoTheBundle() {
    installer.install(certificates().read(), "base", InstallPolicy.defaults());
    installer.install(TestDeb.named("corp-ca")
        .file("./usr/share/ca-certificates/corp/Corp.crt", 0644, "CORP\n").read(), "corp",
        InstallPolicy.defaults());

    installer.finish();

    Entry bundle = tree.get("/etc/ssl/certs/ca-certificates.crt");
    assertThat(new String(bundle.content(), StandardCharsets.UTF_8)).isEqualTo("CORP\n"
        + "-----BEGIN CERTIFICATE-----\nALPHA\n-----END CERTIFICATE-----\n"
        + "-----BEGIN CERTIFICATE-----\nZETA\n-----END CERTIFICATE-----\n");
    assertThat(bundle.mode()).isEqualTo(0644);
    assertThat(bundle.layer()).isEqualTo("corp");
    assertThat(report.caCertificates()).isEqualTo(3);
    assertThat(report.notes()).anySatisfy(note -> assertThat(note)
        .contains("made from 3 certificates").contains("hash links").contains("not made"));
  }

  @Test
  void noCertificatesNoBundle() {
    installer.install(PackageInstallerTest.tools().read(), "base", InstallPolicy.defaults());

    installer.finish();

    assertThat(tree.contains("/etc/ssl/certs/ca-certificates.crt")).isFalse();
    assertThat(report.caCertificates()).isZero();
  }

  @Test
  void writesEachPackagesStanzaToStatusD() {
    TestDeb deb = TestDeb.named("libtool1").version("1:2.4-3+deb12u1")
        .field("Source", "tool (2.4-3)")
        .field("Priority", "optional")
        .field("Pre-Depends", "libc6 (>= 2.34)")
        .field("Depends", "libgcc-s1,\n zlib1g (>= 1:1.2)")
        .field("Provides", "libtool")
        .field("Homepage", "https://tool.example.org")
        .field("Multi-Arch", "same")
        .file("./usr/lib/libtool.so.1", 0644, "ELF");
    installer.install(deb.read(), "base", InstallPolicy.defaults());

    installer.finish();

    Entry status = tree.get("/var/lib/dpkg/status.d/libtool1");
    assertThat(status.mode()).isEqualTo(0644);
    assertThat(status.layer()).isEqualTo("base");
    assertThat(new String(status.content(), StandardCharsets.UTF_8)).isEqualTo(
        "Package: libtool1\n"
            + "Version: 1:2.4-3+deb12u1\n"
            + "Architecture: amd64\n"
            + "Source: tool (2.4-3)\n"
            + "Maintainer: Test Maintainer <test@example.org>\n"
            + "Installed-Size: 12\n"
            + "Depends: libgcc-s1,\n zlib1g (>= 1:1.2)\n"
            + "Pre-Depends: libc6 (>= 2.34)\n"
            + "Provides: libtool\n"
            + "Description: a package made by a test\n Its long description has two\n"
            + " .\n paragraphs.\n"
            + "Homepage: https://tool.example.org\n");
  }

  @Test
  void md5sumsFollowMergedUsrAndListOnlyWhatWasKept() {
    installer.install(PackageInstallerTest.tools().read(), "base", InstallPolicy.defaults());

    installer.finish();

    String md5sums = new String(tree.get("/var/lib/dpkg/status.d/tools.md5sums").content(),
        StandardCharsets.UTF_8);
    assertThat(md5sums.lines()).containsExactly(
        TestDeb.md5(ascii("#!tool")) + "  usr/bin/tool",
        TestDeb.md5(ascii("#!admin")) + "  usr/sbin/admin",
        TestDeb.md5(ascii("ELF tool library")) + "  usr/lib/x86_64-linux-gnu/libtool.so.1",
        TestDeb.md5(ascii("#!helper")) + "  usr/bin/helper",
        TestDeb.md5(ascii("#!helper")) + "  usr/bin/helper-too",
        TestDeb.md5(ascii("#!setuid")) + "  usr/bin/become",
        TestDeb.md5(ascii("owned")) + "  usr/bin/wall",
        TestDeb.md5(ascii("Licence: MIT")) + "  usr/share/doc/tools/copyright",
        TestDeb.md5(ascii("verbose=no")) + "  etc/tools.conf");
    for (String line : md5sums.lines().toList()) {
      Entry file = tree.resolve("/" + line.substring(34)).orElseThrow();
      assertThat(TestDeb.md5(file.content())).isEqualTo(line.substring(0, 32));
    }
  }

  @Test
  void aBundleAlreadyInTheTreeIsAConflictAndNothingIsWritten() {
    installer.install(certificates().read(), "base", InstallPolicy.defaults());
    installer.install(TestDeb.named("sneaky")
        .file("./etc/ssl/certs/ca-certificates.crt", 0644, "mine").read(), "base",
        InstallPolicy.defaults());
    List<String> before = TreeSnapshot.of(tree);

    assertThatThrownBy(installer::finish)
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("cannot write /etc/ssl/certs/ca-certificates.crt");
    assertThat(TreeSnapshot.of(tree)).isEqualTo(before);
  }

  @Test
  void nothingCanBeInstalledAfterFinishing() {
    installer.finish();

    assertThatThrownBy(() -> installer.install(certificates().read(), "base",
        InstallPolicy.defaults())).isInstanceOf(IllegalStateException.class);
  }
}
