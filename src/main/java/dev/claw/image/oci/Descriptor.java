package dev.claw.image.oci;

import java.util.regex.Pattern;

/**
 * What an OCI document says about a blob it points to: its media type, digest and size. A
 * digest is always sha256, lower-case hex, since that is the only algorithm claw writes.
 */
record Descriptor(String mediaType, String digest, long size) {
  private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");

  Descriptor {
    if (!SHA256.matcher(digest).matches()) {
      throw new IllegalArgumentException("not a sha256 digest: " + digest);
    }
    if (size < 0) {
      throw new IllegalArgumentException("negative blob size " + size + " for " + digest);
    }
  }

  /** The digest's hex part, which is also the blob's file name under blobs/sha256. */
  String hex() {
    return digest.substring("sha256:".length());
  }
}
