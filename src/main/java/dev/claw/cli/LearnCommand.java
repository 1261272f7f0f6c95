package dev.claw.cli;

import dev.claw.ClawException;
import dev.claw.host.ClawDirs;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.ProfileLoader;
import dev.claw.run.AgentRunner;
import dev.claw.run.RunRequest;
import dev.claw.run.RunResult;
import dev.claw.seccomp.LearnedPolicy;
import dev.claw.vm.QemuMicrovm;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code claw learn}: runs the agent once under a filter that lets every call run and notes
 * it, then writes a policy of exactly those calls. The agent's output is passed on as in
 * {@code claw run}, so the user sees which run the policy comes from.
 */
@Command(name = "learn", mixinStandardHelpOptions = true,
    description = "Run an agent once, recording its system calls, and write them as a seccomp "
        + "policy.")
final class LearnCommand implements Callable<Integer> {

  @Parameters(paramLabel = "AGENT", description = "A folder with a claw.yaml, or the file.")
  Path profile;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "seccomp.yaml",
      description = "Where to write the policy (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(names = "--file", paramLabel = "HOST:GUEST",
      description = "Add a host file to the image at an absolute guest path, for this run.")
  List<String> files = new ArrayList<>();

  @Option(names = {"-v", "--verbose"}, description = "Also show claw's details.")
  boolean verbose;

  @Override
  public Integer call() throws IOException {
    PrintStream err = System.err;
    checkOutput();
    AgentProfile agent = new ProfileLoader().load(profile).withSeccomp(AgentProfile.LEARN);
    AgentRunner runner = new AgentRunner(ClawDirs.fromEnvironment(), new QemuMicrovm(),
        new ConsoleEvents(err, verbose));
    RunResult result = runner.run(RunRequest.of(agent).withExtraFiles(RunCommand.extraFiles(files)),
        new RunCommand.StandardStreams());
    int status = RunCommand.report(result, err);
    List<Integer> used = result.syscallsUsed().orElseThrow(() -> new ClawException(
        "the run ended before init reported the agent's system calls",
        "see how the run ended above; fix that and learn again"));
    AtomicWrite.text(output, LearnedPolicy.yaml(agent.name(), used));
    err.println("claw: wrote " + used.size() + " system calls to " + output
        + "; fill in each reason, then use seccomp: " + output.getFileName() + " in claw.yaml");
    return status;
  }

  private void checkOutput() {
    Path folder = output.toAbsolutePath().getParent();
    if (!Files.isDirectory(folder) || !Files.isWritable(folder)) {
      throw new ClawException("cannot write " + output + ": " + folder + " is not a folder "
          + "claw can write to", "give -o a path in an existing folder");
    }
  }
}
