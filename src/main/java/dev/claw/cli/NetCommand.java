package dev.claw.cli;

import dev.claw.net.HostNetwork;
import dev.claw.net.PolicyExplanation;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.ProfileLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code claw net}: the agent's network policy. */
@Command(name = "net", mixinStandardHelpOptions = true,
    description = "Show what an agent may reach over the network.",
    subcommands = NetCommand.Explain.class)
final class NetCommand {

  /** {@code claw net explain}: the effective policy and the exact firewall rules. */
  @Command(name = "explain", mixinStandardHelpOptions = true,
      description = "Print the effective network policy of an agent and the exact nftables "
          + "rules claw installs for it.")
  static final class Explain implements Callable<Integer> {
    @Parameters(paramLabel = "AGENT", description = "A folder with a claw.yaml, or the file.")
    Path profile;

    @Override
    public Integer call() {
      AgentProfile agent = new ProfileLoader().load(profile);
      System.out.print(PolicyExplanation.of(agent.network(), HostNetwork.addresses()));
      return 0;
    }
  }
}
