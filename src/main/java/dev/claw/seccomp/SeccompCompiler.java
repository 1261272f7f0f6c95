package dev.claw.seccomp;

import dev.claw.ClawException;
import dev.claw.seccomp.SeccompPolicy.ArgCondition;
import dev.claw.seccomp.SeccompPolicy.Rule;
import dev.claw.seccomp.SeccompPolicy.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compiles a {@link SeccompPolicy} to the classic BPF program claw's init installs. In order,
 * the program:
 *
 * <ol>
 *   <li>kills the process unless {@code arch} is x86_64: a 32-bit entry ({@code int 0x80})
 *       numbers calls differently, so none of the rules below would mean anything for it;
 *   <li>kills the process for the x32 range ({@code nr >= 0x40000000}): no x86_64 program
 *       makes such calls, so one is an attempt to reach a call under another number;
 *   <li>fails numbers claw's table does not know (newer than this claw, or gaps) with ENOSYS,
 *       which programs treat as "this kernel is too old" and work around;
 *   <li>finds the call's rules by binary search over its number and returns the first
 *       matching rule's verdict;
 *   <li>returns {@code SECCOMP_RET_USER_NOTIF} for everything else: the call waits, claw's
 *       init (the listener) records its number, and kills every process of the agent.
 * </ol>
 *
 * <p>io_uring gets EPERM unless the policy names it: its calls do file and network I/O that
 * no filter sees. The output depends only on the policy and the table, byte for byte.
 */
public final class SeccompCompiler {
  static final int AUDIT_ARCH_X86_64 = 0xC000003E;
  static final int X32_SYSCALL_BIT = 0x40000000;
  static final int RET_KILL_PROCESS = 0x80000000;
  static final int RET_ERRNO = 0x00050000;
  static final int RET_USER_NOTIF = 0x7fc00000;
  static final int RET_ALLOW = 0x7fff0000;
  static final int ENOSYS = 38;
  static final int EPERM = 1;

  /** Offsets in {@code struct seccomp_data}. */
  private static final int NR = 0;
  private static final int ARCH = 4;
  private static final int ARGS = 16;

  /** Calls looked up one after another at the bottom of the search tree. */
  private static final int LEAF_SIZE = 4;

  /** What claw's init itself calls between installing the filter and the agent's execve. */
  static final List<String> NEEDED_BY_INIT = List.of("read", "write", "execve");

  private static final List<String> IO_URING =
      List.of("io_uring_setup", "io_uring_enter", "io_uring_register");

  private final SyscallTable table;

  public SeccompCompiler(SyscallTable table) {
    this.table = table;
  }

  /** Compiles {@code policy}; a policy that could not even start the agent is refused. */
  public BpfProgram compile(SeccompPolicy policy) {
    checkStartable(policy);
    Assembler asm = new Assembler();
    gate(asm);
    searchTree(asm, List.copyOf(byNumber(policy).entrySet()));
    return asm.assemble();
  }

  /**
   * The policy of a learning run: init's own calls run, and every other call the agent makes
   * is reported to init, which lets it run and writes it down.
   */
  public static SeccompPolicy learning() {
    List<Rule> rules = new ArrayList<>();
    for (String call : NEEDED_BY_INIT) {
      rules.add(Rule.allow(call, "claw's init calls it to start the agent"));
    }
    return new SeccompPolicy("learn", rules);
  }

  private static void checkStartable(SeccompPolicy policy) {
    List<String> missing = NEEDED_BY_INIT.stream()
        .filter(call -> !policy.allowsAlways(call)).toList();
    if (!missing.isEmpty()) {
      throw new ClawException("seccomp policy " + policy.name() + " does not allow "
          + String.join(", ", missing) + " without conditions; claw's init makes these calls "
          + "to start the agent", "add a rule for each, such as {syscall: read, reason: ...}");
    }
  }

  /** Architecture, x32 and unknown numbers, before any rule is looked at. */
  private void gate(Assembler asm) {
    asm.load(ARCH);
    asm.jumpIf(Assembler.JMP_JEQ_K, AUDIT_ARCH_X86_64, "arch-ok", Assembler.NEXT);
    asm.ret(RET_KILL_PROCESS);
    asm.label("arch-ok");
    asm.load(NR);
    asm.jumpIf(Assembler.JMP_JGE_K, X32_SYSCALL_BIT, Assembler.NEXT, "native");
    asm.ret(RET_KILL_PROCESS);
    asm.label("native");
    asm.jumpIf(Assembler.JMP_JGT_K, table.highest(), Assembler.NEXT, "known");
    asm.ret(RET_ERRNO | ENOSYS);
    asm.label("known");
    for (int[] gap : table.gaps()) {
      String past = asm.newLabel("past-gap");
      asm.jumpIf(Assembler.JMP_JGE_K, gap[0], Assembler.NEXT, past);
      asm.jumpIf(Assembler.JMP_JGT_K, gap[1], past, Assembler.NEXT);
      asm.ret(RET_ERRNO | ENOSYS);
      asm.label(past);
    }
  }

  /** Rules per system call number, io_uring's EPERM added unless the policy names it. */
  private Map<Integer, List<Rule>> byNumber(SeccompPolicy policy) {
    Map<Integer, List<Rule>> rules = new TreeMap<>();
    for (Rule rule : policy.rules()) {
      int number = table.number(rule.syscall()).orElseThrow(() -> new IllegalArgumentException(
          "policy " + policy.name() + " names an unknown call " + rule.syscall()));
      rules.computeIfAbsent(number, n -> new ArrayList<>()).add(rule);
    }
    for (String call : IO_URING) {
      if (!policy.mentions(call)) {
        rules.put(table.number(call).getAsInt(), List.of(new Rule(call, List.of(),
            new Verdict(EPERM), "io_uring does I/O no filter sees")));
      }
    }
    return rules;
  }

  /**
   * Binary search on the number: {@code JGE pivot} then a 32-bit {@code JA} to the upper half,
   * so no conditional jump ever has to reach past 255 instructions.
   */
  private void searchTree(Assembler asm, List<Map.Entry<Integer, List<Rule>>> calls) {
    if (calls.size() <= LEAF_SIZE) {
      leaf(asm, calls);
      return;
    }
    int middle = calls.size() / 2;
    String lower = asm.newLabel("below");
    String upper = asm.newLabel("from");
    asm.jumpIf(Assembler.JMP_JGE_K, calls.get(middle).getKey(), Assembler.NEXT, lower);
    asm.jump(upper);
    asm.label(lower);
    searchTree(asm, calls.subList(0, middle));
    asm.label(upper);
    searchTree(asm, calls.subList(middle, calls.size()));
  }

  private void leaf(Assembler asm, List<Map.Entry<Integer, List<Rule>>> calls) {
    for (Map.Entry<Integer, List<Rule>> call : calls) {
      String next = asm.newLabel("not-" + call.getKey());
      asm.jumpIf(Assembler.JMP_JEQ_K, call.getKey(), Assembler.NEXT, next);
      for (Rule rule : call.getValue()) {
        ruleBlock(asm, rule);
      }
      asm.ret(RET_USER_NOTIF);
      asm.label(next);
    }
    asm.ret(RET_USER_NOTIF);
  }

  /** The rule's conditions, each jumping past the rule when it fails, then its verdict. */
  private static void ruleBlock(Assembler asm, Rule rule) {
    String failed = asm.newLabel("rule-failed");
    for (ArgCondition condition : rule.args()) {
      int offset = ARGS + 8 * condition.index();
      compareWord(asm, offset, (int) condition.mask(), (int) condition.value(), failed);
      compareWord(asm, offset + 4, (int) (condition.mask() >>> 32),
          (int) (condition.value() >>> 32), failed);
    }
    asm.ret(rule.verdict().allows() ? RET_ALLOW : RET_ERRNO | rule.verdict().errno());
    asm.label(failed);
  }

  private static void compareWord(Assembler asm, int offset, int mask, int value,
      String failed) {
    asm.load(offset);
    if (mask != -1) {
      asm.and(mask);
    }
    asm.jumpIf(Assembler.JMP_JEQ_K, value, Assembler.NEXT, failed);
  }
}
