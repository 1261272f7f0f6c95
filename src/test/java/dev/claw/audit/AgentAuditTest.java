package dev.claw.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.audit.AuditReport.Row;
import dev.claw.audit.AuditReport.Verdict;
import dev.claw.event.EventListener;
import dev.claw.host.ClawDirs;
import dev.claw.host.Exec;
import dev.claw.kernel.KernelBuilder;
import dev.claw.profile.ProfileLoader;
import dev.claw.testing.VmLeaks;
import dev.claw.vm.QemuMicrovm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** claw audit on the shipped examples, in real microVMs: every row that should hold does. */
class AgentAuditTest {
  private static final Path EXAMPLES = Path.of("examples").toAbsolutePath();

  @TempDir Path runtime;

  @BeforeAll
  static void buildExamplesAndKernel() throws Exception {
    assertThat(Exec.run(EXAMPLES, List.of("make", "-s")).ok()).as("make examples").isTrue();
    new KernelBuilder(ClawDirs.fromEnvironment().cache("kernel"), EventListener.IGNORE)
        .cachedOrBuild();
  }

  @AfterEach
  void noVmLeftBehind() throws IOException {
    VmLeaks.assertNoneLeft(runtime);
  }

  @Test
  void staticHelloHoldsEveryRowAndHasNoInterpreter() throws Exception {
    AuditReport report = audit("hello");
    Map<String, Row> rows = byCheck(report);

    assertCommonRowsHold(rows);
    assertThat(rows.get("interpreters").found()).isEqualTo("none");
    assertThat(rows.get("/tmp size").found()).isEqualTo("32 MiB");
  }

  @Test
  void pythonWordcountHoldsEveryRowAndNamesItsInterpreter() throws Exception {
    AuditReport report = audit("wordcount-py");
    Map<String, Row> rows = byCheck(report);

    assertCommonRowsHold(rows);
    assertThat(rows.get("interpreters").found()).contains("/usr/bin/python3");
    assertThat(rows.get("/tmp size").found()).isEqualTo("64 MiB");
    assertThat(report.table()).contains("uid / gid / groups").contains("python3");
    assertThat(report.json()).contains("\"agent\" : \"wordcount-py\"", "\"verdict\" : \"OK\"",
        "\"randomize_va_space\" : [ \"2\" ]");
  }

  private static void assertCommonRowsHold(Map<String, Row> rows) {
    assertThat(rows.get("uid / gid / groups")).isEqualTo(
        new Row("uid / gid / groups", "1000 / 1000 / none", Verdict.OK));
    assertThat(rows.get("capabilities (5 sets)").found()).isEqualTo("none");
    assertThat(rows.get("no_new_privs").found()).isEqualTo("yes");
    assertThat(rows.get("ASLR (randomize_va_space)").found()).isEqualTo("2 (full)");
    assertThat(rows.get("kernel pointers").verdict()).isEqualTo(Verdict.OK);
    assertThat(rows.get("other processes visible").found()).isEqualTo("0");
    assertThat(rows.get("/sys mounted").found()).isEqualTo("no");
    // Only /tmp (and the harmless character devices) can be written.
    assertThat(rows.get("writable").found()).startsWith("/tmp;");
    assertThat(rows.get("writable").verdict()).isEqualTo(Verdict.OK);
    assertThat(rows.get("setuid/setgid files").found()).isEqualTo("0");
    assertThat(rows.get("network interfaces (besides lo)").found()).isEqualTo("none");
    assertThat(rows.get("kernel base randomized").found()).startsWith("no: PVH boot");
  }

  private AuditReport audit(String example) throws IOException {
    ClawDirs dirs = new ClawDirs(ClawDirs.fromEnvironment().cache(), runtime);
    return new AgentAudit(dirs, new QemuMicrovm(), EventListener.IGNORE)
        .audit(new ProfileLoader().load(EXAMPLES.resolve(example)));
  }

  private static Map<String, Row> byCheck(AuditReport report) {
    return report.rows().stream().collect(Collectors.toMap(Row::check, Function.identity()));
  }

  @Test
  void probeTakesTheAgentsPlaceAndKeepsEverythingElse() {
    byte[] spec = "version=2\0arg=/usr/bin/python3\0arg=/app/a.py\0env=A=1\0cwd=/app\0uid=1000\0"
        .getBytes(StandardCharsets.UTF_8);

    assertThat(new String(AgentAudit.withCommand(spec, "/claw/probe"), StandardCharsets.UTF_8))
        .isEqualTo("version=2\0arg=/claw/probe\0env=A=1\0cwd=/app\0uid=1000\0");
  }
}
