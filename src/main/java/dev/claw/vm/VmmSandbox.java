package dev.claw.vm;

import dev.claw.ClawException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Confines the VMM on the host, so that a guest that breaks out of the VM lands in a process
 * with as little power as claw can give it:
 *
 * <ul>
 *   <li>QEMU's own seccomp filter ({@link #seccompOptions}), always;
 *   <li>resource limits: files it may write, open files, address space, no core dumps, always;
 *   <li>when claw runs as root: private mount, PID, IPC and UTS namespaces whose root holds only
 *       {@code /usr}, three device nodes, {@code /dev/kvm} and the VM's own files, and an
 *       unprivileged uid ({@code claw-vmm} if that user exists, else {@code nobody}) with no
 *       capabilities, no supplementary groups and no_new_privs (src/main/resources
 *       dev/claw/vm/vmm-jail.sh does the work).
 * </ul>
 *
 * <p>What cannot be applied on this host is said in {@link Launch#notApplied}, never skipped
 * silently. The parent-death guarantee holds on both paths: setpriv gives the launcher
 * {@code --pdeathsig KILL}; in the jail, {@code unshare --kill-child} passes it on to the
 * namespace's first process, and the jail's setpriv sets it again after the uid change (which
 * clears it).
 */
final class VmmSandbox {
  /**
   * QEMU's seccomp filter. obsolete: old syscalls QEMU never needs. elevateprivileges: no
   * setuid and friends. spawn: no fork or exec, so a compromised VMM cannot start a shell;
   * allowed only with {@code spawns}, for the "cat" that carries a snapshot's state.
   * resourcecontrol: no changing priorities or CPU affinity.
   */
  static String seccompOptions(boolean spawns) {
    return "on,obsolete=deny,elevateprivileges=deny,spawn=" + (spawns ? "allow" : "deny")
        + ",resourcecontrol=deny";
  }

  /** QEMU uses a few dozen descriptors (vCPUs, event fds, files); 1024 leaves room. */
  static final int MAX_OPEN_FILES = 1024;

  /**
   * Address space beyond the guest's RAM. Measured: a TCG VM with 64 MiB of RAM maps 1.35 GiB
   * (a 1 GiB translation cache, thread stacks and malloc arenas); each vCPU adds a thread.
   */
  static final long HEADROOM_MIB = 2048;
  static final long HEADROOM_PER_CPU_MIB = 256;

  /** The user whose ids the VMM takes, if the host made one; scripts/setup does. */
  static final String VMM_USER = "claw-vmm";
  static final int NOBODY = 65534;

  private static final String SCRIPT = "vmm-jail.sh";
  private static final String JAIL_DIR = "jail";

  /** The launcher in front of QEMU, and what was and was not applied. */
  record Launch(List<String> prefix, List<String> applied, List<String> notApplied) {
    Launch {
      prefix = List.copyOf(prefix);
      applied = List.copyOf(applied);
      notApplied = List.copyOf(notApplied);
    }
  }

  /** The ids the VMM runs as inside the jail. */
  record Ids(String user, int uid, int gid) {}

  private final Path setpriv;
  private final Path prlimit;
  private final Optional<String> noJailReason;
  private final Ids ids;

  VmmSandbox(Path setpriv, Path prlimit, Optional<String> noJailReason, Ids ids) {
    this.setpriv = setpriv;
    this.prlimit = prlimit;
    this.noJailReason = noJailReason;
    this.ids = ids;
  }

  /** The user the VMM runs as in the jail, if it has one here. */
  Optional<VmBackend.Owner> owner() {
    return noJailReason.isPresent() ? Optional.empty()
        : Optional.of(new VmBackend.Owner(ids.uid(), ids.gid()));
  }

  /** What this host allows, learnt now: claw's uid, unshare, the VMM user. */
  static VmmSandbox forHost(Path setpriv, Path prlimit, Optional<Path> unshare) {
    return new VmmSandbox(setpriv, prlimit, whyNoJail(unshare), vmmIds(Path.of("/etc/passwd")));
  }

  /**
   * The launcher for a VMM of {@code spec} that runs {@code qemu}; prepares the VM's files.
   * Without {@code jailed}, QEMU keeps claw's uid and sees the host's files; with
   * {@code spawns}, its seccomp filter lets it spawn (the "cat" that saves a snapshot).
   */
  Launch prepare(VmSpec spec, Path qemu, boolean jailed, boolean spawns) throws IOException {
    List<String> prefix = new ArrayList<>();
    List<String> applied = new ArrayList<>(List.of(spawns
        ? "seccomp (-sandbox, spawning allowed for the snapshot's state stream)"
        : "seccomp (-sandbox)"));
    List<String> notApplied = new ArrayList<>();
    // If claw dies, even by SIGKILL, the kernel kills its VM: no orphaned guests keep running.
    prefix.addAll(List.of(setpriv.toString(), "--pdeathsig", "KILL", "--"));
    // A VM with a network device lives in the namespace claw made for it, where its tap is;
    // entered while still root, before the jail drops every privilege.
    spec.nic().ifPresent(nic -> {
      prefix.addAll(List.of("nsenter", "--net=" + nic.namespace(), "--"));
      applied.add("network namespace " + nic.namespace().getFileName());
    });

    if (!jailed) {
      notApplied.add("own uid, mount and PID namespaces: a snapshot's VM maps its RAM file "
          + "from a host path" + (spawns ? " and saves its state through exec:cat" : ""));
    } else if (noJailReason.isPresent()) {
      notApplied.add("own uid, mount and PID namespaces: " + noJailReason.get());
    } else {
      prefix.addAll(jail(spec, qemu));
      applied.add("uid " + ids.uid() + " (" + ids.user() + "), no capabilities");
      applied.add("own mount, PID, IPC and UTS namespaces"
          + (spec.nic().isEmpty() ? ", and an empty network namespace" : ""));
    }

    prefix.addAll(limits(spec));
    applied.add("limits (files " + MAX_OPEN_FILES + ", address space "
        + addressSpaceMib(spec) + " MiB, no core)");
    return new Launch(prefix, applied, notApplied);
  }

  private List<String> limits(VmSpec spec) {
    return List.of(prlimit.toString(),
        // The console log and stderr are files the guest can fill: cap what QEMU may write,
        // so a guest flooding its console ends its own VM instead of filling the host's /run.
        "--fsize=" + QemuMicrovm.MAX_LOG_BYTES,
        "--nofile=" + MAX_OPEN_FILES,
        // Guest memory must never land in a core file on the host.
        "--core=0",
        "--as=" + (addressSpaceMib(spec) << 20),
        "--");
  }

  static long addressSpaceMib(VmSpec spec) {
    return spec.memoryMib() + HEADROOM_MIB + HEADROOM_PER_CPU_MIB * spec.cpus();
  }

  private List<String> jail(VmSpec spec, Path qemu) throws IOException {
    Path root = Files.createDirectories(spec.stateDir().resolve(JAIL_DIR));
    List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--ipc",
        "--uts", "--fork", "--kill-child=SIGKILL", "--propagation", "private"));
    // A VM without a network device needs no network at all: an empty namespace keeps a
    // compromised VMM off the host's loopback services. (A VM with one is already in its own.)
    if (spec.nic().isEmpty()) {
      command.add("--net");
    }
    command.addAll(List.of("--", "/bin/sh", "-c", script(), "claw-vmm-jail", root.toString(),
        String.valueOf(ids.uid()), String.valueOf(ids.gid())));
    command.addAll(boundFiles(spec, qemu));
    // The tap is opened through /dev/net/tun; claw made the tap the VMM user's own, so that
    // user needs no capability to attach to it, and can create none.
    spec.nic().ifPresent(nic -> command.add("tun:/dev/net/tun"));
    command.add("--");
    return command;
  }

  /** Each file QEMU opens, visible at the same path in the jail; readable or owned by its uid. */
  private List<String> boundFiles(VmSpec spec, Path qemu) throws IOException {
    List<String> bound = new ArrayList<>();
    for (Path file : readOnlyFiles(spec, qemu)) {
      makeReadable(file, spec.stateDir());
      bound.add("ro:" + file.toAbsolutePath());
    }

    // QEMU opens the console log itself; it is the VM's file, so the VMM's uid owns it.
    Path console = spec.consoleLog();
    if (!Files.exists(console)) {
      Files.createFile(console);
    }
    giveToVmm(console);
    bound.add("rw:" + console.toAbsolutePath());

    // Connecting to a Unix socket needs write permission on it, not a writable mount.
    for (Path socket : spec.channelSocket().stream().toList()) {
      giveToVmm(socket);
      bound.add("ro:" + socket.toAbsolutePath());
    }
    return bound;
  }

  private static List<Path> readOnlyFiles(VmSpec spec, Path qemu) {
    List<Path> files = new ArrayList<>(List.of(spec.kernel(), spec.initramfs()));
    spec.rootDisk().ifPresent(disk -> files.add(disk.image()));
    // The jail has the host's /usr; a QEMU installed elsewhere is bound on its own.
    if (!qemu.toAbsolutePath().startsWith("/usr")) {
      files.add(qemu);
    }
    return files;
  }

  /** The VM's own files may be opened up: their folder is private to claw. */
  private void makeReadable(Path file, Path stateDir) throws IOException {
    Set<PosixFilePermission> modes = Files.getPosixFilePermissions(file);
    if (modes.contains(PosixFilePermission.OTHERS_READ)) {
      return;
    }
    if (file.toAbsolutePath().startsWith(stateDir.toAbsolutePath())) {
      modes.add(PosixFilePermission.OTHERS_READ);
      Files.setPosixFilePermissions(file, modes);
      return;
    }
    throw new ClawException("the VMM runs as uid " + ids.uid() + " (" + ids.user()
        + ") and cannot read " + file, "make it readable (chmod o+r " + file + "); in the "
        + "VMM's own mount namespace no other file of yours is visible to that uid");
  }

  private void giveToVmm(Path file) throws IOException {
    Files.setAttribute(file, "unix:uid", ids.uid());
    Files.setAttribute(file, "unix:gid", ids.gid());
  }

  private static String script() {
    try (InputStream in = VmmSandbox.class.getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new IllegalStateException(SCRIPT + " is missing from claw's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Empty if the jail can be built here; else why not, in words for the user. */
  static Optional<String> whyNoJail(Optional<Path> unshare) {
    if (!effectiveUidIsRoot()) {
      return Optional.of("claw is not running as root (QEMU runs as your own uid instead)");
    }
    if (unshare.isEmpty()) {
      return Optional.of("unshare is not installed (apt-get install util-linux)");
    }
    if (!namespacesWork(unshare.get())) {
      return Optional.of("this host refuses new namespaces (unshare --mount --pid failed; "
          + "inside a container, claw needs CAP_SYS_ADMIN)");
    }
    return Optional.empty();
  }

  private static boolean effectiveUidIsRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2].equals("0");
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  private static boolean namespacesWork(Path unshare) {
    try {
      Process trial = new ProcessBuilder(unshare.toString(), "--mount", "--pid", "--ipc",
          "--uts", "--fork", "--propagation", "private", "--", "true")
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      if (!trial.waitFor(10, TimeUnit.SECONDS)) {
        trial.destroyForcibly();
        return false;
      }
      return trial.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** claw-vmm's ids if the host has that user, else nobody's. */
  static Ids vmmIds(Path passwd) {
    Optional<Ids> nobody = Optional.empty();
    try {
      for (String line : Files.readAllLines(passwd)) {
        String[] fields = line.split(":");
        if (fields.length < 4 || !fields[2].matches("\\d{1,9}") || fields[2].equals("0")) {
          continue;
        }
        Ids ids = new Ids(fields[0], Integer.parseInt(fields[2]), Integer.parseInt(fields[3]));
        if (fields[0].equals(VMM_USER)) {
          return ids;
        }
        if (fields[0].equals("nobody")) {
          nobody = Optional.of(ids);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Without a readable passwd, the conventional nobody ids are the safe choice.
    }
    return nobody.orElse(new Ids("nobody", NOBODY, NOBODY));
  }
}
