package dev.claw.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileLoaderTest {
  @TempDir Path dir;

  @Test
  void fullProfileIsRead() throws Exception {
    AgentProfile profile = load("""
        name: weather
        base: none
        files:
          - {from: ./bin/agent, to: /app/agent, mode: "0750"}
        run:
          command: [/app/agent, --fast]
          env: {MODE: test}
          workdir: /app
          user: 2000:3000
          timeout: 90s
        vm: {memory: 256M, cpus: 2}
        """);

    assertThat(profile.name()).isEqualTo("weather");
    assertThat(profile.files()).containsExactly(new AgentProfile.FileMapping(
        dir.resolve("bin/agent"), "/app/agent", 0750));
    assertThat(profile.run()).isEqualTo(new AgentProfile.RunSettings(
        List.of("/app/agent", "--fast"), Map.of("MODE", "test"), "/app", 2000, 3000,
        Duration.ofSeconds(90)));
    assertThat(profile.vm()).isEqualTo(new AgentProfile.VmSettings(256, 2));
  }

  @Test
  void defaultsAreAnUnprivilegedAgentAMinuteAnd128Mib() throws Exception {
    AgentProfile profile = load("name: a\nbase: none\nrun: {command: [/a]}\n");

    assertThat(profile.run().uid()).isEqualTo(1000);
    assertThat(profile.run().timeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(profile.vm()).isEqualTo(new AgentProfile.VmSettings(128, 1));
  }

  @Test
  void misspeltKeyIsAnErrorWithItsLineAndTheKnownKeys() {
    assertError("name: a\nbase: none\nrun:\n  comand: [/a]\n",
        "claw.yaml:4: unknown key 'comand' in run",
        "use one of: command, env, root-reason, timeout, user, workdir");
  }

  @Test
  void missingFieldSaysWhatToAdd() {
    assertError("name: a\nrun: {command: [/a]}\n", "'base' is missing", "base: none");
  }

  @Test
  void rootByNumberIsRefusedWithTheWayToAskForIt() {
    assertError("name: a\nbase: none\nrun: {command: [/a], user: \"0\"}\n",
        "run.user 0 uses root's uid", "user: root with root-reason");
  }

  @Test
  void rootNeedsAReasonAndAReasonNeedsRoot() {
    assertError("name: a\nbase: none\nrun: {command: [/a], user: root}\n",
        "run.user is root without a reason", "root-reason:");
    assertError("name: a\nbase: none\nrun: {command: [/a], root-reason: x}\n",
        "run.root-reason is given but run.user is not root", "user: root");
  }

  @Test
  void rootWithAReasonIsUidAndGidZero() {
    AgentProfile profile = new ProfileLoader().load(new java.io.StringReader("name: a\n"
        + "base: none\nrun: {command: [/a], user: root, root-reason: \"binds port 80\"}\n"),
        Path.of("claw.yaml"));

    assertThat(profile.run().uid()).isZero();
    assertThat(profile.run().gid()).isZero();
    assertThat(profile.run().rootReason()).contains("binds port 80");
  }

  @Test
  void tmpIsAQuarterOfTheMemoryUnlessGivenAndNeverOverHalf() {
    AgentProfile byDefault = new ProfileLoader().load(new java.io.StringReader("name: a\n"
        + "base: none\nrun: {command: [/a]}\nvm: {memory: 256M}\n"), Path.of("claw.yaml"));
    AgentProfile given = new ProfileLoader().load(new java.io.StringReader("name: a\n"
        + "base: none\nrun: {command: [/a]}\nvm: {memory: 256M, tmp: 8M}\n"),
        Path.of("claw.yaml"));

    assertThat(byDefault.vm().tmpMib()).isEqualTo(64);
    assertThat(given.vm().tmpMib()).isEqualTo(8);
    assertError("name: a\nbase: none\nrun: {command: [/a]}\nvm: {memory: 64M, tmp: 40M}\n",
        "vm.tmp 40M is more than half of vm.memory (64M)", "use at most 32M");
  }

  @Test
  void relativeCommandIsRefused() {
    assertError("name: a\nbase: none\nrun: {command: [./bin/agent]}\n",
        "neither an absolute path nor a command name", "/app/agent");
  }

  @Test
  void groupWritableFileIsRefused() {
    assertError("name: a\nbase: none\nfiles: [{from: a, to: /a, mode: \"0775\"}]\n"
        + "run: {command: [/a]}\n", "lets others write the file", "write bits");
  }

  @Test
  void pathEscapingTheImageIsRefused() {
    assertError("name: a\nbase: none\nrun: {command: [/a], workdir: /app/../..}\n",
        "run.workdir '/app/../..' is not an absolute path inside the image", "/app");
  }

  @Test
  void brokenYamlNamesTheLine() {
    assertError("name: a\nbase: [none\n", "not valid YAML", "examples/hello");
  }

  @Test
  void wrongShapeIsExplained() {
    assertError("name: a\nbase: none\nrun: {command: /a}\n", "run.command must be a list",
        "[a, b]");
  }

  @Test
  void missingProfileSaysWhereClawLooked() {
    assertThatThrownBy(() -> new ProfileLoader().load(dir))
        .hasMessageContaining("no agent profile at " + dir.resolve("claw.yaml"));
  }

  private AgentProfile load(String yaml) throws Exception {
    Files.writeString(dir.resolve("claw.yaml"), yaml);
    return new ProfileLoader().load(dir);
  }

  @Test
  void aSeccompPolicyOutsideTheAgentsFolderIsRefused() {
    assertError("name: a\nbase: none\nseccomp: /etc/shadow\nrun: {command: [/a]}\n",
        "seccomp policy /etc/shadow is outside the agent's folder", "copy the policy into");
  }

  private void assertError(String yaml, String problem, String fix) {
    assertThatThrownBy(() -> load(yaml))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining(problem)
        .satisfies(e -> assertThat(((ClawException) e).fix()).contains(fix));
  }
}
