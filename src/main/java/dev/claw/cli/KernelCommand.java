package dev.claw.cli;

import dev.claw.host.ClawDirs;
import dev.claw.kernel.KernelBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code claw kernel}: the guest kernel claw builds and caches. */
@Command(name = "kernel", description = "Build or locate claw's guest kernel.",
    mixinStandardHelpOptions = true,
    subcommands = {KernelCommand.Build.class, KernelCommand.Where.class})
final class KernelCommand {

  private static KernelBuilder builder() throws IOException {
    return new KernelBuilder(ClawDirs.fromEnvironment().cache("kernel"),
        new ConsoleEvents(System.err, true));
  }

  @Command(name = "build", mixinStandardHelpOptions = true,
      description = "Build the kernel from Debian's linux-source (once; cached).")
  static final class Build implements Callable<Integer> {
    @Option(names = "--force", description = "Build again even if a cached kernel exists.")
    boolean force;

    @Override
    public Integer call() throws IOException {
      KernelBuilder builder = builder();
      Path vmlinux = force ? builder.build() : builder.cachedOrBuild();
      System.out.println(vmlinux);
      return 0;
    }
  }

  @Command(name = "path", mixinStandardHelpOptions = true,
      description = "Print the cached kernel's path; exit 1 if it is not built yet.")
  static final class Where implements Callable<Integer> {
    @Override
    public Integer call() throws IOException {
      var cached = builder().cached();
      cached.ifPresent(System.out::println);
      if (cached.isEmpty()) {
        System.err.println("claw: the kernel is not built yet; ./claw kernel build builds it "
            + "(claw run also does, on first use)");
      }
      return cached.isPresent() ? 0 : 1;
    }
  }
}
