package dev.claw.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** The report as JSON: every sample, and the statistics derived from them. Times in ms. */
public final class BenchJson {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private BenchJson() {}

  public static String render(BenchReport report) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("agent", report.agent()).put("started_at", report.startedAt().toString())
        .put("runs", report.runs()).put("accelerator", report.accelerator())
        .put("accelerator_reason", report.acceleratorReason())
        .put("emulated", report.isEmulated()).put("host_cpus", report.hostCpus())
        .put("load_before", report.loadBefore()).put("load_after", report.loadAfter());
    ArrayNode modes = root.putArray("modes");
    report.modes().forEach(mode -> mode(mode, modes.addObject()));
    ArrayNode costs = root.putArray("cost_over_native");
    report.costs().forEach(cost -> costs.addObject().put("mode", cost.mode().label())
        .put("time_s", cost.timeS()).put("cpu_s", cost.cpuS()).put("mib_s", cost.mibS())
        .put("task_s_for_overhead_under_10pct", cost.taskLengthFor(0.10))
        .put("task_s_for_overhead_under_1pct", cost.taskLengthFor(0.01)));
    report.surge().ifPresent(surge -> surge(surge, root.putObject("surge")));
    return JSON.writeValueAsString(root) + "\n";
  }

  private static void mode(ModeReport mode, ObjectNode json) {
    json.put("mode", mode.mode().label()).put("description", mode.mode().description())
        .put("launches", mode.samples().size()).put("failures", mode.failures());
    stats(mode.firstStdout(), json.putObject("first_stdout_ms"));
    stats(mode.exit(), json.putObject("exit_ms"));
    stats(mode.cpu(), json.putObject("cpu_ms"));
    stats(mode.peakRssKib(), json.putObject("peak_rss_kib"));
    stats(mode.mibSeconds(), json.putObject("mib_seconds"));
    ObjectNode phases = json.putObject("median_phases_ms");
    mode.medianPhases().forEach(phases::put);
    ArrayNode samples = json.putArray("samples");
    mode.samples().forEach(sample -> sample(sample, samples.addObject()));
  }

  private static void sample(Sample sample, ObjectNode json) {
    json.put("ok", sample.ok()).put("first_stdout_ms", sample.firstStdoutMs())
        .put("exit_ms", sample.exitMs()).put("cpu_ms", sample.cpuMs())
        .put("peak_rss_kib", sample.peakRssKib());
    sample.failure().ifPresent(why -> json.put("failure", why));
    if (!sample.phasesMs().isEmpty()) {
      ObjectNode phases = json.putObject("phases_ms");
      sample.phasesMs().entrySet().stream().sorted(java.util.Map.Entry.comparingByValue())
          .forEach(e -> phases.put(e.getKey(), e.getValue()));
    }
  }

  private static void surge(SurgeReport surge, ObjectNode json) {
    json.put("mode", surge.mode().label()).put("concurrency", surge.concurrency())
        .put("wall_ms", surge.wallMs()).put("cpu_ms", surge.cpuMs());
    mode(surge.asMode(), json.putObject("launches"));
  }

  private static void stats(Stats stats, ObjectNode json) {
    json.put("count", stats.count()).put("min", stats.min()).put("median", stats.median())
        .put("p95", stats.p95()).put("p99", stats.p99()).put("max", stats.max());
  }
}
