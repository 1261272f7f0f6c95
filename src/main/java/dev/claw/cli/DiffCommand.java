package dev.claw.cli;

import dev.claw.host.ClawDirs;
import dev.claw.scan.Finding;
import dev.claw.scan.InstalledPackage;
import dev.claw.scan.LayerSurface;
import dev.claw.scan.ScanReport;
import dev.claw.scan.Scanner;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.ToLongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code claw diff A B}: what B adds to (or takes from) A, as one table. */
@Command(name = "diff", mixinStandardHelpOptions = true,
    description = "Compare the packages, vulnerabilities and attack surface of two images: "
        + "agent folders, or layer lists such as base and base+net.")
final class DiffCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "A", description = "An agent folder, or base+LAYER...")
  String first;

  @Parameters(index = "1", paramLabel = "B", description = "The same, to compare with A.")
  String second;

  @Mixin
  ScanOptions options;

  @Override
  public Integer call() throws IOException {
    ClawDirs dirs = ClawDirs.fromEnvironment();
    ConsoleEvents events = new ConsoleEvents(System.err, options.verbose);
    Scanner scanner = ScanCommand.scanner(dirs, events, options.skipSecuritySuite);
    ScanTargets.Target a = ScanTargets.of(first, dirs, events);
    ScanTargets.Target b = ScanTargets.of(second, dirs, events);
    ScanReport left = scanner.scan(a.name(), a.root(), a.lock());
    ScanReport right = scanner.scan(b.name(), b.root(), b.lock());
    print(left, right, System.out);
    return 0;
  }

  /** One row per measure: A, B, and B minus A; then the names behind the changes. */
  static void print(ScanReport a, ScanReport b, PrintStream out) {
    out.printf("%-34s %12s %12s %12s%n", "", a.name(), b.name(), "change");
    row(out, "packages", a, b, r -> r.packages().size());
    row(out, "known vulnerabilities (affecting)", a, b,
        r -> r.findings().stream().filter(Finding::affects).count());
    surfaceRow(out, "entries", a, b, LayerSurface::entries);
    surfaceRow(out, "files", a, b, LayerSurface::files);
    surfaceRow(out, "bytes", a, b, LayerSurface::bytes);
    surfaceRow(out, "ELF executables", a, b, l -> l.executables().size());
    surfaceRow(out, "ELF libraries", a, b, l -> l.libraries().size());
    surfaceRow(out, "setuid/setgid files", a, b, l -> l.setuid().size());
    surfaceRow(out, "world-writable", a, b, l -> l.worldWritable().size());
    surfaceRow(out, "shells and interpreters", a, b, l -> l.interpreters().size());
    surfaceRow(out, "ELF that can connect", a, b, l -> l.network().size());
    surfaceRow(out, "ELF that can do TLS", a, b, l -> l.tls().size());
    surfaceRow(out, "exported dynamic symbols", a, b, LayerSurface::exportedSymbols);
    surfaceRow(out, "executables without PIE", a, b, l -> l.weak().notPie());
    surfaceRow(out, "ELF without full RELRO", a, b,
        l -> l.weak().noRelro() + l.weak().partialRelro());
    surfaceRow(out, "ELF with executable stack", a, b, l -> l.weak().executableStack());
    surfaceRow(out, "ELF without stack protector", a, b, l -> l.weak().noStackProtector());
    surfaceRow(out, "ELF without FORTIFY", a, b, l -> l.weak().noFortify());
    surfaceRow(out, "ELF not stripped", a, b, l -> l.weak().notStripped());

    changes(out, "packages", names(a), names(b));
    changes(out, "ELF that can do TLS", a.surface().total().tls(), b.surface().total().tls());
    changes(out, "interpreters", a.surface().total().interpreters(),
        b.surface().total().interpreters());
  }

  private static void row(PrintStream out, String what, ScanReport a, ScanReport b,
      ToLongFunction<ScanReport> measure) {
    long x = measure.applyAsLong(a);
    long y = measure.applyAsLong(b);
    out.printf("%-34s %12d %12d %+12d%n", what, x, y, y - x);
  }

  private static void surfaceRow(PrintStream out, String what, ScanReport a, ScanReport b,
      ToLongFunction<LayerSurface> measure) {
    row(out, what, a, b, r -> measure.applyAsLong(r.surface().total()));
  }

  private static List<String> names(ScanReport report) {
    List<String> names = new ArrayList<>();
    for (InstalledPackage p : report.packages()) {
      names.add(p.name() + " " + p.version());
    }
    return names;
  }

  private static void changes(PrintStream out, String what, List<String> a, List<String> b) {
    TreeSet<String> added = new TreeSet<>(b);
    added.removeAll(a);
    TreeSet<String> removed = new TreeSet<>(a);
    removed.removeAll(b);
    if (!added.isEmpty()) {
      out.printf("%s added: %s%n", what, String.join(", ", added));
    }
    if (!removed.isEmpty()) {
      out.printf("%s removed: %s%n", what, String.join(", ", removed));
    }
  }
}
