package dev.claw.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.event.EventListener;
import dev.claw.host.ClawDirs;
import dev.claw.profile.ProfileLoader;
import dev.claw.testing.TestAgents;
import dev.claw.testing.TestKernel;
import dev.claw.testing.VmLeaks;
import dev.claw.vm.AcceleratorProbe;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real bench, small: every mode twice, and a surge of two, on the test agent. */
class BenchEndToEndTest {
  @TempDir Path agentDir;
  @TempDir Path runtime;
  @TempDir Path work;

  @Test
  void everyModeRunsTheAgentAndIsMeasured() throws Exception {
    TestAgents.compile(agentDir);
    TestKernel.cachedOrBuilt();
    TestAgents.profile(agentDir, "bench-e2e", List.of("streams"), "");
    ClawDirs dirs = new ClawDirs(ClawDirs.fromEnvironment().cache(), runtime);
    BenchPlan plan = new BenchPlan(new ProfileLoader().load(agentDir), 2,
        EnumSet.allOf(BenchMode.class), 2, AcceleratorProbe.Request.AUTO);

    BenchReport report = plan.run(dirs, EventListener.IGNORE, work);

    assertThat(report.modes()).extracting(ModeReport::mode)
        .containsExactlyInAnyOrder(BenchMode.values());
    for (ModeReport mode : report.modes()) {
      assertThat(mode.failures()).as(mode.firstFailure()).isZero();
      assertThat(mode.samples()).hasSize(2);
      assertThat(mode.firstStdout().min()).isPositive();
      assertThat(mode.exit().min()).isGreaterThanOrEqualTo(mode.firstStdout().min());
      if (mode.mode().isVm()) {
        assertThat(mode.peakRssKib().min()).as(mode.mode().label()).isPositive();
        assertThat(mode.medianPhases()).containsKeys("vmm_spawn", "first_stdout");
      }
    }
    assertThat(report.surge().orElseThrow().asMode().failures()).isZero();
    assertThat(report.costs()).hasSize(4);
    assertThat(BenchTable.render(report)).contains("microvm-cloud", "snapshot");
    VmLeaks.assertNoneLeft(runtime);
  }
}
