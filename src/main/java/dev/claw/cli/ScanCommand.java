package dev.claw.cli;

import dev.claw.ClawException;
import dev.claw.debian.DebCache;
import dev.claw.event.EventListener;
import dev.claw.host.ClawDirs;
import dev.claw.scan.AdvisoryDb;
import dev.claw.scan.DirectoryRoot;
import dev.claw.scan.ScanReport;
import dev.claw.scan.Scanner;
import dev.claw.scan.SecuritySuite;
import dev.claw.scan.Severity;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code claw scan}: an image's packages, known vulnerabilities and attack surface. */
@Command(name = "scan", mixinStandardHelpOptions = true,
    description = "List what is in an agent's image, what is known to be wrong with it, and "
        + "what each layer exposes.",
    footer = {"", "Exit status: 0; 1 when --fail-on finds a vulnerability at or above the "
        + "severity (unrated ones count as medium); 125 if claw failed."})
final class ScanCommand implements Callable<Integer> {
  /** Exit status when {@code --fail-on} is hit, apart from claw's own failures (125). */
  static final int GATE_FAILED = 1;

  @Parameters(paramLabel = "AGENT", arity = "0..1",
      description = "A folder with a claw.yaml, or layers such as base+net.")
  String agent;

  @Option(names = "--rootfs", paramLabel = "DIR",
      description = "Scan an unpacked Debian root instead, read-only (such as /).")
  Path rootfs;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
      description = "table (default), json, cyclonedx or spdx.")
  String format;

  @Option(names = "--fail-on", paramLabel = "SEVERITY",
      description = "Exit 1 if a vulnerability is at or above low, medium, high or critical.")
  String failOn;

  @Mixin
  ScanOptions options;

  @Override
  public Integer call() throws IOException {
    Severity threshold = failOn == null ? null : threshold(failOn);
    checkFormat(format);
    ClawDirs dirs = ClawDirs.fromEnvironment();
    ConsoleEvents events = new ConsoleEvents(System.err, options.verbose);
    ScanTargets.Target target = target(dirs, events);

    ScanReport report = scanner(dirs, events, options.skipSecuritySuite)
        .scan(target.name(), target.root(), target.lock());
    print(report, format, System.out);
    return threshold != null && report.failsGate(threshold) ? GATE_FAILED : 0;
  }

  private ScanTargets.Target target(ClawDirs dirs, EventListener events) throws IOException {
    if ((agent == null) == (rootfs == null)) {
      throw new ClawException("claw scan needs an agent or --rootfs DIR, and not both",
          "run 'claw scan examples/hello' or 'claw scan --rootfs /'");
    }
    if (rootfs != null) {
      Path dir = rootfs.toAbsolutePath().normalize();
      String name = dir.getFileName() == null ? "rootfs" : dir.getFileName().toString();
      return new ScanTargets.Target(name, new DirectoryRoot(dir, name), List.of());
    }
    return ScanTargets.of(agent, dirs, events);
  }

  /** A scanner with the host's security suite (unless skipped) and the imported database. */
  static Scanner scanner(ClawDirs dirs, EventListener events, boolean skipSuite)
      throws IOException {
    Optional<SecuritySuite> suite = skipSuite ? Optional.empty()
        : Optional.of(SecuritySuite.forHost(dirs.cache("debian-indexes"),
            new DebCache(dirs.cache("debs"), events), dirs.cache("security-suite"), events));
    return new Scanner(suite, new AdvisoryDb(dirs.cache("advisories")), events);
  }

  static void print(ScanReport report, String format, PrintStream out) {
    switch (format) {
      case "json":
        out.write(report.json(), 0, report.json().length);
        break;
      case "cyclonedx":
        byte[] bom = report.sbom(created()).cycloneDx();
        out.write(bom, 0, bom.length);
        break;
      case "spdx":
        byte[] spdx = report.sbom(created()).spdx();
        out.write(spdx, 0, spdx.length);
        break;
      default:
        ScanTable.print(report, out);
    }
    out.flush();
  }

  /** SPDX needs a creation time; reproducible builds give it in SOURCE_DATE_EPOCH. */
  static Instant created() {
    String epoch = System.getenv("SOURCE_DATE_EPOCH");
    if (epoch == null || epoch.isBlank()) {
      return Instant.EPOCH;
    }
    try {
      return Instant.ofEpochSecond(Long.parseLong(epoch.strip()));
    } catch (NumberFormatException e) {
      throw new ClawException("SOURCE_DATE_EPOCH '" + epoch + "' is not a number of seconds",
          "set it to a Unix time such as 1700000000, or unset it");
    }
  }

  private static void checkFormat(String format) {
    if (!List.of("table", "json", "cyclonedx", "spdx").contains(format)) {
      throw new ClawException("unknown --format '" + format + "'",
          "use table, json, cyclonedx or spdx");
    }
  }

  private static Severity threshold(String word) {
    Severity severity = Severity.parse(word);
    if (!List.of(Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)
        .contains(severity)) {
      throw new ClawException("unknown --fail-on severity '" + word + "'",
          "use low, medium, high or critical");
    }
    return severity;
  }
}
