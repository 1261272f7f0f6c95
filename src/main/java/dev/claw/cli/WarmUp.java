package dev.claw.cli;

import dev.claw.fs.FileTree;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw.image.ImageFormat;
import dev.claw.image.Initramfs;
import dev.claw.profile.ProfileLoader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loads and runs once, on a second core, the code `claw run` needs next (the YAML reader, the
 * cpio writer, the JSON writer if timings are to be written, process spawning and file
 * attributes if a disk image is to be written) while the main thread is still busy parsing
 * the command line. On a cold JVM that code costs tens of milliseconds to load and interpret,
 * and every millisecond before the VMM starts is on the agent's launch-to-first-output path.
 */
final class WarmUp {
  private WarmUp() {}

  static void startFor(String[] args) {
    if (args.length == 0 || !args[0].equals("run")) {
      return;
    }
    boolean json = List.of(args).contains("--timings-json");
    boolean disk = diskFormat(args);
    Thread thread = new Thread(() -> run(json, disk), "claw-warm-up");
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether the run asks for a disk image ({@code --format ext4}, {@code --format=erofs}). */
  private static boolean diskFormat(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String value = args[i].startsWith("--format=") ? args[i].substring(9)
          : args[i].equals("--format") && i + 1 < args.length ? args[i + 1] : null;
      if (value != null && !value.equals("initramfs")) {
        return true;
      }
    }
    return false;
  }

  private static void run(boolean json, boolean disk) {
    try {
      new ProfileLoader().load(new StringReader("name: w\nbase: none\nrun: {command: [/w]}\n"),
          Path.of("/warm-up", ProfileLoader.FILE_NAME));
      Initramfs.write(new FileTree().file("/w", 0755, new byte[1]),
          OutputStream.nullOutputStream());
      if (disk) {
        ImageFormat.warmUpDiskWriters();
      }
      if (json) {
        new ObjectMapper().writeValueAsString(Map.of("w", 1));
      }
    } catch (IOException | RuntimeException e) {
      // Only a head start: the run itself loads whatever this did not.
    }
  }
}
