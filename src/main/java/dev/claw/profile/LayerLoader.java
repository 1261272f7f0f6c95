package dev.claw.profile;

import dev.claw.ClawException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Finds and reads layer files. claw's own layers ship inside its jar (from the repository's
 * {@code layers/} folder); an agent may bring more in a {@code layers/} folder next to its
 * profile. An agent's layer may not take the name of one of claw's: a profile that says
 * {@code base} gets claw's audited base, never a look-alike.
 */
public final class LayerLoader {
  /** Where claw's own layer files live inside the jar. */
  static final String BUILT_IN = "/dev/claw/layers/";

  /** The layer every Debian-based image starts with. */
  public static final String BASE = "base";

  private static final Set<String> TOP =
      Set.of("purpose", "packages", "exclude", "drop", "setuid");
  private static final Set<String> PACKAGE = Set.of("name", "only");
  private static final Pattern PACKAGE_NAME = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
  private static final Pattern GLOB = Pattern.compile("/[^\\s]*");

  /** The layers {@code profile} asks for, base first, in the profile's order. */
  public List<LayerDefinition> layersOf(AgentProfile profile) {
    List<LayerDefinition> layers = new ArrayList<>();
    layers.add(load(BASE, profile.directory()));
    for (String name : profile.layers()) {
      layers.add(load(name, profile.directory()));
    }
    return layers;
  }

  /** The layer called {@code name}: claw's own, or the agent's from its layers/ folder. */
  public LayerDefinition load(String name, Path agentFolder) {
    Path own = agentFolder.resolve("layers").resolve(name + ".yaml");
    try (InputStream builtIn = LayerLoader.class.getResourceAsStream(BUILT_IN + name + ".yaml")) {
      if (builtIn != null) {
        if (Files.exists(own)) {
          throw new ClawException(own + " has the name of claw's own layer '" + name + "'",
              "rename the file (and the entry in 'layers'): claw's layer names are reserved");
        }
        return read(new InputStreamReader(builtIn, StandardCharsets.UTF_8), name,
            Path.of("claw:layers/" + name + ".yaml"));
      }
      if (Files.isRegularFile(own)) {
        if (!ProfileLoader.insideFolder(agentFolder, own)) {
          throw new ClawException(own + " leads outside the agent's folder",
              "make the layer file a real file in the agent's layers/ folder, not a link");
        }
        try (Reader reader = Files.newBufferedReader(own, StandardCharsets.UTF_8)) {
          return read(reader, name, own);
        }
      }
    } catch (IOException e) {
      throw new ClawException("cannot read layer '" + name + "': " + e.getMessage(),
          "check that " + own + " is a readable UTF-8 YAML file");
    }
    throw new ClawException("no layer called '" + name + "'",
        "use one of claw's layers (base, net, curl, json, python, shell, debug), or write "
            + own + " (see docs/LAYERS.md)");
  }

  /** Reads one layer file's text; {@code file} names it in messages. */
  LayerDefinition read(Reader yaml, String name, Path file) {
    YamlSection top = YamlSection.of(file, "", ProfileLoader.parse(yaml, file), TOP);
    String purpose = top.requiredString("purpose", "purpose: what this layer is for");

    List<LayerDefinition.PackageRequest> packages = packages(top);
    if (packages.isEmpty()) {
      throw top.error("packages", "layer '" + name + "' lists no packages",
          "add packages: [the Debian packages it brings]");
    }
    List<String> exclude = top.strings("exclude").orElse(List.of());
    exclude.forEach(excluded -> checkPackageName(top, "exclude", excluded));
    List<String> drop = globs(top, "drop");
    List<String> setuid = globs(top, "setuid");
    return new LayerDefinition(name, purpose, List.copyOf(packages),
        new TreeSet<>(exclude), drop, setuid, file.toString());
  }

  /** Package entries are either a plain name or {name, only}. */
  private static List<LayerDefinition.PackageRequest> packages(YamlSection top) {
    List<LayerDefinition.PackageRequest> packages = new ArrayList<>();
    for (Node item : top.nodes("packages")) {
      if (item instanceof ScalarNode scalar) {
        checkPackageName(top, "packages", scalar.getValue());
        packages.add(new LayerDefinition.PackageRequest(scalar.getValue(), List.of()));
        continue;
      }
      YamlSection entry = YamlSection.of(top.file(), top.where("packages") + " item", item,
          PACKAGE);
      String name = entry.requiredString("name", "name: libc6");
      checkPackageName(entry, "name", name);
      packages.add(new LayerDefinition.PackageRequest(name, globs(entry, "only")));
    }
    return packages;
  }

  private static List<String> globs(YamlSection section, String key) {
    List<String> globs = section.strings(key).orElse(List.of());
    for (String glob : globs) {
      if (!GLOB.matcher(glob).matches() || List.of(glob.split("/")).contains("..")) {
        throw section.error(key, section.where(key) + " '" + glob
            + "' is not an absolute path glob", "write it like /usr/share/doc/**");
      }
    }
    return List.copyOf(globs);
  }

  private static void checkPackageName(YamlSection section, String key, String name) {
    if (!PACKAGE_NAME.matcher(name).matches()) {
      throw section.error(key, "'" + name + "' is not a Debian package name",
          "use the name apt knows, such as libc6 or python3.11-minimal");
    }
  }
}
