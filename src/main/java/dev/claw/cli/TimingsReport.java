package dev.claw.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claw.run.Outcome;
import dev.claw.run.Phase;
import dev.claw.run.RunResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The run's timeline as a summary, a table for people and JSON for tools. */
final class TimingsReport {
  private TimingsReport() {}

  /** "in 0.84 s (tcg; first stdout at 0.79 s)". */
  static String summaryTail(RunResult result) {
    Map<Phase, Duration> phases = result.timeline().phases();
    Duration end = Optional.ofNullable(phases.get(Phase.VM_EXIT))
        .or(() -> Optional.ofNullable(phases.get(Phase.AGENT_EXIT)))
        .orElse(Duration.ZERO);
    String first = Optional.ofNullable(phases.get(Phase.FIRST_STDOUT))
        .map(at -> "; first stdout at " + seconds(at)).orElse("");
    return "in " + seconds(end) + " (" + result.accelerator().accelerator().label() + first + ")";
  }

  static String seconds(Duration duration) {
    return String.format(Locale.ROOT, "%.2f s", duration.toNanos() / 1e9);
  }

  static String table(RunResult result) {
    StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
        "%-16s %10s %10s%n", "phase", "at (ms)", "step (ms)"));
    Duration previous = null;
    for (Map.Entry<Phase, Duration> phase : result.timeline().phases().entrySet()) {
      Duration at = phase.getValue();
      String step = previous == null ? "" : millis(at.minus(previous));
      table.append(String.format(Locale.ROOT, "%-16s %10s %10s%n", phase.getKey().label(),
          millis(at), step));
      previous = at;
    }
    table.append("accelerator: ").append(result.accelerator().accelerator().label())
        .append(" (").append(result.accelerator().reason()).append(")\n");
    table.append("kernel started is derived from the guest clock; the rest is measured on "
        + "the host\n");
    return table.toString();
  }

  static void writeJson(RunResult result, Path file) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("agent", result.agent());
    root.put("accelerator", result.accelerator().accelerator().label());
    root.put("accelerator_reason", result.accelerator().reason());
    outcome(result.outcome(), root.putObject("outcome"));
    root.put("launched_at", result.timeline().launchedAt().toString());
    ObjectNode phases = root.putObject("phases_ms");
    result.timeline().phases().forEach((phase, at) ->
        phases.put(phase.jsonName(), at.toNanos() / 1e6));
    json.writeValue(file.toFile(), root);
  }

  private static void outcome(Outcome outcome, ObjectNode json) {
    if (outcome instanceof Outcome.Exited exited) {
      json.put("kind", "exited").put("code", exited.code());
    } else if (outcome instanceof Outcome.Signaled signaled) {
      json.put("kind", "signaled").put("signal", signaled.signal())
          .put("signal_name", signaled.signalName());
    } else if (outcome instanceof Outcome.BlockedSyscall blocked) {
      json.put("kind", "blocked_syscall").put("syscall", blocked.name())
          .put("number", blocked.number());
    } else if (outcome instanceof Outcome.TimedOut timedOut) {
      json.put("kind", "timed_out").put("limit_ms", timedOut.limit().toMillis());
    } else if (outcome instanceof Outcome.InitFailed failed) {
      json.put("kind", "init_failed").put("message", failed.message());
    } else if (outcome instanceof Outcome.VmFailed failed) {
      json.put("kind", "vm_failed").put("message", failed.message());
    } else {
      throw new IllegalStateException("unhandled outcome " + outcome);
    }
  }

  private static String millis(Duration duration) {
    return String.format(Locale.ROOT, "%.1f", duration.toNanos() / 1e6);
  }
}
