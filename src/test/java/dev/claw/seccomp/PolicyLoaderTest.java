package dev.claw.seccomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyLoaderTest {
  private static final PolicyLoader LOADER = new PolicyLoader(SyscallTable.x86_64());

  @TempDir Path dir;

  private static SeccompPolicy parse(String yaml) {
    return LOADER.parse(new StringReader(yaml), "test.yaml");
  }

  @Test
  void everyPresetRuleHasAReasonAndNamesAKnownCall() {
    for (String preset : PolicyLoader.PRESETS) {
      assertThat(LOADER.preset(preset).rules()).as(preset).isNotEmpty()
          .allSatisfy(rule -> assertThat(rule.reason()).isNotBlank());
    }
  }

  @Test
  void defaultLeavesOutWhatReachesTheKernelOrOtherProcesses() {
    SeccompPolicy policy = LOADER.preset("default");

    for (String call : List.of("ptrace", "mount", "umount2", "pivot_root", "chroot", "bpf",
        "kexec_load", "init_module", "finit_module", "process_vm_readv", "process_vm_writev",
        "unshare", "setns", "keyctl", "add_key", "perf_event_open", "userfaultfd", "reboot",
        "swapon", "iopl", "ioperm", "io_uring_setup", "setuid", "personality")) {
      assertThat(policy.mentions(call)).as(call).isFalse();
    }
    assertThat(policy.allowsAlways("socket")).isFalse();
    assertThat(LOADER.preset("network").allowsAlways("socket")).isTrue();
  }

  @Test
  void fileExtendsAPresetAndItsOwnRulesComeFirst() {
    SeccompPolicy policy = parse("extends: strict\nsyscalls:\n"
        + "  - {name: getpid, reason: logging}\n");

    assertThat(policy.rules().get(0).syscall()).isEqualTo("getpid");
    assertThat(policy.allowsAlways("exit_group")).isTrue();
  }

  @Test
  void ruleWithoutAReasonIsRefused() {
    assertThatThrownBy(() -> parse("syscalls:\n  - {name: read}\n"))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("rule 1 (read): reason is missing");
  }

  @Test
  void unknownCallIsRefusedWithItsRuleNumber() {
    assertThatThrownBy(() -> parse("syscalls:\n  - {name: read, reason: r}\n"
        + "  - {names: [write, ptraec], reason: r}\n"))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("rule 2 (ptraec): ptraec is not an x86_64 system call");
  }

  @Test
  void misspeltKeyIsRefusedNotIgnored() {
    assertThatThrownBy(() -> parse("syscalls:\n  - {name: read, reson: r}\n"))
        .isInstanceOf(ClawException.class).hasMessageContaining("unknown key 'reson'");
  }

  @Test
  void conditionThatCanNeverMatchIsRefused() {
    assertThatThrownBy(() -> parse("syscalls:\n"
        + "  - {name: clone, args: [{index: 0, mask: 0xff, eq: 0x100}], reason: r}\n"))
        .isInstanceOf(ClawException.class).hasMessageContaining("never matches");
  }

  @Test
  void missingFileSaysHowToMakeOne() {
    assertThatThrownBy(() -> LOADER.file(dir.resolve("none.yaml")))
        .isInstanceOf(ClawException.class)
        .satisfies(e -> assertThat(((ClawException) e).fix()).contains("claw learn"));
  }

  @Test
  void learnedPolicyReadsBackAsExactlyTheCallsUsed() throws Exception {
    List<Integer> used = List.of(0, 1, 59, 231, 1);
    Path file = Files.writeString(dir.resolve("learned.yaml"), LearnedPolicy.yaml("a", used));

    SeccompPolicy policy = LOADER.file(file);

    assertThat(policy.rules()).extracting(SeccompPolicy.Rule::syscall)
        .containsExactly("read", "write", "execve", "exit_group");
    assertThat(policy.rules()).allSatisfy(rule ->
        assertThat(rule.reason()).isEqualTo("fill in: why the agent needs this"));
  }
}
