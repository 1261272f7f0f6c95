package dev.claw.vm;

import dev.claw.fs.FileTree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import dev.claw.event.EventListener;
import dev.claw.guest.GuestInit;
import dev.claw.host.ClawDirs;
import dev.claw.image.Initramfs;
import dev.claw.kernel.KernelCommandLine;
import dev.claw.testing.TestKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcceleratorProbeTest {
  private static Path kernel() throws Exception {
    return TestKernel.cachedOrBuilt();
  }

  private static VmSpec probeSpec(Path dir, Accelerator accelerator) throws Exception {
    byte[] init = Files.readAllBytes(new GuestInit(ClawDirs.fromEnvironment().cache("init"),
        EventListener.IGNORE).binary());
    Path image = dir.resolve("initramfs.cpio");
    Initramfs.writeTo(new FileTree().file("/init", 0755, init)
        .charDevice("/dev/console", 0600, 5, 1), image);
    List<String> args = new ArrayList<>(KernelCommandLine.standard());
    args.add(AcceleratorProbe.PROBE_ARG);
    return new VmSpec("probe", kernel(), image, args, 64, 1, accelerator, Optional.empty(),
        dir.resolve("console.log"), dir);
  }

  @TempDir Path cache;

  private final VmBackend backend = new QemuMicrovm();

  @Test
  void withoutAKvmDeviceTcgIsChosenAndSaysWhy() throws Exception {
    AcceleratorProbe probe = new AcceleratorProbe(backend, cache, cache.resolve("no-kvm"));

    AcceleratorProbe.Choice choice = probe.withoutProbe(AcceleratorProbe.Request.AUTO,
        cache).orElseThrow();

    assertThat(choice.accelerator()).isEqualTo(Accelerator.TCG);
    assertThat(choice.reason()).contains("no-kvm does not exist");
  }

  @Test
  void askingForKvmWhereThereIsNoneIsAnError() {
    AcceleratorProbe probe = new AcceleratorProbe(backend, cache, cache.resolve("no-kvm"));

    assertThatThrownBy(() -> probe.withoutProbe(AcceleratorProbe.Request.KVM, cache))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("KVM was asked for");
  }

  @Test
  void guestThatBootsToClawsInitPassesTheProbe(@TempDir Path vmDir) throws Exception {
    // Booted under TCG, which works everywhere: this checks the probe's own logic end to end.
    VmSpec spec = probeSpec(vmDir, Accelerator.TCG);

    AcceleratorProbe.Choice choice = new AcceleratorProbe(backend, cache)
        .probe(AcceleratorProbe.Request.AUTO, spec);

    assertThat(choice.accelerator()).isEqualTo(Accelerator.KVM);
    assertThat(choice.probed()).isTrue();
  }

  @Test
  void realKvmIsUsedOrTheReasonItIsNotIsGiven(@TempDir Path vmDir) throws Exception {
    AcceleratorProbe probe = new AcceleratorProbe(backend, cache);
    Path kernel = kernel();

    AcceleratorProbe.Choice choice = probe.withoutProbe(AcceleratorProbe.Request.AUTO, kernel)
        .orElseGet(() -> {
          try {
            return probe.probe(AcceleratorProbe.Request.AUTO, probeSpec(vmDir,
                Accelerator.KVM));
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });

    if (choice.accelerator() == Accelerator.TCG) {
      assertThat(choice.reason()).containsIgnoringCase("kvm");
    }
    assertThat(probe.withoutProbe(AcceleratorProbe.Request.AUTO, kernel)).as("cached verdict")
        .hasValueSatisfying(again -> assertThat(again.accelerator())
            .isEqualTo(choice.accelerator()));
  }

  @Test
  void askingForTcgNeedsNoProbe() throws Exception {
    AcceleratorProbe probe = new AcceleratorProbe(backend, cache);

    assertThat(probe.withoutProbe(AcceleratorProbe.Request.TCG, cache).orElseThrow()
        .accelerator()).isEqualTo(Accelerator.TCG);
  }
}
