package dev.claw.cli;

import picocli.CommandLine.Option;

/** The options {@code claw scan} and {@code claw diff} share, so both spell them alike. */
final class ScanOptions {

  @Option(names = "--skip-security-suite",
      description = "Do not ask bookworm-security for newer versions (offline).")
  boolean skipSecuritySuite;

  @Option(names = {"-v", "--verbose"}, description = "Say more about what claw does.")
  boolean verbose;
}
