package dev.claw.seccomp;

import java.util.List;
import java.util.TreeSet;

/**
 * Writes what a learning run saw as a policy file: exactly the calls the agent made, one rule
 * each, in number order, with a reason for the user to fill in. The file compiles as it is, so
 * the same run passes under it and any call the agent never made is blocked.
 */
public final class LearnedPolicy {
  static final String REASON = "fill in: why the agent needs this";

  private LearnedPolicy() {}

  /** The policy file's text for the call {@code numbers} a run of {@code agent} made. */
  public static String yaml(String agent, List<Integer> numbers) {
    SyscallTable table = SyscallTable.x86_64();
    StringBuilder out = new StringBuilder()
        .append("# seccomp policy learned by claw learn from one run of ").append(agent)
        .append(".\n# Every call that run made, nothing else. Review each, fill in the reason,")
        .append("\n# and use it with seccomp: ./this-file.yaml in claw.yaml.\nsyscalls:\n");
    for (int number : new TreeSet<>(numbers)) {
      String name = table.name(number).orElseThrow(() -> new IllegalArgumentException(
          "the learning run reported call " + number + ", which claw's table does not know"));
      out.append("  - {name: ").append(name).append(", reason: \"").append(REASON)
          .append("\"}\n");
    }
    return out.toString();
  }
}
