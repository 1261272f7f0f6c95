package dev.claw.net;

import dev.claw.ClawException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hands out uplink slots ({@link NetworkLayout}) among every VM on the host, whichever runtime
 * folder its claw uses: the uplink addresses live in the host's one network namespace. A slot
 * is taken by creating the file {@code /run/claw-net/slots/N} (atomic: of two claws, one wins)
 * holding the VM's id, and freed when that VM's network is removed, including by the reaper
 * after a claw was killed. A slot whose VM never got as far as its namespace is taken back
 * after a minute.
 */
final class Slots {
  static final Path DIR = Path.of("/run/claw-net/slots");
  private static final long STALE_MILLIS = 60_000;

  private Slots() {}

  static int claim(String vmId) throws IOException {
    Files.createDirectories(DIR);
    for (int slot = 0; slot < NetworkLayout.SLOTS; slot++) {
      Path file = DIR.resolve(String.valueOf(slot));
      if (Files.exists(file) && stale(file)) {
        Files.deleteIfExists(file);
      }
      try {
        Files.writeString(Files.createFile(file), vmId + "\n");
        return slot;
      } catch (FileAlreadyExistsException e) {
        // Taken; try the next.
      }
    }
    throw new ClawException("all " + NetworkLayout.SLOTS + " network slots are taken by "
        + "running VMs", "wait for some agents to end");
  }

  /** Frees the slot of {@code vmId}, if it has one. */
  static void release(String vmId) {
    if (!Files.isDirectory(DIR)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(DIR)) {
      for (Path file : files) {
        if (owner(file).equals(vmId)) {
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException e) {
      // A slot left behind is taken back once it is stale.
    }
  }

  /** Old, and its VM has no namespace: its claw died before making one, or after removing it. */
  private static boolean stale(Path file) {
    try {
      long age = System.currentTimeMillis() - Files.getLastModifiedTime(file).toMillis();
      String vmId = owner(file);
      return age > STALE_MILLIS && vmId.matches("[0-9a-f]{8}")
          && !Files.exists(EgressNetwork.NETNS_DIR.resolve(NetworkLayout.namespaceOf(vmId)));
    } catch (IOException e) {
      return false;
    }
  }

  private static String owner(Path file) {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      return "";
    }
  }
}
