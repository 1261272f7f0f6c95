package dev.claw.cli;

import dev.claw.ClawException;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The one place where failures become text. A {@link ClawException} is the user's to fix and
 * gets its two sentences; anything else is a claw bug and gets the stack trace.
 */
final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {

  /** A mistake on the command line: say which, and where the usage is. */
  @Override
  public int handleParseException(ParameterException e, String[] args) {
    PrintWriter err = e.getCommandLine().getErr();
    err.println("claw: " + e.getMessage());
    err.println("  to fix: see '" + e.getCommandLine().getCommandSpec().qualifiedName()
        + " --help'");
    err.flush();
    return Main.CLAW_FAILED;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parsed) {
    PrintWriter err = commandLine.getErr();
    if (e instanceof ClawException claw) {
      err.println("claw: " + claw.getMessage());
      err.println("  to fix: " + claw.fix());
    } else if (e instanceof FileSystemException files) {
      // Permissions, a full disk, a read-only folder: the host's state, not a claw bug.
      err.println("claw: cannot use " + files.getFile() + ": " + (files.getReason() == null
          ? files.getClass().getSimpleName() : files.getReason()));
      err.println("  to fix: check permissions and free space there, or point CLAW_CACHE or "
          + "CLAW_RUNTIME elsewhere");
    } else {
      err.println("claw: internal error (a bug in claw; please report it with this trace):");
      e.printStackTrace(err);
    }
    err.flush();
    return Main.CLAW_FAILED;
  }
}
