package dev.claw.deb;

import static dev.claw.deb.TestDeb.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;
import dev.claw.fs.FileTree;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Packages claw must refuse. Each refusal names the package and the entry, and leaves the tree
 * and the report exactly as they were, even when the bad entry comes after good ones.
 */
class HostilePackageTest {
  private final FileTree tree = new FileTree();
  private final InstallReport report = new InstallReport();
  private final PackageInstaller installer = new PackageInstaller(tree, report);
  private List<String> treeBefore;
  private List<String> reportBefore;

  @BeforeEach
  void installAGoodPackageFirst() {
    installer.install(TestDeb.named("good").dir("./etc/", 0755)
        .file("./etc/passwd", 0644, "root:x:0:0::/root:/bin/sh")
        .symlink("./opt/link", "/etc")
        .file("./usr/lib/x86_64-linux-gnu/libgood.so", 0644, "good").read(), "base",
        InstallPolicy.defaults());
    treeBefore = TreeSnapshot.of(tree);
    reportBefore = report.toLines();
  }

  /** A package that starts with harmless entries, so a refusal comes after some were read. */
  private static TestDeb evil() {
    return TestDeb.named("evil").dir("./usr/", 0755).dir("./usr/bin/", 0755)
        .file("./usr/bin/innocent", 0755, "#!fine").file("./bin/early", 0755, "#!fine");
  }

  static Stream<Arguments> hostileEntries() {
    String longName = "n".repeat(256);
    String deep = ("./" + "d".repeat(250) + "/").repeat(17) + "file";
    return Stream.of(
        Arguments.of("parent", evil().file("../etc/passwd", 0644, "x"),
            "entry ../etc/passwd: its name has a \"..\" component"),
        Arguments.of("absolute", evil().file("/abs/path", 0644, "x"),
            "entry /abs/path: its name is absolute"),
        Arguments.of("climbs", evil().file("./a/../../x", 0644, "x"),
            "entry ./a/../../x: its name has a \"..\" component"),
        Arguments.of("through own link", evil().symlink("./evil", "/")
            .file("./evil/etc/x", 0644, "x"),
            "entry ./evil/etc/x: /evil is a symbolic link (to /)"),
        Arguments.of("through other's link", evil().file("./opt/link/shadow", 0644, "x"),
            "entry ./opt/link/shadow: /opt/link is a symbolic link (to /etc), and nothing may"
                + " be written through a link (good 1.0-1 is there already)"),
        Arguments.of("overwrite", evil().file("./etc/passwd", 0644, "evil::0:0"),
            "entry ./etc/passwd: two entries for /etc/passwd"),
        Arguments.of("merged-usr twin", evil().file("./lib/x86_64-linux-gnu/libgood.so", 0644,
            "evil"), "entry ./lib/x86_64-linux-gnu/libgood.so (installed as"
            + " /usr/lib/x86_64-linux-gnu/libgood.so): two entries"),
        Arguments.of("char device", evil().special("./dev/mem", TarConstants.LF_CHR),
            "entry ./dev/mem: it is a character device"),
        Arguments.of("block device", evil().special("./dev/sda", TarConstants.LF_BLK),
            "entry ./dev/sda: it is a block device"),
        Arguments.of("fifo", evil().special("./run/pipe", TarConstants.LF_FIFO),
            "entry ./run/pipe: it is a named pipe (fifo)"),
        Arguments.of("unknown type", evil().special("./odd", (byte) 'Z'),
            "entry ./odd: it has tar type 'Z'"),
        Arguments.of("long name", evil().file("./usr/" + longName, 0644, "x"),
            "one of its names is 256 bytes long, more than the 255"),
        Arguments.of("long folder name", evil().dir("./opt/" + longName + "/", 0755),
            "entry ./opt/" + longName + "/: one of its names is 256 bytes long"),
        Arguments.of("long path", evil().file(deep, 0644, "x"),
            "bytes long, more than the 4095 an image can hold"),
        Arguments.of("stray hard link", evil().hardlink("./usr/bin/pw", "./etc/passwd"),
            "entry ./usr/bin/pw: it is a hard link to ./etc/passwd, which is not a regular"
                + " file earlier in the same package"),
        Arguments.of("merged folder elsewhere", evil().symlink("./lib", "/opt/lib"),
            "entry ./lib: it makes /lib a symbolic link, but with merged /usr /lib is a link"
                + " to usr/lib"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileEntries")
  void refusesTheWholePackage(String what, TestDeb deb, String why) {
    DebPackage read = deb.read();

    assertThatThrownBy(() -> installer.install(read, "base", InstallPolicy.defaults()))
        .isInstanceOf(ClawException.class)
        .hasMessageStartingWith("evil 1.0-1 (evil_1.0-1_amd64.deb) cannot be installed: ")
        .hasMessageContaining(why)
        .satisfies(e -> assertThat(((ClawException) e).fix())
            .contains("nothing of evil was installed"));
    assertUnchanged();
  }

  @Test
  void terminalControlsInANameAreShownAsEscapes() {
    DebPackage deb = evil().file("./\u001b]0;owned\u0007/../x", 0644, "x").read();

    assertThatThrownBy(() -> installer.install(deb, "base", InstallPolicy.defaults()))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("entry ./\\u001b]0;owned\\u0007/../x:")
        .hasMessageNotContaining("\u001b");
  }

  @Test
  void whatThePolicyDropsIsNoObstacle() {
    String longName = "n".repeat(300);
    TestDeb deb = evil().special("./dev/mem", TarConstants.LF_CHR)
        .dir("./usr/share/doc/evil/" + longName + "/", 0755)
        .file("./usr/share/doc/evil/" + longName + "/" + longName, 0644, "long");

    installer.install(deb.read(), "base", InstallPolicy.defaults().drop("evil", "/dev/**"));

    assertThat(tree.contains("/dev")).isFalse();
    assertThat(tree.contains("/usr/share/doc")).isFalse();
    assertThat(report.get("evil").filesDropped()).isEqualTo(2);
  }

  @Test
  void aFolderAlreadyWhereAMergedLinkMustGoIsExplained() {
    FileTree prepared = new FileTree().file("/bin/claw-tool", 0755, ascii("#!"));
    PackageInstaller late = new PackageInstaller(prepared, new InstallReport());
    List<String> before = TreeSnapshot.of(prepared);

    assertThatThrownBy(() -> late.install(evil().read(), "base", InstallPolicy.defaults()))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("with merged /usr, /bin must be a link to usr/bin")
        .satisfies(e -> assertThat(((ClawException) e).fix())
            .contains("install packages before adding other files"));
    assertThat(TreeSnapshot.of(prepared)).isEqualTo(before);
  }

  static Stream<Arguments> damagedPackages() {
    TestDeb deb = evil().file("./usr/bin/big", 0755, new byte[30_000])
        .file("./usr/bin/last", 0755, "last");
    byte[] whole = deb.build();
    byte[] data = deb.dataMember();
    return Stream.of(
        Arguments.of("data member cut short", (Supplier<byte[]>) () -> TestDeb.ar(List.of(
            Map.entry("debian-binary", ascii("2.0\n")),
            Map.entry("control.tar.xz", deb.controlMember()),
            Map.entry("data.tar.xz", Arrays.copyOf(data, data.length - 100)))),
            "data.tar.xz is damaged"),
        Arguments.of("ar cut short", (Supplier<byte[]>) () -> Arrays.copyOf(whole,
            whole.length - 100), "it ends inside its member data.tar.xz"),
        Arguments.of("bad debian-binary", (Supplier<byte[]>) () -> TestDeb.ar(List.of(
            Map.entry("debian-binary", ascii("2.0 with extras\n")),
            Map.entry("control.tar.xz", deb.controlMember()),
            Map.entry("data.tar.xz", data))), "format version (debian-binary)"),
        Arguments.of("no data member", (Supplier<byte[]>) () -> TestDeb.ar(List.of(
            Map.entry("debian-binary", ascii("2.0\n")),
            Map.entry("control.tar.xz", deb.controlMember()))), "no data.tar member"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("damagedPackages")
  void refusesADamagedPackage(String what, Supplier<byte[]> bytes, String why) {
    assertThatThrownBy(() -> installer.install(DebPackage.parse(bytes.get(), "evil.deb"),
        "base", InstallPolicy.defaults()))
        .isInstanceOf(ClawException.class)
        .hasMessageStartingWith("evil.deb is not a usable Debian package: ")
        .hasMessageContaining(why);
    assertUnchanged();
  }

  private void assertUnchanged() {
    assertThat(TreeSnapshot.of(tree)).isEqualTo(treeBefore);
    assertThat(report.toLines()).isEqualTo(reportBefore);
  }
}
