package dev.claw.cli;

import dev.claw.ClawException;
import dev.claw.guest.GuestInit;
import dev.claw.host.ClawDirs;
import dev.claw.host.Sha256;
import dev.claw.image.ImageBuilder;
import dev.claw.image.Initramfs;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.ProfileLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code claw build}: writes an agent's initramfs and prints its digest. */
@Command(name = "build", description = "Build an agent's image (initramfs) without running it.",
    mixinStandardHelpOptions = true)
final class BuildCommand implements Callable<Integer> {

  @Parameters(paramLabel = "AGENT", description = "A folder with a claw.yaml, or the file.")
  Path profile;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true,
      description = "Where to write the initramfs (cpio newc).")
  Path output;

  @Override
  public Integer call() throws IOException {
    AgentProfile agent = new ProfileLoader().load(profile);
    ClawDirs dirs = ClawDirs.fromEnvironment();
    byte[] init = Files.readAllBytes(new GuestInit(dirs.cache("init"),
        new ConsoleEvents(System.err, false)).binary());
    Path target = output.toAbsolutePath();
    if (!Files.isDirectory(target.getParent())) {
      throw new ClawException("cannot write " + output + ": the folder " + target.getParent()
          + " does not exist", "create it first, or write the image elsewhere");
    }
    Initramfs.writeTo(new ImageBuilder(init).build(agent, List.of()), target);
    System.out.println("sha256:" + Sha256.of(output) + "  " + output);
    return 0;
  }
}
