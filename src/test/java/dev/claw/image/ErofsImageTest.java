package dev.claw.image;

import static dev.claw.image.DiskImageFixtures.run;
import static dev.claw.image.DiskImageFixtures.sample;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ErofsImageTest extends DiskImageContract {
  /**
   * The exact bytes of the sample's EROFS image (erofs-utils 1.5). If this changes, every EROFS
   * image claw writes changes: a deliberate format change, or a new erofs-utils to check.
   */
  private static final String GOLDEN_SHA256 =
      "1e2a647ac7c4e75d7bf12f7cee9f6335f4287c5ac4d422f76aa74b6b5fd47ead";

  ErofsImageTest() {
    super("erofs", ErofsImage::write, GOLDEN_SHA256, List.of());
  }

  @Test
  void imagePassesFsckWithFixedTimeAndUncompressed() throws Exception {
    ErofsImage.write(sample(), image());

    run("fsck.erofs", image().toString());
    assertThat(run("dump.erofs", "-s", image().toString()))
        .contains("Filesystem created:                           Thu Jan  1 00:00:01 1970")
        .doesNotContainIgnoringCase("lz4");
  }
}
