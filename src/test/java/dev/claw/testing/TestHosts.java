package dev.claw.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.host.Exec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The test's own small internet: each test host is a network namespace {@code clawtest-X}
 * joined to the host by a veth ({@code ctv-X}, host end 10.250.N.1 and fd00:250:N::1), running
 * the test agent's HTTP and UDP echo servers, or dnsmasq. A guard table drops anything claw's
 * VMs would send to any interface but these veths, and counts it, so a broken firewall can
 * send nothing to the real network. Host-wide forwarding is switched on while it exists and
 * restored by {@link #close}.
 */
public final class TestHosts implements AutoCloseable {
  public static final String GUARD = "clawtest-guard";
  private final List<String> namespaces = new ArrayList<>();
  private final List<Process> servers = new ArrayList<>();
  private final String forward4;
  private final String forward6;

  public TestHosts() throws IOException {
    forward4 = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip();
    forward6 = Files.readString(Path.of("/proc/sys/net/ipv6/conf/all/forwarding")).strip();
    loadRules(guardRules());
    succeed("sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
  }

  private static String guardRules() {
    return "table inet " + GUARD + " {\n"
        + "  chain forward {\n"
        + "    type filter hook forward priority -10; policy accept;\n"
        + "    iifname \"cv-*\" oifname != \"ctv-*\" counter drop\n"
        + "    iifname \"ctv-*\" oifname != \"cv-*\" counter drop\n"
        + "  }\n"
        + "}\n";
  }

  /** Packets the guard stopped on their way to the real network: must stay 0. */
  public long leaked() throws IOException {
    String rules = Exec.run(null, List.of("nft", "list", "table", "inet", GUARD)).stdout();
    return rules.lines().filter(line -> line.contains("counter packets"))
        .mapToLong(line -> Long.parseLong(line.replaceAll(".*counter packets (\\d+).*", "$1")))
        .sum();
  }

  /** Host {@code n}: namespace clawtest-NAME with 10.250.n.2 and fd00:250:n::2. */
  public void host(String name, int n) throws IOException {
    String ns = "clawtest-" + name;
    String veth = "ctv-" + name;
    succeed("ip", "netns", "add", ns);
    namespaces.add(ns);
    succeed("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
    succeed("ip", "addr", "add", "10.250." + n + ".1/24", "dev", veth);
    succeed("ip", "-6", "addr", "add", "fd00:250:" + n + "::1/64", "dev", veth, "nodad");
    succeed("ip", "link", "set", veth, "up");
    succeed("ip", "-n", ns, "link", "set", "lo", "up");
    succeed("ip", "-n", ns, "addr", "add", "10.250." + n + ".2/24", "dev", "eth0");
    succeed("ip", "-n", ns, "-6", "addr", "add", "fd00:250:" + n + "::2/64", "dev", "eth0",
        "nodad");
    succeed("ip", "-n", ns, "link", "set", "eth0", "up");
    succeed("ip", "-n", ns, "route", "add", "default", "via", "10.250." + n + ".1");
    succeed("ip", "-n", ns, "-6", "route", "add", "default", "via", "fd00:250:" + n + "::1");
  }

  /** Starts {@code command} inside host {@code name}'s namespace; stopped by close. */
  public Process start(String name, Path log, String... command) throws IOException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", "clawtest-" + name));
    full.addAll(List.of(command));
    Process process = new ProcessBuilder(full).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    servers.add(process);
    return process;
  }

  @Override
  public void close() throws IOException {
    servers.forEach(Process::destroyForcibly);
    for (Process server : servers) {
      server.onExit().join();
    }
    for (String ns : namespaces) {
      Exec.run(null, List.of("ip", "netns", "delete", ns));
    }
    Exec.run(null, List.of("nft", "delete", "table", "inet", GUARD));
    Exec.run(null, List.of("sysctl", "-q", "-w", "net.ipv4.ip_forward=" + forward4,
        "net.ipv6.conf.all.forwarding=" + forward6));
  }

  /** claw's namespaces, host veths and nft tables that exist now. */
  public static List<String> clawNetworkLeftovers() throws IOException {
    List<String> left = new ArrayList<>();
    Exec.run(null, List.of("ip", "netns", "list")).stdout().lines()
        .filter(line -> line.startsWith("claw-")).forEach(left::add);
    Exec.run(null, List.of("ip", "-o", "link")).stdout().lines()
        .map(line -> line.split(":")[1].strip().replaceAll("@.*", ""))
        .filter(link -> link.startsWith("cv-") || link.startsWith("tap")).forEach(left::add);
    Exec.run(null, List.of("nft", "list", "tables")).stdout().lines()
        .filter(line -> line.matches("table \\w+ claw(-[0-9a-f]{8})?")).forEach(left::add);
    return left;
  }

  private static void succeed(String... command) throws IOException {
    Exec.Result result = Exec.run(null, List.of(command));
    assertThat(result.exitCode()).as(String.join(" ", command) + ": " + result.tail(5)).isZero();
  }

  private static void loadRules(String rules) throws IOException {
    Path file = Files.createTempFile("clawtest", ".nft");
    try {
      Files.writeString(file, rules);
      succeed("nft", "-f", file.toString());
    } finally {
      Files.delete(file);
    }
  }
}
