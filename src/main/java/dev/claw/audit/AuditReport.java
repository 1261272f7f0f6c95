package dev.claw.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What claw's probe found inside an agent's VM, judged row by row. The probe only reports
 * facts; the verdicts are here, so they can be read and tested without a VM.
 */
public record AuditReport(String agent, List<Row> rows, Map<String, List<String>> facts) {

  /** How a row stands: as claw intends, worth knowing, or a weakness. */
  public enum Verdict { OK, NOTE, RISK }

  /** One line of the table. */
  public record Row(String check, String found, Verdict verdict) {}

  private static final String NO_CAPS = "0000000000000000";
  private static final List<String> CAP_SETS =
      List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb");

  public AuditReport {
    rows = List.copyOf(rows);
    facts = Map.copyOf(facts);
  }

  /** Reads the probe's "key TAB value" lines. */
  public static AuditReport parse(String agent, String probeOutput) {
    Map<String, List<String>> facts = new LinkedHashMap<>();
    for (String line : probeOutput.split("\n")) {
      int tab = line.indexOf('\t');
      if (tab > 0) {
        facts.computeIfAbsent(line.substring(0, tab), k -> new ArrayList<>())
            .add(line.substring(tab + 1));
      }
    }
    return new AuditReport(agent, rows(new Facts(facts)), facts);
  }

  private static List<Row> rows(Facts f) {
    List<Row> rows = new ArrayList<>();
    rows.add(identity(f));
    rows.add(capabilities(f));
    rows.add(yesNo("no_new_privs", f.one("NoNewPrivs").equals("1"), Verdict.RISK));
    rows.add(seccomp(f.one("Seccomp")));
    rows.add(aslr(f.one("randomize_va_space")));
    rows.add(kernelBase(f));
    rows.add(new Row("kernel pointers", "kptr_restrict " + f.one("kptr_restrict")
        + ", dmesg_restrict " + f.one("dmesg_restrict"),
        f.one("kptr_restrict").equals("2") ? Verdict.OK : Verdict.RISK));
    rows.add(new Row("other processes visible", f.one("other-processes"),
        f.one("other-processes").equals("0") ? Verdict.OK : Verdict.RISK));
    rows.add(new Row("/sys mounted", f.one("sys-mounted"),
        f.one("sys-mounted").equals("no") ? Verdict.OK : Verdict.NOTE));
    rows.add(writable(f));
    rows.add(new Row("/tmp size", mib(f.one("tmp-bytes")), Verdict.OK));
    rows.add(new Row("setuid/setgid files", f.one("setuid-files"),
        f.one("setuid-files").equals("0") ? Verdict.OK : Verdict.NOTE));
    rows.add(new Row("executables", f.one("executables"), Verdict.NOTE));
    rows.add(interpreters(f));
    rows.add(network(f));
    return rows;
  }

  private static Row identity(Facts f) {
    String uid = f.one("Uid").split("\\s+")[0];
    String gid = f.one("Gid").split("\\s+")[0];
    String groups = f.one("Groups").isBlank() ? "none" : f.one("Groups");
    boolean root = uid.equals("0") || gid.equals("0");
    return new Row("uid / gid / groups", uid + " / " + gid + " / " + groups,
        root ? Verdict.RISK : Verdict.OK);
  }

  private static Row capabilities(Facts f) {
    List<String> held = new ArrayList<>();
    for (String set : CAP_SETS) {
      if (!f.one(set).equals(NO_CAPS)) {
        held.add(set + " " + f.one(set));
      }
    }
    return held.isEmpty() ? new Row("capabilities (5 sets)", "none", Verdict.OK)
        : new Row("capabilities (5 sets)", String.join(", ", held), Verdict.RISK);
  }

  private static Row yesNo(String check, boolean holds, Verdict otherwise) {
    return new Row(check, holds ? "yes" : "no", holds ? Verdict.OK : otherwise);
  }

  private static Row seccomp(String mode) {
    switch (mode) {
      case "2":
        return new Row("seccomp", "filter", Verdict.OK);
      case "1":
        return new Row("seccomp", "strict", Verdict.OK);
      default:
        return new Row("seccomp", "none: every syscall the kernel has is open", Verdict.RISK);
    }
  }

  private static Row aslr(String value) {
    String found = value + (value.equals("2") ? " (full)" : value.equals("1") ? " (partial)"
        : " (off)");
    return new Row("ASLR (randomize_va_space)", found,
        value.equals("2") ? Verdict.OK : Verdict.RISK);
  }

  /**
   * An uncompressed vmlinux booted through its PVH entry never runs the decompressor, which is
   * where x86 picks a random kernel base: the base is the link address on every boot, whatever
   * CONFIG_RANDOMIZE_BASE says. Only with the nokaslr flag would a bzImage be the same.
   */
  private static Row kernelBase(Facts f) {
    if (f.one("cmdline").contains("nokaslr")) {
      return new Row("kernel base randomized", "no (nokaslr on the command line)",
          Verdict.RISK);
    }
    return new Row("kernel base randomized", "no: PVH boot skips the decompressor that "
        + "randomizes it; the base is the link address", Verdict.NOTE);
  }

  private static Row writable(Facts f) {
    List<String> places = new ArrayList<>(f.all("writable-dir"));
    places.addAll(f.all("writable-file"));
    List<String> outsideTmp = places.stream().filter(p -> !p.equals("/tmp")
        && !p.startsWith("/tmp/")).toList();
    List<String> devices = f.all("writable-device");
    String found = (places.isEmpty() ? "nothing" : String.join(" ", places))
        + (devices.isEmpty() ? "" : "; devices " + String.join(" ", devices));
    return new Row("writable", found, outsideTmp.isEmpty() ? Verdict.OK : Verdict.NOTE);
  }

  private static Row interpreters(Facts f) {
    List<String> found = f.all("interpreter");
    return new Row("interpreters", found.isEmpty() ? "none" : String.join(" ", found),
        found.isEmpty() ? Verdict.OK : Verdict.NOTE);
  }

  private static Row network(Facts f) {
    List<String> interfaces = f.all("netif");
    return interfaces.isEmpty() ? new Row("network interfaces (besides lo)", "none",
        Verdict.OK) : new Row("network interfaces (besides lo)",
            String.join(" ", interfaces), Verdict.NOTE);
  }

  private static String mib(String bytes) {
    try {
      return (Long.parseLong(bytes) >> 20) + " MiB";
    } catch (NumberFormatException e) {
      return bytes;
    }
  }

  /** The table for a terminal: one row per check, aligned. */
  public String table() {
    int width = rows.stream().mapToInt(r -> r.check().length()).max().orElse(0);
    StringBuilder out = new StringBuilder();
    out.append(String.format("%-" + width + "s  %-5s  %s%n", "CHECK", "", "FOUND"));
    for (Row row : rows) {
      out.append(String.format("%-" + width + "s  %-5s  %s%n", row.check(),
          row.verdict().name().toLowerCase(java.util.Locale.ROOT), row.found()));
    }
    return out.toString();
  }

  /** The report as JSON: the rows, and every fact the probe gave. */
  public String json() {
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("agent", agent);
    document.put("rows", rows);
    document.put("facts", new java.util.TreeMap<>(facts));
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(document) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("audit report not serialisable", e);
    }
  }

  /** The probe's facts with defaults, so a missing line reads as unknown, not a crash. */
  private record Facts(Map<String, List<String>> map) {
    String one(String key) {
      List<String> values = map.get(key);
      return values == null || values.isEmpty() ? "unknown" : values.get(0);
    }

    List<String> all(String key) {
      return map.getOrDefault(key, List.of());
    }
  }
}
