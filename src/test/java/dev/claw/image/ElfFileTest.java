package dev.claw.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.testing.TestAgents;
import dev.claw.testing.TestKernel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfFileTest {

  @Test
  void staticMuslBinaryNeedsNoLoader(@TempDir Path dir) throws Exception {
    ElfFile elf = ElfFile.parse(Files.readAllBytes(TestAgents.compile(dir)));

    assertThat(elf).isEqualTo(new ElfFile(ElfFile.Kind.STATIC_X86_64, Optional.empty()));
  }

  @Test
  void debianBinaryNeedsGlibcsLoader() throws Exception {
    ElfFile elf = ElfFile.parse(Files.readAllBytes(Path.of("/bin/true")));

    assertThat(elf.kind()).isEqualTo(ElfFile.Kind.DYNAMIC_X86_64);
    assertThat(elf.interpreter()).hasValue("/lib64/ld-linux-x86-64.so.2");
  }

  @Test
  void scriptNamesItsInterpreter() {
    ElfFile script = ElfFile.parse("#!/usr/bin/python3 -u\nprint(1)\n"
        .getBytes(StandardCharsets.UTF_8));

    assertThat(script).isEqualTo(new ElfFile(ElfFile.Kind.SCRIPT, Optional.of(
        "/usr/bin/python3")));
  }

  @Test
  void clawsKernelHasAPvhEntryAndOrdinaryProgramsDoNot() throws Exception {
    Path kernel = TestKernel.cachedOrBuilt();

    assertThat(ElfFile.hasPvhEntry(Files.readAllBytes(kernel))).isTrue();
    assertThat(ElfFile.hasPvhEntry(Files.readAllBytes(Path.of("/bin/true")))).isFalse();
  }

  @Test
  void truncatedOrHostileHeadersDoNotThrow() throws Exception {
    byte[] real = Files.readAllBytes(Path.of("/bin/true"));
    byte[] truncated = Arrays.copyOf(real, 200);
    byte[] lying = Arrays.copyOf(real, real.length);
    lying[32] = (byte) 0xff;  // program headers "at" a huge offset

    assertThat(ElfFile.parse(truncated).kind()).isIn(ElfFile.Kind.values());
    assertThat(ElfFile.hasPvhEntry(truncated)).isFalse();
    assertThat(ElfFile.parse(lying).kind()).isEqualTo(ElfFile.Kind.STATIC_X86_64);
    assertThat(ElfFile.parse(new byte[] {1, 2, 3}).kind())
        .isEqualTo(ElfFile.Kind.NOT_EXECUTABLE_FORMAT);
  }
}
