package dev.claw.image;

import dev.claw.fs.FileTree;
import dev.claw.ClawException;
import dev.claw.profile.AgentProfile;

/**
 * Checks on the host, before any VM boots, that the agent's command can start in its image:
 * it is there, it is executable, and everything it needs to be loaded is in the image too.
 * Each of these would otherwise surface as a bare errno from inside the guest.
 */
final class CommandCheck {
  private final AgentProfile profile;
  private final String command;
  private final FileTree image;

  CommandCheck(AgentProfile profile, String command, FileTree image) {
    this.profile = profile;
    this.command = command;
    this.image = image;
  }

  void verify() {
    FileTree.Entry entry = image.resolve(command).orElse(null);
    if (entry == null || entry.type() != FileTree.Type.FILE) {
      throw new ClawException("run.command " + command + " is not a file in the image",
          "add it under 'files' (from: ./my-agent, to: " + command + ")");
    }
    if ((entry.mode() & 0111) == 0) {
      throw new ClawException(command + " is not executable in the image (mode "
          + Integer.toOctalString(entry.mode()) + ")",
          "chmod +x the file on the host, or set mode: \"0755\" on it in 'files'");
    }
    checkLoadable(ElfFile.parse(entry.content()));
  }

  private void checkLoadable(ElfFile elf) {
    switch (elf.kind()) {
      case STATIC_X86_64 -> { }
      case DYNAMIC_X86_64 -> needs(elf.interpreter().orElseThrow(),
          "it is dynamically linked", "link it statically (for C: musl-gcc -static)");
      case SCRIPT -> needs(elf.interpreter().orElse("(none)"),
          "it is a script", "make the interpreter part of the image, or ship a static binary");
      case OTHER_ELF -> throw new ClawException(command + " is not an x86-64 program",
          "build the agent for x86-64 Linux");
      case NOT_EXECUTABLE_FORMAT -> throw new ClawException(command
          + " is neither an ELF program nor a #! script", "point run.command at the program");
      default -> throw new IllegalStateException("unhandled kind " + elf.kind());
    }
  }

  private void needs(String loader, String why, String fix) {
    if (image.resolve(loader).filter(e -> e.type() == FileTree.Type.FILE).isEmpty()) {
      throw new ClawException(command + " needs " + loader + " (" + why + "), and the image "
          + "has no " + loader + (profile.base().equals(AgentProfile.NO_BASE)
              ? " because this profile has no base" : ""), fix);
    }
  }
}
