package dev.claw.host;

import dev.claw.ClawException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A folder only this user can use. claw keeps VM images, sockets and pid records in such
 * folders and deletes what it finds there, so a folder that someone else owns or can write to,
 * or a symbolic link planted in its place, would let that someone read an agent's inputs, swap
 * its image or make claw delete their choice of files.
 */
public final class PrivateDir {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");

  private PrivateDir() {}

  /** Creates {@code dir} (mode 0700) if missing, and checks it is safe either way. */
  public static Path ensure(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(dir.getParent());
      try {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } catch (FileAlreadyExistsException e) {
        // Made by a concurrent claw in the meantime: checked below like any other.
      }
    }
    check(dir);
    return dir;
  }

  /** Creates a new private folder; fails if it exists. */
  public static Path create(Path dir) throws IOException {
    return Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
  }

  private static void check(Path dir) throws IOException {
    if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw unsafe(dir, "is not a plain folder (a symbolic link or a file is in its place)");
    }
    int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    if (owner != currentUid()) {
      throw unsafe(dir, "belongs to uid " + owner + ", not to you");
    }
    Set<PosixFilePermission> modes = Files.getPosixFilePermissions(dir,
        LinkOption.NOFOLLOW_LINKS);
    if (modes.contains(PosixFilePermission.GROUP_WRITE)
        || modes.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw unsafe(dir, "can be written by others (" + PosixFilePermissions.toString(modes)
          + ")");
    }
  }

  private static ClawException unsafe(Path dir, String why) {
    return new ClawException("claw's folder " + dir + " " + why,
        "remove it, or set CLAW_RUNTIME (or CLAW_CACHE) to a folder that only you own");
  }

  static int currentUid() throws IOException {
    return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
  }
}
