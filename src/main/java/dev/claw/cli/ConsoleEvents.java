package dev.claw.cli;

import dev.claw.event.ClawEvent;
import dev.claw.event.EventListener;
import java.io.PrintStream;

/** Renders library events on stderr, so that stdout carries only the agent's output. */
final class ConsoleEvents implements EventListener {
  private final PrintStream err;
  private final boolean verbose;

  ConsoleEvents(PrintStream err, boolean verbose) {
    this.err = err;
    this.verbose = verbose;
  }

  @Override
  public void on(ClawEvent event) {
    // Messages can carry guest text (init's log lines): never let it drive the terminal.
    if (event instanceof ClawEvent.Progress progress) {
      err.println("claw: [" + progress.step() + "] " + Terminal.printable(progress.message()));
    } else if (event instanceof ClawEvent.Warning warning) {
      err.println("claw: warning: " + Terminal.printable(warning.message()));
    } else if (event instanceof ClawEvent.Detail detail) {
      if (verbose) {
        err.println("claw: " + Terminal.printable(detail.message()));
      }
    } else {
      throw new IllegalStateException("unhandled event " + event);
    }
    err.flush();
  }
}
