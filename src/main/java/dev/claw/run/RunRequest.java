package dev.claw.run;

import dev.claw.image.ImageBuilder.ExtraFile;
import dev.claw.image.ImageFormat;
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
 * @param format how the root filesystem reaches the VM: an initramfs, or a read-only disk
 */
public record RunRequest(
    AgentProfile profile,
    List<ExtraFile> extraFiles,
    Optional<Path> kernel,
    AcceleratorProbe.Request accelerator,
    Optional<Duration> timeout,
    Instant launchedAt,
    ImageFormat format) {

  public RunRequest {
    extraFiles = List.copyOf(extraFiles);
  }

  /** A run from an initramfs. */
  public RunRequest(AgentProfile profile, List<ExtraFile> extraFiles, Optional<Path> kernel,
      AcceleratorProbe.Request accelerator, Optional<Duration> timeout, Instant launchedAt) {
    this(profile, extraFiles, kernel, accelerator, timeout, launchedAt, ImageFormat.INITRAMFS);
  }

  /** A request with every option at its default. */
  public static RunRequest of(AgentProfile profile) {
    return new RunRequest(profile, List.of(), Optional.empty(), AcceleratorProbe.Request.AUTO,
        Optional.empty(), Instant.now());
  }

  /** The same request, with {@code files} added to the image for this run. */
  public RunRequest withExtraFiles(List<ExtraFile> files) {
    return new RunRequest(profile, files, kernel, accelerator, timeout, launchedAt, format);
  }

  /** The same request, booting from a root in {@code imageFormat}. */
  public RunRequest withFormat(ImageFormat imageFormat) {
    return new RunRequest(profile, extraFiles, kernel, accelerator, timeout, launchedAt,
        imageFormat);
  }

  public Duration effectiveTimeout() {
    return timeout.orElse(profile.run().timeout());
  }
}
