package dev.claw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.event.EventListener;
import dev.claw.host.ClawDirs;
import dev.claw.scan.ScanReport;
import dev.claw.scan.Scanner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** claw scan and claw diff on real Debian images, built as claw build builds them. */
class ScanCommandTest {
  private static final Path REPO = Path.of(System.getProperty("claw.repo", "."));

  @TempDir Path work;

  @Test
  void theExampleGivesValidSbomsThatAreTheSameBytesTwice() throws Exception {
    // A copy, so that the lock the build writes stays out of the repository.
    Path agent = Files.createDirectories(work.resolve("wordcount-py"));
    for (String file : new String[] {"claw.yaml", "agent.py"}) {
      Files.copy(REPO.resolve("examples/wordcount-py").resolve(file), agent.resolve(file));
    }
    ClawDirs dirs = ClawDirs.fromEnvironment();
    Scanner scanner = ScanCommand.scanner(dirs, EventListener.IGNORE, true);

    ScanReport first = scan(scanner, agent.toString(), dirs);
    ScanReport second = scan(scanner, agent.toString(), dirs);
    byte[] bom = first.sbom(Instant.EPOCH).cycloneDx();
    byte[] spdx = first.sbom(Instant.EPOCH).spdx();

    assertThat(new JsonParser().validate(bom, Version.VERSION_15)).isEmpty();
    assertThat(dev.claw.scan.SbomSchemas.validateSpdx(spdx)).isEmpty();
    assertThat(second.sbom(Instant.EPOCH).cycloneDx()).isEqualTo(bom);
    assertThat(second.sbom(Instant.EPOCH).spdx()).isEqualTo(spdx);
    assertThat(new String(bom, StandardCharsets.UTF_8))
        .contains("pkg:deb/debian/python3.11-minimal@").contains("\"alg\" : \"SHA-256\"");
    assertThat(first.surface().total().interpreters()).contains("/usr/bin/python3.11");
  }

  @Test
  void diffShowsWhatTheNetworkLayerAdds() throws Exception {
    ClawDirs dirs = ClawDirs.fromEnvironment();
    Scanner scanner = ScanCommand.scanner(dirs, EventListener.IGNORE, true);
    ScanReport base = scan(scanner, "base", dirs);
    ScanReport net = scan(scanner, "base+net", dirs);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DiffCommand.print(base, net, new PrintStream(out, true, StandardCharsets.UTF_8));
    String table = out.toString(StandardCharsets.UTF_8);

    assertThat(base.surface().total().tls()).isEmpty();
    assertThat(net.surface().total().tls()).contains("/usr/lib/x86_64-linux-gnu/libssl.so.3");
    assertThat(table).containsPattern("ELF that can do TLS +0 +1 +\\+1\n")
        .contains("packages added: libssl3 ").contains("netbase ");
    assertThat(net.packages().size() - base.packages().size()).isEqualTo(2);
    assertThat(net.surface().total().bytes()).isGreaterThan(base.surface().total().bytes());
  }

  private static ScanReport scan(Scanner scanner, String what, ClawDirs dirs)
      throws Exception {
    ScanTargets.Target target = ScanTargets.of(what, dirs, EventListener.IGNORE);
    return scanner.scan(target.name(), target.root(), target.lock());
  }
}
