package dev.claw.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A classic BPF program for {@code seccomp(SECCOMP_SET_MODE_FILTER)}: the array of
 * {@code struct sock_filter} the kernel takes, 8 bytes per instruction in the guest's (little
 * endian) byte order. claw's init reads these bytes from the image and hands them over as is.
 */
public record BpfProgram(List<Instruction> instructions) {

  /** The kernel refuses longer programs (BPF_MAXINSNS). */
  public static final int MAX_INSTRUCTIONS = 4096;

  public BpfProgram {
    instructions = List.copyOf(instructions);
    if (instructions.isEmpty() || instructions.size() > MAX_INSTRUCTIONS) {
      throw new IllegalArgumentException("a filter has 1 to " + MAX_INSTRUCTIONS
          + " instructions, not " + instructions.size());
    }
  }

  /** {@code struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }} */
  public record Instruction(int code, int jt, int jf, int k) {
    public Instruction {
      if (code < 0 || code > 0xffff || jt < 0 || jt > 0xff || jf < 0 || jf > 0xff) {
        throw new IllegalArgumentException("instruction out of range: code " + code + " jt "
            + jt + " jf " + jf);
      }
    }
  }

  public int size() {
    return instructions.size();
  }

  /** The bytes of the {@code struct sock_filter} array. */
  public byte[] bytes() {
    ByteBuffer out = ByteBuffer.allocate(instructions.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (Instruction insn : instructions) {
      out.putShort((short) insn.code()).put((byte) insn.jt()).put((byte) insn.jf())
          .putInt(insn.k());
    }
    return out.array();
  }
}
