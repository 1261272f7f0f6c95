package dev.claw.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Every launch of one mode, and their statistics; failed launches count only as failures. */
public record ModeReport(BenchMode mode, List<Sample> samples) {

  public ModeReport {
    samples = List.copyOf(samples);
  }

  public List<Sample> succeeded() {
    return samples.stream().filter(Sample::ok).toList();
  }

  public int failures() {
    return samples.size() - succeeded().size();
  }

  public Stats firstStdout() {
    return stats(Sample::firstStdoutMs);
  }

  public Stats exit() {
    return stats(Sample::exitMs);
  }

  public Stats cpu() {
    return stats(Sample::cpuMs);
  }

  public Stats peakRssKib() {
    return stats(sample -> sample.peakRssKib());
  }

  /** Resident memory held over the run: peak MiB times the run's length in seconds. */
  public Stats mibSeconds() {
    return stats(sample -> sample.peakRssKib() / 1024.0 * sample.exitMs() / 1000.0);
  }

  /** The median time of each phase of claw's timeline, in timeline order. */
  public Map<String, Double> medianPhases() {
    Map<String, List<Double>> byPhase = new LinkedHashMap<>();
    for (Sample sample : succeeded()) {
      sample.phasesMs().entrySet().stream().sorted(Map.Entry.comparingByValue())
          .forEach(e -> byPhase.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
              .add(e.getValue()));
    }
    Map<String, Double> medians = new LinkedHashMap<>();
    byPhase.forEach((phase, values) -> medians.put(phase, Stats.of(values).median()));
    return medians;
  }

  /** The first failure's message, to show why a mode failed. */
  public String firstFailure() {
    return samples.stream().filter(s -> !s.ok()).findFirst()
        .flatMap(Sample::failure).orElse("");
  }

  private Stats stats(ToDoubleFunction<Sample> measure) {
    return Stats.of(succeeded().stream().map(s -> measure.applyAsDouble(s)).toList());
  }
}
