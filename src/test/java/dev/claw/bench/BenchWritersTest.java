package dev.claw.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BenchWritersTest {
  private final BenchReport report = new BenchReport("hello", Instant.parse(
      "2026-12-04T00:00:00Z"), 2, "tcg", "no KVM", 2, 1.5, 2.5,
      List.of(StatsTest.mode(BenchMode.NATIVE, 10, 5, 1024),
          StatsTest.mode(BenchMode.MICROVM, 510, 405, 102400),
          new ModeReport(BenchMode.CONTAINER, List.of(Sample.failed(BenchMode.CONTAINER,
              "runc: exit 1: <no bundle>")))),
      Optional.of(new SurgeReport(BenchMode.MICROVM, 2, List.of(
          StatsTest.mode(BenchMode.MICROVM, 600, 400, 1).samples().get(0),
          StatsTest.mode(BenchMode.MICROVM, 900, 400, 1).samples().get(0)), 950, 800)));

  @Test
  void tableWarnsAboutTcgAndShowsEveryModeCostAndSurge() {
    String table = BenchTable.render(report);

    assertThat(table).contains("accelerator tcg", "TCG", "not KVM times")
        .contains("native", "microvm", "runc")
        .contains("255/255/255/255", "510/510/510/510")
        .contains("first failure of runc: runc: exit 1")
        .contains("surge: 2 microvm launches at once: 0 failed")
        .contains("4.5s", "49.5s");
  }

  @Test
  void jsonHoldsStatisticsSamplesCostAndSurge() throws Exception {
    JsonNode json = new ObjectMapper().readTree(BenchJson.render(report));

    assertThat(json.get("emulated").asBoolean()).isTrue();
    assertThat(json.get("modes")).hasSize(3);
    assertThat(json.at("/modes/1/exit_ms/median").asDouble()).isEqualTo(510);
    assertThat(json.at("/modes/1/samples")).hasSize(2);
    assertThat(json.at("/modes/2/failures").asInt()).isEqualTo(1);
    assertThat(json.at("/cost_over_native/0/task_s_for_overhead_under_1pct").asDouble())
        .isEqualTo(49.5);
    assertThat(json.at("/surge/launches/first_stdout_ms/p99").asDouble()).isEqualTo(450);
  }

  @Test
  void htmlIsSelfContainedWithInlineSvgAndEscapedText() {
    String html = BenchHtml.render(report);

    assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg", "</svg>", "not KVM")
        .contains("&lt;no bundle&gt;").doesNotContain("<no bundle>")
        .doesNotContain("<script", "src=\"http", "href=\"http");
  }
}
