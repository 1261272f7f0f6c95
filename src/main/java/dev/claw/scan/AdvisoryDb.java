package dev.claw.scan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claw.ClawException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Advisory data the user imports ({@code claw db import}) and scans query offline: the Debian
 * security tracker's JSON export, and OSV records for Debian. Each import is converted to
 * claw's own form, for bookworm only, and stored in the folder given (claw's cache): the
 * tracker export replaces the previous one; OSV records are merged in by id.
 *
 * <p>A file is written to a temporary name and moved into place, so a failed import leaves
 * the database as it was.
 */
public final class AdvisoryDb {
  static final String TRACKER_FILE = "tracker.json";
  static final String OSV_FILE = "osv.json";
  private static final String RELEASE = "bookworm";
  private static final TypeReference<List<Advisory>> ADVISORIES = new TypeReference<>() {};

  private final Path dir;

  public AdvisoryDb(Path dir) {
    this.dir = dir;
  }

  /** What an import stored. */
  public record Imported(String format, int advisories, int sources) {}

  /**
   * Imports {@code file}, recognising its format by its shape.
   *
   * @throws ClawException if it is neither a tracker export nor OSV JSON
   */
  public Imported importFile(Path file) throws IOException {
    JsonNode json = parse(file);
    if (OsvFormat.looksLike(json)) {
      List<Advisory> added = OsvFormat.read(json, file);
      Map<String, Advisory> merged = new TreeMap<>();
      for (Advisory old : stored(OSV_FILE)) {
        merged.put(old.id() + " " + old.source(), old);
      }
      added.forEach(a -> merged.put(a.id() + " " + a.source(), a));
      store(OSV_FILE, new ArrayList<>(merged.values()));
      return new Imported("osv", added.size(), countSources(added));
    }
    if (TrackerFormat.looksLike(json)) {
      List<Advisory> advisories = TrackerFormat.read(json, RELEASE);
      store(TRACKER_FILE, advisories);
      return new Imported("tracker", advisories.size(), countSources(advisories));
    }
    throw new ClawException(file + " is neither the Debian security tracker's JSON export nor"
        + " OSV JSON", "give the tracker's data/json export, or an OSV record (or a list of "
        + "them) for the Debian ecosystem");
  }

  /** What the stored advisories say of {@code packages}, sorted by package and id. */
  public List<Finding> findings(List<InstalledPackage> packages) throws IOException {
    Map<String, List<Advisory>> bySource = bySource();
    List<Finding> findings = new ArrayList<>();
    for (InstalledPackage pkg : packages) {
      for (Advisory advisory : bySource.getOrDefault(pkg.source(), List.of())) {
        advisory.applyTo(pkg).ifPresent(findings::add);
      }
    }
    findings.sort(Comparator.comparing(Finding::packageName).thenComparing(Finding::id)
        .thenComparing(Finding::origin));
    return findings;
  }

  private Map<String, List<Advisory>> bySource() throws IOException {
    Map<String, List<Advisory>> bySource = new HashMap<>();
    for (String name : List.of(TRACKER_FILE, OSV_FILE)) {
      for (Advisory advisory : stored(name)) {
        bySource.computeIfAbsent(advisory.source(), k -> new ArrayList<>()).add(advisory);
      }
    }
    return bySource;
  }

  /** Whether anything was ever imported. */
  public boolean isEmpty() {
    return !Files.exists(dir.resolve(TRACKER_FILE)) && !Files.exists(dir.resolve(OSV_FILE));
  }

  private static JsonNode parse(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new ClawException(file + " is not a file", "give the path of a JSON file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return Json.MAPPER.readTree(in);
    } catch (JsonProcessingException e) {
      throw new ClawException(file + " is not JSON: " + e.getOriginalMessage(),
          "give the tracker's JSON export or OSV JSON, unpacked (not .gz or .zip)");
    }
  }

  private List<Advisory> stored(String name) throws IOException {
    Path file = dir.resolve(name);
    if (!Files.exists(file)) {
      return List.of();
    }
    try (InputStream in = Files.newInputStream(file)) {
      JsonNode document = Json.MAPPER.readTree(in);
      return Json.MAPPER.convertValue(document.get("advisories"), ADVISORIES);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new ClawException("claw's advisory database " + file + " is damaged: "
          + e.getMessage(), "delete it and run 'claw db import' again");
    }
  }

  private void store(String name, List<Advisory> advisories) throws IOException {
    Files.createDirectories(dir);
    ObjectNode document = Json.object().put("format", "claw-advisories 1");
    document.set("advisories", Json.MAPPER.valueToTree(advisories));
    Path temp = Files.createTempFile(dir, name, ".tmp");
    try {
      Files.write(temp, Json.bytes(document));
      move(temp, dir.resolve(name));
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static int countSources(List<Advisory> advisories) {
    return (int) advisories.stream().map(Advisory::source).distinct().count();
  }

  /**
   * {@code findings} with the severity this database gives each unrated one (same source
   * package, same id): the security suite's changelogs name CVEs but do not rate them.
   */
  public List<Finding> rate(List<Finding> findings) throws IOException {
    Map<String, Severity> rated = new HashMap<>();
    for (List<Advisory> advisories : bySource().values()) {
      for (Advisory a : advisories) {
        if (a.severity() != Severity.UNKNOWN) {
          rated.putIfAbsent(a.source() + " " + a.id(), a.severity());
        }
      }
    }
    List<Finding> result = new ArrayList<>();
    for (Finding f : findings) {
      Severity known = rated.get(f.source() + " " + f.id());
      result.add(f.severity() == Severity.UNKNOWN && known != null ? f.withSeverity(known) : f);
    }
    return result;
  }
}
