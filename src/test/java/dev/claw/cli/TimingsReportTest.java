package dev.claw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.run.Outcome;
import dev.claw.run.Phase;
import dev.claw.run.RunResult;
import dev.claw.run.Timeline;
import dev.claw.vm.Accelerator;
import dev.claw.vm.AcceleratorProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimingsReportTest {

  @Test
  void summaryNamesTheAcceleratorAndTheFirstOutput() {
    RunResult result = result(new Outcome.Exited(0));

    assertThat(TimingsReport.summaryTail(result))
        .matches("in \\d+\\.\\d\\d s \\(tcg; first stdout at \\d+\\.\\d\\d s\\)");
  }

  @Test
  void jsonHasEveryPhaseAndAMachineReadableOutcome(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("t.json");

    TimingsReport.writeJson(result(new Outcome.Signaled(11)), json);

    assertThat(Files.readString(json)).contains("\"accelerator\" : \"tcg\"",
        "\"kind\" : \"signaled\"", "\"signal_name\" : \"SIGSEGV\"", "\"first_stdout\"",
        "\"vm_exit\"");
  }

  private static RunResult result(Outcome outcome) {
    Timeline timeline = new Timeline(Instant.now());
    for (Phase phase : Phase.values()) {
      timeline.mark(phase);
    }
    return new RunResult("t", outcome,
        new AcceleratorProbe.Choice(Accelerator.TCG, "test", false), timeline, "");
  }
}
