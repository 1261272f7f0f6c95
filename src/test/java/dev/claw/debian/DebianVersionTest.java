package dev.claw.debian;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.claw.host.Exec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DebianVersionTest {

  /** Each version is lower than the next, as dpkg orders them. */
  private static final List<String> ASCENDING = List.of(
      "0.9",
      "1.0~~",
      "1.0~~a",
      "1.0~",
      "1.0~rc1",
      "1.0~rc2",
      "1.0",
      "1.0-1~bpo12+1",
      "1.0-1",
      "1.0-1+b1",
      "1.0-1.1",
      "1.0-2",
      "1.0-10",
      "1.0A",
      "1.0a",
      "1.0a+",
      "1.0+b1",
      "1.0.1",
      "1.2.3",
      "1.2.10",
      "2.36-9+deb12u4",
      "2.36-9+deb12u10",
      "10",
      "1:0.1",
      "1:0.1-1",
      "2:0");

  @Test
  void versionsSortInDpkgOrder() {
    List<DebianVersion> shuffled = new ArrayList<>(ASCENDING.stream()
        .map(DebianVersion::parse).toList());
    Collections.shuffle(shuffled, new Random(42));

    Collections.sort(shuffled);

    assertThat(shuffled).extracting(DebianVersion::toString).containsExactlyElementsOf(ASCENDING);
  }

  @Test
  void differentSpellingsOfOneVersionCompareEqual() {
    assertThat(compare("1.0", "1.0-0")).isZero();
    assertThat(compare("0:1.0", "1.0")).isZero();
    assertThat(compare("1.01", "1.1")).isZero();
    assertThat(compare("1.0-00", "1.0")).isZero();
    assertThat(DebianVersion.parse("1.0")).isNotEqualTo(DebianVersion.parse("0:1.0"));
  }

  @Test
  void theTableAgreesWithTheHostsDpkg() throws IOException {
    assumeTrue(Exec.which("dpkg").isPresent(), "dpkg is not installed");
    for (int i = 0; i + 1 < ASCENDING.size(); i++) {
      String lower = ASCENDING.get(i);
      String higher = ASCENDING.get(i + 1);

      Exec.Result result = Exec.run(null, List.of("dpkg", "--compare-versions", lower, "lt",
          higher));

      assertThat(result.exitCode()).as("dpkg --compare-versions %s lt %s", lower, higher)
          .isZero();
    }
  }

  @Test
  void partsAreSplitAtTheFirstColonAndTheLastHyphen() {
    DebianVersion version = DebianVersion.parse("2:1.2-3-4");

    assertThat(version.epoch()).isEqualTo(2);
    assertThat(version.upstream()).isEqualTo("1.2-3");
    assertThat(version.revision()).isEqualTo("4");
  }

  @Test
  void malformedVersionsAreRefused() {
    for (String bad : List.of("", "a1.0", "x:1.0", "1.0-", "1.0 beta", "1.0-1_2", ":1.0")) {
      assertThatThrownBy(() -> DebianVersion.parse(bad)).as("'%s'", bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static int compare(String a, String b) {
    return DebianVersion.parse(a).compareTo(DebianVersion.parse(b));
  }
}
