package dev.claw.seccomp;

import dev.claw.seccomp.BpfProgram.Instruction;

/**
 * Runs a seccomp filter on one {@code struct seccomp_data}, as the kernel would: only the
 * instructions the kernel's seccomp checker accepts, every jump forward, and a program that
 * runs off its end or reads out of bounds is a failure, not a verdict.
 */
final class BpfInterpreter {
  private BpfInterpreter() {}

  /** A system call as the filter sees it. */
  record SeccompData(int nr, int arch, long... args) {
    static SeccompData x86_64(int nr, long... args) {
      return new SeccompData(nr, SeccompCompiler.AUDIT_ARCH_X86_64, args);
    }

    int word(int offset) {
      if (offset == 0) {
        return nr;
      }
      if (offset == 4) {
        return arch;
      }
      int index = (offset - 16) / 8;
      if (offset < 16 || offset % 4 != 0 || index > 5) {
        throw new AssertionError("load from offset " + offset);
      }
      long arg = index < args.length ? args[index] : 0;
      return offset % 8 == 0 ? (int) arg : (int) (arg >>> 32);
    }
  }

  static int run(BpfProgram program, SeccompData data) {
    int a = 0;
    int pc = 0;
    while (pc < program.size()) {
      Instruction insn = program.instructions().get(pc);
      int k = insn.k();
      switch (insn.code()) {
        case Assembler.LD_W_ABS -> a = data.word(k);
        case Assembler.ALU_AND_K -> a &= k;
        case Assembler.JMP_JA -> pc += k;
        case Assembler.JMP_JEQ_K -> pc += a == k ? insn.jt() : insn.jf();
        case Assembler.JMP_JGT_K -> pc += Integer.compareUnsigned(a, k) > 0 ? insn.jt()
            : insn.jf();
        case Assembler.JMP_JGE_K -> pc += Integer.compareUnsigned(a, k) >= 0 ? insn.jt()
            : insn.jf();
        case Assembler.RET_K -> {
          return k;
        }
        default -> throw new AssertionError("instruction 0x" + Integer.toHexString(insn.code()));
      }
      pc++;
    }
    throw new AssertionError("the program ran off its end");
  }
}
