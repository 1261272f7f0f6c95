package dev.claw.cli;

import dev.claw.ClawException;
import dev.claw.fs.FileTree;
import dev.claw.guest.GuestInit;
import dev.claw.host.ClawDirs;
import dev.claw.image.ImageBuilder;
import dev.claw.image.ImageBuilder.BuiltImage;
import dev.claw.image.ImageFormat;
import dev.claw.image.LayerReport;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.ProfileLoader;
import dev.claw.rootfs.DebianRoot;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code claw build}: writes an agent's image in one format and prints its digest. */
@Command(name = "build", description = "Build an agent's image without running it.",
    mixinStandardHelpOptions = true)
final class BuildCommand implements Callable<Integer> {

  @Parameters(paramLabel = "AGENT", description = "A folder with a claw.yaml, or the file.")
  Path profile;

  @Option(names = {"-o", "--output"}, paramLabel = "PATH", required = true,
      description = "Where to write the image: a file, or a folder for oci.")
  Path output;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "initramfs",
      description = "initramfs (default), ext4, erofs or oci.")
  String format;

  @Option(names = "--explain",
      description = "Show what each layer brought: packages, files, bytes, and what was cut.")
  boolean explain;

  @Override
  public Integer call() throws IOException {
    ImageFormat imageFormat = ImageFormat.named(format);
    AgentProfile agent = new ProfileLoader().load(profile);
    ClawDirs dirs = ClawDirs.fromEnvironment();
    ConsoleEvents events = new ConsoleEvents(System.err, false);
    byte[] init = Files.readAllBytes(new GuestInit(dirs.cache("init"), events).binary());
    Path target = checkOutput(output.toAbsolutePath());

    ImageBuilder builder = new ImageBuilder(init, DebianRoot.forHost(dirs, events));
    BuiltImage image = builder.assemble(agent, List.of(), imageFormat.target());
    String digest = imageFormat.write(image, agent, target);
    if (explain) {
      explain(image, System.out);
    }
    System.out.println(digest + "  " + output);
    return 0;
  }

  private static Path checkOutput(Path target) {
    if (!Files.isDirectory(target.getParent())) {
      throw new ClawException("cannot write " + target + ": the folder " + target.getParent()
          + " does not exist", "create it first, or write the image elsewhere");
    }
    return target;
  }

  /** Per layer: its purpose, packages, and the files and bytes it puts in the image. */
  static void explain(BuiltImage image, PrintStream out) {
    Map<String, long[]> counts = new TreeMap<>();
    for (FileTree.Entry entry : image.tree().entries()) {
      long[] count = counts.computeIfAbsent(layerOf(entry), k -> new long[2]);
      count[0]++;
      count[1] += entry.size();
    }
    for (LayerReport.Layer layer : image.layers().layers()) {
      long[] count = counts.getOrDefault(layer.name(), new long[2]);
      out.printf("layer %s: %s%n", layer.name(), layer.purpose());
      out.printf("  %d packages, %d entries, %s; cut %d files (%s)%n", layer.packages().size(),
          count[0], size(count[1]), layer.droppedFiles(), size(layer.droppedBytes()));
      layer.packages().forEach(p -> out.println("    " + p));
    }
    for (String other : List.of(ImageBuilder.AGENT_LAYER, "claw")) {
      long[] count = counts.getOrDefault(other, new long[2]);
      out.printf("layer %s: %d entries, %s%n", other, count[0], size(count[1]));
    }
    image.layers().notes().forEach(note -> out.println("note: " + note));
    out.printf("total: %d entries, %s%n", image.tree().entries().size(),
        size(image.tree().contentBytes()));
  }

  /** claw's skeleton and guest parts carry no layer name. */
  private static String layerOf(FileTree.Entry entry) {
    return entry.layer().isEmpty() ? "claw" : entry.layer();
  }

  private static String size(long bytes) {
    return bytes >= 1 << 20 ? String.format("%.1f MiB", bytes / 1048576.0)
        : String.format("%.1f KiB", bytes / 1024.0);
  }
}
