package dev.claw.debian;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.claw.ClawException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AptSourcesTest {
  @TempDir
  Path etc;
  private Path keyring;
  private Path parts;

  @BeforeEach
  void layOutEtcApt() throws IOException {
    keyring = Files.writeString(etc.resolve("archive.gpg"), "key bytes");
    parts = Files.createDirectories(etc.resolve("sources.list.d"));
    Files.createDirectories(etc.resolve("trusted.gpg.d"));
    Files.writeString(etc.resolve("trusted.gpg.d/debian.asc"), "armoured key");
  }

  @Test
  void deb822FilesExpandEveryUriAndSuiteAndSkipDisabledEntries() throws IOException {
    Files.writeString(parts.resolve("debian.sources"), String.join("\n",
        "# comment lines are allowed",
        "Types: deb deb-src",
        "URIs: http://deb.debian.org/debian/",
        "Suites: bookworm bookworm-updates",
        "Components: main contrib",
        "Signed-By: " + keyring,
        "",
        "Types: deb",
        "URIs: http://deb.debian.org/debian-security",
        "Suites: bookworm-security",
        "Components: main",
        "Enabled: no",
        "",
        "types: deb-src",
        "uris: http://deb.debian.org/debian",
        "suites: trixie",
        "components: main",
        ""));

    assertThat(AptSources.fromHost(etc)).containsExactly(
        new AptSource("http://deb.debian.org/debian", "bookworm", List.of("main", "contrib"),
            keyring),
        new AptSource("http://deb.debian.org/debian", "bookworm-updates",
            List.of("main", "contrib"), keyring));
  }

  @Test
  void oneLineFilesReadOptionsAndFallBackToTrustedGpgD() throws IOException {
    Files.writeString(etc.resolve("sources.list"), String.join("\n",
        "# the main archive",
        "deb [ arch=amd64 signed-by=" + keyring + " ] https://deb.debian.org/debian bookworm"
            + " main # trailing comment",
        "deb-src http://deb.debian.org/debian bookworm main",
        "",
        "deb http://deb.debian.org/debian-security bookworm-security main non-free-firmware",
        ""));

    assertThat(AptSources.fromHost(etc)).containsExactly(
        new AptSource("https://deb.debian.org/debian", "bookworm", List.of("main"), keyring),
        new AptSource("http://deb.debian.org/debian-security", "bookworm-security",
            List.of("main", "non-free-firmware"), etc.resolve("trusted.gpg.d")));
  }

  @Test
  void filesWithOtherSuffixesAreIgnoredAndPartsAreReadInNameOrder() throws IOException {
    Files.writeString(parts.resolve("b.list"), "deb http://b.example/debian bookworm main\n");
    Files.writeString(parts.resolve("a.list"), "deb http://a.example/debian bookworm main\n");
    Files.writeString(parts.resolve("c.list.disabled-by-farm"),
        "deb http://c.example/debian bookworm main\n");
    Files.writeString(parts.resolve("d.sources.save"), "garbage");

    assertThat(AptSources.fromHost(etc)).extracting(AptSource::uri)
        .containsExactly("http://a.example/debian", "http://b.example/debian");
  }

  @Test
  void unsignedOrUnreachableSourcesAreRefusedWithAFix() throws IOException {
    assertRefused("deb [trusted=yes] http://x.example/debian bookworm main\n",
        "turns off signature checks");
    assertRefused("deb file:/srv/mirror bookworm main\n", "not an http:// or https:// URI");
    assertRefused("deb [signed-by=/no/such/key.gpg] http://x.example/debian bookworm main\n",
        "/no/such/key.gpg, which does not exist");
    assertRefused("deb http://x.example/debian bookworm\n", "no components");
    assertRefused("deb http://x.example/debian ./\n", "flat repositories");
    assertRefused("dbe http://x.example/debian bookworm main\n", "line 1");
    assertRefused("deb http://x.example/debian ../../etc main\n", "not a suite or component");
    assertRefused("deb http://x.example/debian bookworm ma?in\n", "not a suite or component");
  }

  @Test
  void noSourcesAtAllIsAnError() {
    assertThatThrownBy(() -> AptSources.fromHost(etc))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("apt has no Debian repository configured");
  }

  @Test
  void theHostsOwnSourcesAreReadable() {
    Path hostApt = Path.of("/etc/apt");
    assumeTrue(Files.isDirectory(hostApt.resolve(
        "sources.list.d")), "this host has no apt configuration");

    List<AptSource> sources = AptSources.fromHost(hostApt);

    assertThat(sources).isNotEmpty().allSatisfy(source -> {
      assertThat(source.uri()).startsWith("http");
      assertThat(source.keyring()).exists();
    });
    assertThat(AptSources.hostArchitecture()).matches("[a-z0-9-]+");
  }

  private void assertRefused(String line, String reason) throws IOException {
    Path file = Files.writeString(parts.resolve("bad.list"), line);

    assertThatThrownBy(() -> AptSources.fromHost(etc)).as(line)
        .isInstanceOf(ClawException.class)
        .hasMessageContaining(reason);
    Files.delete(file);
  }
}
