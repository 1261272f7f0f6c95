package dev.claw.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelConfigTest {

  @Test
  void optionsKconfigDroppedAreReported(@TempDir Path dir) throws Exception {
    KernelConfig fragment = KernelConfig.of("""
        # reason
        CONFIG_PVH=y
        # reason
        # CONFIG_MODULES is not set
        # reason
        CONFIG_NR_CPUS=16
        """);
    Path dotConfig = Files.writeString(dir.resolve(".config"),
        "CONFIG_PVH=y\nCONFIG_MODULES=y\n# CONFIG_NR_CPUS is not set\n");

    assertThat(fragment.unmetIn(dotConfig)).containsExactly(
        "CONFIG_MODULES=n (got y)", "CONFIG_NR_CPUS=16 (got n)");
  }

  @Test
  void everyOptionInClawsFragmentSaysWhy() {
    String[] lines = new String(KernelConfig.bundled().bytes()).split("\n");
    List<String> unexplained = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      boolean option = lines[i].startsWith("CONFIG_")
          || lines[i].matches("# CONFIG_\\w+ is not set");
      boolean reasoned = i > 0 && lines[i - 1].startsWith("# ")
          && !lines[i - 1].matches("# CONFIG_\\w+ is not set") && lines[i - 1].length() > 10;
      if (option && !reasoned) {
        unexplained.add(lines[i]);
      }
    }

    assertThat(KernelConfig.bundled().settings()).containsKeys("CONFIG_PVH",
        "CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES", "CONFIG_VIRTIO_CONSOLE", "CONFIG_SECCOMP_FILTER");
    assertThat(unexplained).as("options without a reason on the line above").isEmpty();
  }
}
