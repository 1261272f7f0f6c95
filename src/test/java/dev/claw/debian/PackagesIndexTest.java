package dev.claw.debian;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class PackagesIndexTest {
  private static final String SHA = "a".repeat(64);

  private static final String INDEX = String.join("\n",
      "Package: libc6",
      "Source: glibc (2.36-9+deb12u10)",
      "Version: 2.36-9+deb12u10",
      "Installed-Size: 12988",
      "Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>",
      "Architecture: amd64",
      "Depends: libgcc-s1",
      "Recommends: libidn2-0 (>= 2.0.5~)",
      "Description: GNU C Library: Shared libraries",
      " Contains the standard libraries that are used by nearly all programs on",
      " the system.",
      " .",
      "  An indented, verbatim line.",
      "Multi-Arch: same",
      "Priority: optional",
      "Filename: pool/main/g/glibc/libc6_2.36-9+deb12u10_amd64.deb",
      "Size: 2757936",
      "SHA256: " + SHA,
      "",
      "Package: base-files",
      "Version: 12.4+deb12u11",
      "Architecture: amd64",
      "Essential: yes",
      "Filename: pool/main/b/base-files/base-files_12.4+deb12u11_amd64.deb",
      "Size: 70752",
      "SHA256: " + "b".repeat(64),
      "");

  @Test
  void stanzasBecomeRecordsWithTheFieldsLaterStepsNeed() throws IOException {
    List<PackageRecord> records = parse(INDEX);

    assertThat(records).hasSize(2);
    PackageRecord libc = records.get(0);
    assertThat(libc.name()).isEqualTo("libc6");
    assertThat(libc.version()).isEqualTo("2.36-9+deb12u10");
    assertThat(libc.architecture()).isEqualTo("amd64");
    assertThat(libc.size()).isEqualTo(2757936);
    assertThat(libc.sha256()).isEqualTo(SHA);
    assertThat(libc.repository()).isEqualTo("http://deb.example/debian");
    assertThat(libc.url()).isEqualTo(
        "http://deb.example/debian/pool/main/g/glibc/libc6_2.36-9+deb12u10_amd64.deb");
    assertThat(libc.fields()).containsOnlyKeys("Depends", "Installed-Size", "Maintainer",
        "Description", "Multi-Arch", "Priority");
  }

  @Test
  void sourceLosesItsVersionAndDefaultsToThePackageName() throws IOException {
    List<PackageRecord> records = parse(INDEX);

    assertThat(records.get(0).source()).isEqualTo("glibc");
    assertThat(records.get(1).source()).isEqualTo("base-files");
  }

  @Test
  void continuationLinesAreKeptVerbatim() throws IOException {
    PackageRecord libc = parse(INDEX).get(0);

    assertThat(libc.field("Description")).isEqualTo(String.join("\n",
        "GNU C Library: Shared libraries",
        " Contains the standard libraries that are used by nearly all programs on",
        " the system.",
        " .",
        "  An indented, verbatim line."));
  }

  @Test
  void anEntryWithoutADigestIsRefusedNamingTheIndexAndPackage() {
    String index = INDEX.replace("SHA256: " + SHA + "\n", "");

    assertThatThrownBy(() -> parse(index))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("test-index")
        .hasMessageContaining("libc6")
        .hasMessageContaining("SHA256 is missing");
  }

  @Test
  void aFilenameThatLeavesTheRepositoryIsRefused() {
    String index = INDEX.replace("Filename: pool/main/g/glibc/", "Filename: pool/../../");

    assertThatThrownBy(() -> parse(index))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("'..'");
  }

  @Test
  void aContinuationLineBeforeAnyFieldIsASyntaxError() {
    assertThatThrownBy(() -> parse(" orphan\n" + INDEX))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("line 1");
  }

  private static List<PackageRecord> parse(String text) throws IOException {
    return PackagesIndex.parse(new BufferedReader(new StringReader(text)),
        "http://deb.example/debian", "test-index");
  }
}
