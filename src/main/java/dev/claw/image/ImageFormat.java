package dev.claw.image;

import dev.claw.ClawException;
import dev.claw.fs.FileTree;
import dev.claw.host.Exec;
import dev.claw.host.Sha256;
import dev.claw.image.ImageBuilder.BuiltImage;
import dev.claw.image.oci.OciImageConfig;
import dev.claw.image.oci.OciLayout;
import dev.claw.profile.AgentProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The forms claw writes an agent's image in, each reproducible to the byte. For a microVM: an
 * initramfs is unpacked into guest memory before init runs, the fastest to boot, but every
 * byte of the image costs guest RAM for the whole run; a disk image is read on demand from a
 * read-only virtio disk, so images larger than the guest's memory boot too, and claw's init
 * mounts it as the root. For container runtimes: an OCI image layout.
 */
public enum ImageFormat {
  /** The whole root in guest memory (the default). */
  INITRAMFS(ImageBuilder.Target.MICROVM, null),
  /** An ext4 disk image, mounted read-only. */
  EXT4(ImageBuilder.Target.MICROVM, "ext4"),
  /** An EROFS disk image: made to be read-only, and smaller than ext4 for the same tree. */
  EROFS(ImageBuilder.Target.MICROVM, "erofs"),
  /** An OCI image layout (a folder), one image layer per claw layer, for container runtimes. */
  OCI(ImageBuilder.Target.CONTAINER, null);

  private final ImageBuilder.Target target;
  private final String filesystem;

  ImageFormat(ImageBuilder.Target target, String filesystem) {
    this.target = target;
    this.filesystem = filesystem;
  }

  /** The format named on the command line ({@code initramfs}, {@code ext4}, ...). */
  public static ImageFormat named(String name) {
    return named(name, List.of(values()));
  }

  /** The format named on the command line, which must be one for {@code target}. */
  public static ImageFormat named(String name, ImageBuilder.Target target) {
    List<ImageFormat> forTarget = new ArrayList<>();
    for (ImageFormat format : values()) {
      if (format.target == target) {
        forTarget.add(format);
      }
    }
    return named(name, forTarget);
  }

  private static ImageFormat named(String name, List<ImageFormat> allowed) {
    for (ImageFormat format : allowed) {
      if (format.cliName().equals(name.strip().toLowerCase(Locale.ROOT))) {
        return format;
      }
    }
    List<String> names = new ArrayList<>();
    allowed.forEach(format -> names.add(format.cliName()));
    String last = names.remove(names.size() - 1);
    throw new ClawException("--format " + name + " is not an image format claw "
        + (allowed.size() == values().length ? "writes" : "boots"),
        "use " + String.join(", ", names) + " or " + last);
  }

  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** What the image is for: a microVM, or a container runtime. */
  public ImageBuilder.Target target() {
    return target;
  }

  /** Whether the root is a disk image rather than the initramfs. */
  public boolean isDisk() {
    return filesystem != null;
  }

  /** The disk's filesystem type as the guest kernel names it; only for disk formats. */
  public String filesystem() {
    if (!isDisk()) {
      throw new IllegalStateException(this + " is not a disk format");
    }
    return filesystem;
  }

  /**
   * Does once, without writing anything, what first costs a cold JVM tens of milliseconds
   * each when a disk image is written: spawning a process, and the unix attribute views that
   * stage owners and modes. For a warm-up thread; the writers work without it.
   */
  public static void warmUpDiskWriters() throws IOException {
    Files.readAttributes(Path.of("/"), "unix:*", LinkOption.NOFOLLOW_LINKS);
    Optional<Path> noop = Exec.which("true");
    if (noop.isPresent()) {
      Exec.run(null, List.of(noop.get().toString()));
    }
  }

  /** Writes {@code tree} as a disk image of this format at {@code out}. */
  public void writeDisk(FileTree tree, Path out) throws IOException {
    switch (this) {
      case EXT4:
        Ext4Image.write(tree, out);
        break;
      case EROFS:
        ErofsImage.write(tree, out);
        break;
      default:
        throw new IllegalStateException(this + " is not a disk format");
    }
  }

  /** Writes {@code image} to {@code out} in this format; returns its digest, "sha256:...". */
  public String write(BuiltImage image, AgentProfile profile, Path out) throws IOException {
    switch (this) {
      case INITRAMFS:
        Initramfs.writeTo(image.tree(), out);
        return "sha256:" + Sha256.of(out);
      case EXT4:
      case EROFS:
        writeDisk(image.tree(), out);
        return "sha256:" + Sha256.of(out);
      case OCI:
        return OciLayout.write(image.tree(), layerOrder(image), ociConfig(image, profile), out);
      default:
        throw new IllegalStateException("no writer for " + this);
    }
  }

  /** One image layer per claw layer, then the agent's files, then claw's per-agent files. */
  private static List<String> layerOrder(BuiltImage image) {
    List<String> order = new ArrayList<>();
    image.layers().layers().forEach(layer -> order.add(layer.name()));
    order.add(ImageBuilder.AGENT_LAYER);
    order.add(ImageBuilder.CLAW_LAYER);
    return order;
  }

  private static OciImageConfig ociConfig(BuiltImage image, AgentProfile profile) {
    List<String> env = new ArrayList<>();
    image.spec().env().forEach((name, value) -> env.add(name + "=" + value));
    return new OciImageConfig(image.spec().argv(), env, image.spec().cwd(),
        image.spec().uid() + ":" + image.spec().gid(),
        profile.name().toLowerCase(Locale.ROOT));
  }
}
