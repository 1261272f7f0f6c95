package dev.claw.deb;

/**
 * One entry of a package's data tarball, as the package ships it: nothing is checked or mapped
 * yet (that is {@link PackageInstaller}'s job), so a hostile name is here exactly as written.
 *
 * @param name the tar name, such as {@code ./usr/bin/jq}
 * @param kind what the entry is
 * @param typeFlag the tar type byte, for messages about kinds claw does not know
 * @param mode permission bits (07777) as in the tarball
 * @param uid owner number as in the tarball
 * @param gid group number as in the tarball
 * @param userName owner name as in the tarball; may be empty
 * @param groupName group name as in the tarball; may be empty
 * @param linkName a symbolic link's target text, or the tar name a hard link shares; empty
 *     for other kinds
 * @param content a regular file's bytes; empty for other kinds
 */
public record DebEntry(String name, Kind kind, char typeFlag, int mode, long uid, long gid,
    String userName, String groupName, String linkName, byte[] content) {

  /** What a tar entry is. Packages use the first four; the rest are refused when installing. */
  public enum Kind { FILE, DIRECTORY, SYMLINK, HARDLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO, OTHER }

  /** Bytes of content: a regular file's size, zero for everything else. */
  public long size() {
    return content.length;
  }
}
