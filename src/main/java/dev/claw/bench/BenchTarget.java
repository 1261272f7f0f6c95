package dev.claw.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claw.ClawException;
import dev.claw.event.EventListener;
import dev.claw.guest.GuestInit;
import dev.claw.guest.RunSpec;
import dev.claw.host.ClawDirs;
import dev.claw.host.Exec;
import dev.claw.image.ImageBuilder;
import dev.claw.image.ImageBuilder.BuiltImage;
import dev.claw.image.ImageFormat;
import dev.claw.profile.AgentProfile;
import dev.claw.rootfs.DebianRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one root filesystem every host-side mode runs: claw's OCI layout of the agent, unpacked
 * by umoci into a runtime bundle. runc runs the bundle; the native mode runs the agent's
 * command in the bundle's rootfs. The microVM modes build the same tree as an initramfs (plus
 * claw's init and run spec).
 */
record BenchTarget(Path bundle, RunSpec spec) {

  /** Writes and unpacks the layout under {@code work}. */
  static BenchTarget prepare(AgentProfile profile, ClawDirs dirs, EventListener events,
      Path work) throws IOException {
    byte[] init = Files.readAllBytes(new GuestInit(dirs.cache("init"), events).binary());
    ImageBuilder builder = profile.base().equals(AgentProfile.NO_BASE)
        ? new ImageBuilder(init) : new ImageBuilder(init, DebianRoot.forHost(dirs, events));
    BuiltImage image = builder.assemble(profile, List.of(), ImageBuilder.Target.CONTAINER);
    Path layout = work.resolve("layout");
    ImageFormat.OCI.write(image, profile, layout);
    Path bundle = work.resolve("bundle");
    tool("umoci", "unpack", "--image", layout + ":" + ociRef(profile), bundle.toString());
    noTerminal(bundle.resolve("config.json"));
    return new BenchTarget(bundle, image.spec());
  }

  private static String ociRef(AgentProfile profile) {
    return profile.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** umoci writes a bundle for an interactive shell; runc would then want a terminal. */
  private static void noTerminal(Path configJson) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode config = (ObjectNode) json.readTree(configJson.toFile());
    ((ObjectNode) config.get("process")).put("terminal", false);
    json.writeValue(configJson.toFile(), config);
  }

  Path rootfs() {
    return bundle.resolve("rootfs");
  }

  /**
   * The agent on the host: unshare(1) with no new namespace at all, only --root (chroot into
   * the unpacked root), --wd (the profile's working folder) and the agent's gid and uid
   * (--setgid also drops supplementary groups). That is the agent's own process with the same
   * files and ids as in the VM and the container, and nothing in between.
   */
  List<String> nativeCommand() {
    List<String> command = new ArrayList<>(List.of(tool("unshare"), "--root=" + rootfs(),
        "--wd=" + spec.cwd(), "--setgid=" + spec.gid(), "--setuid=" + spec.uid(), "--"));
    command.addAll(spec.argv());
    return command;
  }

  /** runc with a state folder of the bench's own, so no other runc user sees its containers. */
  List<String> runcCommand(Path state, String id) {
    return List.of(tool("runc"), "--root", state.toString(), "run", "--bundle",
        bundle.toString(), id);
  }

  private static String tool(String name) {
    return Exec.which(name).map(Path::toString).orElseThrow(() -> new ClawException(
        name + " is not installed; claw bench needs it for the native and runc modes",
        "run scripts/setup (it installs util-linux, runc and umoci)"));
  }

  private static void tool(String... command) throws IOException {
    List<String> line = new ArrayList<>(List.of(command));
    line.set(0, tool(command[0]));
    Exec.Result result = Exec.run(null, line);
    if (!result.ok()) {
      throw new ClawException(String.join(" ", command) + " failed: " + result.tail(5),
          "check that " + command[0] + " works here (scripts/setup installs it)");
    }
  }
}
