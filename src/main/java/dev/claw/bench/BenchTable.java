package dev.claw.bench;

import java.util.Locale;

/** The report as plain text for a terminal: one line per mode, then cost and surge. */
public final class BenchTable {
  private BenchTable() {}

  public static String render(BenchReport report) {
    StringBuilder out = new StringBuilder();
    out.append(header(report));
    out.append(line("%-14s %5s  %-27s  %-27s %8s %9s", "mode", "ok", "first stdout ms "
        + "min/med/p95/max", "exit ms min/med/p95/max", "cpu ms", "peak MiB"));
    for (ModeReport mode : report.modes()) {
      out.append(row(mode));
    }
    out.append(costs(report));
    report.surge().ifPresent(surge -> out.append(surge(surge)));
    for (ModeReport mode : report.modes()) {
      if (mode.failures() > 0) {
        out.append("first failure of ").append(mode.mode().label()).append(": ")
            .append(mode.firstFailure()).append('\n');
      }
    }
    return out.toString();
  }

  static String header(BenchReport report) {
    String header = line("claw bench %s: %d runs per mode, accelerator %s (%s); %d host CPUs, "
        + "load %.2f before, %.2f after", report.agent(), report.runs(), report.accelerator(),
        report.acceleratorReason(), report.hostCpus(), report.loadBefore(), report.loadAfter());
    if (report.isEmulated()) {
      header += "warning: TCG emulates the guest CPU in software; these microVM times are not "
          + "KVM times. Compare modes within this run, not with KVM numbers.\n";
    }
    return header;
  }

  private static String row(ModeReport mode) {
    Stats first = mode.firstStdout();
    Stats exit = mode.exit();
    return line("%-14s %2d/%-2d  %-27s  %-27s %8.0f %9.1f", mode.mode().label(),
        mode.succeeded().size(), mode.samples().size(), spread(first), spread(exit),
        mode.cpu().median(), mode.peakRssKib().median() / 1024);
  }

  static String spread(Stats stats) {
    return String.format(Locale.ROOT, "%.0f/%.0f/%.0f/%.0f", stats.min(), stats.median(),
        stats.p95(), stats.max());
  }

  private static String costs(BenchReport report) {
    if (report.costs().isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder(line("%nover native, per run (medians): %-5s %9s %9s"
        + " %9s %14s %14s", "", "time s", "CPU s", "MiB*s", "task for <10%", "task for <1%"));
    for (Cost cost : report.costs()) {
      out.append(line("  %-14s %25.3f %9.3f %9.1f %13.1fs %13.1fs", cost.mode().label(),
          cost.timeS(), cost.cpuS(), cost.mibS(), cost.taskLengthFor(0.10),
          cost.taskLengthFor(0.01)));
    }
    return out.toString();
  }

  private static String surge(SurgeReport surge) {
    ModeReport mode = surge.asMode();
    Stats first = mode.firstStdout();
    Stats exit = mode.exit();
    return line("%nsurge: %d %s launches at once: %d failed; first stdout p50 %.0f ms, p99 %.0f"
        + " ms (p99/p50 %.2f); exit p50 %.0f ms, p99 %.0f ms; all done in %.0f ms, %.1f CPU-s",
        surge.concurrency(), surge.mode().label(), mode.failures(), first.median(), first.p99(),
        first.median() == 0 ? 0 : first.p99() / first.median(), exit.median(), exit.p99(),
        surge.wallMs(), surge.cpuMs() / 1000);
  }

  private static String line(String format, Object... args) {
    return String.format(Locale.ROOT, format, args) + "\n";
  }
}
