package dev.claw.image.oci;

import dev.claw.ClawException;
import dev.claw.fs.FileTree;
import dev.claw.fs.FileTree.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * Writes a {@link FileTree} as an OCI image layout (image-spec v1.1): a folder holding one
 * image, tagged {@link OciImageConfig#refName}, for any tool that reads layouts (the tests
 * unpack it with umoci and run it with runc).
 *
 * <p>Each claw layer becomes one image layer, in the order given, so a base that several
 * agents share is one blob, stored and pulled once, as long as the same entries go into it
 * (entries of no listed layer join the first one, so they belong in a layer of their own at
 * the end if that layer is meant to be shared). A claw layer with no entries still gets its
 * (empty) image layer: layer N of the image is always claw layer N, and the history has one
 * entry per layer with no {@code empty_layer} markers to reconcile. See {@link LayerPlan} for
 * what each layer holds.
 *
 * <p>Reproducibility contract: the same tree, layer order and config give the same bytes in
 * every file, whatever the order entries were added in, the clock, the host's user or locale.
 * Tars have fixed metadata ({@link LayerTar}); gzip headers are fixed; JSON is written in a
 * fixed key order; every time is the epoch. One input lies outside claw: the deflate stream
 * comes from the zlib the JDK links (on Debian, the system's libz). Another zlib version or
 * implementation (zlib-ng, say) may compress differently and so change the layer blobs and
 * the manifest digest, while the layers' {@code diff_ids} (digests of the plain tars) stay
 * the same. A golden test pins both.
 */
public final class OciLayout {
  private OciLayout() {}

  /**
   * Writes {@code tree} as an image layout at {@code dir} and returns the manifest's digest
   * ({@code sha256:<hex>}).
   *
   * <p>{@code dir} may be missing, empty, or an earlier layout, which is replaced. The layout
   * is written beside it and renamed into place at the end: on any failure nothing new is
   * left, and an earlier layout stays as it was.
   *
   * @param layerOrder claw layer names, lowest first; entries of any other layer (claw's own
   *     skeleton has "") go into the first
   * @throws ClawException if {@code dir} holds something else, the layer order is not a list
   *     of distinct names, or the tree has a path an OCI layer cannot carry
   */
  public static String write(FileTree tree, List<String> layerOrder, OciImageConfig config,
      Path dir) throws IOException {
    checkLayerOrder(layerOrder);
    List<List<Entry>> layers = LayerPlan.split(tree, layerOrder);

    try (StagedDirectory staged = StagedDirectory.beside(dir)) {
      String digest = writeLayout(staged.path(), layers, layerOrder, config);
      staged.publish();
      return digest;
    }
  }

  private static String writeLayout(Path root, List<List<Entry>> layers, List<String> names,
      OciImageConfig image) throws IOException {
    BlobStore blobs = new BlobStore(root);
    List<Descriptor> layerBlobs = new ArrayList<>();
    List<String> diffIds = new ArrayList<>();
    for (List<Entry> layer : layers) {
      BlobStore.Layer written = blobs.putLayer(layer);
      layerBlobs.add(written.blob());
      diffIds.add(written.diffId());
    }

    Descriptor config = blobs.put(OciDocuments.CONFIG_TYPE,
        OciDocuments.config(image, names, diffIds));
    Descriptor manifest = blobs.put(OciDocuments.MANIFEST_TYPE,
        OciDocuments.manifest(config, layerBlobs));
    Files.write(root.resolve("index.json"), OciDocuments.index(manifest, image.refName()));
    Files.write(root.resolve("oci-layout"), OciDocuments.layoutMarker());
    return manifest.digest();
  }

  private static void checkLayerOrder(List<String> layerOrder) {
    if (layerOrder.isEmpty()) {
      throw new ClawException("no layers were given for the OCI image",
          "name at least one layer, such as [base, agent]");
    }
    if (layerOrder.stream().anyMatch(name -> name == null || name.isBlank())
        || new HashSet<>(layerOrder).size() != layerOrder.size()) {
      throw new ClawException("the OCI image's layer order " + layerOrder
          + " has a blank or repeated name", "name each layer once, such as [base, agent]");
    }
  }
}
