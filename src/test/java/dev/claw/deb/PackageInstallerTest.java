package dev.claw.deb;

import static dev.claw.deb.TestDeb.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import dev.claw.fs.FileTree;
import dev.claw.fs.FileTree.Entry;
import dev.claw.fs.FileTree.Type;
import dev.claw.host.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PackageInstallerTest {
  /**
   * Pins every path, kind, mode, owner, link, layer and content digest of the tree that the
   * fixed packages below give. If this changes, images change: it must be on purpose.
   */
  private static final String GOLDEN_SHA256 =
      "46e0a3a8332abd80259f889b77da6158c320393702c20ce72be1c93b91eb1e2a";

  private final FileTree tree = new FileTree();
  private final InstallReport report = new InstallReport();
  private final PackageInstaller installer = new PackageInstaller(tree, report);

  /** A package with every kind of entry a real one has, in the old and merged layouts. */
  static TestDeb tools() {
    return TestDeb.named("tools")
        .script("postinst", "#!/bin/sh\nldconfig\n")
        .script("prerm", "#!/bin/sh\n")
        .dir("./", 0755)
        .dir("./bin/", 0755)
        .file("./bin/tool", 0755, "#!tool")
        .dir("./sbin/", 0755)
        .file("./sbin/admin", 0700, "#!admin")
        .dir("./lib/", 0755)
        .dir("./lib/x86_64-linux-gnu/", 0755)
        .file("./lib/x86_64-linux-gnu/libtool.so.1", 0644, "ELF tool library")
        .dir("./lib64/", 0755)
        .symlink("./lib64/ld-tool.so", "/lib/x86_64-linux-gnu/libtool.so.1")
        .dir("./usr/", 0755)
        .dir("./usr/bin/", 0755)
        .file("./usr/bin/helper", 0755, "#!helper")
        .hardlink("./usr/bin/helper-too", "./usr/bin/helper")
        .symlink("./usr/bin/t", "../../bin/tool")
        .file("./usr/bin/become", 04755, "#!setuid")
        .ownedFile("./usr/bin/wall", 02755, "root", 0, "tty", 5)
        .dir("./usr/share/", 0755)
        .dir("./usr/share/doc/", 0755)
        .dir("./usr/share/doc/tools/", 0755)
        .file("./usr/share/doc/tools/copyright", 0644, "Licence: MIT")
        .file("./usr/share/doc/tools/changelog.gz", 0644, "12345678")
        .dir("./usr/share/man/", 0755)
        .dir("./usr/share/man/man1/", 0755)
        .file("./usr/share/man/man1/tool.1.gz", 0644, "manual")
        .dir("./etc/", 0755)
        .file("./etc/tools.conf", 0644, "verbose=no")
        .dir("./var/lib/tools/", 0700)
        .dir("./tmp/", 01777);
  }

  @Test
  void installsFilesFoldersAndLinksUnderMergedUsr() {
    installer.install(tools().read(), "base", InstallPolicy.defaults());

    assertThat(tree.get("/bin").type()).isEqualTo(Type.SYMLINK);
    assertThat(tree.get("/bin").target()).isEqualTo("usr/bin");
    assertThat(tree.get("/sbin").target()).isEqualTo("usr/sbin");
    assertThat(tree.get("/lib").target()).isEqualTo("usr/lib");
    assertThat(tree.get("/lib64").target()).isEqualTo("usr/lib64");
    assertThat(tree.contains("/lib32")).isFalse();
    assertThat(text("/usr/bin/tool")).isEqualTo("#!tool");
    assertThat(tree.get("/usr/sbin/admin").mode()).isEqualTo(0700);
    assertThat(text("/usr/lib/x86_64-linux-gnu/libtool.so.1")).isEqualTo("ELF tool library");
    assertThat(tree.get("/usr/lib64/ld-tool.so").target())
        .isEqualTo("/lib/x86_64-linux-gnu/libtool.so.1");
    assertThat(tree.resolve("/lib64/ld-tool.so").orElseThrow().path())
        .isEqualTo("/usr/lib/x86_64-linux-gnu/libtool.so.1");
    assertThat(tree.get("/usr/bin/helper-too").type()).isEqualTo(Type.HARDLINK);
    assertThat(tree.get("/usr/bin/helper-too").target()).isEqualTo("/usr/bin/helper");
    assertThat(tree.get("/usr/bin/t").target()).isEqualTo("../../bin/tool");
    assertThat(tree.resolve("/usr/bin/t").orElseThrow().path()).isEqualTo("/usr/bin/tool");
    assertThat(tree.get("/var/lib/tools").mode()).isEqualTo(0700);
    assertThat(tree.get("/tmp").mode()).isEqualTo(01777);
    assertThat(tree.added()).allSatisfy(e -> assertThat(e.layer()).isEqualTo("base"));
  }

  @Test
  void stripsSetuidBitsAndReportsThemAndOwnersThatAreNotRoot() {
    installer.install(tools().read(), "base", InstallPolicy.defaults());

    assertThat(tree.get("/usr/bin/become").mode()).isEqualTo(0755);
    Entry wall = tree.get("/usr/bin/wall");
    assertThat(wall.mode()).isEqualTo(0755);
    assertThat(wall.gid()).isEqualTo(5);
    InstallReport.PackageReport tools = report.get("tools");
    assertThat(tools.setuidStripped()).containsExactly("/usr/bin/become (04755)",
        "/usr/bin/wall (02755)");
    assertThat(tools.ownersNotRoot()).containsExactly("/usr/bin/wall 0:5 (root:tty)");
  }

  @Test
  void thePolicyCanLetAFileKeepItsSetuidBit() {
    installer.install(tools().read(), "base", InstallPolicy.defaults()
        .keepSetuid("/usr/bin/become"));

    assertThat(tree.get("/usr/bin/become").mode()).isEqualTo(04755);
    assertThat(report.get("tools").setuidStripped()).containsExactly("/usr/bin/wall (02755)");
  }

  @Test
  void dropsDocumentationButKeepsCopyrightAndCreatesNoEmptiedFolders() {
    installer.install(tools().read(), "base", InstallPolicy.defaults());

    assertThat(text("/usr/share/doc/tools/copyright")).isEqualTo("Licence: MIT");
    assertThat(tree.contains("/usr/share/doc/tools/changelog.gz")).isFalse();
    assertThat(tree.contains("/usr/share/man")).isFalse();
    InstallReport.PackageReport tools = report.get("tools");
    assertThat(tools.filesDropped()).isEqualTo(2);
    assertThat(tools.bytesDropped()).isEqualTo("12345678".length() + "manual".length());
  }

  @Test
  void reportsWhatWasKeptPerPackageAndPerLayer() {
    installer.install(tools().read(), "base", InstallPolicy.defaults());
    installer.install(TestDeb.named("extra").file("./opt/extra", 0644, "12").read(), "extra",
        InstallPolicy.defaults());

    // Kept: 8 files with 72 bytes of content, a hard link and 2 symbolic links (claw's
    // merged-/usr links are not the package's).
    InstallReport.PackageReport tools = report.get("tools");
    assertThat(tools.filesKept()).isEqualTo(11);
    assertThat(tools.bytesKept()).isEqualTo(72);
    assertThat(tools.scriptsNotRun()).containsExactly("postinst", "prerm");
    assertThat(report.layers()).containsExactly(
        new InstallReport.LayerReport("base", 1, 11, 72, 2, 14),
        new InstallReport.LayerReport("extra", 1, 1, 2, 0, 0));
    assertThat(report.toLines()).contains(
        "layer extra: 1 package, 1 file (2 bytes) kept, 0 files (0 bytes) dropped",
        "  extra 1.0-1: 1 file (2 bytes) kept, 0 files (0 bytes) dropped",
        "    not run: postinst, prerm",
        "    setuid/setgid removed: /usr/bin/become (04755), /usr/bin/wall (02755)");
  }

  @Test
  void onlyKeepsTheNamedPathsAndTheFoldersThatHoldThem() {
    TestDeb baseFiles = TestDeb.named("base-files")
        .dir("./etc/", 0755)
        .symlink("./etc/os-release", "../usr/lib/os-release")
        .file("./etc/issue", 0644, "Debian")
        .dir("./tmp/", 01777)
        .dir("./bin/", 0755)
        .dir("./usr/lib/", 0755)
        .file("./usr/lib/os-release", 0644, "ID=debian")
        .file("./usr/share/doc/base-files/copyright", 0644, "GPL");

    installer.install(baseFiles.read(), "base", InstallPolicy.defaults()
        .only("base-files", "/etc/os-release", "/usr/lib/os-release"));

    assertThat(tree.entries()).extracting(Entry::path).containsExactly("/etc",
        "/etc/os-release", "/usr", "/usr/lib", "/usr/lib/os-release");
    assertThat(report.get("base-files").filesDropped()).isEqualTo(2);
  }

  @Test
  void anOnlyPatternWinsOverTheDefaultDropsButNotOverADrop() {
    TestDeb docs = TestDeb.named("docs")
        .file("./usr/share/doc/docs/README", 0644, "read me")
        .file("./usr/share/doc/docs/NEWS", 0644, "news")
        .file("./usr/share/doc/docs/TODO", 0644, "todo");

    installer.install(docs.read(), "base", InstallPolicy.defaults()
        .only("docs", "/usr/share/doc/docs/*").drop("docs", "/usr/share/doc/docs/TODO"));

    assertThat(tree.contains("/usr/share/doc/docs/README")).isTrue();
    assertThat(tree.contains("/usr/share/doc/docs/NEWS")).isTrue();
    assertThat(tree.contains("/usr/share/doc/docs/TODO")).isFalse();
  }

  @Test
  void dropPatternsApplyToOnePackageOrToAll() {
    InstallPolicy policy = InstallPolicy.defaults().drop("tools", "/usr/bin/helper*")
        .dropEverywhere("/etc/**");

    installer.install(tools().read(), "base", policy);
    installer.install(TestDeb.named("other").file("./etc/other.conf", 0644, "x")
        .file("./usr/bin/helper-other", 0755, "y").read(), "base", policy);

    assertThat(tree.contains("/usr/bin/helper")).isFalse();
    assertThat(tree.contains("/usr/bin/helper-too")).isFalse();
    assertThat(tree.contains("/usr/bin/helper-other")).isTrue();
    assertThat(tree.contains("/etc")).isFalse();
  }

  @Test
  void keepEverythingKeepsDocumentation() {
    installer.install(tools().read(), "base", InstallPolicy.keepEverything());

    assertThat(tree.contains("/usr/share/man/man1/tool.1.gz")).isTrue();
    assertThat(report.get("tools").filesDropped()).isZero();
  }

  @Test
  void aHardLinkToADroppedFileTakesTheFilesPlace() {
    TestDeb deb = TestDeb.named("linked")
        .file("./usr/share/doc/linked/README", 04755, "shared bytes")
        .hardlink("./usr/bin/readme", "./usr/share/doc/linked/README")
        .hardlink("./usr/bin/readme-again", "./usr/share/doc/linked/README");

    installer.install(deb.read(), "base", InstallPolicy.defaults());

    Entry readme = tree.get("/usr/bin/readme");
    assertThat(readme.type()).isEqualTo(Type.FILE);
    assertThat(readme.mode()).isEqualTo(0755);
    assertThat(text("/usr/bin/readme")).isEqualTo("shared bytes");
    assertThat(tree.get("/usr/bin/readme-again").target()).isEqualTo("/usr/bin/readme");
    assertThat(tree.contains("/usr/share/doc")).isFalse();
  }

  @Test
  void aPackagesOwnMergedFolderLinkIsTakenAsClaws() {
    TestDeb deb = TestDeb.named("usrmerge-style")
        .symlink("./bin", "usr/bin")
        .file("./usr/bin/sh", 0755, "#!sh");

    installer.install(deb.read(), "base", InstallPolicy.defaults());
    installer.install(TestDeb.named("old-style").file("./bin/ls", 0755, "#!ls").read(),
        "base", InstallPolicy.defaults());

    assertThat(tree.get("/bin").target()).isEqualTo("usr/bin");
    assertThat(tree.resolve("/bin/ls").orElseThrow().path()).isEqualTo("/usr/bin/ls");
  }

  @Test
  void installingTheSamePackagesInTheSameOrderGivesTheSameTree() {
    List<String> first = TreeSnapshot.of(goldenTree());
    List<String> second = TreeSnapshot.of(goldenTree());

    assertThat(second).isEqualTo(first);
  }

  @Test
  void fixedPackagesGiveTheGoldenTree() {
    assertThat(Sha256.of(ascii(TreeSnapshot.text(goldenTree())))).isEqualTo(GOLDEN_SHA256);
  }

  @Test
  void aPackageCannotBeInstalledTwice() {
    installer.install(tools().read(), "base", InstallPolicy.defaults());

    assertThatThrownBy(() -> installer.install(tools().version("2.0").read(), "other",
        InstallPolicy.defaults()))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("package tools is installed twice");
  }

  private static FileTree goldenTree() {
    FileTree tree = new FileTree();
    PackageInstaller installer = new PackageInstaller(tree, new InstallReport());
    installer.install(tools().read(), "base", InstallPolicy.defaults());
    installer.install(FinishTest.certificates().read(), "base", InstallPolicy.defaults());
    installer.install(TestDeb.named("app").compression("zst", "gz")
        .file("./opt/app/run", 0755, "#!run").read(), "app", InstallPolicy.defaults());
    installer.finish();
    return tree;
  }

  private String text(String path) {
    return new String(tree.get(path).content(), StandardCharsets.UTF_8);
  }
}
