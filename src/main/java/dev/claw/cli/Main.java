package dev.claw.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code claw} command. A thin front end: parsing and printing only. */
@Command(
    name = "claw",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Runs each AI agent sealed in its own microVM.",
    footer = {"", "Environment:",
        "  CLAW_CACHE    where kernels and the init are cached (default ~/.cache/claw)",
        "  CLAW_RUNTIME  where live VMs keep their files (default /run/claw as root)",
        "", "Exit status of run: the agent's; 128+N if signal N killed it; 124 on timeout; "
            + "125 if claw failed."},
    subcommands = {RunCommand.class, BuildCommand.class, LockCommand.class, LearnCommand.class,
        AuditCommand.class, ScanCommand.class, DiffCommand.class, DbCommand.class,
        NetCommand.class, BenchCommand.class, SnapshotCommand.class, KernelCommand.class})
public final class Main {
  /** Exit status for claw's own failures, kept apart from the agent's statuses. */
  static final int CLAW_FAILED = 125;
  /** Exit status when the run hit its timeout, as timeout(1) uses. */
  static final int TIMED_OUT = 124;

  public static void main(String[] args) {
    WarmUp.startFor(args);
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler(new ErrorReporter())
        .setParameterExceptionHandler(new ErrorReporter());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"claw " + (version == null ? "(development build)" : version)};
    }
  }
}
