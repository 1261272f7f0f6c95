package dev.claw.scan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claw.host.Sha256;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The software bill of materials of an image: CycloneDX 1.5 and SPDX 2.3, both JSON, written
 * with Jackson.
 *
 * <p>Reproducible: the same packages give the same bytes. Nothing random goes in: the
 * CycloneDX serial number and the SPDX namespace are derived from a digest of the packages,
 * and SPDX's mandatory creation time is the one the caller gives (claw passes
 * {@code SOURCE_DATE_EPOCH}, or 1970-01-01 when it is not set, as reproducible builds do).
 *
 * @param name what the SBOM describes: the agent's name, or the scanned folder's
 * @param packages the installed packages, sorted
 * @param created the SPDX creation time
 */
public record Sbom(String name, List<InstalledPackage> packages, Instant created) {

  /** A digest of everything the documents say about the packages. */
  String digest() {
    Sha256 sha = Sha256.start().add("claw-sbom 1\n" + name + "\n");
    for (InstalledPackage p : packages) {
      sha.add(p.purl() + " " + p.source() + " " + p.sourceVersion() + " " + p.layer() + " "
          + p.sha256().orElse("-") + " " + p.debUrl().orElse("-") + " " + p.licenses() + "\n");
    }
    return sha.hex();
  }

  /** A CycloneDX 1.5 JSON document. */
  public byte[] cycloneDx() {
    ObjectNode bom = Json.object()
        .put("bomFormat", "CycloneDX")
        .put("specVersion", "1.5")
        .put("serialNumber", "urn:uuid:" + uuid(digest()))
        .put("version", 1);
    ObjectNode metadata = bom.putObject("metadata");
    metadata.putObject("tools").putArray("components").addObject()
        .put("type", "application").put("name", "claw");
    metadata.putObject("component").put("type", "container").put("bom-ref", "image")
        .put("name", name);

    ArrayNode components = bom.putArray("components");
    for (InstalledPackage p : packages) {
      components.add(cycloneDxComponent(p));
    }
    return Json.bytes(bom);
  }

  private static ObjectNode cycloneDxComponent(InstalledPackage p) {
    ObjectNode component = Json.object().put("type", "library").put("bom-ref", p.purl())
        .put("name", p.name()).put("version", p.version());
    p.sha256().ifPresent(sha -> component.putArray("hashes").addObject()
        .put("alg", "SHA-256").put("content", sha));
    if (!p.licenses().isEmpty()) {
      ArrayNode licenses = component.putArray("licenses");
      p.licenses().forEach(l -> licenses.addObject().putObject("license").put("name", l));
    }
    component.put("purl", p.purl());
    ArrayNode properties = component.putArray("properties");
    property(properties, "claw:layer", p.layer());
    property(properties, "debian:source", p.source());
    property(properties, "debian:source-version", p.sourceVersion());
    p.debUrl().ifPresent(url -> property(properties, "debian:deb-url", url));
    return component;
  }

  private static void property(ArrayNode properties, String name, String value) {
    if (!value.isEmpty()) {
      properties.addObject().put("name", name).put("value", value);
    }
  }

  /** An SPDX 2.3 JSON document. */
  public byte[] spdx() {
    String digest = digest();
    ObjectNode document = Json.object()
        .put("spdxVersion", "SPDX-2.3")
        .put("dataLicense", "CC0-1.0")
        .put("SPDXID", "SPDXRef-DOCUMENT")
        .put("name", name)
        .put("documentNamespace", "https://claw.dev/spdx/" + spdxId(name) + "-" + digest);
    ObjectNode creation = document.putObject("creationInfo")
        .put("created", DateTimeFormatter.ISO_INSTANT.format(
            created.truncatedTo(ChronoUnit.SECONDS)));
    creation.putArray("creators").add("Tool: claw");

    Map<String, String> licenseRefs = new LinkedHashMap<>();
    ArrayNode packageNodes = document.putArray("packages");
    packageNodes.addObject().put("name", name).put("SPDXID", "SPDXRef-Image")
        .put("downloadLocation", "NOASSERTION").put("filesAnalyzed", false)
        .put("primaryPackagePurpose", "CONTAINER");
    List<String> ids = new ArrayList<>();
    for (InstalledPackage p : packages) {
      String id = "SPDXRef-deb-" + spdxId(p.name()) + "-" + spdxId(p.architecture());
      ids.add(id);
      packageNodes.add(spdxPackage(p, id, licenseRefs));
    }

    ArrayNode relationships = document.putArray("relationships");
    relationship(relationships, "SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image");
    ids.forEach(id -> relationship(relationships, "SPDXRef-Image", "CONTAINS", id));
    if (!licenseRefs.isEmpty()) {
      ArrayNode extracted = document.putArray("hasExtractedLicensingInfos");
      licenseRefs.forEach((ref, debianName) -> extracted.addObject().put("licenseId", ref)
          .put("name", debianName).put("extractedText", "The licence Debian's machine-"
              + "readable copyright files call '" + debianName + "'."));
    }
    return Json.bytes(document);
  }

  private static ObjectNode spdxPackage(InstalledPackage p, String id,
      Map<String, String> licenseRefs) {
    ObjectNode node = Json.object().put("name", p.name()).put("SPDXID", id)
        .put("versionInfo", p.version())
        .put("downloadLocation", p.debUrl().orElse("NOASSERTION"))
        .put("filesAnalyzed", false);
    p.sha256().ifPresent(sha -> node.putArray("checksums").addObject()
        .put("algorithm", "SHA256").put("checksumValue", sha));
    node.put("licenseConcluded", "NOASSERTION")
        .put("licenseDeclared", declared(p.licenses(), licenseRefs))
        .put("copyrightText", "NOASSERTION")
        .put("sourceInfo", "built from Debian source package " + p.source() + " "
            + p.sourceVersion());
    node.putArray("externalRefs").addObject().put("referenceCategory", "PACKAGE-MANAGER")
        .put("referenceType", "purl").put("referenceLocator", p.purl());
    return node;
  }

  /**
   * Debian's licence short names ("GPL-2+", "BSD-3-clause") are not SPDX identifiers, and
   * guessing a mapping would put words in Debian's mouth: each becomes a LicenseRef that
   * keeps Debian's name.
   */
  private static String declared(List<String> licenses, Map<String, String> licenseRefs) {
    if (licenses.isEmpty()) {
      return "NOASSERTION";
    }
    List<String> refs = new ArrayList<>();
    for (String license : licenses) {
      String ref = "LicenseRef-" + spdxId(license.replace("+", "-plus"));
      licenseRefs.putIfAbsent(ref, license);
      refs.add(ref);
    }
    return refs.size() == 1 ? refs.get(0) : "(" + String.join(" AND ", refs) + ")";
  }

  private static void relationship(ArrayNode relationships, String from, String type,
      String to) {
    relationships.addObject().put("spdxElementId", from).put("relationshipType", type)
        .put("relatedSpdxElement", to);
  }

  /** Letters, digits, '.' and '-' only, as SPDX identifiers allow. */
  static String spdxId(String text) {
    String id = text.replaceAll("[^A-Za-z0-9.]+", "-").replaceAll("^-+|-+$", "");
    return id.isEmpty() ? "x" : id;
  }

  /** A digest shaped as a name-based (version 5, RFC 4122 variant) UUID. */
  static String uuid(String hex) {
    char[] c = hex.substring(0, 32).toCharArray();
    c[12] = '5';
    c[16] = "89ab".charAt(Character.digit(c[16], 16) & 3);
    String s = new String(c);
    return s.substring(0, 8) + "-" + s.substring(8, 12) + "-" + s.substring(12, 16) + "-"
        + s.substring(16, 20) + "-" + s.substring(20, 32);
  }
}
