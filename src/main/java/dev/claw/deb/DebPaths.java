package dev.claw.deb;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Where a package's tar names go in the image: checked, made absolute and moved to merged /usr.
 *
 * <p>Merged /usr: Debian 12 installs {@code /bin}, {@code /sbin}, {@code /lib} and friends as
 * links into {@code /usr}, but its packages still ship some files under the old names. claw
 * installs every such file under its {@code /usr} name and makes the top-level name a link,
 * so a file has one name in the image whichever spelling a package used, and two packages that
 * ship the same file under both spellings meet as a conflict instead of silently overwriting.
 */
public final class DebPaths {
  /**
   * The longest path, in UTF-8 bytes, that claw installs: Linux's PATH_MAX (4096) counts the
   * terminating NUL. Also the longest symbolic-link target. Lower it if an image format needs.
   */
  public static final int MAX_PATH_BYTES = 4095;

  /** The longest single path component, in UTF-8 bytes (NAME_MAX on Linux, ext4 and erofs). */
  public static final int MAX_NAME_BYTES = 255;

  /** Top-level folders that merged /usr turns into links to their {@code /usr} namesake. */
  public static final List<String> MERGED_FOLDERS =
      List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32");

  private DebPaths() {}

  /**
   * The absolute path a tar name stands for: "./usr/bin/jq" and "usr/bin/jq" both give
   * "/usr/bin/jq", "./" gives "/". Refuses what could climb out of the root or cannot be
   * represented: absolute names, ".." anywhere, line breaks.
   */
  static String absolute(String tarName) throws UnsafePathException {
    if (tarName.startsWith("/")) {
      throw new UnsafePathException("its name is absolute; a package's names are relative to"
          + " the root it is installed into");
    }
    if (tarName.indexOf('\n') >= 0 || tarName.indexOf('\r') >= 0) {
      throw new UnsafePathException("its name holds a line break, which dpkg's file lists"
          + " (and md5sums) cannot hold");
    }
    StringBuilder path = new StringBuilder();
    for (String component : tarName.split("/")) {
      if (component.equals("..")) {
        throw new UnsafePathException("its name has a \"..\" component, which could climb out"
            + " of the image's root");
      }
      if (!component.isEmpty() && !component.equals(".")) {
        path.append('/').append(component);
      }
    }
    return path.length() == 0 ? "/" : path.toString();
  }

  /** The merged-/usr folder {@code path} lies in or is (such as "/lib"), if any. */
  static Optional<String> mergedFolderOf(String path) {
    for (String folder : MERGED_FOLDERS) {
      if (path.equals(folder) || path.startsWith(folder + "/")) {
        return Optional.of(folder);
      }
    }
    return Optional.empty();
  }

  /** Where {@code path} goes under merged /usr: "/lib/x" gives "/usr/lib/x". */
  static String merged(String path) {
    return mergedFolderOf(path).isPresent() ? "/usr" + path : path;
  }

  /** The link text of a merged folder's link: "usr/lib" for "/lib". */
  static String linkTarget(String mergedFolder) {
    return "usr" + mergedFolder;
  }

  /** Refuses a path that no image format claw writes can hold. */
  static void checkLength(String path) throws UnsafePathException {
    if (utf8Length(path) > MAX_PATH_BYTES) {
      throw new UnsafePathException("its path is " + utf8Length(path) + " bytes long, more than"
          + " the " + MAX_PATH_BYTES + " an image can hold");
    }
    for (String component : path.substring(1).split("/")) {
      if (utf8Length(component) > MAX_NAME_BYTES) {
        throw new UnsafePathException("one of its names is " + utf8Length(component)
            + " bytes long, more than the " + MAX_NAME_BYTES + " a folder entry can hold");
      }
    }
  }

  /** Refuses a symbolic-link target no image format can hold. */
  static void checkLinkTarget(String target) throws UnsafePathException {
    if (target.isEmpty()) {
      throw new UnsafePathException("it is a symbolic link with an empty target");
    }
    if (utf8Length(target) > MAX_PATH_BYTES) {
      throw new UnsafePathException("its link target is " + utf8Length(target) + " bytes long,"
          + " more than the " + MAX_PATH_BYTES + " a link can hold");
    }
  }

  private static int utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  /** A tar name claw will not install; the message says why, the caller says which. */
  static final class UnsafePathException extends Exception {
    private static final long serialVersionUID = 1L;

    UnsafePathException(String message) {
      super(message);
    }
  }
}
