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
    Optional<NetworkPolicy> network) {

  /** A profile without a {@code network} section: its VM gets no network device. */
  public AgentProfile(Path directory, String name, String base, List<String> layers,
      List<FileMapping> files, RunSettings run, VmSettings vm) {
    this(directory, name, base, layers, files, run, vm, Optional.empty());
  }

  /** The base name that means "no userland": only the agent's own files and claw's init. */
  public static final String NO_BASE = "none";

  /** The base built from Debian 12 (bookworm) packages. */
  public static final String DEBIAN_12 = "debian-12";

  /** Every base claw can build. */
  public static final Set<String> BASES = Set.of(NO_BASE, DEBIAN_12);

  /** One file copied from the host into the image. */
  public record FileMapping(Path from, String to, Integer mode) {}

  /** How the agent is started inside the guest. */
  public record RunSettings(
      List<String> command,
      Map<String, String> env,
      String workdir,
      int uid,
      int gid,
      Duration timeout) {}

  /** The shape of the microVM. */
  public record VmSettings(int memoryMib, int cpus) {}
}
