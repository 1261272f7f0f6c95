package dev.claw.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryRootTest {
  @TempDir Path dir;

  @Test
  void linksResolveInsideTheRootAsAfterChroot() throws Exception {
    Path root = Files.createDirectories(dir.resolve("root"));
    Path outside = Files.writeString(dir.resolve("secret"), "host secret");
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/secret"), "the root's own");
    // An absolute link, and a relative one that climbs above the root: both stay inside.
    Files.createSymbolicLink(root.resolve("abs"), outside);
    Files.createSymbolicLink(root.resolve("climb"), Path.of("../../../../secret"));
    Files.createSymbolicLink(root.resolve("etc/rel"), Path.of("../etc/secret"));
    Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));

    DirectoryRoot view = new DirectoryRoot(root, "root");
    assertThat(view.readResolved("/abs")).isEmpty();
    assertThat(view.readResolved("/climb")).isEmpty();
    assertThat(text(view.readResolved("/etc/rel").orElseThrow())).isEqualTo("the root's own");
    assertThat(view.readResolved("/loop")).isEmpty();
    Files.createSymbolicLink(root.resolve("etcdir"), Path.of("/etc"));
    assertThat(text(view.readResolved("/etcdir/secret").orElseThrow()))
        .isEqualTo("the root's own");
  }

  @Test
  void theWalkFollowsNoLinkAndChangesNothing() throws Exception {
    Path root = Files.createDirectories(dir.resolve("root"));
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    Files.writeString(elsewhere.resolve("big"), "x".repeat(1000));
    Files.createSymbolicLink(root.resolve("out"), elsewhere);
    Files.writeString(root.resolve("file"), "abc");
    Files.createLink(root.resolve("hardlink"), root.resolve("file"));
    long modified = Files.getLastModifiedTime(root).toMillis();

    List<RootView.Node> nodes = new DirectoryRoot(root, "root").nodes();
    assertThat(nodes).extracting(RootView.Node::path)
        .containsExactlyInAnyOrder("/out", "/file", "/hardlink");
    assertThat(nodes.stream().mapToLong(RootView.Node::size).sum()).isEqualTo(3);
    assertThat(Files.getLastModifiedTime(root).toMillis()).isEqualTo(modified);
  }

  @Test
  void installedPackagesComeFromAFullStatusFile() throws Exception {
    Path root = Files.createDirectories(dir.resolve("root/var/lib/dpkg")).getParent()
        .getParent().getParent();
    Files.writeString(root.resolve("var/lib/dpkg/status"), """
        Package: dash
        Status: install ok installed
        Version: 0.5.12-2
        Architecture: amd64

        Package: gone
        Status: deinstall ok config-files
        Version: 1.0-1
        Architecture: amd64
        """);
    List<InstalledPackage> packages = DpkgRecords.read(new DirectoryRoot(root, "r"), List.of());
    assertThat(packages).extracting(InstalledPackage::name).containsExactly("dash");
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
