package dev.claw.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcceleratorProbeTest {
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
  void askingForTcgNeedsNoProbe() throws Exception {
    AcceleratorProbe probe = new AcceleratorProbe(backend, cache);

    assertThat(probe.withoutProbe(AcceleratorProbe.Request.TCG, cache).orElseThrow()
        .accelerator()).isEqualTo(Accelerator.TCG);
  }
}
