package dev.claw.scan;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The base score of a CVSS v3.0/v3.1 vector, by the specification's formulas. */
final class Cvss3 {
  private Cvss3() {}

  /** The score of a vector such as {@code CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H}. */
  static Optional<Double> baseScore(String vector) {
    Map<String, String> m = new HashMap<>();
    for (String part : vector.split("/")) {
      String[] kv = part.split(":", 2);
      if (kv.length == 2) {
        m.put(kv[0], kv[1]);
      }
    }
    if (!m.keySet().containsAll(java.util.List.of("AV", "AC", "PR", "UI", "S", "C", "I", "A"))) {
      return Optional.empty();
    }
    boolean changed = m.get("S").equals("C");
    double iss = 1 - (1 - cia(m.get("C"))) * (1 - cia(m.get("I"))) * (1 - cia(m.get("A")));
    double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15)
        : 6.42 * iss;
    double exploitability = 8.22 * pick(m.get("AV"), "NALP", 0.85, 0.62, 0.55, 0.2)
        * pick(m.get("AC"), "LH", 0.77, 0.44) * privileges(m.get("PR"), changed)
        * pick(m.get("UI"), "NR", 0.85, 0.62);
    if (impact <= 0) {
      return Optional.of(0.0);
    }
    double raw = changed ? Math.min(1.08 * (impact + exploitability), 10)
        : Math.min(impact + exploitability, 10);
    return Optional.of(roundUp(raw));
  }

  private static double cia(String value) {
    return pick(value, "HLN", 0.56, 0.22, 0);
  }

  private static double privileges(String value, boolean changed) {
    return pick(value, "NLH", 0.85, changed ? 0.68 : 0.62, changed ? 0.5 : 0.27);
  }

  private static double pick(String value, String letters, double... weights) {
    int i = value == null || value.length() != 1 ? -1 : letters.indexOf(value.charAt(0));
    return i < 0 ? 0 : weights[i];
  }

  /** CVSS 3.1's round-up to one decimal, done in integers to avoid floating-point slips. */
  private static double roundUp(double value) {
    long scaled = Math.round(value * 100000);
    return scaled % 10000 == 0 ? scaled / 100000.0 : (Math.floor(scaled / 10000.0) + 1) / 10.0;
  }
}
