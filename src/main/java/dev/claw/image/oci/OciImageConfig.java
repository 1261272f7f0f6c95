package dev.claw.image.oci;

import dev.claw.ClawException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How a runtime starts the image: the process, its environment, folder and user, and the name
 * the image goes by inside its layout.
 *
 * <p>Everything is checked here, once, so that a layout is never written with a config a
 * runtime would reject or read differently than meant.
 *
 * @param entrypoint the program and its arguments; the program is an absolute path in the
 *     image, since an image runtime searches no PATH of ours
 * @param env variables as {@code NAME=value}; the order is kept as given
 * @param workingDir an absolute path in the image where the process starts
 * @param user {@code uid:gid} such as {@code 1000:1000} (or any form the image config allows,
 *     such as a bare uid or a user name the image's /etc/passwd knows)
 * @param refName the tag that {@code index.json} gives the image, as in
 *     {@code umoci unpack --image <dir>:<refName>}
 */
public record OciImageConfig(List<String> entrypoint, List<String> env, String workingDir,
    String user, String refName) {

  /** The grammar of org.opencontainers.image.ref.name in the image spec's annotations. */
  private static final Pattern REF_NAME =
      Pattern.compile("[A-Za-z0-9]+((--|[-._:@+])[A-Za-z0-9]+)*(/[A-Za-z0-9]+((--|[-._:@+])"
          + "[A-Za-z0-9]+)*)*");
  private static final Pattern USER = Pattern.compile("[^\\s:]+(:[^\\s:]+)?");

  /** Copies the lists and checks every field; throws {@link ClawException} on bad input. */
  public OciImageConfig {
    entrypoint = List.copyOf(require(entrypoint, "entrypoint"));
    env = List.copyOf(require(env, "env"));
    require(workingDir, "workingDir");
    require(user, "user");
    require(refName, "refName");
    checkEntrypoint(entrypoint);
    env.forEach(OciImageConfig::checkVariable);
    checkWorkingDir(workingDir);
    checkUser(user);
    checkRefName(refName);
  }

  private static <T> T require(T value, String field) {
    if (value == null) {
      throw new ClawException("the OCI image config has no " + field,
          "give the image a " + field);
    }
    return value;
  }

  private static void checkEntrypoint(List<String> entrypoint) {
    if (entrypoint.isEmpty() || !entrypoint.get(0).startsWith("/")) {
      throw new ClawException("the OCI image's entrypoint " + entrypoint
          + " does not start with an absolute program path",
          "start the command with the program's full path in the image, such as /app/agent");
    }
  }

  private static void checkVariable(String variable) {
    int equals = variable.indexOf('=');
    if (equals <= 0) {
      throw new ClawException("the OCI image's environment entry '" + variable
          + "' is not NAME=value", "write each variable as NAME=value");
    }
  }

  private static void checkWorkingDir(String workingDir) {
    if (!workingDir.startsWith("/")) {
      throw new ClawException("the OCI image's working folder '" + workingDir
          + "' is not an absolute path", "give the folder's full path in the image, such as /app");
    }
  }

  private static void checkUser(String user) {
    if (!USER.matcher(user).matches()) {
      throw new ClawException("the OCI image's user '" + user + "' is not user or user:group",
          "give the user as uid:gid, such as 1000:1000");
    }
  }

  private static void checkRefName(String refName) {
    if (!REF_NAME.matcher(refName).matches()) {
      throw new ClawException("'" + refName + "' cannot name an image in an OCI layout",
          "use letters and digits, joined by single '.', '_', '-', ':', '@' or '+', or by '/'"
              + " (such as claw-agent or latest)");
    }
  }
}
