package dev.claw.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Order statistics of one measure over a set of runs. Percentiles are nearest-rank (the
 * smallest value with at least p % of the values at or below it), so every reported number is
 * one that was measured, never an interpolation between two runs.
 */
public record Stats(int count, double min, double median, double p95, double p99, double max) {

  /** The statistics of {@code values}; all zero for no values. */
  public static Stats of(List<Double> values) {
    if (values.isEmpty()) {
      return new Stats(0, 0, 0, 0, 0, 0);
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return new Stats(sorted.size(), sorted.get(0), median(sorted), rank(sorted, 95),
        rank(sorted, 99), sorted.get(sorted.size() - 1));
  }

  /** The middle value, or the mean of the two middle values of an even count. */
  private static double median(List<Double> sorted) {
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Nearest rank: index ceil(p/100 * n) - 1. */
  static double rank(List<Double> sorted, int percent) {
    int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}
