package dev.claw.deb;

import static dev.claw.deb.TestDeb.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.claw.ClawException;
import dev.claw.host.Exec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DebPackageTest {

  private static TestDeb sample() {
    return TestDeb.named("jq")
        .field("Source", "jq (1.6-2)")
        .field("Depends", "libjq1 (= 1.6-2), libc6 (>= 2.34)")
        .script("postinst", "#!/bin/sh\nexit 0\n")
        .script("prerm", "#!/bin/sh\nexit 0\n")
        .script("triggers", "activate-noawait ldconfig\n")
        .dir("./", 0755)
        .dir("./usr/", 0755)
        .dir("./usr/bin/", 0755)
        .file("./usr/bin/jq", 0755, "#!jq")
        .symlink("./usr/bin/jq-link", "jq")
        .hardlink("./usr/bin/jq-hard", "./usr/bin/jq");
  }

  @Test
  void readsTheControlStanzaInOrderWithScriptsAndMd5sums() {
    DebPackage deb = sample().read();

    assertThat(deb.name()).isEqualTo("jq");
    assertThat(deb.version()).isEqualTo("1.0-1");
    assertThat(deb.architecture()).isEqualTo("amd64");
    assertThat(deb.control().keySet()).containsExactly("Package", "Version", "Architecture",
        "Maintainer", "Installed-Size", "Section", "Description", "Source", "Depends");
    assertThat(deb.control().get("Description")).isEqualTo(
        "a package made by a test\n Its long description has two\n .\n paragraphs.");
    assertThat(deb.field("depends")).contains("libjq1 (= 1.6-2), libc6 (>= 2.34)");
    assertThat(deb.maintainerScripts()).containsExactly("postinst", "prerm", "triggers");
    String jqSum = TestDeb.md5(ascii("#!jq"));
    assertThat(deb.md5sums()).contains(jqSum + "  usr/bin/jq\n" + jqSum + "  usr/bin/jq-hard\n");
  }

  @Test
  void walksTheDataTarballInArchiveOrder() {
    List<DebEntry> entries = entries(sample().read());

    assertThat(entries).extracting(DebEntry::name).containsExactly("./", "./usr/",
        "./usr/bin/", "./usr/bin/jq", "./usr/bin/jq-link", "./usr/bin/jq-hard");
    DebEntry jq = entries.get(3);
    assertThat(jq.kind()).isEqualTo(DebEntry.Kind.FILE);
    assertThat(jq.mode()).isEqualTo(0755);
    assertThat(jq.userName()).isEqualTo("root");
    assertThat(new String(jq.content(), StandardCharsets.UTF_8)).isEqualTo("#!jq");
    assertThat(entries.get(4).kind()).isEqualTo(DebEntry.Kind.SYMLINK);
    assertThat(entries.get(4).linkName()).isEqualTo("jq");
    assertThat(entries.get(5).kind()).isEqualTo(DebEntry.Kind.HARDLINK);
    assertThat(entries.get(5).linkName()).isEqualTo("./usr/bin/jq");
  }

  @ParameterizedTest
  @CsvSource({"gz,gz", "xz,xz", "zst,zst", "gz,zst", "zst,xz", "xz,gz", "'',''", "xz,bz2"})
  void readsEveryCompressionOfControlAndData(String control, String data) {
    DebPackage deb = sample().compression(control, data).read();

    assertThat(deb.maintainerScripts()).containsExactly("postinst", "prerm", "triggers");
    assertThat(entries(deb)).extracting(DebEntry::name).contains("./usr/bin/jq");
  }

  @Test
  void skipsMembersWhoseNamesStartWithAnUnderscoreAndGnuSlashes() {
    TestDeb deb = sample();
    byte[] bytes = TestDeb.ar(List.of(
        Map.entry("debian-binary/", ascii("2.0\n")),
        Map.entry("_gpgorigin", ascii("signature")),
        Map.entry("control.tar.xz/", deb.controlMember()),
        Map.entry("data.tar.xz", deb.dataMember()),
        Map.entry("_trailer", ascii("x"))));

    assertThat(entries(DebPackage.parse(bytes, "signed.deb"))).hasSize(6);
  }

  @Test
  void readsWhatDpkgDebBuildsInEachCompression(@TempDir Path dir) throws IOException {
    assumeTrue(Exec.which("dpkg-deb").isPresent(), "dpkg-deb is not installed");
    Path root = dir.resolve("root");
    Files.createDirectories(root.resolve("DEBIAN"));
    Files.createDirectories(root.resolve("usr/bin"));
    Files.writeString(root.resolve("DEBIAN/control"), "Package: hello-claw\nVersion: 2.0-1\n"
        + "Architecture: all\nMaintainer: Test <t@example.org>\nDescription: test\n");
    Files.writeString(root.resolve("usr/bin/hello"), "#!/bin/sh\necho hello\n");
    Files.createSymbolicLink(root.resolve("usr/bin/hi"), Path.of("hello"));

    for (String compression : List.of("gzip", "xz", "zstd", "none")) {
      Path deb = dir.resolve("hello-" + compression + ".deb");
      Exec.Result built = Exec.run(dir, List.of("dpkg-deb", "--root-owner-group",
          "-Z" + compression, "--build", root.toString(), deb.toString()));
      assertThat(built.ok()).as(built.stderr()).isTrue();

      DebPackage read = DebPackage.read(deb);

      assertThat(read.name()).isEqualTo("hello-claw");
      assertThat(entries(read)).extracting(DebEntry::name).containsExactly("./", "./usr/",
          "./usr/bin/", "./usr/bin/hello", "./usr/bin/hi");
    }
  }

  @Test
  void dpkgDebAcceptsTheTestPackages(@TempDir Path dir) throws IOException {
    assumeTrue(Exec.which("dpkg-deb").isPresent(), "dpkg-deb is not installed");
    for (String compression : List.of("gz", "xz", "zst")) {
      Path deb = dir.resolve("jq-" + compression + ".deb");
      Files.write(deb, sample().compression(compression, compression).build());

      Exec.Result listed = Exec.run(dir, List.of("dpkg-deb", "--contents", deb.toString()));
      Exec.Result info = Exec.run(dir, List.of("dpkg-deb", "--field", deb.toString(),
          "Package"));

      assertThat(listed.ok()).as(listed.stderr()).isTrue();
      assertThat(listed.stdout()).contains("./usr/bin/jq-hard link to ./usr/bin/jq");
      assertThat(info.stdout().strip()).isEqualTo("jq");
    }
  }

  @Test
  void refusesBytesThatAreNotAnArArchive() {
    assertDamaged(ascii("PK\u0003\u0004 a zip file"), "ar archive signature");
  }

  @ParameterizedTest
  @ValueSource(ints = {70, 200, 1000})
  void refusesAnArArchiveCutShort(int keep) {
    byte[] whole = sample().build();

    assertDamaged(Arrays.copyOf(whole, keep), "cut short");
  }

  @Test
  void refusesAnotherFormatVersion() {
    TestDeb deb = sample();
    byte[] bytes = TestDeb.ar(List.of(
        Map.entry("debian-binary", ascii("3.0\n")),
        Map.entry("control.tar.xz", deb.controlMember()),
        Map.entry("data.tar.xz", deb.dataMember())));

    assertDamaged(bytes, "format version (debian-binary) is \"3.0\"");
  }

  @Test
  void refusesAPackageWithoutDataMember() {
    byte[] bytes = TestDeb.ar(List.of(
        Map.entry("debian-binary", ascii("2.0\n")),
        Map.entry("control.tar.xz", sample().controlMember())));

    assertDamaged(bytes, "no data.tar member");
  }

  @Test
  void refusesAPackageWhoseFirstMemberIsNotDebianBinary() {
    byte[] bytes = TestDeb.ar(List.of(
        Map.entry("control.tar.xz", sample().controlMember()),
        Map.entry("data.tar.xz", sample().dataMember())));

    assertDamaged(bytes, "first member is control.tar.xz, not debian-binary");
  }

  @Test
  void refusesACompressionClawDoesNotRead() {
    byte[] bytes = TestDeb.ar(List.of(
        Map.entry("debian-binary", ascii("2.0\n")),
        Map.entry("control.tar.xz", sample().controlMember()),
        Map.entry("data.tar.lz4", sample().dataMember())));

    assertDamaged(bytes, "data.tar.lz4 is compressed in a way claw does not read");
  }

  @Test
  void refusesAControlStanzaWithoutAValidPackageName() {
    byte[] bytes = TestDeb.named("jq").field("Package", "../../etc/passwd").build();

    assertDamaged(bytes, "gives Package as \"../../etc/passwd\"");
  }

  @Test
  void refusesAControlFileWithTwoStanzas() {
    byte[] bytes = TestDeb.named("jq").field("Homepage", "x\n\nPackage: other").build();

    assertDamaged(bytes, "more than one stanza");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gz", "xz", "zst", "bz2"})
  void reportsADataTarballCutShortWhenItIsRead(String compression) {
    TestDeb deb = sample().file("./usr/bin/big", 0755, new byte[20_000])
        .file("./usr/bin/last", 0755, "last");
    byte[] data = deb.compression("xz", compression).dataMember();
    byte[] bytes = TestDeb.ar(List.of(
        Map.entry("debian-binary", ascii("2.0\n")),
        Map.entry("control.tar.xz", deb.controlMember()),
        Map.entry("data.tar." + compression, Arrays.copyOf(data, data.length * 2 / 3))));
    DebPackage read = DebPackage.parse(bytes, "cut.deb");

    assertThatThrownBy(() -> entries(read))
        .isInstanceOf(ClawException.class)
        .hasMessageStartingWith("cut.deb is not a usable Debian package: data.tar."
            + compression)
        .satisfies(e -> assertThat(((ClawException) e).fix()).contains("delete cut.deb"));
  }

  @Test
  void reportsAnUncompressedDataTarballThatStopsBetweenEntries() {
    TestDeb deb = sample();
    byte[] bytes = TestDeb.ar(List.of(
        Map.entry("debian-binary", ascii("2.0\n")),
        Map.entry("control.tar.xz", deb.controlMember()),
        Map.entry("data.tar", deb.dataTarWithoutEnd())));
    DebPackage read = DebPackage.parse(bytes, "cut.deb");

    assertThatThrownBy(() -> entries(read))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("without the end-of-archive record");
  }

  @Test
  void reportsADamagedZstdTarball() {
    TestDeb deb = sample().compression("xz", "zst");
    byte[] data = deb.dataMember();
    data[data.length / 2] ^= 0x55;
    byte[] bytes = TestDeb.ar(List.of(
        Map.entry("debian-binary", ascii("2.0\n")),
        Map.entry("control.tar.xz", deb.controlMember()),
        Map.entry("data.tar.zst", data)));
    DebPackage read = DebPackage.parse(bytes, "flipped.deb");

    assertThatThrownBy(() -> entries(read))
        .isInstanceOf(ClawException.class)
        .hasMessageStartingWith("flipped.deb is not a usable Debian package: data.tar.zst");
  }

  @Test
  void aMissingFileIsExplained(@TempDir Path dir) {
    assertThatThrownBy(() -> DebPackage.read(dir.resolve("absent.deb")))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("cannot read the package file");
  }

  private static void assertDamaged(byte[] bytes, String why) {
    assertThatThrownBy(() -> DebPackage.parse(bytes, "pkg_1.0_amd64.deb"))
        .isInstanceOf(ClawException.class)
        .hasMessageStartingWith("pkg_1.0_amd64.deb is not a usable Debian package")
        .hasMessageContaining(why)
        .satisfies(e -> assertThat(((ClawException) e).fix())
            .contains("delete pkg_1.0_amd64.deb"));
  }

  static List<DebEntry> entries(DebPackage deb) {
    List<DebEntry> entries = new ArrayList<>();
    deb.readData(entries::add);
    return entries;
  }
}
