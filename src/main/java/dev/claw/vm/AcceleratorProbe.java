package dev.claw.vm;

import dev.claw.ClawException;
import dev.claw.host.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides between KVM and TCG. A readable /dev/kvm is not enough: under some nested
 * hypervisors KVM opens fine and then stops the guest with "emulation failure", and QEMU
 * pauses instead of exiting. So the first run on a machine boots a probe VM under KVM and
 * watches it; the verdict is cached per host boot (a reboot or a new kernel may change it).
 * Only a crash or hang of the guest under KVM counts against KVM: the probe guest itself is
 * expected to power off straight away.
 */
public final class AcceleratorProbe {
  /** What the user asked for with {@code --accel}. */
  public enum Request { AUTO, KVM, TCG }

  /** The accelerator to use, why, and whether this call had to boot a probe to find out. */
  public record Choice(Accelerator accelerator, String reason, boolean probed) {}

  private static final String KVM_WORKS = "ok";
  /** What claw's init prints on the console when booted with {@link #PROBE_ARG}. */
  static final String PROBE_BOOTED = "claw-init: probe: booted";
  /** Kernel argument that makes claw's init power off as soon as it runs. */
  public static final String PROBE_ARG = "claw.probe";
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(15);
  private static final List<String> KVM_FAILURES = List.of("kvm internal error",
      "emulation failure", "failed to initialize kvm", "could not access kvm");

  private final VmBackend backend;
  private final Path cacheDir;
  private final Path kvmDevice;

  public AcceleratorProbe(VmBackend backend, Path cacheDir) {
    this(backend, cacheDir, Path.of("/dev/kvm"));
  }

  AcceleratorProbe(VmBackend backend, Path cacheDir, Path kvmDevice) {
    this.backend = backend;
    this.cacheDir = cacheDir;
    this.kvmDevice = kvmDevice;
  }

  /**
   * The choice, when it can be made without booting anything: TCG was asked for, KVM is
   * missing, or a probe on this host boot already gave its verdict. Empty means: call
   * {@link #probe}.
   */
  public Optional<Choice> withoutProbe(Request request, Path kernel) throws IOException {
    if (request == Request.TCG) {
      return Optional.of(new Choice(Accelerator.TCG, "asked for with --accel tcg", false));
    }
    Optional<String> noKvm = deviceProblem();
    if (noKvm.isPresent()) {
      return Optional.of(fallBack(request, noKvm.get(), false));
    }
    Path verdict = cacheDir.resolve(verdictKey(kernel));
    if (!Files.exists(verdict)) {
      return Optional.empty();
    }
    return Optional.of(fromVerdict(request, Files.readString(verdict).strip(), false));
  }

  /**
   * Boots {@code probeSpec} under KVM, caches the verdict and chooses by it. The spec boots
   * claw's init with {@link #PROBE_ARG}, so it powers off as soon as it runs.
   */
  public Choice probe(Request request, VmSpec probeSpec) throws IOException {
    String verdict = boot(probeSpec).orElse(KVM_WORKS);
    Files.createDirectories(cacheDir);
    // Written aside and renamed, so a claw starting at the same moment never reads half of it.
    Path partial = Files.createTempFile(cacheDir, "verdict", ".partial");
    Files.writeString(partial, verdict);
    Files.move(partial, cacheDir.resolve(verdictKey(probeSpec.kernel())),
        StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return fromVerdict(request, verdict, true);
  }

  private static Choice fromVerdict(Request request, String verdict, boolean probed) {
    if (verdict.equals(KVM_WORKS)) {
      return new Choice(Accelerator.KVM, "KVM works on this host", probed);
    }
    return fallBack(request, verdict, probed);
  }

  private static Choice fallBack(Request request, String problem, boolean probed) {
    if (request == Request.KVM) {
      throw new ClawException("KVM was asked for, but " + problem,
          "use --accel auto (or tcg) to run under emulation, or fix KVM on this host");
    }
    return new Choice(Accelerator.TCG, problem, probed);
  }

  private Optional<String> deviceProblem() {
    if (!Files.exists(kvmDevice)) {
      return Optional.of(kvmDevice + " does not exist");
    }
    if (!Files.isReadable(kvmDevice) || !Files.isWritable(kvmDevice)) {
      return Optional.of(kvmDevice + " is not readable and writable by this user");
    }
    return Optional.empty();
  }

  /** Boots the probe VM under KVM; empty if it booted and powered off by itself. */
  private Optional<String> boot(VmSpec spec) throws IOException {
    try (VmProcess vm = backend.start(spec)) {
      long deadline = System.nanoTime() + PROBE_TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        Optional<Integer> exit = vm.waitFor(Duration.ofMillis(50));
        Optional<String> failure = kvmFailure(vm.stderr());
        if (failure.isPresent()) {
          return failure;
        }
        if (exit.isPresent()) {
          return verdictOnExit(exit.get(), vm, spec.consoleLog());
        }
      }
      return Optional.of("a KVM guest did not finish booting within "
          + PROBE_TIMEOUT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while probing KVM", e);
    }
  }

  private static Optional<String> verdictOnExit(int exit, VmProcess vm, Path console)
      throws IOException {
    if (exit != 0 && !vm.stderr().toLowerCase(Locale.ROOT).contains("kvm")) {
      // Not KVM's fault (a broken kernel, say): no verdict about KVM is cached from this.
      throw new ClawException("the VMM could not start the probe VM: " + firstLine(vm),
          "check the kernel (--kernel) and the QEMU installation; then run again");
    }
    if (exit != 0) {
      return Optional.of("a KVM guest failed (exit " + exit + "): " + firstLine(vm));
    }
    String log = Files.exists(console) ? Files.readString(console) : "";
    return log.contains(PROBE_BOOTED) ? Optional.empty()
        : Optional.of("a KVM guest stopped before its init ran");
  }

  private static String firstLine(VmProcess vm) {
    return vm.stderr().lines().findFirst().orElse("no message").strip();
  }

  private static Optional<String> kvmFailure(String stderr) {
    String lower = stderr.toLowerCase(Locale.ROOT);
    for (String marker : KVM_FAILURES) {
      if (lower.contains(marker)) {
        String line = stderr.lines().filter(l -> l.toLowerCase(Locale.ROOT).contains(marker))
            .findFirst().orElse(marker);
        return Optional.of("KVM is present but unusable here (" + line.strip() + ")");
      }
    }
    return Optional.empty();
  }

  /** One verdict per host boot, kernel and VMM binary. */
  private String verdictKey(Path kernel) throws IOException {
    Path bootId = Path.of("/proc/sys/kernel/random/boot_id");
    String boot = Files.exists(bootId) ? Files.readString(bootId).strip() : "unknown";
    return "kvm-" + Sha256.start().add(boot).add(backend.identity()).add(kernel.toString())
        .add(String.valueOf(Files.getLastModifiedTime(kernel).toMillis())).hex()
        .substring(0, 16);
  }
}
