package dev.claw.run;

import dev.claw.host.FileTail;
import dev.claw.vm.VmProcess;
import dev.claw.vm.VmSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Explains a VM that ended before init reported the agent's end. The evidence is gathered
 * before the VM's folder goes: the VMM's stderr and the tail of the guest console.
 */
final class VmFailures {
  private static final int EVIDENCE_LINES = 15;

  private VmFailures() {}

  private static final String SEE_CONSOLE = "rerun with -v to see the whole guest console";

  static Outcome explain(VmProcess vm, GuestSession session, VmSpec spec) {
    List<String> console = consoleLines(spec.consoleLog());
    String evidence = evidence(vm, console);
    Optional<String> panic = console.stream().filter(l -> l.contains("Kernel panic")).findFirst();
    if (panic.isPresent()) {
      return new Outcome.VmFailed("the guest kernel panicked: " + panic.get().strip(), evidence,
          SEE_CONSOLE + "; a kernel of your own (--kernel) needs PVH, virtio-mmio and the "
              + "virtio console");
    }
    if (!session.helloSeen()) {
      String vmm = vm.stderrTail(3);
      return new Outcome.VmFailed(vmm.isEmpty()
          ? "the VM stopped before claw's init started"
          : "the VMM failed before claw's init started: " + vmm, evidence, fixFor(vmm));
    }
    String why = session.protocolError().map(e -> " (" + e + ")").orElse("");
    return new Outcome.VmFailed("the VM stopped before the agent finished" + why, evidence,
        SEE_CONSOLE);
  }

  private static String fixFor(String vmmError) {
    if (vmmError.contains("Cannot allocate memory") || vmmError.contains("guest memory")) {
      return "lower vm.memory in the profile: the host could not give the VM that much";
    }
    if (vmmError.contains("PVH")) {
      return "boot a vmlinux built with CONFIG_PVH=y";
    }
    return SEE_CONSOLE;
  }

  private static String evidence(VmProcess vm, List<String> console) {
    StringBuilder text = new StringBuilder();
    String vmm = vm.stderrTail(EVIDENCE_LINES);
    if (!vmm.isEmpty()) {
      text.append("VMM stderr:\n").append(vmm).append('\n');
    }
    if (!console.isEmpty()) {
      text.append("guest console (last lines):\n").append(String.join("\n",
          console.subList(Math.max(0, console.size() - EVIDENCE_LINES), console.size())));
    }
    return text.toString().strip();
  }

  private static List<String> consoleLines(Path log) {
    return FileTail.read(log, VmSupervisor.CONSOLE_KEPT).lines()
        .filter(line -> !line.isBlank()).toList();
  }
}
