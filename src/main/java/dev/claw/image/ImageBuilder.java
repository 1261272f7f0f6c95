package dev.claw.image;

import dev.claw.fs.FileTree;
import dev.claw.ClawException;
import dev.claw.guest.RunSpec;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.AgentProfile.FileMapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Assembles an agent's initramfs from its profile: claw's init at {@code /init}, the run spec,
 * the agent's files, and the few nodes and folders init expects. Everything is owned by root
 * and not writable by the agent, which runs under its own uid; only {@code /tmp} (a tmpfs init
 * mounts) is writable.
 */
public final class ImageBuilder {
  private static final Set<String> RESERVED = Set.of("/init", "/claw", "/dev", "/proc", "/tmp",
      "/etc/passwd", "/etc/group");

  /** Files live in guest RAM (and in claw's memory while it builds the image). */
  static final long MAX_FILE_BYTES = 256L << 20;

  /** A file added for one run only, such as the agent's task ({@code --file host:guest}). */
  public record ExtraFile(Path from, String to) {}

  private final byte[] init;

  /** A builder that puts {@code init} (claw's compiled guest init) at /init. */
  public ImageBuilder(byte[] init) {
    this.init = init.clone();
  }

  /** Builds the image for {@code profile}, with {@code extras} added. */
  public FileTree build(AgentProfile profile, List<ExtraFile> extras) throws IOException {
    checkBase(profile);
    FileTree image = skeleton(profile);

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

    String workdir = profile.run().workdir();
    image.conflictAt(workdir, FileTree.Type.DIRECTORY).ifPresent(conflict -> {
      throw new ClawException("run.workdir " + workdir + " cannot be a folder: " + conflict,
          "point run.workdir at a folder, such as /app");
    });
    if (!image.contains(workdir)) {
      image.directory(workdir, 0755);
    } else if (image.get(workdir) != null
        && image.get(workdir).type() != FileTree.Type.DIRECTORY) {
      throw new ClawException("run.workdir " + workdir + " is a file in the image",
          "point run.workdir at a folder, such as /app");
    }

    new CommandCheck(profile, image).verify();
    image.file(RunSpec.PATH, 0644, spec(profile).encode());
    return image;
  }

  /** The run spec init will follow. */
  public static RunSpec spec(AgentProfile profile) {
    AgentProfile.RunSettings run = profile.run();
    return new RunSpec(run.command(), run.env(), run.workdir(), run.uid(), run.gid());
  }

  private static void checkBase(AgentProfile profile) {
    if (!profile.base().equals(AgentProfile.NO_BASE)) {
      // TODO(#3): Debian bases and layers built from pinned packages.
      throw new ClawException("base '" + profile.base() + "' is not available in this claw",
          "use base: none with a statically linked agent (musl-gcc -static ...)");
    }
    if (!profile.layers().isEmpty()) {
      throw new ClawException("layers " + profile.layers() + " need a base, and this profile "
          + "has none", "remove 'layers', or give the agent everything it needs in 'files'");
    }
  }

  private FileTree skeleton(AgentProfile profile) {
    int uid = profile.run().uid();
    int gid = profile.run().gid();
    // The kernel opens /dev/console for init's stdio before devtmpfs is mounted.
    return new FileTree()
        .file("/init", 0755, init)
        .directory("/claw", 0755)
        .directory("/dev", 0755)
        .charDevice("/dev/console", 0600, 5, 1)
        .directory("/proc", 0555)
        .directory("/tmp", 01777)
        .directory("/etc", 0755)
        .file("/etc/passwd", 0644, ascii("root:x:0:0:root:/root:/nonexistent\n"
            + "agent:x:" + uid + ":" + gid + ":claw agent:/tmp:/nonexistent\n"))
        .file("/etc/group", 0644, ascii("root:x:0:\nagent:x:" + gid + ":\n"));
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
    image.file(to, mode, Files.readAllBytes(mapping.from()));
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
