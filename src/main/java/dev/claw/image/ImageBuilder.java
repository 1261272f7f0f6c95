package dev.claw.image;

import dev.claw.fs.FileTree;
import dev.claw.ClawException;
import dev.claw.guest.RunSpec;
import dev.claw.net.NetworkLayout;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.AgentProfile.FileMapping;
import dev.claw.seccomp.SeccompFilter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Assembles an agent's root filesystem from its profile: the packages of its base and layers,
 * the agent's files, and the few nodes and folders every image needs; for a microVM also
 * claw's init at {@code /init} and the run spec. Everything is owned by root and not writable
 * by the agent, which runs under its own uid; only {@code /tmp} (a tmpfs init mounts) is
 * writable.
 */
public final class ImageBuilder {
  // /claw-modules: init loads kernel modules from there, as root, before anything else runs.
  private static final Set<String> RESERVED = Set.of("/init", "/claw", "/claw-modules", "/dev",
      "/proc", "/tmp", "/etc/passwd", "/etc/group", "/etc/resolv.conf");

  /** Where a bare command name such as {@code python3} is looked up, in this order. */
  private static final List<String> PATH = List.of("/usr/local/bin", "/usr/bin", "/bin");

  /** Files live in guest RAM (and in claw's memory while it builds the image). */
  static final long MAX_FILE_BYTES = 256L << 20;

  /** The layer name of the agent's own files, last in every image. */
  public static final String AGENT_LAYER = "agent";

  /**
   * The layer name of claw's per-agent files (/etc/passwd with the agent's user, the folders
   * init mounts over). Kept apart so that a base layer is the same for every agent.
   */
  public static final String CLAW_LAYER = "claw";

  /** What the image is for: a microVM needs claw's init; a container runtime brings its own. */
  public enum Target { MICROVM, CONTAINER }

  /** A file added for one run only, such as the agent's task ({@code --file host:guest}). */
  public record ExtraFile(Path from, String to) {}

  /** An assembled image: its tree, the spec init follows, and what the layers brought. */
  public record BuiltImage(FileTree tree, RunSpec spec, LayerReport layers) {}

  private final byte[] init;
  private final PackageLayers packages;

  /** A builder for static agents only ({@code base: none}). */
  public ImageBuilder(byte[] init) {
    this(init, PackageLayers.NONE);
  }

  /** A builder that puts {@code init} at /init and installs layers with {@code packages}. */
  public ImageBuilder(byte[] init, PackageLayers packages) {
    this.init = init.clone();
    this.packages = packages;
  }

  /** Builds the microVM image for {@code profile}, with {@code extras} added. */
  public FileTree build(AgentProfile profile, List<ExtraFile> extras) throws IOException {
    return assemble(profile, extras, Target.MICROVM).tree();
  }

  /** Builds the image for {@code profile} for {@code target}. */
  public BuiltImage assemble(AgentProfile profile, List<ExtraFile> extras, Target target)
      throws IOException {
    checkBase(profile);
    FileTree image = skeleton(profile);
    LayerReport layers = profile.base().equals(AgentProfile.NO_BASE) ? LayerReport.EMPTY
        : packages.install(profile, image);

    for (FileMapping mapping : profile.files()) {
      // Read from the path that was checked, so a link swapped in afterwards changes nothing.
      Path checked = checkInsideAgentFolder(profile.directory(), mapping);
      addFile(image, new FileMapping(checked, mapping.to(), mapping.mode()));
    }
    for (ExtraFile extra : extras) {
      if (!Files.isRegularFile(extra.from())) {
        throw new ClawException("--file " + extra.from() + " is not a file",
            "check the host path before the ':'");
      }
      addFile(image, new FileMapping(extra.from().toAbsolutePath(), extra.to(), null));
    }
    addWorkdir(profile, image);

    RunSpec spec = spec(profile, image);
    new CommandCheck(profile, spec.argv().get(0), image).verify();
    if (target == Target.MICROVM) {
      spec = withSeccomp(spec, SeccompFilter.of(profile.seccomp()), image);
      addGuestParts(image, spec);
    }
    return new BuiltImage(image, spec, layers);
  }

  private static void addWorkdir(AgentProfile profile, FileTree image) {
    String workdir = profile.run().workdir();
    image.conflictAt(workdir, FileTree.Type.DIRECTORY).ifPresent(conflict -> {
      throw new ClawException("run.workdir " + workdir + " cannot be a folder: " + conflict,
          "point run.workdir at a folder, such as /app");
    });
    FileTree.Entry existing = image.resolve(workdir).orElse(null);
    if (existing == null) {
      image.put(FileTree.directoryEntry(workdir, 0755).inLayer(AGENT_LAYER));
    } else if (!existing.isDirectory()) {
      throw new ClawException("run.workdir " + workdir + " is a file in the image",
          "point run.workdir at a folder, such as /app");
    }
  }

  /** Where init finds the agent's seccomp filter. */
  public static final String SECCOMP_PATH = "/claw/seccomp.bpf";

  /** The filter goes next to the spec, root-owned like the rest of claw's parts. */
  private static RunSpec withSeccomp(RunSpec spec, SeccompFilter filter, FileTree image) {
    image.directory("/claw", 0755).file(SECCOMP_PATH, 0644, filter.program().bytes());
    RunSpec.Mode mode = filter.learning() ? RunSpec.Mode.LEARN : RunSpec.Mode.KILL;
    return spec.withSeccomp(new RunSpec.Seccomp(SECCOMP_PATH, mode));
  }

  /** claw's init, the spec it follows, and the console the kernel opens for it. */
  private void addGuestParts(FileTree image, RunSpec spec) {
    // The kernel opens /dev/console for init's stdio before devtmpfs is mounted.
    image.file("/init", 0755, init)
        .file(RunSpec.PATH, 0644, spec.encode())
        .charDevice("/dev/console", 0600, 5, 1);
  }

  /** The run spec init will follow, with a bare command name found on the image's PATH. */
  static RunSpec spec(AgentProfile profile, FileTree image) {
    AgentProfile.RunSettings run = profile.run();
    List<String> command = new ArrayList<>(run.command());
    command.set(0, onPath(command.get(0), image));
    return new RunSpec(command, run.env(), run.workdir(), run.uid(), run.gid(),
        profile.vm().tmpMib() << 20, run.rootReason(), Optional.empty());
  }

  /**
   * claw's init starts the agent with execve, which searches no PATH: a bare name such as
   * {@code python3} is resolved here, once, and the image says exactly what runs.
   */
  private static String onPath(String command, FileTree image) {
    if (command.startsWith("/")) {
      return command;
    }
    for (String dir : PATH) {
      String candidate = dir + "/" + command;
      if (image.resolve(candidate).filter(e -> !e.isDirectory()).isPresent()) {
        return candidate;
      }
    }
    throw new ClawException("run.command " + command + " is not on the image's PATH ("
        + String.join(":", PATH) + ")", "add the layer that brings it, or give its full path");
  }

  private static void checkBase(AgentProfile profile) {
    if (!AgentProfile.BASES.contains(profile.base())) {
      throw new ClawException("base '" + profile.base() + "' is not available in this claw",
          "use base: debian-12, or base: none with a statically linked agent");
    }
    if (profile.base().equals(AgentProfile.NO_BASE) && !profile.layers().isEmpty()) {
      throw new ClawException("layers " + profile.layers() + " need a base, and this profile "
          + "has none", "add base: debian-12, or give the agent everything it needs in 'files'");
    }
  }

  private FileTree skeleton(AgentProfile profile) {
    int uid = profile.run().uid();
    int gid = profile.run().gid();
    FileTree tree = new FileTree();
    tree.put(FileTree.directoryEntry("/dev", 0755).inLayer(CLAW_LAYER));
    tree.put(FileTree.directoryEntry("/proc", 0555).inLayer(CLAW_LAYER));
    tree.put(FileTree.directoryEntry("/tmp", 01777).inLayer(CLAW_LAYER));
    tree.put(FileTree.directoryEntry("/etc", 0755).inLayer(CLAW_LAYER));
    tree.put(FileTree.fileEntry("/etc/passwd", 0644, ascii("root:x:0:0:root:/root:/nonexistent\n"
        + "agent:x:" + uid + ":" + gid + ":claw agent:/tmp:/nonexistent\n")).inLayer(CLAW_LAYER));
    tree.put(FileTree.fileEntry("/etc/group", 0644, ascii("root:x:0:\nagent:x:" + gid + ":\n"))
        .inLayer(CLAW_LAYER));
    if (profile.network().isPresent()) {
      // The guest's resolver is its gateway, the same address in every VM; the host sends
      // what arrives there to the VM's own DNS responder.
      tree.put(FileTree.fileEntry("/etc/resolv.conf", 0644,
          ascii(NetworkLayout.resolvConf())).inLayer(CLAW_LAYER));
    }
    return tree;
  }

  /**
   * A profile may come from the agent's author, who should not be able to copy the host's
   * files (keys, /etc/shadow) into an image the agent can read: its files must resolve, links
   * followed, to somewhere inside its own folder. Files named on the command line are the
   * user's own choice and may come from anywhere.
   */
  private static Path checkInsideAgentFolder(Path folder, FileMapping mapping)
      throws IOException {
    Path real = Files.exists(mapping.from()) ? mapping.from().toRealPath() : mapping.from();
    if (!real.startsWith(folder.toRealPath())) {
      throw new ClawException("'" + mapping.from() + "' (for " + mapping.to() + ") is outside "
          + "the agent's folder " + folder + (real.equals(mapping.from()) ? ""
              : " (it leads to " + real + ")"),
          "copy the file into the agent's folder, or hand it to one run with --file");
    }
    return real;
  }

  private static void addFile(FileTree image, FileMapping mapping) throws IOException {
    String to = checkTarget(image, mapping.to());
    checkSource(mapping);

    int mode = mapping.mode() != null ? mapping.mode()
        : Files.isExecutable(mapping.from()) ? 0755 : 0644;
    image.put(FileTree.fileEntry(to, mode, Files.readAllBytes(mapping.from()))
        .inLayer(AGENT_LAYER));
  }

  /** Where a file may go: inside the image, clear of claw's own parts and of other files. */
  private static String checkTarget(FileTree image, String target) {
    if (!target.startsWith("/") || List.of(target.split("/")).contains("..")) {
      throw new ClawException(target + " is not an absolute path inside the image",
          "write it like /input/task.json");
    }

    // "/./init" and "//init" are /init: compare what the kernel will unpack.
    String to = Path.of(target).normalize().toString();
    for (String reserved : RESERVED) {
      if (to.equals(reserved) || to.startsWith(reserved + "/")) {
        throw new ClawException(target + " is reserved for claw inside the image",
            "put the agent's files elsewhere, for example under /app");
      }
    }

    if (image.contains(to)) {
      throw new ClawException("two files are mapped to " + to,
          "give each file its own path in the image");
    }
    image.conflictAt(to, FileTree.Type.FILE).ifPresent(conflict -> {
      throw new ClawException("cannot put a file at " + to + ": " + conflict,
          "give the files paths that do not overlap");
    });
    return to;
  }

  /** What may be copied in: a regular file, small enough to live in guest memory. */
  private static void checkSource(FileMapping mapping) throws IOException {
    Path from = mapping.from();
    if (!Files.isRegularFile(from)) {
      throw new ClawException("'" + from + "' (for " + mapping.to() + ") is not a file",
          Files.exists(from) ? "list the files inside that folder one by one"
              : "build it first, or fix the 'from' path");
    }

    long size = Files.size(from);
    if (size > MAX_FILE_BYTES) {
      throw new ClawException(from + " is " + size / (1 << 20) + " MiB; an initramfs holds "
          + "every file in the guest's memory, so claw takes at most "
          + MAX_FILE_BYTES / (1 << 20) + " MiB per file",
          "make the file smaller, or leave it out of the image");
    }
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
