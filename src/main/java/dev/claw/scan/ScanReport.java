package dev.claw.scan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * Everything a scan found in one root: its packages, their known vulnerabilities, and its
 * attack surface per layer.
 *
 * @param name the agent's name, or the scanned folder's
 * @param notes what the scan could not do (a source that was skipped or unreachable)
 */
public record ScanReport(String name, List<InstalledPackage> packages, List<Finding> findings,
    AttackSurface surface, List<String> notes) {

  /** The SBOM of this root's packages. */
  public Sbom sbom(Instant created) {
    return new Sbom(name, packages, created);
  }

  /** Whether a finding reaches {@code threshold} (see {@link Finding#failsGate}). */
  public boolean failsGate(Severity threshold) {
    return findings.stream().anyMatch(f -> f.failsGate(threshold));
  }

  /** claw's own JSON form of the whole report. */
  public byte[] json() {
    ObjectNode report = Json.object().put("name", name);
    ArrayNode packageNodes = report.putArray("packages");
    for (InstalledPackage p : packages) {
      ObjectNode node = packageNodes.addObject().put("name", p.name())
          .put("version", p.version()).put("architecture", p.architecture())
          .put("source", p.source()).put("source_version", p.sourceVersion())
          .put("layer", p.layer()).put("purl", p.purl());
      p.sha256().ifPresent(sha -> node.put("sha256", sha));
      node.set("licenses", Json.strings(p.licenses()));
    }
    ArrayNode findingNodes = report.putArray("vulnerabilities");
    for (Finding f : findings) {
      ObjectNode node = findingNodes.addObject().put("package", f.packageName())
          .put("installed", f.installedVersion()).put("source", f.source()).put("id", f.id())
          .put("status", f.status().label()).put("reason", f.reason())
          .put("severity", f.severity().label());
      f.fixedVersion().ifPresent(v -> node.put("fixed_version", v));
      node.put("origin", f.origin());
    }
    ObjectNode surfaceNode = report.putObject("attack_surface");
    ArrayNode layers = surfaceNode.putArray("layers");
    surface.layers().forEach(l -> layers.add(layerJson(l)));
    surfaceNode.set("total", layerJson(surface.total()));
    ArrayNode elves = surfaceNode.putArray("elf");
    surface.elves().forEach(e -> elves.add(elfJson(e)));
    report.set("notes", Json.strings(notes));
    return Json.bytes(report);
  }

  static ObjectNode layerJson(LayerSurface l) {
    ObjectNode node = Json.object().put("layer", l.layer()).put("entries", l.entries())
        .put("files", l.files()).put("bytes", l.bytes())
        .put("exported_symbols", l.exportedSymbols());
    node.set("executables", Json.strings(l.executables()));
    node.set("libraries", Json.strings(l.libraries()));
    node.set("setuid_setgid", Json.strings(l.setuid()));
    node.set("world_writable", Json.strings(l.worldWritable()));
    node.set("interpreters", Json.strings(l.interpreters()));
    node.set("network", Json.strings(l.network()));
    node.set("tls", Json.strings(l.tls()));
    LayerSurface.Weaknesses w = l.weak();
    node.putObject("lacking").put("pie", w.notPie()).put("relro", w.noRelro())
        .put("full_relro", w.noRelro() + w.partialRelro()).put("nx_stack", w.executableStack())
        .put("stack_protector", w.noStackProtector()).put("fortify", w.noFortify())
        .put("stripped", w.notStripped());
    return node;
  }

  private static ObjectNode elfJson(ElfReport e) {
    ObjectNode node = Json.object().put("path", e.path()).put("layer", e.layer())
        .put("kind", e.kind().name().toLowerCase(java.util.Locale.ROOT)).put("pie", e.pie())
        .put("relro", e.relro().name().toLowerCase(java.util.Locale.ROOT))
        .put("nx_stack", e.nxStack()).put("stack_protector", e.stackProtector())
        .put("fortify", e.fortify()).put("stripped", e.stripped())
        .put("exported_symbols", e.exportedSymbols()).put("network", e.network())
        .put("tls", e.tls());
    node.set("needed", Json.strings(e.needed()));
    return node;
  }
}
