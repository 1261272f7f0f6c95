package dev.claw.debian;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.claw.ClawException;
import dev.claw.host.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LockFileTest {
  private static final String INPUTS = "1".repeat(64);

  /** The exact text claw writes for {@link #sample()}; any change is a format change. */
  private static final String GOLDEN = String.join("\n",
      "{",
      "  \"lockVersion\": 1,",
      "  \"inputs\": \"" + INPUTS + "\",",
      "  \"architecture\": \"amd64\",",
      "  \"packages\": [",
      "    {",
      "      \"name\": \"libc6\",",
      "      \"version\": \"2.36-9+deb12u10\",",
      "      \"architecture\": \"amd64\",",
      "      \"source\": \"glibc\",",
      "      \"size\": 2757936,",
      "      \"sha256\": \"" + "a".repeat(64) + "\",",
      "      \"filename\": \"pool/main/g/glibc/libc6_2.36-9+deb12u10_amd64.deb\",",
      "      \"repository\": \"http://deb.debian.org/debian\",",
      "      \"layer\": \"base\"",
      "    },",
      "    {",
      "      \"name\": \"base-files\",",
      "      \"version\": \"12.4+deb12u11\",",
      "      \"architecture\": \"amd64\",",
      "      \"source\": \"base-files\",",
      "      \"size\": 70752,",
      "      \"sha256\": \"" + "b".repeat(64) + "\",",
      "      \"filename\": \"pool/main/b/base-files/base-files_12.4+deb12u11_amd64.deb\",",
      "      \"repository\": \"https://deb.debian.org/debian-security\",",
      "      \"layer\": \"base\"",
      "    }",
      "  ]",
      "}",
      "");

  private static final String GOLDEN_SHA256 =
      "7594a9415604d3fd1f90a26603b247291760040e96e88a662f4937deb1e5baa1";

  @Test
  void aLockIsWrittenInItsFixedLayout(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("claw.lock");

    sample().write(file);

    assertThat(Files.readString(file)).isEqualTo(GOLDEN);
    assertThat(Sha256.of(file)).isEqualTo(GOLDEN_SHA256);
  }

  @Test
  void writingThenReadingGivesTheSameLock(@TempDir Path dir) {
    Path file = dir.resolve("claw.lock");

    sample().write(file);

    assertThat(LockFile.read(file)).isEqualTo(sample());
  }

  @Test
  void anEmptyLockIsValid(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("claw.lock");
    LockFile empty = new LockFile(INPUTS, "arm64", List.of());

    empty.write(file);

    assertThat(Files.readString(file)).endsWith("\"packages\": []\n}\n");
    assertThat(LockFile.read(file)).isEqualTo(empty);
  }

  @Test
  void writingReplacesTheOldFileAndLeavesNothingElse(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("claw.lock");
    Files.writeString(file, "old");

    sample().write(file);

    assertThat(Files.readString(file)).isEqualTo(GOLDEN);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void anInvalidLockIsNeverWritten(@TempDir Path dir) throws IOException {
    LockFile bad = new LockFile(INPUTS, "amd64", List.of(locked("../etc/passwd", 1,
        "a".repeat(64), "http://deb.debian.org/debian")));

    assertThatThrownBy(() -> bad.write(dir.resolve("claw.lock")))
        .isInstanceOf(IllegalArgumentException.class);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void strictReadingRefusesEachKindOfDamage(@TempDir Path dir) throws IOException {
    String lib = "\"name\": \"libc6\"";
    assertRefused(dir, GOLDEN.replace(lib, lib + ", \"extra\": 1"), "unknown field 'extra'");
    assertRefused(dir, GOLDEN.replace("\"layer\": \"base\"\n    },", "\"layer\": \"base\"\n"
        + "    , \"layer\": \"x\"},"), "Duplicate field 'layer'");
    assertRefused(dir, GOLDEN.replace("      \"source\": \"glibc\",\n", ""),
        "lacks the field 'source'");
    assertRefused(dir, GOLDEN.replace("a".repeat(64), "A".repeat(64)),
        "is not 64 lower-case hex digits");
    assertRefused(dir, GOLDEN.replace("a".repeat(64), "a".repeat(63)),
        "is not 64 lower-case hex digits");
    assertRefused(dir, GOLDEN.replace("2757936", "-1"), "size -1 is negative");
    assertRefused(dir, GOLDEN.replace("2757936", "\"2757936\""), "not a whole number");
    assertRefused(dir, GOLDEN.replace("2757936", "2.5"), "not a whole number");
    assertRefused(dir, GOLDEN.replace("pool/main/g/glibc/", "pool/../../"), "'..'");
    assertRefused(dir, GOLDEN.replace("pool/main/g/glibc/", "/pool/"), "starts with '/'");
    assertRefused(dir, GOLDEN.replace("http://deb.debian.org/debian\"", "file:///srv\""),
        "not an http:// or https:// URI");
    assertRefused(dir, GOLDEN.replace("http://deb.debian.org/debian\"", "ftp://x/debian\""),
        "not an http:// or https:// URI");
    assertRefused(dir, GOLDEN.replace("\"lockVersion\": 1", "\"lockVersion\": 2"),
        "lockVersion is 2");
    assertRefused(dir, GOLDEN.replace("2.36-9+deb12u10\"", "not a version\""), "version");
    assertRefused(dir, GOLDEN + "{}", "not valid JSON");
    assertRefused(dir, GOLDEN.replace("\"name\": \"base-files\"", "\"name\": \"libc6\""),
        "listed twice");
  }

  @Test
  void aMissingLockSaysHowToMakeOne(@TempDir Path dir) {
    ClawException error = (ClawException) catchThrowable(
        () -> LockFile.read(dir.resolve("claw.lock")));

    assertThat(error.getMessage()).contains("does not exist");
    assertThat(error.fix()).contains("resolve");
  }

  private static void assertRefused(Path dir, String json, String reason) throws IOException {
    Path file = dir.resolve("claw.lock");
    Files.writeString(file, json, StandardCharsets.UTF_8);

    assertThatThrownBy(() -> LockFile.read(file))
        .as(reason)
        .isInstanceOf(ClawException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining(reason);
  }

  private static LockFile sample() {
    return new LockFile(INPUTS, "amd64", List.of(
        new LockedPackage("libc6", "2.36-9+deb12u10", "amd64", "glibc", 2757936, "a".repeat(64),
            "pool/main/g/glibc/libc6_2.36-9+deb12u10_amd64.deb", "http://deb.debian.org/debian",
            "base"),
        new LockedPackage("base-files", "12.4+deb12u11", "amd64", "base-files", 70752,
            "b".repeat(64), "pool/main/b/base-files/base-files_12.4+deb12u11_amd64.deb",
            "https://deb.debian.org/debian-security", "base")));
  }

  private static LockedPackage locked(String filename, long size, String sha256,
      String repository) {
    return new LockedPackage("hello", "1.0", "amd64", "hello", size, sha256, filename,
        repository, "base");
  }
}
