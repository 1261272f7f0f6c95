package dev.claw.run;

/** Names of Linux x86-64 signals, for messages like "killed by SIGSEGV (11)". */
final class Signals {
  private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL",
      "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
      "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
      "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",
      "SIGIO", "SIGPWR", "SIGSYS"};

  private Signals() {}

  static String name(int signal) {
    if (signal > 0 && signal < NAMES.length) {
      return NAMES[signal];
    }
    return signal >= 34 && signal <= 64 ? "SIGRTMIN+" + (signal - 34) : "signal " + signal;
  }
}
