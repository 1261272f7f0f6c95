package dev.claw.debian;

/**
 * A Debian package version, {@code [epoch:]upstream[-revision]}, ordered exactly as dpkg
 * orders it: epochs compare as numbers; upstream and revision compare piece by piece, runs of
 * digits as numbers and everything else character by character, where {@code ~} sorts before
 * anything (even the end of the string), then letters, then all other characters. A missing
 * revision equals "0".
 *
 * <p>{@link #compareTo} is dpkg's order and is not consistent with {@link #equals}, which
 * compares the text: {@code 1.0} and {@code 0:1.0} are different texts of one version (as
 * with {@code BigDecimal}'s {@code 1.0} and {@code 1.00}).
 */
public final class DebianVersion implements Comparable<DebianVersion> {
  private final String text;
  private final int epoch;
  private final String upstream;
  private final String revision;

  private DebianVersion(String text, int epoch, String upstream, String revision) {
    this.text = text;
    this.epoch = epoch;
    this.upstream = upstream;
    this.revision = revision;
  }

  /**
   * Parses a version as Debian policy writes it.
   *
   * @throws IllegalArgumentException if {@code text} is not a version dpkg would accept
   */
  public static DebianVersion parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty version");
    }
    int colon = text.indexOf(':');
    int epoch = colon < 0 ? 0 : parseEpoch(text, text.substring(0, colon));
    String rest = text.substring(colon + 1);

    int hyphen = rest.lastIndexOf('-');
    String upstream = hyphen < 0 ? rest : rest.substring(0, hyphen);
    String revision = hyphen < 0 ? "" : rest.substring(hyphen + 1);
    if (upstream.isEmpty() || !Character.isDigit(upstream.charAt(0))) {
      throw new IllegalArgumentException("version '" + text + "' must start with a digit"
          + " (after any epoch)");
    }
    if (hyphen >= 0 && revision.isEmpty()) {
      throw new IllegalArgumentException("version '" + text + "' ends with '-'");
    }
    checkCharacters(text, upstream, ".+~-");
    checkCharacters(text, revision, ".+~");
    return new DebianVersion(text, epoch, upstream, revision);
  }

  private static int parseEpoch(String text, String epoch) {
    if (epoch.isEmpty() || epoch.length() > 9 || !epoch.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("version '" + text + "' has a bad epoch '" + epoch
          + "'");
    }
    return Integer.parseInt(epoch);
  }

  private static void checkCharacters(String text, String part, String punctuation) {
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      boolean alphanumeric = c < 128 && Character.isLetterOrDigit(c);
      if (!alphanumeric && punctuation.indexOf(c) < 0) {
        throw new IllegalArgumentException("version '" + text + "' contains '" + c + "'");
      }
    }
  }

  public int epoch() {
    return epoch;
  }

  public String upstream() {
    return upstream;
  }

  /** The Debian revision; empty when the version has none. */
  public String revision() {
    return revision;
  }

  @Override
  public int compareTo(DebianVersion other) {
    if (epoch != other.epoch) {
      return Integer.compare(epoch, other.epoch);
    }
    int byUpstream = compareParts(upstream, other.upstream);
    return byUpstream != 0 ? byUpstream : compareParts(revision, other.revision);
  }

  /** Compares two texts the way dpkg's {@code verrevcmp} does; the sign is what matters. */
  static int compareParts(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() || j < b.length()) {
      // Non-digit prefix, character by character; the end of a string weighs 0.
      while ((i < a.length() && !isDigit(a.charAt(i)))
          || (j < b.length() && !isDigit(b.charAt(j)))) {
        int left = weight(a, i);
        int right = weight(b, j);
        if (left != right) {
          return Integer.compare(left, right);
        }
        i++;
        j++;
      }

      // Digit run, as a number: skip leading zeros, then the longer run is larger.
      while (i < a.length() && a.charAt(i) == '0') {
        i++;
      }
      while (j < b.length() && b.charAt(j) == '0') {
        j++;
      }
      int firstDifference = 0;
      while (i < a.length() && isDigit(a.charAt(i)) && j < b.length() && isDigit(b.charAt(j))) {
        if (firstDifference == 0) {
          firstDifference = Integer.compare(a.charAt(i), b.charAt(j));
        }
        i++;
        j++;
      }
      if (i < a.length() && isDigit(a.charAt(i))) {
        return 1;
      }
      if (j < b.length() && isDigit(b.charAt(j))) {
        return -1;
      }
      if (firstDifference != 0) {
        return firstDifference;
      }
    }
    return 0;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** dpkg's {@code order()}: ~ first, then the end of the string, letters, everything else. */
  private static int weight(String s, int index) {
    if (index >= s.length()) {
      return 0;
    }
    char c = s.charAt(index);
    if (isDigit(c)) {
      return 0;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      return c;
    }
    return c == '~' ? -1 : c + 256;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DebianVersion version && text.equals(version.text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** The version exactly as written. */
  @Override
  public String toString() {
    return text;
  }
}
