package dev.claw.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LayerLoaderTest {
  @TempDir Path agent;

  @ParameterizedTest
  @ValueSource(strings = {"base", "net", "curl", "json", "python", "shell", "debug"})
  void everyLayerClawShipsIsValid(String name) {
    LayerDefinition layer = new LayerLoader().load(name, agent);

    assertThat(layer.name()).isEqualTo(name);
    assertThat(layer.purpose()).isNotBlank().doesNotContain("\n");
    assertThat(layer.packages()).isNotEmpty();
  }

  @Test
  void baseKeepsOnlyTheIdentityOfBaseFiles() {
    LayerDefinition base = new LayerLoader().load("base", agent);

    assertThat(base.packages()).contains(new LayerDefinition.PackageRequest("base-files",
        List.of("/etc/os-release", "/usr/lib/os-release", "/etc/debian_version")));
    assertThat(base.exclude()).contains("openssl");
  }

  @Test
  void baseComesFirstThenTheProfilesOrder() throws IOException {
    AgentProfile profile = profile("layers: [json, python]");

    assertThat(new LayerLoader().layersOf(profile)).extracting(LayerDefinition::name)
        .containsExactly("base", "json", "python");
  }

  @Test
  void anAgentMayBringItsOwnLayer() throws IOException {
    write("layers/xml.yaml", "purpose: XML parsing.\npackages: [libxml2]\n");

    LayerDefinition xml = new LayerLoader().layersOf(profile("layers: [xml]")).get(1);

    assertThat(xml.packages()).extracting(LayerDefinition.PackageRequest::name)
        .containsExactly("libxml2");
    assertThat(xml.origin()).endsWith("layers/xml.yaml");
  }

  @Test
  void anAgentCannotShadowClawsLayers() throws IOException {
    write("layers/base.yaml", "purpose: A look-alike.\npackages: [busybox]\n");

    assertThatThrownBy(() -> new LayerLoader().load("base", agent))
        .hasMessageContaining("has the name of claw's own layer 'base'");
  }

  @Test
  void anAgentsLayerFileMustNotLeadOutOfItsFolder() throws IOException {
    Files.createDirectories(agent.resolve("layers"));
    Files.createSymbolicLink(agent.resolve("layers/secrets.yaml"), Path.of("/etc/passwd"));

    assertThatThrownBy(() -> new LayerLoader().load("secrets", agent))
        .hasMessageContaining("leads outside the agent's folder");
  }

  @Test
  void unknownLayersSayWhichExist() {
    assertThatThrownBy(() -> new LayerLoader().load("nodejs", agent))
        .hasMessageContaining("no layer called 'nodejs'")
        .asInstanceOf(InstanceOfAssertFactories.type(ClawException.class))
        .extracting(ClawException::fix).asString()
        .contains("base, net, curl, json, python, shell, debug");
  }

  @Test
  void layerFilesAreReadStrictly() {
    assertError("purpose: x\npackages: [a-b]\nkeep: [/x]\n", "unknown key 'keep'");
    assertError("packages: [libc6]\n", "'purpose' is missing");
    assertError("purpose: x\npackages: []\n", "lists no packages");
    assertError("purpose: x\npackages: [\"Bad Name\"]\n", "is not a Debian package name");
    assertError("purpose: x\npackages: [libc6]\ndrop: [usr/share]\n",
        "is not an absolute path glob");
    assertError("purpose: x\npackages: [libc6]\ndrop: [/usr/../etc]\n",
        "is not an absolute path glob");
    assertError("purpose: x\npackages: [{name: libc6, only: /x}]\n", "must be a list");
  }

  private void assertError(String yaml, String message) {
    assertThatThrownBy(() -> new LayerLoader().read(new StringReader(yaml), "t",
        Path.of("t.yaml"))).hasMessageContaining(message);
  }

  private AgentProfile profile(String layers) throws IOException {
    write("claw.yaml", "name: t\nbase: debian-12\n" + layers + "\nrun: {command: [/a]}\n");
    return new ProfileLoader().load(agent);
  }

  private void write(String name, String text) throws IOException {
    Path file = agent.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
