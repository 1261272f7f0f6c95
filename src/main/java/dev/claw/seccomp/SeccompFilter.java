package dev.claw.seccomp;

import java.nio.file.Path;

/**
 * The filter for one agent, from its profile's {@code seccomp:} choice.
 *
 * @param learning true for {@code learn}: init lets every call run and notes it
 */
public record SeccompFilter(String policy, BpfProgram program, boolean learning) {

  /** The profile's value that means "record the calls instead of blocking them". */
  public static final String LEARN = "learn";

  /** Compiles {@code choice}: a preset's name, {@code learn}, or a policy file's path. */
  public static SeccompFilter of(String choice) {
    SyscallTable table = SyscallTable.x86_64();
    SeccompCompiler compiler = new SeccompCompiler(table);
    if (choice.equals(LEARN)) {
      return new SeccompFilter(LEARN, compiler.compile(SeccompCompiler.learning()), true);
    }
    PolicyLoader loader = new PolicyLoader(table);
    SeccompPolicy policy = choice.startsWith("/") ? loader.file(Path.of(choice))
        : loader.preset(choice);
    return new SeccompFilter(policy.name(), compiler.compile(policy), false);
  }
}
