package dev.claw.cli;

import dev.claw.ClawException;
import dev.claw.host.ClawDirs;
import dev.claw.image.ImageBuilder.ExtraFile;
import dev.claw.image.ImageBuilder;
import dev.claw.image.ImageFormat;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.Durations;
import dev.claw.profile.ProfileLoader;
import dev.claw.run.AgentOutput;
import dev.claw.run.AgentRunner;
import dev.claw.run.Outcome;
import dev.claw.run.RunRequest;
import dev.claw.run.RunResult;
import dev.claw.run.SnapshotRunner;
import dev.claw.vm.AcceleratorProbe;
import dev.claw.vm.QemuMicrovm;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code claw run}: boots the agent, streams its output, exits with its status. */
@Command(name = "run", description = "Run an agent in its own microVM.",
    mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {

  @Parameters(paramLabel = "AGENT", description = "A folder with a claw.yaml, or the file.")
  Path profile;

  @Option(names = "--file", paramLabel = "HOST:GUEST",
      description = "Add a host file to the image at an absolute guest path, for this run.")
  List<String> files = new ArrayList<>();

  @Option(names = "--timings", description = "Print when each phase of the run happened.")
  boolean timings;

  @Option(names = "--timings-json", paramLabel = "FILE",
      description = "Write the phase timeline as JSON.")
  Path timingsJson;

  @Option(names = "--kernel", paramLabel = "VMLINUX",
      description = "Boot this kernel instead of claw's own.")
  Path kernel;

  @Option(names = "--accel", paramLabel = "auto|kvm|tcg", defaultValue = "auto",
      description = "CPU accelerator (default: ${DEFAULT-VALUE}: KVM if it really works).")
  String accel;

  @Option(names = "--timeout", paramLabel = "DURATION",
      description = "Kill the VM after this long: 30s, 500ms, 5m, or plain seconds "
          + "(default: the profile's run.timeout).")
  String timeout;

  @Option(names = "--format", paramLabel = "initramfs|ext4|erofs", defaultValue = "initramfs",
      description = "How the image reaches the VM (default: ${DEFAULT-VALUE}, all in guest "
          + "memory); ext4 and erofs boot from a read-only disk, for images larger than memory.")
  String format;

  @Option(names = "--from-snapshot", description = "Start from the agent's snapshot (claw "
      + "snapshot), made first if it is missing or stale.")
  boolean fromSnapshot;

  @Option(names = {"-v", "--verbose"}, description = "Also show claw's details and the guest "
      + "console (kernel and init messages).")
  boolean verbose;

  @Override
  public Integer call() throws IOException {
    PrintStream err = System.err;
    checkTimingsJson();
    AgentProfile agent = new ProfileLoader().load(profile);
    ClawDirs dirs = ClawDirs.fromEnvironment();
    ConsoleEvents events = new ConsoleEvents(err, verbose);
    RunResult result = fromSnapshot
        ? new SnapshotRunner(dirs, events).run(request(agent), new StandardStreams(), pid -> { })
        : new AgentRunner(dirs, new QemuMicrovm(), events)
            .run(request(agent), new StandardStreams());

    // The agent may have left the terminal in any state (colours, hidden text): claw's own
    // lines start from a clean one, so they can't be hidden or restyled by the agent.
    if (Terminal.isTerminal(2)) {
      err.print(Terminal.RESET);
    }
    if (verbose && !result.console().isBlank()) {
      err.println("claw: guest console:\n" + Terminal.printable(result.console()).stripTrailing());
    }
    if (timings) {
      err.print(TimingsReport.table(result));
    }
    if (timingsJson != null) {
      writeTimings(result, err);
    }
    result.syscallsUsed().ifPresent(used -> err.println("claw: " + result.agent()
        + ": learned " + used.size() + " system calls; claw learn " + profile
        + " -o policy.yaml writes them as a policy"));
    return report(result, err);
  }

  /** A failure here must not hide how the agent ended, so it is a warning, not an error. */
  private void writeTimings(RunResult result, PrintStream err) {
    try {
      TimingsReport.writeJson(result, timingsJson);
    } catch (IOException e) {
      err.println("claw: warning: could not write " + timingsJson + ": " + e.getMessage());
    }
  }

  private RunRequest request(AgentProfile agent) {
    return new RunRequest(agent, extraFiles(), Optional.ofNullable(kernel), accelerator(accel),
        timeout(), launchedAt(), ImageFormat.named(format, ImageBuilder.Target.MICROVM));
  }

  private Optional<Duration> timeout() {
    if (timeout == null) {
      return Optional.empty();
    }
    String text = timeout.strip().matches("\\d{1,9}") ? timeout.strip() + "s" : timeout;
    return Optional.of(Durations.parse(text).orElseThrow(() -> new ClawException(
        "--timeout " + timeout + " is not a whole number above zero (with a unit or seconds)",
        "write it like --timeout 30s, 500ms, 5m, or a number of seconds")));
  }

  /** Fails before booting anything if the timings could not be written afterwards. */
  private void checkTimingsJson() {
    if (timingsJson == null) {
      return;
    }
    Path folder = timingsJson.toAbsolutePath().getParent();
    if (!Files.isDirectory(folder) || !Files.isWritable(folder)) {
      throw new ClawException("cannot write --timings-json " + timingsJson + ": " + folder
          + " is not a folder claw can write to", "give a path in an existing folder");
    }
  }

  private List<ExtraFile> extraFiles() {
    return extraFiles(files);
  }

  /** {@code --file HOST:GUEST} options as files for one run; {@code claw learn} takes them too. */
  static List<ExtraFile> extraFiles(List<String> files) {
    List<ExtraFile> extras = new ArrayList<>();
    for (String spec : files) {
      int colon = spec.lastIndexOf(':');
      if (colon <= 0 || !spec.substring(colon + 1).startsWith("/")) {
        throw new ClawException("--file " + spec + " is not HOST:GUEST",
            "write it like --file ./task.json:/input/task.json (guest path absolute)");
      }
      Path from = Path.of(spec.substring(0, colon)).toAbsolutePath().normalize();
      String to = spec.substring(colon + 1);
      // A guest folder (trailing slash) keeps the file's own name, as cp does.
      extras.add(new ExtraFile(from, to.endsWith("/") ? to + from.getFileName() : to));
    }
    return extras;
  }

  /** {@code --accel} as a probe request; {@code claw bench} takes the same words. */
  static AcceleratorProbe.Request accelerator(String accel) {
    try {
      return AcceleratorProbe.Request.valueOf(accel.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ClawException("--accel " + accel + " is not known", "use auto, kvm or tcg");
    }
  }

  /** The launcher passes its own start time; without it, the JVM's start is the next best. */
  private static Instant launchedAt() {
    String launch = System.getenv("CLAW_LAUNCH_NS");
    if (launch != null && launch.matches("\\d{10,20}")) {
      long nanos = Long.parseLong(launch);
      return Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    }
    return ProcessHandle.current().info().startInstant().orElse(Instant.now());
  }

  /** A seccomp kill ends like the kernel's own (SIGSYS), for scripts that check 128+N. */
  private static final int SIGSYS = 31;

  static int report(RunResult result, PrintStream err) {
    Outcome outcome = result.outcome();
    String head = result.agent() + ": ";
    String tail = " " + TimingsReport.summaryTail(result);
    if (outcome instanceof Outcome.Exited exited) {
      err.println(head + "exit " + exited.code() + tail);
      return exited.code();
    }
    if (outcome instanceof Outcome.Signaled signaled) {
      err.println(head + "killed by " + signaled.signalName() + " (" + signaled.signal() + ")"
          + (signaled.signal() == SIGSYS ? ": the seccomp filter kills a 32-bit or x32 "
              + "system call this way" : "") + tail);
      return 128 + signaled.signal();
    }
    if (outcome instanceof Outcome.BlockedSyscall blocked) {
      err.println(head + "agent killed: blocked syscall " + blocked.name() + " ("
          + blocked.number() + ")" + tail);
      err.println("claw: to fix: if the agent needs " + blocked.name() + ", 'claw learn' "
          + "writes a policy of every call one run makes; give it with seccomp: ./policy.yaml");
      return 128 + SIGSYS;
    }
    if (outcome instanceof Outcome.TimedOut timedOut) {
      err.println(head + "timed out after " + TimingsReport.seconds(timedOut.limit())
          + "; claw killed its VM" + tail);
      return Main.TIMED_OUT;
    }
    if (outcome instanceof Outcome.InitFailed failed) {
      err.println("claw: " + head + "could not start the agent: "
          + Terminal.printable(failed.message()));
      return Main.CLAW_FAILED;
    }
    if (outcome instanceof Outcome.VmFailed failed) {
      reportVmFailure(head, failed, err);
      return Main.CLAW_FAILED;
    }
    throw new IllegalStateException("unhandled outcome " + outcome);
  }

  /** The VM's own failure, with the evidence gathered before its folder went. */
  private static void reportVmFailure(String head, Outcome.VmFailed failed, PrintStream err) {
    err.println("claw: " + head + Terminal.printable(failed.message()));
    if (!failed.evidence().isEmpty()) {
      err.println(Terminal.printable(failed.evidence()).indent(2).stripTrailing());
    }
    err.println("  to fix: " + failed.fix());
  }

  /**
   * Passes the agent's bytes to claw's own stdout and stderr, unbuffered and unchanged. When a
   * reader goes away (`claw run ... | head`), later bytes for that stream are dropped; the run
   * itself goes on to its end or its timeout.
   */
  static final class StandardStreams implements AgentOutput {
    private final OutputStream out = new FileOutputStream(FileDescriptor.out);
    private final OutputStream err = new FileOutputStream(FileDescriptor.err);
    private boolean outClosed;
    private boolean errClosed;

    @Override
    public void stdout(byte[] bytes) {
      outClosed = outClosed || !write(out, bytes);
    }

    @Override
    public void stderr(byte[] bytes) {
      errClosed = errClosed || !write(err, bytes);
    }

    private static boolean write(OutputStream stream, byte[] bytes) {
      try {
        stream.write(bytes);
        stream.flush();
        return true;
      } catch (IOException e) {
        return false;
      }
    }
  }
}
