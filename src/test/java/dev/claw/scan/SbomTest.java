package dev.claw.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.debian.LockedPackage;
import dev.claw.fs.FileTree;
import dev.claw.host.Sha256;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;

class SbomTest {
  private static final String SHA = "ab".repeat(32);

  /** A tiny image as claw installs one: status.d records, a DEP-5 and a free-form copyright. */
  static FileTree image() {
    FileTree tree = new FileTree();
    tree.put(FileTree.fileEntry("/var/lib/dpkg/status.d/libc6", 0644, bytes("""
        Package: libc6
        Version: 2.36-9+deb12u4
        Architecture: amd64
        Source: glibc
        Description: GNU C Library
         shared libraries
        """)).inLayer("base"));
    tree.put(FileTree.fileEntry("/var/lib/dpkg/status.d/libc6.md5sums", 0644,
        bytes("00  usr/lib/x\n")).inLayer("base"));
    tree.put(FileTree.fileEntry("/var/lib/dpkg/status.d/zlib1g", 0644, bytes("""
        Package: zlib1g
        Version: 1:1.2.13.dfsg-1+b1
        Architecture: amd64
        Source: zlib (1:1.2.13.dfsg-1)
        """)).inLayer("net"));
    tree.put(FileTree.fileEntry("/usr/share/doc/zlib1g/copyright", 0644, bytes("""
        Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
        Upstream-Name: zlib

        Files: *
        Copyright: Jean-loup Gailly and Mark Adler
        License: Zlib

        Files: debian/*
        License: GPL-2+ or Zlib
         The text of the licence.
        """)).inLayer("net"));
    tree.put(FileTree.fileEntry("/usr/share/doc/libc6/copyright", 0644,
        bytes("This is the Debian prepackaged version of the GNU C Library.\n"))
        .inLayer("base"));
    return tree;
  }

  static List<LockedPackage> lock() {
    return List.of(new LockedPackage("libc6", "2.36-9+deb12u4", "amd64", "glibc", 1000, SHA,
        "pool/main/g/glibc/libc6_2.36-9+deb12u4_amd64.deb", "http://deb.debian.org/debian",
        "base"));
  }

  private static Sbom sbom() throws Exception {
    List<InstalledPackage> packages = DpkgRecords.read(new TreeRoot(image()), lock());
    return new Sbom("tiny", packages, Instant.EPOCH);
  }

  @Test
  void packagesComeFromDpkgRecordsWithSourceLicencesAndTheLockedHash() throws Exception {
    List<InstalledPackage> packages = DpkgRecords.read(new TreeRoot(image()), lock());

    assertThat(packages).extracting(InstalledPackage::name).containsExactly("libc6", "zlib1g");
    InstalledPackage libc = packages.get(0);
    assertThat(libc.source()).isEqualTo("glibc");
    assertThat(libc.sha256()).contains(SHA);
    assertThat(libc.licenses()).isEmpty();
    assertThat(libc.purl())
        .isEqualTo("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12");
    InstalledPackage zlib = packages.get(1);
    assertThat(zlib.source()).isEqualTo("zlib");
    assertThat(zlib.sourceVersion()).isEqualTo("1:1.2.13.dfsg-1");
    assertThat(zlib.licenses()).containsExactly("Zlib", "GPL-2+ or Zlib");
    assertThat(zlib.sha256()).isEmpty();
    assertThat(zlib.purl()).contains("@1%3A1.2.13.dfsg-1%2Bb1?");
  }

  @Test
  void cycloneDxValidatesAgainstThePublishedSchema() throws Exception {
    byte[] bom = sbom().cycloneDx();
    assertThat(new JsonParser().validate(bom, Version.VERSION_15)).isEmpty();
    String broken = new String(bom, StandardCharsets.UTF_8).replace("\"library\"", "\"lib\"");
    assertThat(new JsonParser().validate(bytes(broken), Version.VERSION_15)).isNotEmpty();
    assertThat(new String(bom, StandardCharsets.UTF_8))
        .contains("\"purl\" : \"pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1%2Bb1?arch=amd64")
        .contains("\"alg\" : \"SHA-256\"").contains("\"value\" : \"glibc\"");
  }

  @Test
  void spdxValidatesAgainstThePublishedSchema() throws Exception {
    byte[] document = sbom().spdx();
    assertThat(SbomSchemas.validateSpdx(document)).isEmpty();
    // The validator is real: a document without its version fails.
    String broken = new String(document, StandardCharsets.UTF_8)
        .replace("\"spdxVersion\" : \"SPDX-2.3\",", "");
    assertThat(SbomSchemas.validateSpdx(bytes(broken))).isNotEmpty();
    assertThat(new String(document, StandardCharsets.UTF_8))
        .contains("\"licenseDeclared\" : \"(LicenseRef-Zlib AND LicenseRef-GPL-2-plus-or-Zlib)\"")
        .contains("\"checksumValue\" : \"" + SHA + "\"")
        .contains("\"created\" : \"1970-01-01T00:00:00Z\"");
  }

  @Test
  void theSameImageGivesTheSameBytes() throws Exception {
    assertThat(sbom().cycloneDx()).isEqualTo(sbom().cycloneDx());
    assertThat(sbom().spdx()).isEqualTo(sbom().spdx());
    // Golden digests: a change to either format's bytes must be deliberate.
    assertThat(Sha256.of(sbom().cycloneDx()))
        .isEqualTo("5cc28a6598b9c2517d1191375f5217a2f69caf743cc73d56a4fadb83efdbd7da");
    assertThat(Sha256.of(sbom().spdx()))
        .isEqualTo("7b696fa78b6c394d5ec9a59098fa9cef10d9c8a0191f7b31cabfe05bc15042b1");
  }

  @Test
  void theSerialNumberChangesWithThePackages() throws Exception {
    List<InstalledPackage> packages = DpkgRecords.read(new TreeRoot(image()), List.of());
    String without = new String(new Sbom("tiny", packages, Instant.EPOCH).cycloneDx(),
        StandardCharsets.UTF_8);
    String with = new String(sbom().cycloneDx(), StandardCharsets.UTF_8);
    assertThat(serial(without)).isNotEqualTo(serial(with));
    assertThat(serial(with)).matches("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab].*");
  }

  private static String serial(String bom) {
    int at = bom.indexOf("urn:uuid:");
    return bom.substring(at, at + 45);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
