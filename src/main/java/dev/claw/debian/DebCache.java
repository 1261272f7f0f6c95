package dev.claw.debian;

import dev.claw.ClawException;
import dev.claw.event.EventListener;
import dev.claw.host.Sha256;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The .deb files of locked packages, kept by content: {@code dir/sha256/<hex>.deb}. A file
 * gets there only after its size and SHA-256 matched claw.lock, by an atomic rename, so the
 * cache never holds a partial or unverified .deb under a real name; and every use hashes it
 * again, so a file damaged on disk is noticed and fetched anew.
 */
public final class DebCache {
  private final Path dir;
  private final EventListener events;
  private final Http http = Http.create();

  public DebCache(Path dir, EventListener events) {
    this.dir = dir;
    this.events = events;
  }

  /**
   * The verified .deb for {@code locked}, downloaded if it is not cached (or cached but
   * damaged).
   *
   * @throws ClawException if the mirror lacks the file or serves other bytes than the lock
   *     names; nothing is left behind
   */
  public Path fetch(LockedPackage locked) {
    Path target = path(locked);
    try {
      if (Files.isRegularFile(target)) {
        if (matches(target, locked)) {
          return target;
        }
        events.warn("the cached " + target.getFileName() + " (" + locked.name() + ") is"
            + " corrupt; downloading it again");
        Files.delete(target);
      }
      return download(locked, target);
    } catch (IOException e) {
      throw new ClawException("could not use the .deb cache in " + dir + ": " + e,
          "check that " + dir + " is writable and the disk has room", e);
    }
  }

  /** The verified .deb if it is cached; for building offline. */
  public Optional<Path> cached(LockedPackage locked) {
    Path target = path(locked);
    try {
      return Files.isRegularFile(target) && matches(target, locked)
          ? Optional.of(target) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private Path path(LockedPackage locked) {
    try {
      // The digest becomes a file name: it must be hex and nothing else.
      LockRules.checkSha256(locked.sha256());
      LockRules.checkFilename(locked.filename());
      LockRules.checkRepository(locked.repository());
    } catch (IllegalArgumentException e) {
      throw new ClawException("the locked package " + locked.name() + " is invalid: "
          + e.getMessage(), "delete claw.lock so that claw resolves the profile again");
    }
    return dir.resolve("sha256").resolve(locked.sha256() + ".deb");
  }

  private static boolean matches(Path file, LockedPackage locked) throws IOException {
    return Files.size(file) == locked.size() && Sha256.of(file).equals(locked.sha256());
  }

  private Path download(LockedPackage locked, Path target) throws IOException {
    Path folder = Files.createDirectories(target.getParent());
    Path partial = Files.createTempFile(folder, "." + locked.sha256(), ".partial");
    try {
      URI uri = URI.create(locked.url());
      events.progress("debian", "downloading " + locked.name() + " " + locked.version() + " ("
          + locked.size() / 1024 + " KiB)");
      Http.Download download = http.fetch(uri, partial, locked.size())
          .orElseThrow(() -> gone(locked, uri));
      if (download.size() != locked.size() || !download.sha256().equals(locked.sha256())) {
        throw new ClawException("the mirror served a .deb whose sha256 differs from claw.lock"
            + " for " + locked.name() + " " + locked.version() + ": " + uri + " has "
            + download.size() + " bytes and sha256 " + download.sha256() + ", the lock says "
            + locked.size() + " bytes and sha256 " + locked.sha256(),
            "do not use this mirror's file: try another mirror, or if Debian really rebuilt"
            + " the package, delete claw.lock so that claw resolves the profile again");
      }
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      return target;
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private static ClawException gone(LockedPackage locked, URI uri) {
    return new ClawException("the mirror no longer has " + locked.name() + " "
        + locked.version() + " (" + uri + ")", "Debian removes superseded versions from its"
        + " mirrors: delete claw.lock so that claw resolves the profile again, or point the"
        + " lock's repository at snapshot.debian.org");
  }
}
