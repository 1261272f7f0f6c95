package dev.claw.scan;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Measures what a root exposes, per layer: files and bytes, ELF programs and libraries with
 * their hardening, setuid and world-writable files, shells and interpreters, and what can
 * reach the network or speak TLS.
 *
 * <p>Only files that could be loaded as code are read: those with an execute bit, and those
 * named like a shared object ({@code *.so}, {@code *.so.N}), which Debian ships without one.
 *
 * @param layers one per layer, in the order the layers were first seen (base first)
 * @param total the whole root
 * @param elves every ELF program and library, by path
 */
public record AttackSurface(List<LayerSurface> layers, LayerSurface total,
    List<ElfReport> elves) {

  /** Where a shell or an interpreter is one exec away for anything that runs in the image. */
  private static final List<String> PROGRAM_FOLDERS = List.of("/bin/", "/sbin/", "/usr/bin/",
      "/usr/sbin/", "/usr/local/bin/", "/usr/local/sbin/");
  private static final Pattern INTERPRETER = Pattern.compile("(sh|dash|bash|rbash|zsh|ksh"
      + "|mksh|csh|tcsh|fish|busybox|toybox|python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|node|nodejs"
      + "|lua[0-9.]*|luajit|tclsh[0-9.]*|wish[0-9.]*|php[0-9.]*|awk|gawk|mawk|nawk"
      + "|guile[0-9.]*|java|jshell|gdb|expect)");
  private static final Pattern SHARED_OBJECT = Pattern.compile(".*\\.so(\\.[0-9.]+)?$");
  /** Beyond this a file is not read: no real program or library is that large. */
  private static final long MAX_ELF_BYTES = 1L << 30;

  /** Measures {@code root}, its layers in the order they were first seen. */
  public static AttackSurface of(RootView root) throws IOException {
    return of(root, List.of());
  }

  /**
   * Measures {@code root}.
   *
   * @param layerOrder the package layers in install order (base first), as claw.lock lists
   *     them; other layers follow in the order first seen, and the agent's and claw's last
   */
  public static AttackSurface of(RootView root, List<String> layerOrder) throws IOException {
    List<RootView.Node> nodes = root.nodes();
    List<ElfReport> elves = new ArrayList<>();
    for (RootView.Node node : nodes) {
      if (mayBeCode(node)) {
        ElfReader.read(node.path(), node.layer(), root.read(node)).ifPresent(elves::add);
      }
    }

    Map<String, List<RootView.Node>> byLayer = new LinkedHashMap<>();
    Map<String, List<ElfReport>> elvesByLayer = new LinkedHashMap<>();
    for (RootView.Node node : nodes) {
      byLayer.computeIfAbsent(node.layer(), k -> new ArrayList<>()).add(node);
      elvesByLayer.computeIfAbsent(node.layer(), k -> new ArrayList<>());
    }
    elves.forEach(elf -> elvesByLayer.get(elf.layer()).add(elf));

    // Package layers first, in the order they were installed; then the agent's and claw's.
    List<String> order = new ArrayList<>(layerOrder);
    order.retainAll(byLayer.keySet());
    byLayer.keySet().stream().filter(l -> !order.contains(l)).forEach(order::add);
    for (String last : List.of("agent", TreeRoot.CLAW_LAYER)) {
      if (order.remove(last)) {
        order.add(last);
      }
    }
    List<LayerSurface> layers = new ArrayList<>();
    for (String layer : order) {
      layers.add(measure(layer, byLayer.get(layer), elvesByLayer.get(layer)));
    }
    return new AttackSurface(layers, measure("total", nodes, elves), elves);
  }

  /** The surface of {@code layer}, or an empty one if the root has no such layer. */
  public LayerSurface layer(String layer) {
    Optional<LayerSurface> found = layers.stream().filter(l -> l.layer().equals(layer))
        .findFirst();
    return found.orElse(measure(layer, List.of(), List.of()));
  }

  private static boolean mayBeCode(RootView.Node node) {
    return node.kind() == RootView.Kind.FILE && node.size() >= 64
        && node.size() <= MAX_ELF_BYTES
        && ((node.mode() & 0111) != 0 || SHARED_OBJECT.matcher(node.path()).matches());
  }

  private static LayerSurface measure(String layer, List<RootView.Node> nodes,
      List<ElfReport> elves) {
    long files = 0;
    long bytes = 0;
    TreeSet<String> setuid = new TreeSet<>();
    TreeSet<String> worldWritable = new TreeSet<>();
    TreeSet<String> interpreters = new TreeSet<>();
    for (RootView.Node node : nodes) {
      if (node.kind() == RootView.Kind.FILE) {
        files++;
        bytes += node.size();
      }
      if (node.kind() == RootView.Kind.FILE && (node.mode() & 06000) != 0) {
        setuid.add(node.path());
      }
      if (worldWritable(node)) {
        worldWritable.add(node.path());
      }
      if (isInterpreter(node)) {
        interpreters.add(node.path());
      }
    }
    return new LayerSurface(layer, nodes.size(), files, bytes,
        paths(elves, ElfReport.Kind.EXECUTABLE), paths(elves, ElfReport.Kind.LIBRARY),
        List.copyOf(setuid), List.copyOf(worldWritable), List.copyOf(interpreters),
        elves.stream().filter(ElfReport::network).map(ElfReport::path).sorted().toList(),
        elves.stream().filter(ElfReport::tls).map(ElfReport::path).sorted().toList(),
        elves.stream().mapToLong(ElfReport::exportedSymbols).sum(), weaknesses(elves));
  }

  private static boolean worldWritable(RootView.Node node) {
    boolean writable = (node.mode() & 0002) != 0;
    if (node.kind() == RootView.Kind.DIRECTORY) {
      // A sticky folder such as /tmp lets nobody replace another user's files.
      return writable && (node.mode() & 01000) == 0;
    }
    return writable && node.kind() != RootView.Kind.SYMLINK;
  }

  private static boolean isInterpreter(RootView.Node node) {
    if (node.kind() != RootView.Kind.FILE && node.kind() != RootView.Kind.SYMLINK) {
      return false;
    }
    String path = node.path();
    int slash = path.lastIndexOf('/');
    return PROGRAM_FOLDERS.contains(path.substring(0, slash + 1))
        && INTERPRETER.matcher(path.substring(slash + 1)).matches();
  }

  private static List<String> paths(List<ElfReport> elves, ElfReport.Kind kind) {
    return elves.stream().filter(e -> e.kind() == kind).map(ElfReport::path).sorted()
        .toList();
  }

  private static LayerSurface.Weaknesses weaknesses(List<ElfReport> elves) {
    return new LayerSurface.Weaknesses(
        elves.stream().filter(e -> e.kind() == ElfReport.Kind.EXECUTABLE && !e.pie()).count(),
        elves.stream().filter(e -> e.relro() == ElfReport.Relro.NONE).count(),
        elves.stream().filter(e -> e.relro() == ElfReport.Relro.PARTIAL).count(),
        elves.stream().filter(e -> !e.nxStack()).count(),
        elves.stream().filter(e -> !e.stackProtector()).count(),
        elves.stream().filter(e -> !e.fortify()).count(),
        elves.stream().filter(e -> !e.stripped()).count());
  }
}
