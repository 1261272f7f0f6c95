package dev.claw.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import dev.claw.host.ClawDirs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmRegistryTest {
  @TempDir Path vms;

  @Test
  void folderOfALiveOwnerIsLeftAlone() throws Exception {
    VmRegistry registry = new VmRegistry(vms);
    Path dir = registry.create("alive");

    assertThat(registry.reapLeftovers()).isEmpty();
    assertThat(dir).isDirectory();
  }

  @Test
  void vmOfADeadOwnerIsKilledAndItsFolderRemoved() throws Exception {
    VmRegistry registry = new VmRegistry(vms);
    Path dir = deadOwnersFolder("orphan-0123abcd");
    // A stand-in VMM whose command line names the VM's folder, as QEMU's does.
    Process vmm = new ProcessBuilder("bash", "-c", "sleep 600; true", dir.toString()).start();
    try (VmProcess vm = new VmProcess(vmm, List.of("bash"), dir.resolve("vmm.stderr"),
        System.nanoTime())) {
      registry.recordVmm(dir, vm);

      assertThat(registry.reapLeftovers()).singleElement().asString()
          .contains("orphan").contains("killed");
      assertThat(vmm.waitFor(5, TimeUnit.SECONDS)).isTrue();
      assertThat(dir).doesNotExist();
    }
  }

  @Test
  void ownerIsAliveForAsLongAsItHoldsItsRecordsLock() throws Exception {
    VmRegistry registry = new VmRegistry(vms);
    Path dir = registry.create("locked");
    // Even a record that names a dead pid: the lock, not the pid, says who is alive.
    Files.writeString(dir.resolve("owner"), "999999999\n");

    assertThat(new VmRegistry(vms).reapLeftovers()).isEmpty();
    registry.release(dir);
    assertThat(dir).doesNotExist();
  }

  /** What a claw killed by SIGKILL leaves: its folder and records, with no lock held. */
  private Path deadOwnersFolder(String name) throws Exception {
    Path dir = Files.createDirectories(vms.resolve(name));
    Files.writeString(dir.resolve("owner"), "999999999\n");
    return dir;
  }

  @Test
  void foldersClawDidNotMakeAreNeverDeleted() throws Exception {
    Path thesis = Files.createDirectories(vms.resolve("thesis"));
    Files.writeString(thesis.resolve("ch1.tex"), "years of work");
    Files.createDirectories(vms.resolve("look-alike-0123abcd"));  // claw's name, no owner

    assertThat(new VmRegistry(vms).reapLeftovers()).isEmpty();
    assertThat(thesis.resolve("ch1.tex")).exists();
    assertThat(vms.resolve("look-alike-0123abcd")).exists();
  }

  @Test
  void runtimeFolderThatIsASymlinkIsRefused(@TempDir Path victim) throws Exception {
    Path runtime = vms.resolve("runtime");
    Files.createDirectories(runtime);
    Files.createSymbolicLink(runtime.resolve("vms"), victim);

    assertThatThrownBy(() -> new ClawDirs(vms, runtime).vms())
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("is not a plain folder");
  }

  @Test
  void runtimeFolderOthersCanWriteIsRefused() throws Exception {
    Path runtime = Files.createDirectories(vms.resolve("shared"));
    Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwxrwxrwx"));

    assertThatThrownBy(() -> new ClawDirs(vms, runtime).vms())
        .hasMessageContaining("can be written by others");
  }

  @Test
  void vmFoldersAreOwnerOnly() throws Exception {
    Path dir = new VmRegistry(vms).create("private");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
  }

  @Test
  void reusedPidIsNotKilled() throws Exception {
    VmRegistry registry = new VmRegistry(vms);
    Path dir = deadOwnersFolder("reused-0123abcd");
    // The record names a live process that is not this VM's VMM (its command line differs).
    Process stranger = new ProcessBuilder("sleep", "600").start();
    try {
      Files.writeString(dir.resolve("vmm"), stranger.pid() + " "
          + stranger.info().startInstant().orElseThrow().toEpochMilli() + "\n");

      assertThat(registry.reapLeftovers()).singleElement().asString().doesNotContain("killed");
      assertThat(stranger.isAlive()).isTrue();
    } finally {
      stranger.destroyForcibly();
    }
  }
}
