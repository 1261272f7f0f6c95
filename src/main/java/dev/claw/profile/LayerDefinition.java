package dev.claw.profile;

import java.util.List;
import java.util.Set;

/**
 * One layer of an agent's image: Debian packages audited together for one purpose, plus what
 * is cut from them. Read from a layer file by {@link LayerLoader}.
 *
 * @param name the layer's name, as profiles list it
 * @param purpose one line that says what the layer is for
 * @param packages the packages the layer asks for; their dependencies come along
 * @param exclude packages never pulled in as a dependency of this layer's packages, because
 *     they serve only what the layer cuts (openssl's command-line tool for ca-certificates)
 * @param drop path globs removed from this layer's packages, on top of claw's default cuts
 *     (documentation, manual pages, translations)
 * @param setuid path globs allowed to keep setuid or setgid bits; all others lose them
 * @param origin where the definition came from, for messages and the build report
 */
public record LayerDefinition(
    String name,
    String purpose,
    List<PackageRequest> packages,
    Set<String> exclude,
    List<String> drop,
    List<String> setuid,
    String origin) {

  /**
   * One package a layer asks for.
   *
   * @param only if not empty, the only paths of this package kept (globs): base-files brings
   *     /etc/os-release and nothing else of it
   */
  public record PackageRequest(String name, List<String> only) {}
}
