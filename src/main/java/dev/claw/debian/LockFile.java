package dev.claw.debian;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw.ClawException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * claw.lock: the exact packages a profile resolved to, so that a build can be repeated
 * byte for byte, offline, long after the mirror has moved on.
 *
 * <p>The file is JSON with a fixed layout, so the same lock always has the same bytes and
 * diffs read well: fields in the order below, two-space indentation, one package per object,
 * a final newline, packages in the order the caller gave.
 *
 * <pre>
 * {
 *   "lockVersion": 1,
 *   "inputs": "&lt;sha256 of what was resolved&gt;",
 *   "architecture": "amd64",
 *   "packages": [ { "name": ..., "version": ..., "architecture": ..., "source": ...,
 *                   "size": ..., "sha256": ..., "filename": ..., "repository": ...,
 *                   "layer": ... } ]
 * }
 * </pre>
 *
 * <p>Reading is strict: an unknown or missing field, a value of the wrong type, a malformed
 * digest, a negative size, a filename that could leave the repository or a repository that is
 * not http(s) is an error, because every one of them would later become a path or a URL.
 *
 * @param inputs a SHA-256 (hex) the caller computes over what was resolved (profile, sources)
 */
public record LockFile(String inputs, String architecture, List<LockedPackage> packages) {

  public static final int LOCK_VERSION = 1;

  private static final List<String> TOP_FIELDS =
      List.of("lockVersion", "inputs", "architecture", "packages");
  private static final List<String> PACKAGE_FIELDS = List.of("name", "version", "architecture",
      "source", "size", "sha256", "filename", "repository", "layer");
  private static final String FIX = "claw writes this file: restore it from version control,"
      + " or delete it so that claw resolves the profile again";

  public LockFile {
    packages = List.copyOf(packages);
  }

  /**
   * Reads and checks a lock file.
   *
   * @throws ClawException naming the file, the place and what is wrong
   */
  public static LockFile read(Path file) {
    JsonNode root;
    try {
      ObjectMapper mapper = new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
      root = mapper.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new ClawException(file + " does not exist", "let claw resolve the profile to"
          + " write it");
    } catch (JsonProcessingException e) {
      throw invalid(file, "it is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ClawException("could not read " + file + ": " + e, "check that it is readable");
    }

    try {
      LockFile lock = fromJson(root);
      lock.check();
      return lock;
    } catch (IllegalArgumentException e) {
      throw invalid(file, e.getMessage());
    }
  }

  private static LockFile fromJson(JsonNode root) {
    requireFields(root, TOP_FIELDS, "the top level");
    JsonNode version = root.get("lockVersion");
    if (!version.isInt() || version.intValue() != LOCK_VERSION) {
      throw new IllegalArgumentException("lockVersion is " + version + ", but this claw reads"
          + " version " + LOCK_VERSION + " only");
    }
    JsonNode array = root.get("packages");
    if (!array.isArray()) {
      throw new IllegalArgumentException("packages is not a list");
    }
    List<LockedPackage> packages = new ArrayList<>();
    for (JsonNode node : array) {
      packages.add(lockedPackage(node, "package " + (packages.size() + 1)));
    }
    return new LockFile(text(root, "inputs", "the top level"),
        text(root, "architecture", "the top level"), packages);
  }

  private static LockedPackage lockedPackage(JsonNode node, String where) {
    requireFields(node, PACKAGE_FIELDS, where);
    JsonNode size = node.get("size");
    if (!size.isIntegralNumber() || !size.canConvertToLong()) {
      throw new IllegalArgumentException(where + ": size " + size + " is not a whole number");
    }
    return new LockedPackage(text(node, "name", where), text(node, "version", where),
        text(node, "architecture", where), text(node, "source", where), size.longValue(),
        text(node, "sha256", where), text(node, "filename", where),
        text(node, "repository", where), text(node, "layer", where));
  }

  /** Exactly these fields, no more and no fewer. */
  private static void requireFields(JsonNode node, List<String> fields, String where) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + " is not a JSON object");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!fields.contains(name)) {
        throw new IllegalArgumentException(where + " has the unknown field '" + name + "'");
      }
    }
    for (String field : fields) {
      if (!node.has(field)) {
        throw new IllegalArgumentException(where + " lacks the field '" + field + "'");
      }
    }
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (!value.isTextual()) {
      throw new IllegalArgumentException(where + ": " + field + " is not a string");
    }
    return value.textValue();
  }

  /** Checks every rule of the format; the message says where the first break is. */
  private void check() {
    LockRules.checkSha256(inputs);
    LockRules.checkArchitecture(architecture);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < packages.size(); i++) {
      LockedPackage locked = packages.get(i);
      String where = "package " + (i + 1) + " (" + locked.name() + ")";
      try {
        checkPackage(locked);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
      if (!seen.add(locked.name() + ":" + locked.architecture())) {
        throw new IllegalArgumentException(where + " is listed twice");
      }
    }
  }

  private static void checkPackage(LockedPackage locked) {
    LockRules.checkPackageName(locked.name());
    DebianVersion.parse(locked.version());
    LockRules.checkArchitecture(locked.architecture());
    LockRules.checkPackageName(locked.source());
    if (locked.size() < 0) {
      throw new IllegalArgumentException("size " + locked.size() + " is negative");
    }
    LockRules.checkSha256(locked.sha256());
    LockRules.checkFilename(locked.filename());
    LockRules.checkRepository(locked.repository());
    if (locked.layer().isBlank() || !locked.layer().chars().allMatch(c -> c > ' ' && c < 127)) {
      throw new IllegalArgumentException("layer '" + locked.layer() + "' is not a layer name");
    }
  }

  private static ClawException invalid(Path file, String why) {
    return new ClawException(file + " is not a valid claw.lock: " + why, FIX);
  }

  /**
   * Writes the lock atomically: readers see the old file or the new one, never a part.
   *
   * @throws IllegalArgumentException if the lock breaks a rule of the format (a bug in the
   *     caller: claw never writes a lock it could not read back)
   * @throws ClawException if the write fails
   */
  public void write(Path file) {
    byte[] bytes = toBytes();
    Path folder = file.toAbsolutePath().getParent();
    Path partial = null;
    try {
      partial = Files.createTempFile(folder, "." + file.getFileName(), ".partial");
      Files.write(partial, bytes);
      Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new ClawException("could not write " + file + ": " + e,
          "check that " + folder + " is writable and the disk has room", e);
    } finally {
      deleteQuietly(partial);
    }
  }

  private static void deleteQuietly(Path partial) {
    try {
      if (partial != null) {
        Files.deleteIfExists(partial);
      }
    } catch (IOException e) {
      // Only a leftover temporary file, named as such; the error that matters is thrown.
    }
  }

  /** The exact bytes {@link #write} puts in the file. */
  public byte[] toBytes() {
    try {
      check();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("refusing to write an invalid claw.lock: "
          + e.getMessage(), e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
      json.setPrettyPrinter(prettyPrinter());
      writeJson(json);
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  private void writeJson(JsonGenerator json) throws IOException {
    json.writeStartObject();
    json.writeNumberField("lockVersion", LOCK_VERSION);
    json.writeStringField("inputs", inputs);
    json.writeStringField("architecture", architecture);
    json.writeArrayFieldStart("packages");
    for (LockedPackage locked : packages) {
      json.writeStartObject();
      json.writeStringField("name", locked.name());
      json.writeStringField("version", locked.version());
      json.writeStringField("architecture", locked.architecture());
      json.writeStringField("source", locked.source());
      json.writeNumberField("size", locked.size());
      json.writeStringField("sha256", locked.sha256());
      json.writeStringField("filename", locked.filename());
      json.writeStringField("repository", locked.repository());
      json.writeStringField("layer", locked.layer());
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeEndObject();
  }

  /** Two spaces, "key": value, arrays one element per line, on every platform. */
  private static DefaultPrettyPrinter prettyPrinter() {
    DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
    Separators separators = Separators.createDefaultInstance()
        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
        .withObjectEmptySeparator("")
        .withArrayEmptySeparator("");
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter(separators);
    printer.indentObjectsWith(indenter);
    printer.indentArraysWith(indenter);
    return printer;
  }
}
