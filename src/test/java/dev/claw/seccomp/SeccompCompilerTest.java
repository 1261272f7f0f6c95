package dev.claw.seccomp;

import static dev.claw.seccomp.SeccompCompiler.RET_ALLOW;
import static dev.claw.seccomp.SeccompCompiler.RET_ERRNO;
import static dev.claw.seccomp.SeccompCompiler.RET_KILL_PROCESS;
import static dev.claw.seccomp.SeccompCompiler.RET_USER_NOTIF;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import dev.claw.host.Sha256;
import dev.claw.seccomp.BpfInterpreter.SeccompData;
import dev.claw.seccomp.SeccompPolicy.ArgCondition;
import dev.claw.seccomp.SeccompPolicy.Rule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeccompCompilerTest {
  private static final SyscallTable TABLE = SyscallTable.x86_64();
  private static final SeccompCompiler COMPILER = new SeccompCompiler(TABLE);
  private static final PolicyLoader LOADER = new PolicyLoader(TABLE);

  private static int nr(String name) {
    return TABLE.number(name).getAsInt();
  }

  private static int verdict(BpfProgram program, String call, long... args) {
    return BpfInterpreter.run(program, SeccompData.x86_64(nr(call), args));
  }

  @Test
  void smallPolicyCompilesToTheSameBytesEveryTime() {
    SeccompPolicy policy = new SeccompPolicy("tiny", List.of(
        Rule.allow("read", "r"), Rule.allow("write", "w"), Rule.allow("execve", "x"),
        new Rule("socket", List.of(new ArgCondition(0, -1L, 1)), SeccompPolicy.Verdict.ALLOW,
            "unix only")));

    BpfProgram program = COMPILER.compile(policy);

    assertThat(program.size()).isEqualTo(40);
    assertThat(Sha256.of(program.bytes()))
        .isEqualTo("390b7aefa6e40a6eecb21d2bd7bdfee3bdb0175f8635c3de83d6568d7265b476");
  }

  @Test
  void everyPresetCompilesWellUnderTheKernelsLimit() {
    for (String preset : PolicyLoader.PRESETS) {
      BpfProgram program = COMPILER.compile(LOADER.preset(preset));
      assertThat(program.size()).as(preset).isBetween(20, 1000);
    }
  }

  @Test
  void defaultAllowsWhatItListsAndHandsEverythingElseToInit() {
    BpfProgram program = COMPILER.compile(LOADER.preset("default"));

    for (String call : List.of("read", "openat", "mmap", "clone3", "futex", "exit_group")) {
      assertThat(verdict(program, call)).as(call).isEqualTo(RET_ALLOW);
    }
    for (String call : List.of("ptrace", "mount", "bpf", "kexec_load", "init_module",
        "process_vm_readv", "unshare", "setns", "keyctl", "perf_event_open", "userfaultfd")) {
      assertThat(verdict(program, call)).as(call).isEqualTo(RET_USER_NOTIF);
    }
  }

  @Test
  void everyNumberGetsAVerdictThatMatchesThePolicy() {
    SeccompPolicy policy = LOADER.preset("default");
    BpfProgram program = COMPILER.compile(policy);

    for (int number = 0; number <= TABLE.highest() + 2; number++) {
      int expected = expectedFor(policy, number);
      assertThat(BpfInterpreter.run(program, SeccompData.x86_64(number)))
          .as("syscall %d", number).isEqualTo(expected);
    }
  }

  private static int expectedFor(SeccompPolicy policy, int number) {
    String name = TABLE.name(number).orElse(null);
    if (name == null) {
      return RET_ERRNO | SeccompCompiler.ENOSYS;
    }
    if (name.startsWith("io_uring_")) {
      return RET_ERRNO | SeccompCompiler.EPERM;
    }
    // socket and socketpair are allowed for AF_UNIX only; with all-zero arguments that fails.
    return policy.allowsAlways(name) ? RET_ALLOW : RET_USER_NOTIF;
  }

  @Test
  void argumentConditionsCompareAllSixtyFourBits() {
    BpfProgram program = COMPILER.compile(LOADER.preset("default"));

    assertThat(verdict(program, "socket", 1, 1, 0)).isEqualTo(RET_ALLOW);
    assertThat(verdict(program, "socket", 2, 1, 0)).isEqualTo(RET_USER_NOTIF);
    // The kernel would read AF_UNIX from the low half; the filter is stricter, never looser.
    assertThat(verdict(program, "socket", 0x1_0000_0001L, 1, 0)).isEqualTo(RET_USER_NOTIF);
    assertThat(verdict(program, "socket", 0x1_0000_0002L, 1, 0)).isEqualTo(RET_USER_NOTIF);
  }

  @Test
  void maskedConditionChecksOnlyTheMaskedBits() {
    long cloneNewUser = 0x10000000L;
    SeccompPolicy policy = new SeccompPolicy("mask", List.of(Rule.allow("read", "r"),
        Rule.allow("write", "w"), Rule.allow("execve", "x"),
        new Rule("clone", List.of(new ArgCondition(0, cloneNewUser, 0)),
            SeccompPolicy.Verdict.ALLOW, "no new user namespace")));
    BpfProgram program = COMPILER.compile(policy);

    assertThat(verdict(program, "clone", 0x11L)).isEqualTo(RET_ALLOW);
    assertThat(verdict(program, "clone", 0x11L | cloneNewUser)).isEqualTo(RET_USER_NOTIF);
  }

  @Test
  void foreignArchitectureAndX32NumbersKillTheProcess() {
    BpfProgram program = COMPILER.compile(LOADER.preset("network"));
    int i386 = 0x40000003;

    assertThat(BpfInterpreter.run(program, new SeccompData(nr("read"), i386)))
        .isEqualTo(RET_KILL_PROCESS);
    assertThat(BpfInterpreter.run(program,
        SeccompData.x86_64(SeccompCompiler.X32_SYSCALL_BIT | nr("read"))))
        .isEqualTo(RET_KILL_PROCESS);
    assertThat(BpfInterpreter.run(program, SeccompData.x86_64(-1)))
        .isEqualTo(RET_KILL_PROCESS);
  }

  @Test
  void numbersNewerThanTheTableAndGapsAreNotImplemented() {
    BpfProgram program = COMPILER.compile(LOADER.preset("strict"));
    int enosys = RET_ERRNO | SeccompCompiler.ENOSYS;

    assertThat(BpfInterpreter.run(program, SeccompData.x86_64(TABLE.highest() + 1)))
        .isEqualTo(enosys);
    assertThat(BpfInterpreter.run(program, SeccompData.x86_64(1000))).isEqualTo(enosys);
    assertThat(TABLE.name(400)).isEmpty();
    assertThat(BpfInterpreter.run(program, SeccompData.x86_64(400))).isEqualTo(enosys);
  }

  @Test
  void ioUringIsDeniedUnlessThePolicyNamesIt() {
    BpfProgram program = COMPILER.compile(LOADER.preset("network"));
    assertThat(verdict(program, "io_uring_setup")).isEqualTo(RET_ERRNO | 1);

    List<Rule> rules = new ArrayList<>(LOADER.preset("strict").rules());
    rules.add(Rule.allow("io_uring_setup", "the agent asked for it"));
    BpfProgram opted = COMPILER.compile(new SeccompPolicy("opted", rules));
    assertThat(verdict(opted, "io_uring_setup")).isEqualTo(RET_ALLOW);
    assertThat(verdict(opted, "io_uring_enter")).isEqualTo(RET_ERRNO | 1);
  }

  @Test
  void errnoRulesFailTheCallWithoutAKill() {
    SeccompPolicy policy = LOADER.parse(new java.io.StringReader("extends: strict\n"
        + "syscalls:\n  - {name: ptrace, errno: EPERM, reason: no debugging}\n"), "mine");

    assertThat(verdict(COMPILER.compile(policy), "ptrace")).isEqualTo(RET_ERRNO | 1);
  }

  @Test
  void learningLetsInitsOwnCallsRunAndReportsTheRest() {
    BpfProgram program = COMPILER.compile(SeccompCompiler.learning());

    assertThat(verdict(program, "execve")).isEqualTo(RET_ALLOW);
    assertThat(verdict(program, "openat")).isEqualTo(RET_USER_NOTIF);
    assertThat(verdict(program, "io_uring_setup")).isEqualTo(RET_ERRNO | 1);
  }

  @Test
  void policyWithoutWhatInitNeedsIsRefused() {
    SeccompPolicy policy = new SeccompPolicy("bare", List.of(Rule.allow("read", "r")));

    assertThatThrownBy(() -> COMPILER.compile(policy))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("does not allow write, execve");
  }
}
