package dev.claw.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import dev.claw.event.ClawEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build steps against small stand-in source trees whose Makefile behaves like the kernel's
 * would in each case, so every failure path runs in milliseconds. The real build is exercised
 * by scripts/setup and every integration test.
 */
class KernelBuilderTest {
  @TempDir Path cache;
  @TempDir Path sources;

  private final List<ClawEvent> events = new ArrayList<>();

  @Test
  void missingSourcePackageSaysWhatToInstall() {
    assertThatThrownBy(() -> builder(fragment()).cachedOrBuild())
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("Debian's kernel source is not installed")
        .satisfies(e -> assertThat(((ClawException) e).fix())
            .contains("apt-get install linux-source-6.1"));
  }

  @Test
  void optionKconfigDroppedFailsTheBuildAndKeepsTheLog() throws Exception {
    // This "kernel" configures itself without CONFIG_PVH, as Kconfig does when a dependency
    // of an option is missing.
    sourceTree("allnoconfig:\n\tprintf 'CONFIG_64BIT=y\\n' > .config\n");

    assertThatThrownBy(() -> builder(fragment()).build())
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("CONFIG_PVH=y (got n)");
    assertThat(scratchFolders()).isEmpty();
    assertThat(events).anySatisfy(e -> assertThat(e.toString()).contains(".failed.log"));
  }

  @Test
  void failingCompileShowsTheEndOfTheLog() throws Exception {
    sourceTree("allnoconfig:\n\tprintf 'CONFIG_64BIT=y\\nCONFIG_PVH=y\\n' > .config\n"
        + "vmlinux:\n\t@echo 'arch/x86/boot/oops.c:1: error: it broke'; exit 2\n");

    assertThatThrownBy(() -> builder(fragment()).build())
        .hasMessageContaining("compiling the kernel failed (exit 2)")
        .hasMessageContaining("error: it broke");
    assertThat(scratchFolders()).isEmpty();
  }

  @Test
  void successfulBuildIsCachedAndReused() throws Exception {
    sourceTree("allnoconfig:\n\tprintf 'CONFIG_64BIT=y\\nCONFIG_PVH=y\\n' > .config\n"
        + "vmlinux:\n\tprintf 'ELF' > vmlinux\n");
    KernelBuilder builder = builder(fragment());

    Path built = builder.cachedOrBuild();

    assertThat(built).hasContent("ELF");
    assertThat(builder.cached()).hasValue(built);
    assertThat(built.resolveSibling("config")).exists();
    assertThat(scratchFolders()).isEmpty();
  }

  private KernelBuilder builder(KernelConfig config) {
    return new KernelBuilder(cache, sources, config, events::add);
  }

  private static KernelConfig fragment() {
    return KernelConfig.of("# 64-bit\nCONFIG_64BIT=y\n# PVH boot\nCONFIG_PVH=y\n");
  }

  private void sourceTree(String makefile) throws Exception {
    Path tree = Files.createDirectories(sources.resolve("tree/linux-source-6.1"));
    Files.writeString(tree.resolve("Makefile"), makefile);
    Process tar = new ProcessBuilder("tar", "-cJf",
        sources.resolve("linux-source-6.1.tar.xz").toString(), "-C",
        sources.resolve("tree").toString(), "linux-source-6.1").inheritIO().start();
    assertThat(tar.waitFor()).isZero();
  }

  private List<Path> scratchFolders() throws Exception {
    try (Stream<Path> files = Files.list(cache)) {
      return files.filter(p -> Files.isDirectory(p) && p.getFileName().toString()
          .startsWith("build-")).toList();
    }
  }
}
