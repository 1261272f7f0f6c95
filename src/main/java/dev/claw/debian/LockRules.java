package dev.claw.debian;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * What a package's identity must look like before claw turns it into a path or a URL. The
 * same rules apply to what a mirror's index says and to what a claw.lock says, so a hostile
 * index or a hand-edited lock cannot make claw write outside its cache or fetch from elsewhere.
 * Each check throws {@link IllegalArgumentException} saying what is wrong.
 */
final class LockRules {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern PACKAGE_NAME = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
  private static final Pattern ARCHITECTURE = Pattern.compile("[a-z0-9][a-z0-9-]*");

  private LockRules() {}

  static void checkSha256(String sha256) {
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("sha256 '" + sha256
          + "' is not 64 lower-case hex digits");
    }
  }

  static void checkPackageName(String name) {
    if (name == null || !PACKAGE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + name + "' is not a Debian package name");
    }
  }

  static void checkArchitecture(String architecture) {
    if (architecture == null || !ARCHITECTURE.matcher(architecture).matches()) {
      throw new IllegalArgumentException("'" + architecture + "' is not an architecture name");
    }
  }

  /** A path below the repository: relative, no {@code ..}, no empty or {@code .} parts. */
  static void checkFilename(String filename) {
    if (filename == null || filename.isEmpty()) {
      throw new IllegalArgumentException("the filename is empty");
    }
    if (filename.startsWith("/")) {
      throw new IllegalArgumentException("filename '" + filename + "' starts with '/'");
    }
    for (String part : filename.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw new IllegalArgumentException("filename '" + filename
            + "' has an empty, '.' or '..' part");
      }
    }
    for (char c : filename.toCharArray()) {
      if (c <= ' ' || c == '\\' || c == '?' || c == '#' || c == '%' || c >= 127) {
        throw new IllegalArgumentException("filename '" + filename
            + "' contains a character that is not allowed in a pool path");
      }
    }
  }

  /** An absolute http or https URI with a host and no query, fragment or trailing slash. */
  static void checkRepository(String repository) {
    URI uri;
    try {
      uri = new URI(repository);
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalArgumentException("repository '" + repository + "' is not a URI");
    }
    String scheme = uri.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException("repository '" + repository
          + "' is not an http:// or https:// URI");
    }
    if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null || repository.endsWith("/")) {
      throw new IllegalArgumentException("repository '" + repository
          + "' must be scheme://host/path, without user, query, fragment or trailing '/'");
    }
  }
}
