package dev.claw.seccomp;

import java.util.List;
import java.util.Objects;

/**
 * A seccomp policy: which system calls the agent may make, and on what arguments. A call no
 * rule matches is blocked: claw's init kills the agent and names the call. Every rule carries
 * the reason it is there, so a policy can be reviewed line by line.
 *
 * @param name where the policy came from: a preset's name or a file's path
 * @param rules in file order; for one system call, the first rule that matches decides
 */
public record SeccompPolicy(String name, List<Rule> rules) {

  public SeccompPolicy {
    rules = List.copyOf(rules);
  }

  /** One rule: a system call, the conditions on its arguments (all must hold), a verdict. */
  public record Rule(String syscall, List<ArgCondition> args, Verdict verdict, String reason) {
    public Rule {
      Objects.requireNonNull(syscall);
      args = List.copyOf(args);
      Objects.requireNonNull(verdict);
      Objects.requireNonNull(reason);
    }

    /** A rule that allows {@code syscall} whatever its arguments. */
    public static Rule allow(String syscall, String reason) {
      return new Rule(syscall, List.of(), Verdict.ALLOW, reason);
    }

    boolean unconditionalAllow() {
      return args.isEmpty() && verdict.equals(Verdict.ALLOW);
    }
  }

  /**
   * {@code (args[index] & mask) == value}, over all 64 bits. There is deliberately no "not
   * equal": for an {@code int} argument the kernel reads only the low 32 bits, so an agent
   * could set high bits to pass a 64-bit "not equal" and still mean the forbidden value.
   * Equality over 64 bits can only be stricter than the kernel, never looser.
   */
  public record ArgCondition(int index, long mask, long value) {
    public ArgCondition {
      if (index < 0 || index > 5) {
        throw new IllegalArgumentException("argument index " + index + " is not 0 to 5");
      }
    }
  }

  /** What a matching rule does: let the call run, or fail it with an errno. */
  public record Verdict(int errno) {
    public static final Verdict ALLOW = new Verdict(0);

    public Verdict {
      if (errno < 0 || errno > 4095) {
        throw new IllegalArgumentException("errno " + errno + " is out of range");
      }
    }

    public boolean allows() {
      return errno == 0;
    }
  }

  /** Whether a rule mentions {@code syscall} at all. */
  public boolean mentions(String syscall) {
    return rules.stream().anyMatch(rule -> rule.syscall().equals(syscall));
  }

  /** Whether {@code syscall} is allowed whatever its arguments. */
  public boolean allowsAlways(String syscall) {
    return rules.stream().anyMatch(rule -> rule.syscall().equals(syscall)
        && rule.unconditionalAllow());
  }
}
