package dev.claw.cli;

import dev.claw.host.ClawDirs;
import dev.claw.scan.AdvisoryDb;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code claw db}: the advisory data that {@code claw scan} queries offline. */
@Command(name = "db", mixinStandardHelpOptions = true,
    description = "Manage the vulnerability data claw scan uses offline.",
    subcommands = DbCommand.Import.class)
final class DbCommand {

  @Command(name = "import", mixinStandardHelpOptions = true,
      description = "Import the Debian security tracker's JSON export (replaces the last one) "
          + "or OSV records for Debian (merged by id), for bookworm.")
  static final class Import implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "A tracker export or OSV JSON file.")
    Path file;

    @Override
    public Integer call() throws IOException {
      AdvisoryDb db = new AdvisoryDb(ClawDirs.fromEnvironment().cache("advisories"));
      AdvisoryDb.Imported imported = db.importFile(file);
      System.err.printf("claw: imported %d %s advisories for %d source packages%n",
          imported.advisories(), imported.format(), imported.sources());
      return 0;
    }
  }
}
