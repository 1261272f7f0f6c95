package dev.claw.cli;

import dev.claw.scan.Finding;
import dev.claw.scan.InstalledPackage;
import dev.claw.scan.LayerSurface;
import dev.claw.scan.ScanReport;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** The terminal form of a scan: packages, vulnerabilities, attack surface per layer. */
final class ScanTable {
  private ScanTable() {}

  static void print(ScanReport report, PrintStream out) {
    out.printf("%s: %d packages%n%n", report.name(), report.packages().size());
    out.printf("%-28s %-26s %-16s %-8s %s%n", "PACKAGE", "VERSION", "SOURCE", "LAYER",
        "LICENCES");
    for (InstalledPackage p : report.packages()) {
      out.printf("%-28s %-26s %-16s %-8s %s%n", p.name(), p.version(), p.source(),
          p.layer().isEmpty() ? "-" : p.layer(), String.join(", ", p.licenses()));
    }

    List<Finding> affecting = report.findings().stream().filter(Finding::affects).toList();
    out.printf("%nVULNERABILITIES: %d affecting the image, %d marked not affected%n",
        affecting.size(), report.findings().size() - affecting.size());
    if (!affecting.isEmpty()) {
      out.printf("%-22s %-18s %-13s %-9s %-26s %s%n", "PACKAGE", "ID", "STATUS", "SEVERITY",
          "FIXED IN", "FROM");
    }
    for (Finding f : affecting) {
      String status = f.status().label() + (f.reason().isEmpty() ? "" : " (" + f.reason() + ")");
      out.printf("%-22s %-18s %-13s %-9s %-26s %s%n", f.packageName(), f.id(), status,
          f.severity().label(), f.fixedVersion().orElse("-"), f.origin());
    }

    out.printf("%nATTACK SURFACE%n");
    printSurface(report, out);
    report.notes().forEach(note -> out.println("note: " + note));
  }

  private static void printSurface(ScanReport report, PrintStream out) {
    List<LayerSurface> rows = new ArrayList<>(report.surface().layers());
    rows.add(report.surface().total());
    out.printf("%-8s %7s %7s %10s %5s %5s %6s %6s %6s %5s %5s %8s  %s%n", "LAYER", "ENTRIES",
        "FILES", "BYTES", "EXEC", "LIBS", "SETUID", "WORLDW", "INTERP", "NET", "TLS", "EXPORTS",
        "LACKING: PIE RELRO FULL-RELRO NX SSP FORTIFY STRIPPED");
    for (LayerSurface l : rows) {
      LayerSurface.Weaknesses w = l.weak();
      out.printf("%-8s %7d %7d %10s %5d %5d %6d %6d %6d %5d %5d %8d  %d %d %d %d %d %d %d%n",
          l.layer(), l.entries(), l.files(), size(l.bytes()), l.executables().size(),
          l.libraries().size(), l.setuid().size(), l.worldWritable().size(),
          l.interpreters().size(), l.network().size(), l.tls().size(), l.exportedSymbols(),
          w.notPie(), w.noRelro(), w.noRelro() + w.partialRelro(), w.executableStack(),
          w.noStackProtector(), w.noFortify(), w.notStripped());
    }
    LayerSurface total = report.surface().total();
    list(out, "interpreters", total.interpreters());
    list(out, "setuid/setgid", total.setuid());
    list(out, "world-writable", total.worldWritable());
    list(out, "TLS", total.tls());
  }

  private static void list(PrintStream out, String what, List<String> paths) {
    if (!paths.isEmpty()) {
      int shown = Math.min(paths.size(), 12);
      out.printf("%s: %s%s%n", what, String.join(" ", paths.subList(0, shown)),
          paths.size() > shown ? " (+" + (paths.size() - shown) + " more)" : "");
    }
  }

  static String size(long bytes) {
    return bytes >= 1 << 20 ? String.format("%.1f MiB", bytes / 1048576.0)
        : String.format("%.1f KiB", bytes / 1024.0);
  }
}
