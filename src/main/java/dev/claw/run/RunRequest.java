package dev.claw.run;

import dev.claw.image.ImageBuilder.ExtraFile;
import dev.claw.profile.AgentProfile;
import dev.claw.vm.AcceleratorProbe;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One run of an agent.
 *
 * @param kernel a kernel the user gave; empty to use (and if needed build) claw's own
 * @param timeout overrides the profile's run.timeout
 * @param launchedAt when the user started claw; the timeline counts from here
 */
public record RunRequest(
    AgentProfile profile,
    List<ExtraFile> extraFiles,
    Optional<Path> kernel,
    AcceleratorProbe.Request accelerator,
    Optional<Duration> timeout,
    Instant launchedAt) {

  public RunRequest {
    extraFiles = List.copyOf(extraFiles);
  }

  /** A request with every option at its default. */
  public static RunRequest of(AgentProfile profile) {
    return new RunRequest(profile, List.of(), Optional.empty(), AcceleratorProbe.Request.AUTO,
        Optional.empty(), Instant.now());
  }

  public Duration effectiveTimeout() {
    return timeout.orElse(profile.run().timeout());
  }
}
