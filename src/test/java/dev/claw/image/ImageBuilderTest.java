package dev.claw.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import dev.claw.event.EventListener;
import dev.claw.guest.GuestInit;
import dev.claw.host.Sha256;
import dev.claw.profile.ProfileLoader;
import dev.claw.testing.TestAgents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageBuilderTest {
  @TempDir Path dir;

  @Test
  void sameProfileBuiltTwiceFromScratchGivesTheSameImage(@TempDir Path cacheA,
      @TempDir Path cacheB) throws Exception {
    profile("[/app/test-agent]", "");

    // Each build compiles claw's init afresh in its own cache: the whole chain is reproducible.
    String first = digest(new GuestInit(cacheA, EventListener.IGNORE).binary());
    String second = digest(new GuestInit(cacheB, EventListener.IGNORE).binary());

    assertThat(first).isEqualTo(second);
  }

  @Test
  void dynamicallyLinkedAgentWithoutABaseIsRefusedWithAFix() throws Exception {
    Files.copy(Path.of("/bin/true"), dir.resolve("test-agent"));
    profile("[/app/test-agent]", "");

    assertThatThrownBy(this::build)
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("needs /lib64/ld-linux-x86-64.so.2 (it is dynamically linked)")
        .hasMessageContaining("this profile has no base")
        .satisfies(e -> assertThat(((ClawException) e).fix()).contains("-static"));
  }

  @Test
  void agentWithoutExecuteBitIsRefusedWithAFix() throws Exception {
    profile("[/app/test-agent]", ", mode: \"0644\"");

    assertThatThrownBy(this::build)
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("/app/test-agent is not executable in the image (mode 644)")
        .satisfies(e -> assertThat(((ClawException) e).fix()).contains("chmod +x"));
  }

  @Test
  void commandThatIsNotInTheImageIsRefused() throws Exception {
    profile("[/app/elsewhere]", "");

    assertThatThrownBy(this::build).hasMessageContaining(
        "run.command /app/elsewhere is not a file in the image");
  }

  @Test
  void filesCannotReplaceClawsOwnParts() throws Exception {
    TestAgents.compile(dir);
    Files.writeString(dir.resolve("claw.yaml"), "name: t\nbase: none\nfiles:\n"
        + "  - {from: test-agent, to: /init}\nrun: {command: [/init]}\n");

    assertThatThrownBy(this::build).hasMessageContaining("/init is reserved for claw");
  }

  @Test
  void profileCannotCopyHostFilesFromOutsideItsFolder() throws Exception {
    TestAgents.compile(dir);
    Files.createSymbolicLink(dir.resolve("innocent"), Path.of("/etc/hostname"));
    Files.writeString(dir.resolve("claw.yaml"), "name: t\nbase: none\nfiles:\n"
        + "  - {from: test-agent, to: /app/test-agent}\n"
        + "  - {from: innocent, to: /app/secret}\n"
        + "  - {from: ../../etc/passwd, to: /app/passwd}\n"
        + "run: {command: [/app/test-agent]}\n");

    assertThatThrownBy(this::build)
        .hasMessageContaining("is outside the agent's folder")
        .hasMessageContaining("it leads to /etc/hostname");
  }

  @Test
  void fileForOneRunCannotClimbOutOfItsPath() throws Exception {
    profile("[/app/test-agent]", "");

    assertThatThrownBy(() -> buildWithFileAt("/input/../init"))
        .hasMessageContaining("/input/../init is not an absolute path inside the image");
  }

  @Test
  void fileCannotStandWhereAFolderOfAnotherFileIs() throws Exception {
    profile("[/app/test-agent]", "");

    assertThatThrownBy(() -> buildWithFileAt("/app/test-agent/x"))
        .hasMessageContaining("/app/test-agent is a file, so nothing can go inside it");
  }

  @Test
  void unknownBasesAreRefused() throws Exception {
    profile("[/app/test-agent]", "");
    Path yaml = dir.resolve("claw.yaml");
    Files.writeString(yaml, Files.readString(yaml).replace("base: none", "base: alpine"));

    assertThatThrownBy(this::build).hasMessageContaining("base 'alpine' is not available");
  }

  @Test
  void layersNeedABase() throws Exception {
    profile("[/app/test-agent]", "");
    Path yaml = dir.resolve("claw.yaml");
    Files.writeString(yaml, Files.readString(yaml).replace("base: none",
        "base: none\nlayers: [python]"));

    assertThatThrownBy(this::build).hasMessageContaining("need a base");
  }

  private String digest(Path init) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Initramfs.write(new ImageBuilder(Files.readAllBytes(init))
        .build(new ProfileLoader().load(dir), List.of()), out);
    return Sha256.of(out.toByteArray());
  }

  /** Builds the profile with one file given for the run, as --file would, at {@code to}. */
  private void buildWithFileAt(String to) throws IOException {
    new ImageBuilder(new byte[] {0}).build(new ProfileLoader().load(dir),
        List.of(new ImageBuilder.ExtraFile(dir.resolve("claw.yaml"), to)));
  }

  private void build() throws IOException {
    new ImageBuilder(new byte[] {0}).build(new ProfileLoader().load(dir), List.of());
  }

  private void profile(String command, String fileExtra) throws Exception {
    if (!Files.exists(dir.resolve("test-agent"))) {
      TestAgents.compile(dir);
    }
    Files.writeString(dir.resolve("claw.yaml"), "name: t\nbase: none\nfiles:\n"
        + "  - {from: test-agent, to: /app/test-agent" + fileExtra + "}\n"
        + "run: {command: " + command + "}\n");
  }
}
