package dev.claw.cli;

import dev.claw.debian.LockedPackage;
import dev.claw.host.ClawDirs;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.LayerLoader;
import dev.claw.profile.ProfileLoader;
import dev.claw.rootfs.DebianRoot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code claw lock}: pins an agent's layers to exact Debian packages in claw.lock. */
@Command(name = "lock", mixinStandardHelpOptions = true,
    description = "Resolve an agent's layers against the host's Debian repositories and "
        + "write claw.lock beside its profile (replacing any lock there).")
final class LockCommand implements Callable<Integer> {

  @Parameters(paramLabel = "AGENT", description = "A folder with a claw.yaml, or the file.")
  Path profile;

  @Override
  public Integer call() throws IOException {
    AgentProfile agent = new ProfileLoader().load(profile);
    if (agent.base().equals(AgentProfile.NO_BASE)) {
      System.err.println("claw: " + agent.name() + " has no base, so nothing to lock");
      return 0;
    }
    ConsoleEvents events = new ConsoleEvents(System.err, false);
    DebianRoot root = DebianRoot.forHost(ClawDirs.fromEnvironment(), events);
    List<LockedPackage> packages =
        root.lock().relock(agent, new LayerLoader().layersOf(agent));
    for (LockedPackage p : packages) {
      System.out.printf("%-8s %-28s %s%n", p.layer(), p.name(), p.version());
    }
    return 0;
  }
}
