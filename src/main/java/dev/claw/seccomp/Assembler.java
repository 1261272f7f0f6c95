package dev.claw.seccomp;

import dev.claw.seccomp.BpfProgram.Instruction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes classic BPF with named jump targets, resolved at the end. Conditional jumps reach at
 * most 255 instructions ahead; the compiler lays code out so they never need more, and uses
 * {@link #jump} (a 32-bit offset) for anything far.
 */
final class Assembler {
  static final int LD_W_ABS = 0x20;
  static final int ALU_AND_K = 0x54;
  static final int JMP_JA = 0x05;
  static final int JMP_JEQ_K = 0x15;
  static final int JMP_JGT_K = 0x25;
  static final int JMP_JGE_K = 0x35;
  static final int RET_K = 0x06;

  /** Where the next instruction goes: jumping here means falling through. */
  static final String NEXT = null;

  private record Pending(int code, String whenTrue, String whenFalse, int k) {}

  private final List<Pending> code = new ArrayList<>();
  private final Map<String, Integer> labels = new HashMap<>();
  private int fresh;

  /** A label name no other call returns. */
  String newLabel(String hint) {
    return hint + "#" + fresh++;
  }

  void label(String name) {
    if (labels.put(name, code.size()) != null) {
      throw new IllegalStateException("label " + name + " placed twice");
    }
  }

  void load(int offset) {
    code.add(new Pending(LD_W_ABS, NEXT, NEXT, offset));
  }

  void and(int mask) {
    code.add(new Pending(ALU_AND_K, NEXT, NEXT, mask));
  }

  void jumpIf(int condition, int k, String whenTrue, String whenFalse) {
    code.add(new Pending(condition, whenTrue, whenFalse, k));
  }

  void jump(String target) {
    code.add(new Pending(JMP_JA, target, NEXT, 0));
  }

  void ret(int value) {
    code.add(new Pending(RET_K, NEXT, NEXT, value));
  }

  BpfProgram assemble() {
    List<Instruction> out = new ArrayList<>(code.size());
    for (int at = 0; at < code.size(); at++) {
      Pending p = code.get(at);
      if (p.code() == JMP_JA) {
        out.add(new Instruction(JMP_JA, 0, 0, offset(at, p.whenTrue(), Integer.MAX_VALUE)));
      } else if (p.code() == RET_K || p.code() == LD_W_ABS || p.code() == ALU_AND_K) {
        out.add(new Instruction(p.code(), 0, 0, p.k()));
      } else {
        out.add(new Instruction(p.code(), offset(at, p.whenTrue(), 255),
            offset(at, p.whenFalse(), 255), p.k()));
      }
    }
    return new BpfProgram(out);
  }

  private int offset(int at, String target, int max) {
    if (target == NEXT) {
      return 0;
    }
    Integer to = labels.get(target);
    if (to == null || to <= at || to - at - 1 > max) {
      throw new IllegalStateException("jump from " + at + " to " + target + " at " + to
          + " is not forward within " + max);
    }
    return to - at - 1;
  }
}
