package dev.claw.deb;

import dev.claw.ClawException;
import java.util.regex.Pattern;

/**
 * A pattern for absolute image paths: {@code *} matches within one path component, {@code ?}
 * one character of a component, and {@code **} any number of components, none included, so
 * {@code /usr/share/doc/**} matches the folder itself and everything below it. Everything else
 * stands for itself. Patterns match installed paths, that is after the move to merged /usr
 * ({@code /usr/lib/...}, never {@code /lib/...}).
 */
public final class PathGlob {
  private final String text;
  private final Pattern pattern;

  private PathGlob(String text, Pattern pattern) {
    this.text = text;
    this.pattern = pattern;
  }

  /** The pattern {@code glob}; it must be absolute and free of "..". */
  public static PathGlob of(String glob) {
    if (!glob.startsWith("/") || glob.contains("/../") || glob.endsWith("/..")) {
      throw new ClawException("the path pattern \"" + glob + "\" is not an absolute path",
          "write patterns as absolute paths in the image, such as /usr/share/doc/**");
    }
    return new PathGlob(glob, Pattern.compile(toRegex(glob), Pattern.DOTALL));
  }

  public boolean matches(String path) {
    return pattern.matcher(path).matches();
  }

  private static String toRegex(String glob) {
    StringBuilder regex = new StringBuilder();
    int i = 0;
    while (i < glob.length()) {
      if (glob.startsWith("/**", i) && (i + 3 == glob.length() || glob.charAt(i + 3) == '/')) {
        regex.append("(?:/.*)?");
        i += 3;
      } else if (glob.startsWith("**", i)) {
        regex.append(".*");
        i += 2;
      } else if (glob.charAt(i) == '*') {
        regex.append("[^/]*");
        i++;
      } else if (glob.charAt(i) == '?') {
        regex.append("[^/]");
        i++;
      } else {
        regex.append(Pattern.quote(String.valueOf(glob.charAt(i))));
        i++;
      }
    }
    return regex.toString();
  }

  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PathGlob && ((PathGlob) other).text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }
}
