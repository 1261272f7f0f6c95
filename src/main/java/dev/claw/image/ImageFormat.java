package dev.claw.image;

import dev.claw.ClawException;
import dev.claw.host.Sha256;
import dev.claw.image.ImageBuilder.BuiltImage;
import dev.claw.image.oci.OciImageConfig;
import dev.claw.image.oci.OciLayout;
import dev.claw.profile.AgentProfile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The forms claw writes an agent's image in. Each is reproducible to the byte. */
public enum ImageFormat {
  /** A cpio archive the kernel unpacks into RAM: the fastest boot, for small images. */
  INITRAMFS(ImageBuilder.Target.MICROVM),
  /** An ext4 disk image, attached read-only: for images too large for RAM. */
  EXT4(ImageBuilder.Target.MICROVM),
  /** An erofs disk image, attached read-only: smaller than ext4, made to be read-only. */
  EROFS(ImageBuilder.Target.MICROVM),
  /** An OCI image layout (a folder), one image layer per claw layer, for container runtimes. */
  OCI(ImageBuilder.Target.CONTAINER);

  private final ImageBuilder.Target target;

  ImageFormat(ImageBuilder.Target target) {
    this.target = target;
  }

  /** Reads a format name as the command line gives it. */
  public static ImageFormat parse(String name) {
    for (ImageFormat format : values()) {
      if (format.name().equalsIgnoreCase(name)) {
        return format;
      }
    }
    throw new ClawException("unknown image format '" + name + "'",
        "use one of: initramfs, ext4, erofs, oci");
  }

  /** What the image is for: a microVM, or a container runtime. */
  public ImageBuilder.Target target() {
    return target;
  }

  /** Writes {@code image} to {@code out} in this format; returns its digest, "sha256:...". */
  public String write(BuiltImage image, AgentProfile profile, Path out) throws IOException {
    switch (this) {
      case INITRAMFS:
        Initramfs.writeTo(image.tree(), out);
        return "sha256:" + Sha256.of(out);
      case EXT4:
        Ext4Image.write(image.tree(), out);
        return "sha256:" + Sha256.of(out);
      case EROFS:
        ErofsImage.write(image.tree(), out);
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
