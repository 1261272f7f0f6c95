package dev.claw.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void oddCountHasTheMiddleValueAsMedianAndNearestRankPercentiles() {
    Stats stats = Stats.of(List.of(5.0, 1.0, 4.0, 2.0, 3.0));

    assertThat(stats).isEqualTo(new Stats(5, 1, 3, 5, 5, 5));
  }

  @Test
  void evenCountAveragesTheTwoMiddleValues() {
    assertThat(Stats.of(List.of(4.0, 1.0, 3.0, 2.0)).median()).isEqualTo(2.5);
  }

  @Test
  void percentilesAreValuesThatWereMeasured() {
    List<Double> hundred = new ArrayList<>();
    for (int i = 100; i >= 1; i--) {
      hundred.add((double) i);
    }
    Stats stats = Stats.of(hundred);

    assertThat(stats.p95()).isEqualTo(95);
    assertThat(stats.p99()).isEqualTo(99);
    assertThat(stats.max()).isEqualTo(100);
    assertThat(Stats.of(List.of(7.0)).p99()).isEqualTo(7);
  }

  @Test
  void noValuesGiveZeroes() {
    assertThat(Stats.of(List.of())).isEqualTo(new Stats(0, 0, 0, 0, 0, 0));
  }

  @Test
  void costOverNativeAndBreakEvenTaskLengths() {
    ModeReport native_ = mode(BenchMode.NATIVE, 10, 5, 1024);
    ModeReport vm = mode(BenchMode.MICROVM, 510, 405, 1024 * 100);

    Cost cost = Cost.over(native_, vm);

    assertThat(cost.timeS()).isEqualTo(0.5);
    assertThat(cost.cpuS()).isEqualTo(0.4);
    // 100 MiB for 0.51 s, less 1 MiB for 0.01 s.
    assertThat(cost.mibS()).isCloseTo(51 - 0.01, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(cost.taskLengthFor(0.10)).isCloseTo(4.5, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(cost.taskLengthFor(0.01)).isCloseTo(49.5, org.assertj.core.data.Offset.offset(1e-9));
  }

  static ModeReport mode(BenchMode mode, double exitMs, double cpuMs, long rssKib) {
    Sample sample = new Sample(mode, exitMs / 2, exitMs, cpuMs, rssKib,
        java.util.Map.of("launch", 0.0, "first_stdout", exitMs / 2),
        java.util.Optional.empty());
    return new ModeReport(mode, List.of(sample, sample));
  }
}
