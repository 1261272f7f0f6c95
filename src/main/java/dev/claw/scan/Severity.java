package dev.claw.scan;

import java.util.Locale;

/**
 * How bad a finding is, lowest first. Debian's tracker calls it urgency (low, medium, high,
 * unimportant, "not yet assigned"); OSV records give a word or a CVSS score.
 */
public enum Severity {
  /** The tracker's "unimportant": not a security problem in Debian's judgement. */
  NONE,
  /** Nobody has rated it yet ("not yet assigned", or a source that gives none). */
  UNKNOWN,
  LOW,
  MEDIUM,
  HIGH,
  CRITICAL;

  /** The lower-case name, as tables and JSON show it. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The rank a CI gate ({@code --fail-on}) compares. An unrated finding counts as medium: a
   * gate at medium or below must not let through something that nobody has looked at yet,
   * and a gate at high would otherwise fail on every fresh, unrated CVE.
   */
  public int gateRank() {
    return this == UNKNOWN ? MEDIUM.ordinal() : ordinal();
  }

  /** A word from an advisory; stars (the tracker's "low*") and case are ignored. */
  public static Severity parse(String word) {
    if (word == null) {
      return UNKNOWN;
    }
    String w = word.replace("*", "").strip().toLowerCase(Locale.ROOT);
    switch (w) {
      case "unimportant":
      case "negligible":
        return NONE;
      case "low":
        return LOW;
      case "medium":
      case "moderate":
        return MEDIUM;
      case "high":
      case "important":
        return HIGH;
      case "critical":
        return CRITICAL;
      default:
        return UNKNOWN;
    }
  }

  /** The CVSS v3 rating of a base score. */
  public static Severity ofScore(double score) {
    if (score >= 9.0) {
      return CRITICAL;
    }
    if (score >= 7.0) {
      return HIGH;
    }
    if (score >= 4.0) {
      return MEDIUM;
    }
    return score > 0 ? LOW : NONE;
  }
}
