package dev.claw.cli;

import dev.claw.host.ClawDirs;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.ProfileLoader;
import dev.claw.run.RunRequest;
import dev.claw.run.SnapshotRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code claw snapshot}: boots the agent's VM to "ready" and saves it for fast runs. */
@Command(name = "snapshot", description = "Boot an agent's VM until init is ready, save it; "
    + "claw run --from-snapshot starts from there.", mixinStandardHelpOptions = true)
final class SnapshotCommand implements Callable<Integer> {

  @Parameters(paramLabel = "AGENT", description = "A folder with a claw.yaml, or the file.")
  Path profile;

  @Override
  public Integer call() throws IOException {
    AgentProfile agent = new ProfileLoader().load(profile);
    SnapshotRunner.Snapshot snapshot = new SnapshotRunner(ClawDirs.fromEnvironment(),
        new ConsoleEvents(System.err, false)).snapshot(RunRequest.of(agent));
    System.err.println(agent.name() + ": snapshot " + (snapshot.made() ? "made" : "up to date")
        + " in " + snapshot.dir());
    return 0;
  }
}
