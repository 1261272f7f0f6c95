package dev.claw.vm;

import dev.claw.host.PrivateDir;
import dev.claw.host.Trees;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * One folder per live VM under the runtime directory, holding its image, sockets and logs, and
 * two small records: which claw process owns it (and holds a lock on that record while it
 * lives), and which VMM process runs it. claw removes the folder when its VM is gone. If
 * claw is killed before it can (SIGKILL, power loss), the next claw sees an owner that is no
 * longer alive, kills the VMM if it still runs and removes the folder: that is how a killed
 * run's leftovers get reaped.
 */
public final class VmRegistry {
  private static final String OWNER = "owner";
  private static final String VMM = "vmm";
  private static final Duration CREATION_GRACE = Duration.ofMinutes(1);
  private static final Pattern VM_FOLDER =
      Pattern.compile("\\.?[a-z0-9][a-z0-9._-]*-[0-9a-f]{8}");

  private final Path vmsDir;
  private final SecureRandom random = new SecureRandom();
  private final Map<Path, FileChannel> ownerLocks = new ConcurrentHashMap<>();

  public VmRegistry(Path vmsDir) {
    this.vmsDir = vmsDir;
  }

  /** Creates the folder for a new VM named after its agent, owned by this process. */
  public Path create(String agentName) throws IOException {
    byte[] id = new byte[4];
    random.nextBytes(id);
    String name = agentName + "-" + HexFormat.of().formatHex(id);
    // Made under a hidden name and renamed once the owner is written, so a concurrent claw
    // reaping leftovers never sees this folder without its owner.
    Path hidden = PrivateDir.create(PrivateDir.ensure(vmsDir).resolve("." + name));
    FileChannel owner = FileChannel.open(hidden.resolve(OWNER), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
    owner.lock();
    owner.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n")
        .getBytes(StandardCharsets.UTF_8)));
    Path dir = Files.move(hidden, vmsDir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    ownerLocks.put(dir, owner);
    return dir;
  }

  /** Records the VMM's process, so a later claw can kill it if this one dies. */
  public void recordVmm(Path dir, VmProcess vm) throws IOException {
    write(dir.resolve(VMM), vm.handle());
  }

  /** Removes a VM's folder; the VM must already be gone. */
  public void release(Path dir) {
    Trees.deleteQuietly(dir);
    FileChannel owner = ownerLocks.remove(dir);
    if (owner != null) {
      try {
        owner.close();
      } catch (IOException e) {
        // Closing only drops the lock, which the folder's removal already made moot.
      }
    }
  }

  /**
   * Kills the VMs and removes the folders of claw processes that no longer exist.
   *
   * @return one line for each VM reaped, for the user to see
   */
  public List<String> reapLeftovers() throws IOException {
    return reapLeftovers(vmId -> false);
  }

  /**
   * Removes what a VM had outside its folder (its network, say), given the VM's id; called
   * for a dead owner's VM once its VMM is gone, before its folder is removed.
   */
  @FunctionalInterface
  public interface OutsideParts {
    /** Returns whether there was anything to remove. */
    boolean reap(String vmId);
  }

  /** {@link #reapLeftovers()}, removing each leftover VM's {@code outside} parts as well. */
  public List<String> reapLeftovers(OutsideParts outside) throws IOException {
    List<String> reaped = new ArrayList<>();
    if (!Files.isDirectory(vmsDir)) {
      return reaped;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(vmsDir)) {
      for (Path dir : dirs) {
        if (isVmFolder(dir) && !ownerAlive(dir) && !beingCreated(dir)) {
          boolean killed = killVmm(dir);
          boolean network = outside.reap(vmId(dir));
          Trees.deleteQuietly(dir);
          reaped.add(dir.getFileName() + (killed ? " (its VM was still running; killed)" : "")
              + (network ? " (its network removed)" : ""));
        }
      }
    }
    return reaped;
  }

  /** The random id that ends the name of a VM's folder ({@code agent-1a2b3c4d}). */
  public static String vmId(Path dir) {
    String name = dir.getFileName().toString();
    return name.substring(name.lastIndexOf('-') + 1);
  }

  /** Only folders claw made are touched: the right name, a real folder, an owner record. */
  private static boolean isVmFolder(Path dir) {
    return VM_FOLDER.matcher(dir.getFileName().toString()).matches()
        && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
        && Files.isRegularFile(dir.resolve(OWNER), LinkOption.NOFOLLOW_LINKS);
  }

  private static boolean beingCreated(Path dir) throws IOException {
    Instant modified = Files.getLastModifiedTime(dir).toInstant();
    return dir.getFileName().toString().startsWith(".")
        && modified.isAfter(Instant.now().minus(CREATION_GRACE));
  }

  /**
   * The owner holds a lock on its record for as long as it lives; the kernel drops it when the
   * owner dies, however it dies. Unlike pids and start times, that cannot be fooled by a
   * reused pid or a clock that was set back.
   */
  private static boolean ownerAlive(Path dir) {
    try (FileChannel owner = FileChannel.open(dir.resolve(OWNER), StandardOpenOption.WRITE)) {
      return owner.tryLock() == null;
    } catch (OverlappingFileLockException e) {
      return true;  // held by this very process
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean killVmm(Path dir) {
    Optional<ProcessHandle> vmm = read(dir.resolve(VMM));
    // The VMM's command line names files in this folder; a reused pid would not.
    if (vmm.isEmpty() || !commandLine(vmm.get().pid()).contains(dir.toString())) {
      return false;
    }
    vmm.get().destroyForcibly();
    vmm.get().onExit().join();
    return true;
  }

  private static String commandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline"));
      return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  /** A VMM record is "pid start-time"; the start time tells the VMM from a reused pid. */
  private static void write(Path file, ProcessHandle process) throws IOException {
    String start = process.info().startInstant().map(i -> String.valueOf(i.toEpochMilli()))
        .orElse("?");
    // Whole or not at all: a reaper or a test may read it the moment it appears.
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.writeString(partial, process.pid() + " " + start + "\n");
    Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The process a record names, if it is still the same process and alive. */
  private static Optional<ProcessHandle> read(Path file) {
    try {
      String[] fields = Files.readString(file).strip().split(" ");
      Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(fields[0]));
      return process.filter(ProcessHandle::isAlive).filter(p -> fields[1].equals(
          p.info().startInstant().map(i -> String.valueOf(i.toEpochMilli())).orElse("?")));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
