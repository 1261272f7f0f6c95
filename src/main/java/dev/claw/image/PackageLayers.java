package dev.claw.image;

import dev.claw.fs.FileTree;
import dev.claw.profile.AgentProfile;
import java.io.IOException;

/**
 * Puts an agent's base and layers (its software from packages) into its image. The image
 * builder knows the agent's files and claw's own parts; where packages come from, how they are
 * pinned and unpacked is the business of the implementation.
 */
public interface PackageLayers {

  /** Installs {@code profile}'s base and layers into {@code tree}; returns what went in. */
  LayerReport install(AgentProfile profile, FileTree tree) throws IOException;

  /** For a profile with {@code base: none}: nothing to install. */
  PackageLayers NONE = (profile, tree) -> LayerReport.EMPTY;
}
