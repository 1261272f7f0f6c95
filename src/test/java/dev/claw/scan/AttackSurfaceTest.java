package dev.claw.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.fs.FileTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hardening facts read from programs gcc builds here with and without each protection. */
class AttackSurfaceTest {
  @TempDir static Path dir;

  private static final String PROGRAM = """
      #include <string.h>
      #include <stdio.h>
      #include <sys/socket.h>
      int exported_one(void) { return 1; }
      int exported_two(void) { return 2; }
      int main(int argc, char **argv) {
        char buffer[64];
        strcpy(buffer, argv[0]);
        printf("%s\\n", buffer);
        if (argc > 5) { connect(0, 0, 0); }
        return 0;
      }
      """;

  private static byte[] hardened;
  private static byte[] weak;
  private static byte[] library;

  @BeforeAll
  static void compile() throws Exception {
    Path source = dir.resolve("program.c");
    Files.writeString(source, PROGRAM);
    hardened = gcc(source, "hardened", "-O2", "-D_FORTIFY_SOURCE=2", "-fstack-protector-all",
        "-fPIE", "-pie", "-Wl,-z,relro,-z,now", "-s");
    weak = gcc(source, "weak", "-O0", "-fno-stack-protector", "-no-pie", "-Wl,-z,norelro",
        "-Wl,-z,execstack");
    library = gcc(source, "libx.so", "-O2", "-shared", "-fPIC", "-Wl,-z,relro");
  }

  private static byte[] gcc(Path source, String out, String... flags) throws Exception {
    List<String> command = new ArrayList<>(List.of("gcc", "-o", dir.resolve(out).toString(),
        source.toString()));
    command.addAll(List.of(flags));
    Process gcc = new ProcessBuilder(command).inheritIO().start();
    assertThat(gcc.waitFor()).as("gcc " + out).isZero();
    return Files.readAllBytes(dir.resolve(out));
  }

  @Test
  void aHardenedProgramHasEveryProtection() {
    ElfReport elf = ElfReader.read("/usr/bin/hardened", "base", hardened).orElseThrow();
    assertThat(elf.kind()).isEqualTo(ElfReport.Kind.EXECUTABLE);
    assertThat(elf.pie()).isTrue();
    assertThat(elf.relro()).isEqualTo(ElfReport.Relro.FULL);
    assertThat(elf.nxStack()).isTrue();
    assertThat(elf.stackProtector()).isTrue();
    assertThat(elf.fortify()).isTrue();
    assertThat(elf.stripped()).isTrue();
    assertThat(elf.network()).isTrue();
    assertThat(elf.tls()).isFalse();
    assertThat(elf.needed()).contains("libc.so.6");
  }

  @Test
  void aWeakProgramLacksThemAll() {
    ElfReport elf = ElfReader.read("/usr/bin/weak", "base", weak).orElseThrow();
    assertThat(elf.kind()).isEqualTo(ElfReport.Kind.EXECUTABLE);
    assertThat(elf.pie()).isFalse();
    assertThat(elf.relro()).isEqualTo(ElfReport.Relro.NONE);
    assertThat(elf.nxStack()).isFalse();
    assertThat(elf.stackProtector()).isFalse();
    assertThat(elf.fortify()).isFalse();
    assertThat(elf.stripped()).isFalse();
  }

  @Test
  void aLibraryCountsItsExportedSymbols() {
    ElfReport elf = ElfReader.read("/usr/lib/libx.so", "net", library).orElseThrow();
    assertThat(elf.kind()).isEqualTo(ElfReport.Kind.LIBRARY);
    assertThat(elf.relro()).isEqualTo(ElfReport.Relro.PARTIAL);
    // main, exported_one, exported_two.
    assertThat(elf.exportedSymbols()).isEqualTo(3);
  }

  @Test
  void notAnElfOrACutShortOneGivesNoReport() {
    assertThat(ElfReader.read("/x", "base", "#!/bin/sh\n".repeat(10).getBytes())).isEmpty();
    byte[] cut = java.util.Arrays.copyOf(hardened, 200);
    assertThat(ElfReader.read("/x", "base", cut)).isPresent();
  }

  @Test
  void layersAreMeasuredApart() throws IOException {
    FileTree tree = new FileTree();
    tree.put(FileTree.fileEntry("/usr/bin/hardened", 0755, hardened).inLayer("base"));
    tree.put(FileTree.fileEntry("/usr/lib/x86_64-linux-gnu/libx.so.1", 0644, library)
        .inLayer("net"));
    tree.put(FileTree.fileEntry("/usr/bin/weak", 04755, weak).inLayer("net"));
    tree.put(FileTree.symlinkEntry("/usr/bin/sh", "dash").inLayer("net"));
    tree.put(FileTree.fileEntry("/usr/bin/python3.11", 0755, text("#!\n")).inLayer("net"));
    tree.put(FileTree.fileEntry("/srv/open", 0666, text("x")).inLayer("net"));
    tree.put(FileTree.directoryEntry("/srv/drop", 0777).inLayer("net"));
    tree.put(FileTree.directoryEntry("/srv/tmp", 01777).inLayer("net"));
    tree.put(FileTree.fileEntry("/init", 0755, text("not elf, but executable")));

    AttackSurface surface = AttackSurface.of(new TreeRoot(tree), List.of("base", "net"));
    assertThat(surface.layers()).extracting(LayerSurface::layer)
        .containsExactly("base", "net", "claw");
    LayerSurface base = surface.layer("base");
    assertThat(base.executables()).containsExactly("/usr/bin/hardened");
    assertThat(base.setuid()).isEmpty();
    LayerSurface net = surface.layer("net");
    assertThat(net.executables()).containsExactly("/usr/bin/weak");
    assertThat(net.libraries()).containsExactly("/usr/lib/x86_64-linux-gnu/libx.so.1");
    assertThat(net.setuid()).containsExactly("/usr/bin/weak");
    assertThat(net.interpreters()).containsExactly("/usr/bin/python3.11", "/usr/bin/sh");
    assertThat(net.worldWritable()).containsExactly("/srv/drop", "/srv/open");
    assertThat(net.weak().notPie()).isEqualTo(1);
    assertThat(net.weak().executableStack()).isEqualTo(1);
    assertThat(net.bytes()).isEqualTo(weak.length + library.length + 3 + 1);
    assertThat(surface.total().files()).isEqualTo(6);
    assertThat(surface.total().executables()).hasSize(2);
  }

  private static byte[] text(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
