package dev.claw.audit;

import dev.claw.ClawException;
import dev.claw.event.EventListener;
import dev.claw.fs.FileTree;
import dev.claw.guest.GuestInit;
import dev.claw.guest.RunSpec;
import dev.claw.host.ClawDirs;
import dev.claw.profile.AgentProfile;
import dev.claw.run.CollectedOutput;
import dev.claw.run.AgentRunner;
import dev.claw.run.Outcome;
import dev.claw.run.RunRequest;
import dev.claw.run.RunResult;
import dev.claw.vm.AcceleratorProbe;
import dev.claw.vm.VmBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code claw audit}: boots an agent's image with claw's probe in the agent's place and reports
 * what an attacker inside would find. The probe gets everything the agent would (uid, gid,
 * environment, working folder, /tmp size, init's restrictions); only the command differs.
 */
public final class AgentAudit {
  /** Where the probe is put in the image; /claw is claw's own folder, owned by root. */
  public static final String PROBE_PATH = "/claw/probe";

  private final ClawDirs dirs;
  private final VmBackend backend;
  private final EventListener events;

  public AgentAudit(ClawDirs dirs, VmBackend backend, EventListener events) {
    this.dirs = dirs;
    this.backend = backend;
    this.events = events;
  }

  /** Audits {@code profile}'s image. */
  public AuditReport audit(AgentProfile profile) throws IOException {
    byte[] probe = Files.readAllBytes(GuestInit.probe(dirs.cache("init"), events).binary());
    CollectedOutput output = new CollectedOutput();
    RunRequest request = new RunRequest(profile, List.of(), Optional.empty(),
        AcceleratorProbe.Request.AUTO, Optional.empty(), Instant.now());

    RunResult result = new AgentRunner(dirs, backend, events)
        .run(request, output, image -> putProbe(image, probe));

    if (!(result.outcome() instanceof Outcome.Exited exited) || exited.code() != 0) {
      throw new ClawException("the audit probe did not finish in " + profile.name() + "'s VM: "
          + result.outcome() + "\n" + output.stderr(), "run claw run -v " + profile.directory()
          + " to see whether the agent's VM boots at all");
    }
    return AuditReport.parse(profile.name(), output.stdout());
  }

  /** The probe at {@link #PROBE_PATH}, and the spec's command pointed at it. */
  static void putProbe(FileTree image, byte[] probe) {
    image.put(FileTree.fileEntry(PROBE_PATH, 0755, probe));
    FileTree.Entry spec = image.get(RunSpec.PATH);
    image.replace(new FileTree.Entry(spec.path(), spec.type(), spec.mode(), spec.uid(),
        spec.gid(), withCommand(spec.content(), PROBE_PATH), spec.target(), spec.rdevMajor(),
        spec.rdevMinor(), spec.layer()));
  }

  /** The spec's records with every {@code arg} replaced by one: the probe. */
  static byte[] withCommand(byte[] spec, String program) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean argWritten = false;
    List<String> records = new ArrayList<>(List.of(
        new String(spec, StandardCharsets.UTF_8).split("\0")));
    for (String record : records) {
      if (record.startsWith("arg=")) {
        if (argWritten) {
          continue;
        }
        record = "arg=" + program;
        argWritten = true;
      }
      out.writeBytes(record.getBytes(StandardCharsets.UTF_8));
      out.write(0);
    }
    return out.toByteArray();
  }
}
