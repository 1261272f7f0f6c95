package dev.claw.image;

import static dev.claw.image.DiskImageFixtures.run;
import static dev.claw.image.DiskImageFixtures.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import java.util.List;
import org.junit.jupiter.api.Test;

class Ext4ImageTest extends DiskImageContract {
  /**
   * The exact bytes of the sample's ext4 image (e2fsprogs 1.47.0). If this changes, every ext4
   * image claw writes changes: a deliberate format change, or a new e2fsprogs to check.
   */
  private static final String GOLDEN_SHA256 =
      "94aaf86e0ab1d9306e8972384cba905f7503a58eac0d0dcdc339b9c6c80f89c4";

  Ext4ImageTest() {
    super("ext4", Ext4Image::write, GOLDEN_SHA256, List.of("/lost+found dir 700 0:0 times=1,1,1"));
  }

  @Test
  void imageIsACleanExt4WithoutJournalOrReservedBlocks() throws Exception {
    Ext4Image.write(sample(), image());

    run("e2fsck", "-fn", image().toString());
    assertThat(run("dumpe2fs", "-h", image().toString()))
        .contains("Block size:               4096")
        .contains("Reserved block count:     0")
        .contains("Filesystem created:       Thu Jan  1 00:00:01 1970")
        .doesNotContain("has_journal");
  }

  @Test
  void missingToolSaysHowToInstallIt() {
    assertThatThrownBy(() -> DiskImages.tool("mke2fs-not-here", "e2fsprogs"))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("mke2fs-not-here is not installed")
        .satisfies(e -> assertThat(((ClawException) e).fix())
            .contains("run scripts/setup").contains("apt-get install e2fsprogs"));
  }
}
