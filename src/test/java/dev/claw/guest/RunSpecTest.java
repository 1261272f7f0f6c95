package dev.claw.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunSpecTest {

  @Test
  void encodesTheRecordsInitExpectsInTheirOrder() {
    RunSpec spec = new RunSpec(List.of("/app/agent", "two words"), Map.of("B", "2", "A", "1"),
        "/app", 1000, 1001);

    assertThat(new String(spec.encode(), StandardCharsets.UTF_8)).isEqualTo(
        "version=2\0arg=/app/agent\0arg=two words\0env=A=1\0env=B=2\0cwd=/app\0"
            + "uid=1000\0gid=1001\0");
  }

  @Test
  void seccompRecordsComeLast() {
    RunSpec spec = new RunSpec(List.of("/a"), Map.of(), "/", 1000, 1000)
        .withSeccomp(new RunSpec.Seccomp("/claw/seccomp.bpf", RunSpec.Mode.LEARN));

    assertThat(new String(spec.encode(), StandardCharsets.UTF_8)).endsWith(
        "gid=1000\0seccomp=/claw/seccomp.bpf\0seccomp_mode=learn\0");
  }

  @Test
  void refusesRootAndRelativePrograms() {
    assertThatThrownBy(() -> new RunSpec(List.of("/a"), Map.of(), "/", 0, 1000))
        .hasMessageContaining("must not be root");
    assertThatThrownBy(() -> new RunSpec(List.of("a"), Map.of(), "/", 1000, 1000))
        .hasMessageContaining("absolute path");
  }

  @Test
  void refusesNulBytesThatWouldSplitARecord() {
    RunSpec spec = new RunSpec(List.of("/a", "x\0uid=0"), Map.of(), "/", 1000, 1000);

    assertThatThrownBy(spec::encode).hasMessageContaining("NUL");
  }
}
