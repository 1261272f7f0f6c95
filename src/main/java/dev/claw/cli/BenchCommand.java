package dev.claw.cli;

import dev.claw.ClawException;
import dev.claw.bench.BenchHtml;
import dev.claw.bench.BenchJson;
import dev.claw.bench.BenchMode;
import dev.claw.bench.BenchPlan;
import dev.claw.bench.BenchReport;
import dev.claw.bench.BenchTable;
import dev.claw.host.ClawDirs;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.ProfileLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code claw bench}: the same agent as a process, a container and a microVM, side by side. */
@Command(name = "bench", description = "Measure an agent's launch in every mode: native, runc, "
    + "microVM (claw's and Debian's cloud kernel), microVM from a snapshot.",
    mixinStandardHelpOptions = true)
final class BenchCommand implements Callable<Integer> {

  @Parameters(paramLabel = "AGENT", description = "A folder with a claw.yaml, or the file.")
  Path profile;

  @Option(names = "--runs", paramLabel = "N", defaultValue = "10",
      description = "Timed launches per mode (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "0",
      description = "Also launch N cold microVMs at once (a surge).")
  int concurrency;

  @Option(names = "--modes", paramLabel = "MODE,...", split = ",",
      description = "Modes to run (default: all): native, runc, microvm, microvm-cloud, "
          + "snapshot.")
  List<String> modes;

  @Option(names = "--accel", paramLabel = "auto|kvm|tcg", defaultValue = "auto")
  String accel;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the report as JSON.")
  Path json;

  @Option(names = "--html", paramLabel = "FILE",
      description = "Write the report as a self-contained HTML page with charts.")
  Path html;

  @Override
  public Integer call() throws IOException {
    checkOptions();
    AgentProfile agent = new ProfileLoader().load(profile);
    ClawDirs dirs = ClawDirs.fromEnvironment();
    BenchPlan plan = new BenchPlan(agent, runs, modes(), concurrency,
        RunCommand.accelerator(accel));
    BenchReport report = plan.run(dirs, new ConsoleEvents(System.err, false),
        dirs.cache("bench"));
    System.out.print(BenchTable.render(report));
    if (json != null) {
      AtomicWrite.text(json, BenchJson.render(report));
    }
    if (html != null) {
      AtomicWrite.text(html, BenchHtml.render(report));
    }
    return report.failures() == 0 ? 0 : 1;
  }

  private void checkOptions() {
    if (runs < 1 || runs > 10_000) {
      throw new ClawException("--runs " + runs + " is out of range", "give 1 to 10000");
    }
    if (concurrency < 0 || concurrency > 256) {
      throw new ClawException("--concurrency " + concurrency + " is out of range",
          "give 0 (no surge) to 256");
    }
    for (Path out : new Path[] {json, html}) {
      if (out != null && !Files.isDirectory(out.toAbsolutePath().getParent())) {
        throw new ClawException("cannot write " + out + ": its folder does not exist",
            "create the folder first, or write the report elsewhere");
      }
    }
  }

  private Set<BenchMode> modes() {
    if (modes == null || modes.isEmpty()) {
      return EnumSet.allOf(BenchMode.class);
    }
    Set<BenchMode> chosen = EnumSet.noneOf(BenchMode.class);
    for (String mode : modes) {
      try {
        chosen.add(BenchMode.named(mode));
      } catch (IllegalArgumentException e) {
        throw new ClawException("--modes: " + mode + " is not a bench mode",
            "use native, runc, microvm, microvm-cloud or snapshot");
      }
    }
    return chosen;
  }
}
