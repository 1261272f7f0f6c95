package dev.claw.image.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The JSON documents of an image layout (image-spec v1.1). Each is built field by field in a
 * fixed order and written compact, without a trailing newline, so the same image gives the
 * same bytes and therefore the same digests.
 */
final class OciDocuments {
  static final String INDEX_TYPE = "application/vnd.oci.image.index.v1+json";
  static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
  static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
  static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
  static final String REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

  /** claw's Debian packages and its static agents are amd64; so is every image it writes. */
  static final String ARCHITECTURE = "amd64";
  static final String OS = "linux";

  /** A fixed creation time: the real one would make every build differ. */
  private static final String EPOCH = "1970-01-01T00:00:00Z";

  private static final ObjectMapper JSON = new ObjectMapper();

  private OciDocuments() {}

  /** The image config: how to run it, and the digest of each layer's plain tar. */
  static byte[] config(OciImageConfig image, List<String> layerNames, List<String> diffIds) {
    ObjectNode config = JSON.createObjectNode();
    config.put("created", EPOCH);
    config.put("architecture", ARCHITECTURE);
    config.put("os", OS);

    ObjectNode run = config.putObject("config");
    run.put("User", image.user());
    strings(run.putArray("Env"), image.env());
    strings(run.putArray("Entrypoint"), image.entrypoint());
    run.put("WorkingDir", image.workingDir());

    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    strings(rootfs.putArray("diff_ids"), diffIds);

    // One entry per layer, none marked empty_layer: every claw layer has its image layer.
    ArrayNode history = config.putArray("history");
    for (String name : layerNames) {
      history.addObject().put("created", EPOCH).put("created_by", "claw layer " + name);
    }
    return bytes(config);
  }

  static byte[] manifest(Descriptor config, List<Descriptor> layers) {
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", MANIFEST_TYPE);
    manifest.set("config", descriptor(config));
    ArrayNode layerArray = manifest.putArray("layers");
    layers.forEach(layer -> layerArray.add(descriptor(layer)));
    return bytes(manifest);
  }

  /** The layout's entry point: one image, tagged {@code refName}. */
  static byte[] index(Descriptor manifest, String refName) {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", INDEX_TYPE);
    ObjectNode entry = descriptor(manifest);
    entry.putObject("platform").put("architecture", ARCHITECTURE).put("os", OS);
    entry.putObject("annotations").put(REF_NAME_ANNOTATION, refName);
    index.putArray("manifests").add(entry);
    return bytes(index);
  }

  /** The {@code oci-layout} file that marks a folder as an image layout. */
  static byte[] layoutMarker() {
    return bytes(JSON.createObjectNode().put("imageLayoutVersion", "1.0.0"));
  }

  private static ObjectNode descriptor(Descriptor blob) {
    return JSON.createObjectNode()
        .put("mediaType", blob.mediaType())
        .put("digest", blob.digest())
        .put("size", blob.size());
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }

  private static byte[] bytes(ObjectNode document) {
    try {
      return JSON.writeValueAsBytes(document);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of JSON nodes always serialises", e);
    }
  }
}
