package dev.claw.deb;

import dev.claw.fs.FileTree;
import dev.claw.fs.FileTree.Entry;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CA bundle that ca-certificates' postinst would make by running update-ca-certificates
 * with its default choice (every certificate enabled): each {@code .crt} under
 * {@code /usr/share/ca-certificates}, in path order, followed by a newline where it lacks one.
 *
 * <p>update-ca-certificates also makes a link per certificate and OpenSSL's hash links in
 * {@code /etc/ssl/certs}; claw does not, so only programs that read the bundle file (OpenSSL's
 * default CAfile, Go, Python, curl, Node with the system store) find the certificates.
 */
final class CaBundle {
  static final String PATH = "/etc/ssl/certs/ca-certificates.crt";
  private static final String SOURCE = "/usr/share/ca-certificates/";

  private final List<Entry> entries;
  private final int certificates;

  private CaBundle(List<Entry> entries, int certificates) {
    this.entries = entries;
    this.certificates = certificates;
  }

  /**
   * The bundle for the certificates in {@code tree}, attributed to the latest of
   * {@code layers} (in install order) that brought one of them; none if there are none.
   */
  static CaBundle of(FileTree tree, List<String> layers) {
    ByteArrayOutputStream bundle = new ByteArrayOutputStream();
    int count = 0;
    int latestLayer = -1;
    String layer = "";
    for (Entry entry : tree.added()) {
      Optional<Entry> certificate = certificate(tree, entry);
      if (certificate.isEmpty()) {
        continue;
      }
      byte[] pem = certificate.get().content();
      bundle.writeBytes(pem);
      if (pem.length > 0 && pem[pem.length - 1] != '\n') {
        bundle.write('\n');
      }
      count++;
      if (layers.indexOf(entry.layer()) >= latestLayer) {
        latestLayer = layers.indexOf(entry.layer());
        layer = entry.layer();
      }
    }
    if (count == 0) {
      return new CaBundle(List.of(), 0);
    }
    Entry file = FileTree.fileEntry(PATH, 0644, bundle.toByteArray()).inLayer(layer);
    List<Entry> entries = new ArrayList<>();
    // The folders too, in case no package shipped them: then they belong to this layer.
    for (String folder : List.of("/etc", "/etc/ssl", "/etc/ssl/certs")) {
      entries.add(FileTree.directoryEntry(folder, 0755).inLayer(layer));
    }
    entries.add(file);
    return new CaBundle(entries, count);
  }

  /** The regular file a {@code .crt} entry under the certificate folder leads to, if any. */
  private static Optional<Entry> certificate(FileTree tree, Entry entry) {
    if (!entry.path().startsWith(SOURCE) || !entry.path().endsWith(".crt")
        || entry.isDirectory()) {
      return Optional.empty();
    }
    return tree.resolve(entry.path()).filter(e -> e.type() == FileTree.Type.FILE);
  }

  List<Entry> entries() {
    return entries;
  }

  int certificates() {
    return certificates;
  }

  /** What the report should say about the bundle, if anything. */
  Optional<String> note(boolean caCertificatesInstalled) {
    if (certificates > 0) {
      return Optional.of(PATH + " made from " + certificates + " certificates; the"
          + " per-certificate and OpenSSL hash links in /etc/ssl/certs were not made");
    }
    if (caCertificatesInstalled) {
      return Optional.of("ca-certificates is installed but no certificate under " + SOURCE
          + " was kept, so there is no CA bundle");
    }
    return Optional.empty();
  }
}
