package dev.claw.deb;

import dev.claw.ClawException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Which of a package's paths go into the image, and which may keep setuid and setgid bits.
 * Immutable: each method returns a changed copy. Patterns are {@link PathGlob}s on installed
 * (merged-/usr) paths.
 *
 * <p>A path of package P is kept when all of these hold:
 *
 * <ol>
 *   <li>P has no {@code only} patterns, or one of them matches;
 *   <li>none of P's {@code drop} patterns and none of the {@code dropEverywhere} patterns
 *       matches;
 *   <li>it is not a default drop ({@link #DEFAULT_DROPS}, minus {@link #DEFAULT_KEEPS}),
 *       unless one of P's {@code only} patterns named it: an explicit choice wins over the
 *       defaults.
 * </ol>
 *
 * <p>Folders follow their contents: a folder whose contents are all dropped is not created; a
 * folder the package ships empty is kept if its own path is kept.
 */
public final class InstallPolicy {
  /**
   * What agents never need: documentation, manual and info pages, translations, lintian
   * overrides and bug-report hooks.
   */
  public static final List<String> DEFAULT_DROPS = List.of(
      "/usr/share/doc/**",
      "/usr/share/doc-base/**",
      "/usr/share/man/**",
      "/usr/share/info/**",
      "/usr/share/locale/**",
      "/usr/share/lintian/**",
      "/usr/share/bug/**");

  /**
   * Exceptions to {@link #DEFAULT_DROPS}: copyright files carry the licences the image is
   * distributed under, and scanners (Syft, Trivy) read licences from them.
   */
  public static final List<String> DEFAULT_KEEPS = List.of("/usr/share/doc/*/copyright");

  private static final Pattern PACKAGE_NAME = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
  private static final List<PathGlob> DEFAULT_DROP_GLOBS = globs(DEFAULT_DROPS);
  private static final List<PathGlob> DEFAULT_KEEP_GLOBS = globs(DEFAULT_KEEPS);

  private final boolean defaultDrops;
  private final Map<String, List<PathGlob>> only;
  private final Map<String, List<PathGlob>> drop;
  private final List<PathGlob> dropEverywhere;
  private final List<PathGlob> keepSetuid;

  private InstallPolicy(boolean defaultDrops, Map<String, List<PathGlob>> only,
      Map<String, List<PathGlob>> drop, List<PathGlob> dropEverywhere,
      List<PathGlob> keepSetuid) {
    this.defaultDrops = defaultDrops;
    this.only = only;
    this.drop = drop;
    this.dropEverywhere = dropEverywhere;
    this.keepSetuid = keepSetuid;
  }

  /** The default drops, no other filter, every setuid and setgid bit stripped. */
  public static InstallPolicy defaults() {
    return new InstallPolicy(true, Map.of(), Map.of(), List.of(), List.of());
  }

  /** Like {@link #defaults()} but without the default drops: documentation and all is kept. */
  public static InstallPolicy keepEverything() {
    return new InstallPolicy(false, Map.of(), Map.of(), List.of(), List.of());
  }

  /** Keeps only the paths of {@code packageName} that match one of {@code globs}. */
  public InstallPolicy only(String packageName, String... globs) {
    return new InstallPolicy(defaultDrops, adding(only, packageName, globs), drop,
        dropEverywhere, keepSetuid);
  }

  /** Drops the paths of {@code packageName} that match one of {@code globs}. */
  public InstallPolicy drop(String packageName, String... globs) {
    return new InstallPolicy(defaultDrops, only, adding(drop, packageName, globs),
        dropEverywhere, keepSetuid);
  }

  /** Drops the paths of every package that match one of {@code globs}. */
  public InstallPolicy dropEverywhere(String... globs) {
    return new InstallPolicy(defaultDrops, only, drop, joined(dropEverywhere, globs),
        keepSetuid);
  }

  /** Lets files matching one of {@code globs} keep their setuid and setgid bits. */
  public InstallPolicy keepSetuid(String... globs) {
    return new InstallPolicy(defaultDrops, only, drop, dropEverywhere,
        joined(keepSetuid, globs));
  }

  /** Whether the file at {@code path} may keep its setuid and setgid bits. */
  public boolean keepsSetuid(String path) {
    return anyMatches(keepSetuid, path);
  }

  /** Whether the non-folder entry at {@code path} of {@code packageName} goes into the image. */
  public boolean keeps(String packageName, String path) {
    List<PathGlob> onlyGlobs = only.getOrDefault(packageName, List.of());
    boolean named = anyMatches(onlyGlobs, path);
    if (!onlyGlobs.isEmpty() && !named) {
      return false;
    }
    if (anyMatches(drop.getOrDefault(packageName, List.of()), path)
        || anyMatches(dropEverywhere, path)) {
      return false;
    }
    boolean droppedByDefault = defaultDrops && anyMatches(DEFAULT_DROP_GLOBS, path)
        && !anyMatches(DEFAULT_KEEP_GLOBS, path);
    return named || !droppedByDefault;
  }

  private static Map<String, List<PathGlob>> adding(Map<String, List<PathGlob>> map,
      String packageName, String... globs) {
    if (!PACKAGE_NAME.matcher(packageName).matches()) {
      throw new ClawException("\"" + packageName + "\" is not a Debian package name",
          "name the package as Debian does: lower-case letters, digits, + - and .");
    }
    Map<String, List<PathGlob>> copy = new TreeMap<>(map);
    copy.put(packageName, joined(map.getOrDefault(packageName, List.of()), globs));
    return copy;
  }

  private static List<PathGlob> joined(List<PathGlob> existing, String... globs) {
    List<PathGlob> joined = new ArrayList<>(existing);
    joined.addAll(globs(List.of(globs)));
    return List.copyOf(joined);
  }

  private static List<PathGlob> globs(List<String> texts) {
    return texts.stream().map(PathGlob::of).toList();
  }

  private static boolean anyMatches(List<PathGlob> globs, String path) {
    for (PathGlob glob : globs) {
      if (glob.matches(path)) {
        return true;
      }
    }
    return false;
  }
}
