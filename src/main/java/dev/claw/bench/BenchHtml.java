package dev.claw.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report as one self-contained HTML page: no scripts, no fonts, no links out; the charts
 * are inline SVG, so the file opens the same anywhere, offline.
 */
public final class BenchHtml {
  private static final int WIDTH = 720;
  private static final int ROW = 28;
  private static final int LABEL = 130;
  private static final String[] PHASE_COLOURS = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2",
      "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"};

  private BenchHtml() {}

  public static String render(BenchReport report) {
    StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head>"
        + "<meta charset=\"utf-8\"><title>claw bench " + escape(report.agent()) + "</title>"
        + "<style>body{font:14px sans-serif;max-width:60em;margin:2em auto}"
        + "table{border-collapse:collapse}td,th{padding:2px 8px;text-align:right}"
        + "td:first-child,th:first-child{text-align:left}.warn{background:#fff3cd;"
        + "padding:.5em}</style></head><body>\n");
    html.append("<h1>claw bench: ").append(escape(report.agent())).append("</h1>\n");
    html.append("<pre>").append(escape(BenchTable.header(report))).append("</pre>\n");
    if (report.isEmulated()) {
      html.append("<p class=\"warn\">Accelerator: <b>").append(escape(report.accelerator()))
          .append("</b>. TCG emulates the guest CPU in software: these microVM timings are "
              + "not KVM timings. Compare the modes within this run only.</p>\n");
    }
    html.append("<h2>Launch to first stdout byte, and to exit (median; whiskers min to "
        + "max)</h2>\n").append(launchChart(report.modes()));
    html.append("<h2>Where a microVM run's time goes (median phases)</h2>\n")
        .append(phaseChart(report.modes()));
    html.append("<h2>All numbers</h2>\n<pre>").append(escape(BenchTable.render(report)))
        .append("</pre>\n");
    return html.append("</body></html>\n").toString();
  }

  /** One pair of bars per mode on a shared ms axis. */
  static String launchChart(List<ModeReport> modes) {
    double max = modes.stream().mapToDouble(m -> m.exit().max()).max().orElse(1);
    StringBuilder svg = svgOpen(modes.size() * 2 * ROW + 30);
    int y = 10;
    for (ModeReport mode : modes) {
      svg.append(text(4, y + 2 * ROW / 2 + 4, mode.mode().label()));
      svg.append(bar(y, mode.firstStdout(), max, "#4e79a7", "first stdout"));
      svg.append(bar(y + ROW - 4, mode.exit(), max, "#f28e2b", "exit"));
      y += 2 * ROW;
    }
    svg.append(text(LABEL, y + 14, "0 ms")).append(text(WIDTH - 80, y + 14,
        String.format(Locale.ROOT, "%.0f ms", max)));
    return svg.append("</svg>\n").toString();
  }

  private static String bar(int y, Stats stats, double max, String colour, String what) {
    double scale = (WIDTH - LABEL - 90) / Math.max(max, 1e-9);
    double x = LABEL;
    return String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\""
        + " fill=\"%s\"><title>%s: median %.1f ms</title></rect>"
        + "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#333\"/>%s%n",
        x, y, stats.median() * scale, ROW - 10, colour, what, stats.median(),
        x + stats.min() * scale, x + stats.max() * scale, y + (ROW - 10) / 2,
        y + (ROW - 10) / 2, text((int) (x + stats.max() * scale) + 6, y + ROW - 14,
            String.format(Locale.ROOT, "%s %.0f ms", what, stats.median())));
  }

  /** A stacked bar per microVM mode: each segment is the step from the previous phase. */
  static String phaseChart(List<ModeReport> modes) {
    List<ModeReport> withPhases = new ArrayList<>();
    modes.stream().filter(m -> !m.medianPhases().isEmpty()).forEach(withPhases::add);
    double max = 1;
    for (ModeReport mode : withPhases) {
      for (double at : mode.medianPhases().values()) {
        max = Math.max(max, at);
      }
    }
    StringBuilder svg = svgOpen(withPhases.size() * ROW + 20);
    double scale = (WIDTH - LABEL - 20) / max;
    int y = 10;
    for (ModeReport mode : withPhases) {
      svg.append(text(4, y + ROW / 2, mode.mode().label()));
      svg.append(segments(mode.medianPhases(), y, scale));
      y += ROW;
    }
    return svg.append("</svg>\n").toString();
  }

  private static String segments(Map<String, Double> phases, int y, double scale) {
    StringBuilder out = new StringBuilder();
    double previous = 0;
    int colour = 0;
    for (Map.Entry<String, Double> phase : phases.entrySet()) {
      double at = phase.getValue();
      out.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
          + "height=\"%d\" fill=\"%s\"><title>%s at %.1f ms (step %.1f ms)</title></rect>%n",
          LABEL + previous * scale, y, Math.max(0, at - previous) * scale, ROW - 8,
          PHASE_COLOURS[colour++ % PHASE_COLOURS.length], escape(phase.getKey()), at,
          at - previous));
      previous = Math.max(previous, at);
    }
    return out.toString();
  }

  private static StringBuilder svgOpen(int height) {
    return new StringBuilder(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/"
        + "svg\" width=\"%d\" height=\"%d\" font-size=\"12\">%n", WIDTH, height));
  }

  private static String text(int x, int y, String text) {
    return "<text x=\"" + x + "\" y=\"" + y + "\">" + escape(text) + "</text>";
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
