package dev.claw.profile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A validated agent profile: everything claw needs to build an agent's image and run it. Made
 * only by {@link ProfileLoader}, so every field here has already been checked.
 *
 * @param directory the folder the profile came from; relative {@code from} paths start here
 * @param base the base image, or "none" for a static agent that needs no userland at all
 * @param seccomp the agent's system call policy: a preset's name, {@code learn}, or the
 *     absolute path of a policy file
 * @param network what the agent may reach; empty: no network device in its VM at all
 */
public record AgentProfile(
    Path directory,
    String name,
    String base,
    List<String> layers,
    List<FileMapping> files,
    RunSettings run,
    VmSettings vm,
    String seccomp,
    Optional<NetworkPolicy> network) {

  /** The seccomp choice that records the agent's calls instead of blocking them. */
  public static final String LEARN = dev.claw.seccomp.SeccompFilter.LEARN;

  /** A profile without a {@code network} section: its VM gets no network device. */
  public AgentProfile(Path directory, String name, String base, List<String> layers,
      List<FileMapping> files, RunSettings run, VmSettings vm, String seccomp) {
    this(directory, name, base, layers, files, run, vm, seccomp, Optional.empty());
  }

  /** A profile with the default seccomp policy and no network device. */
  public AgentProfile(Path directory, String name, String base, List<String> layers,
      List<FileMapping> files, RunSettings run, VmSettings vm) {
    this(directory, name, base, layers, files, run, vm, "default", Optional.empty());
  }

  /** The same profile with another seccomp choice. */
  public AgentProfile withSeccomp(String choice) {
    return new AgentProfile(directory, name, base, layers, files, run, vm, choice, network);
  }

  /** The base name that means "no userland": only the agent's own files and claw's init. */
  public static final String NO_BASE = "none";

  /** The base built from Debian 12 (bookworm) packages. */
  public static final String DEBIAN_12 = "debian-12";

  /** Every base claw can build. */
  public static final Set<String> BASES = Set.of(NO_BASE, DEBIAN_12);

  /** One file copied from the host into the image. */
  public record FileMapping(Path from, String to, Integer mode) {}

  /**
   * How the agent is started inside the guest.
   *
   * @param rootReason present only for {@code user: root}: why the agent must be root. Such an
   *     agent has uid and gid 0 but still no capabilities
   */
  public record RunSettings(
      List<String> command,
      Map<String, String> env,
      String workdir,
      int uid,
      int gid,
      Duration timeout,
      Optional<String> rootReason) {

    /** An agent that does not run as root. */
    public RunSettings(List<String> command, Map<String, String> env, String workdir, int uid,
        int gid, Duration timeout) {
      this(command, env, workdir, uid, gid, timeout, Optional.empty());
    }
  }

  /**
   * The shape of the microVM.
   *
   * @param tmpMib the size of the agent's /tmp, which lives in the guest's RAM
   */
  public record VmSettings(int memoryMib, int cpus, int tmpMib) {

    /** With /tmp at its default share of the memory. */
    public VmSettings(int memoryMib, int cpus) {
      this(memoryMib, cpus, defaultTmpMib(memoryMib));
    }

    /** A quarter of the RAM: room to work, and three quarters left for the agent itself. */
    public static int defaultTmpMib(int memoryMib) {
      return Math.max(1, memoryMib / 4);
    }
  }
}
