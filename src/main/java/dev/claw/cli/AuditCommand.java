package dev.claw.cli;

import dev.claw.audit.AgentAudit;
import dev.claw.audit.AuditReport;
import dev.claw.host.ClawDirs;
import dev.claw.profile.ProfileLoader;
import dev.claw.vm.QemuMicrovm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code claw audit}: what an attacker would find inside the agent's VM. */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "Boot the agent's image with a probe in the agent's place (same uid, "
        + "environment and restrictions) and report what an attacker inside would find.")
final class AuditCommand implements Callable<Integer> {

  @Parameters(paramLabel = "AGENT", description = "A folder with a claw.yaml, or the file.")
  Path profile;

  @Option(names = "--json", description = "Print the report as JSON instead of a table.")
  boolean json;

  @Option(names = {"-v", "--verbose"}, description = "Also show claw's details.")
  boolean verbose;

  @Override
  public Integer call() throws IOException {
    AgentAudit audit = new AgentAudit(ClawDirs.fromEnvironment(), new QemuMicrovm(),
        new ConsoleEvents(System.err, verbose));
    AuditReport report = audit.audit(new ProfileLoader().load(profile));
    System.out.print(json ? report.json() : report.table());
    return 0;
  }
}
