package dev.claw.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds VMM processes and VM folders a test left behind under its runtime directory. Tests
 * call {@link #assertNoneLeft} after every run; it kills what it finds before failing, so one
 * leaking test cannot disturb the next.
 */
public final class VmLeaks {
  private VmLeaks() {}

  /** VMM processes whose command line mentions {@code runtime}. */
  public static List<ProcessHandle> vmmsUnder(Path runtime) {
    return ProcessHandle.allProcesses()
        .filter(p -> commandLine(p.pid()).contains(runtime.toString()))
        .filter(p -> commandLine(p.pid()).contains("qemu-system"))
        .toList();
  }

  public static void assertNoneLeft(Path runtime) throws IOException {
    List<ProcessHandle> vmms = vmmsUnder(runtime);
    vmms.forEach(ProcessHandle::destroyForcibly);
    assertThat(vmms).as("QEMU processes left running").isEmpty();
    Path vms = runtime.resolve("vms");
    if (Files.isDirectory(vms)) {
      try (Stream<Path> left = Files.list(vms)) {
        assertThat(left.toList()).as("VM folders left behind").isEmpty();
      }
    }
  }

  public static String commandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline"));
      return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }
}
