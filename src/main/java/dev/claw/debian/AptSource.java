package dev.claw.debian;

import java.nio.file.Path;
import java.util.List;

/**
 * One suite of one repository, as apt is configured to use it.
 *
 * @param uri the repository's base URI without a trailing slash, such as
 *     {@code http://deb.debian.org/debian}
 * @param suite the suite or codename, such as "bookworm" or "bookworm-security"
 * @param components such as "main"
 * @param keyring the keys that must sign the suite's InRelease: a keyring file (binary or
 *     ASCII-armoured), or a folder whose {@code *.gpg} and {@code *.asc} files are all trusted
 *     (apt's trusted.gpg.d, used when a source names no Signed-By)
 */
public record AptSource(String uri, String suite, List<String> components, Path keyring) {

  public AptSource {
    components = List.copyOf(components);
  }

  @Override
  public String toString() {
    return uri + " " + suite + " " + String.join(" ", components);
  }
}
