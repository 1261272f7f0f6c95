package dev.claw.net;

import dev.claw.ClawException;
import dev.claw.event.EventListener;
import dev.claw.host.Exec;
import dev.claw.net.DnsMessage.Answer;
import dev.claw.profile.Cidr;
import dev.claw.profile.NetworkPolicy;
import dev.claw.profile.NetworkPolicy.Egress;
import dev.claw.vm.VmBackend;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * One VM's network, from creation to removal: its namespace {@code claw-ID} with the tap the
 * VM's NIC is attached to, the veth uplink to the host, the nftables table of the namespace
 * ({@link NftRuleset}) and the host-side masquerade table, and the DNS responder. QEMU is
 * started inside the namespace, so the tap exists nowhere else.
 *
 * <p>{@link #close} removes all of it and may be called more than once. If claw dies first
 * (SIGKILL), the next claw removes it through {@link #reap}, given the VM's id: every name is
 * derived from that id, so nothing else needs to have survived.
 */
public final class EgressNetwork implements AutoCloseable {
  static final Path NETNS_DIR = Path.of("/run/netns");

  private final NetworkLayout layout;
  private final NetworkPolicy policy;
  private final Path stateDir;
  private final EventListener events;
  private final Optional<VmBackend.Owner> tapOwner;
  private DnsResponder responder;

  private EgressNetwork(NetworkLayout layout, NetworkPolicy policy, Path stateDir,
      EventListener events, Optional<VmBackend.Owner> tapOwner) {
    this.layout = layout;
    this.policy = policy;
    this.stateDir = stateDir;
    this.events = events;
    this.tapOwner = tapOwner;
  }

  /**
   * Makes the network of the VM whose folder is {@code stateDir}: on failure, whatever was
   * made is removed again before the error is thrown.
   */
  public static EgressNetwork create(String vmId, NetworkPolicy policy, Path stateDir,
      EventListener events) throws IOException {
    return create(vmId, policy, stateDir, events, Optional.empty());
  }

  /**
   * The same, with the tap owned by {@code tapOwner}: a VMM that runs as that unprivileged
   * user attaches to its own tap without any capability.
   */
  public static EgressNetwork create(String vmId, NetworkPolicy policy, Path stateDir,
      EventListener events, Optional<VmBackend.Owner> tapOwner) throws IOException {
    HostNetwork.check();
    int slot = Slots.claim(vmId);
    EgressNetwork network = new EgressNetwork(new NetworkLayout(vmId, slot), policy, stateDir,
        events, tapOwner);
    try {
      network.build();
      return network;
    } catch (IOException | RuntimeException e) {
      network.close();
      throw e;
    }
  }

  public NetworkLayout layout() {
    return layout;
  }

  /** The namespace's file, for {@code nsenter --net=}. */
  public Path namespacePath() {
    return NETNS_DIR.resolve(layout.namespace());
  }

  /** The VM's DNS responder; empty until it runs. */
  public DnsResponder responder() {
    return responder;
  }

  private void build() throws IOException {
    List<InetAddress> hostAddresses = HostNetwork.addresses();
    createLinks();
    InetAddress upstream = policy.upstream()
        .orElseGet(() -> HostNetwork.defaultResolver(Path.of("/etc/resolv.conf")));
    responder = new DnsResponder(new HashSet<>(policy.names()), upstream, this::allow, events);
    int port4 = responder.listen(address(layout.uplinkHost4()),
        address(layout.uplinkNamespace4()));
    int port6 = responder.listen(address(layout.uplinkHost6()),
        address(layout.uplinkNamespace6()));

    NftRuleset rules = new NftRuleset(layout, policy, hostAddresses, port4, port6);
    Path namespaceRules = stateDir.resolve("nft-namespace.conf");
    Files.writeString(namespaceRules, rules.text());
    inNamespace("nft", "-f", namespaceRules.toString());
    Path hostRules = stateDir.resolve("nft-host.conf");
    Files.writeString(hostRules, rules.hostText());
    run("nft", "-f", hostRules.toString());
    if (!HostNetwork.forwardsIpv6()) {
      events.warn("IPv6 forwarding is off on this host: the agent's IPv6 egress stops there "
          + "(enable it with sysctl -w net.ipv6.conf.all.forwarding=1)");
    }
    events.detail("network: namespace " + layout.namespace() + ", uplink " + layout.hostVeth()
        + " " + layout.uplinkHost4() + ", DNS responder on ports " + port4 + "/" + port6
        + ", upstream " + upstream.getHostAddress());
  }

  private void createLinks() throws IOException {
    String ns = layout.namespace();
    String veth = layout.hostVeth();
    run("ip", "netns", "add", ns);
    run("ip", "link", "add", veth, "type", "veth", "peer", "name", NetworkLayout.UPLINK,
        "netns", ns);
    // nodad: the address is usable at once instead of after duplicate detection (~1 s); on
    // a link claw made, nothing else can hold it.
    run("ip", "addr", "add", layout.uplinkHost4() + "/30", "dev", veth);
    run("ip", "-6", "addr", "add", layout.uplinkHost6() + "/126", "dev", veth, "nodad");
    run("ip", "link", "set", veth, "up");
    namespaceSysctls();
    ip("link", "set", "lo", "up");
    ip("addr", "add", layout.uplinkNamespace4() + "/30", "dev", NetworkLayout.UPLINK);
    ip("-6", "addr", "add", layout.uplinkNamespace6() + "/126", "dev", NetworkLayout.UPLINK,
        "nodad");
    ip("link", "set", NetworkLayout.UPLINK, "up");
    ip("route", "add", "default", "via", layout.uplinkHost4());
    ip("-6", "route", "add", "default", "via", layout.uplinkHost6());
    createTap();
  }

  /** The guest's link: a tap with the gateway addresses and the guest pinned as neighbour. */
  private void createTap() throws IOException {
    String tap = NetworkLayout.TAP;
    List<String> add = new ArrayList<>(List.of("tuntap", "add", "dev", tap, "mode", "tap"));
    tapOwner.ifPresent(owner -> add.addAll(List.of("user", String.valueOf(owner.uid()),
        "group", String.valueOf(owner.gid()))));
    ip(add.toArray(String[]::new));
    // No link-local address: the namespace talks to the guest from its gateway address only.
    ip("link", "set", "dev", tap, "addrgenmode", "none");
    ip("addr", "add", NetworkLayout.GATEWAY4 + "/" + NetworkLayout.GUEST_PREFIX4, "dev", tap);
    ip("-6", "addr", "add", NetworkLayout.GATEWAY6 + "/" + NetworkLayout.GUEST_PREFIX6, "dev",
        tap, "nodad");
    // Permanent neighbours: what the guest says in ARP or NDP cannot redirect the namespace's
    // packets for the guest's address to another MAC.
    ip("neigh", "replace", NetworkLayout.GUEST4, "lladdr", NetworkLayout.GUEST_MAC, "dev", tap,
        "nud", "permanent");
    ip("-6", "neigh", "replace", NetworkLayout.GUEST6, "lladdr", NetworkLayout.GUEST_MAC, "dev",
        tap, "nud", "permanent");
    ip("link", "set", tap, "up");
  }

  private void namespaceSysctls() throws IOException {
    inNamespace("sysctl", "-q", "-w",
        // The namespace is a router between the tap and the uplink, for both families.
        "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1",
        // Its routes are claw's alone: no router advertisements or redirects change them.
        "net.ipv6.conf.all.accept_ra=0", "net.ipv6.conf.default.accept_ra=0",
        "net.ipv4.conf.all.accept_redirects=0", "net.ipv6.conf.all.accept_redirects=0");
  }

  /** Called by the responder before it answers: the answer's addresses become reachable. */
  private void allow(String name, List<Answer> answers, long ttlSeconds) throws IOException {
    List<String> elements4 = new ArrayList<>();
    List<String> elements6 = new ArrayList<>();
    for (Egress rule : policy.egress()) {
      if (!rule.host().map(name::equals).orElse(false)) {
        continue;
      }
      for (Answer answer : answers) {
        for (int port : rule.ports()) {
          String element = Cidr.format(answer.address()) + " . " + rule.protocol().keyword()
              + " . " + port;
          (answer.address() instanceof Inet4Address ? elements4 : elements6).add(element);
        }
      }
    }
    StringBuilder batch = new StringBuilder();
    appendElements(batch, NftRuleset.SET4, elements4, ttlSeconds);
    appendElements(batch, NftRuleset.SET6, elements6, ttlSeconds);
    if (batch.length() > 0) {
      inNamespace("nft", batch.toString());
    }
  }

  /**
   * Adding an element that is already there keeps its old timeout, so each is added (to be
   * sure it exists), deleted and added again with the new one; one nft call is one
   * transaction, so no packet ever sees it missing.
   */
  private static void appendElements(StringBuilder batch, String set, List<String> elements,
      long ttl) {
    if (elements.isEmpty()) {
      return;
    }
    String target = "element inet " + NftRuleset.TABLE + " " + set + " { ";
    String plain = String.join(", ", elements);
    String timed = String.join(", ", elements.stream().map(e -> e + " timeout " + ttl + "s")
        .toList());
    batch.append("add ").append(target).append(plain).append(" }; ")
        .append("delete ").append(target).append(plain).append(" }; ")
        .append("add ").append(target).append(timed).append(" }; ");
  }

  /** Removes everything this VM's network consists of; harmless to call twice. */
  @Override
  public void close() {
    if (responder != null) {
      responder.close();
    }
    reap(layout.vmId());
  }

  /**
   * Removes the namespace (and with it the tap, the namespace's end of the uplink and its
   * nftables table), the host's end of the uplink, and the host-side table of VM
   * {@code vmId}, whichever of them exist. The VMM must be gone: a process still inside keeps
   * the namespace alive.
   *
   * @return whether anything was there to remove
   */
  public static boolean reap(String vmId) {
    boolean found = false;
    String ns = NetworkLayout.namespaceOf(vmId);
    if (Files.exists(NETNS_DIR.resolve(ns))) {
      found |= quietly("ip", "netns", "delete", ns);
    }
    if (Files.exists(Path.of("/sys/class/net", NetworkLayout.hostVethOf(vmId)))) {
      found |= quietly("ip", "link", "delete", NetworkLayout.hostVethOf(vmId));
    }
    found |= quietly("nft", "delete", "table", "inet", NetworkLayout.hostTableOf(vmId));
    Slots.release(vmId);
    return found;
  }

  private static boolean quietly(String... command) {
    try {
      return Exec.run(null, List.of(command)).ok();
    } catch (IOException e) {
      return false;
    }
  }

  private void ip(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip", "-n", layout.namespace()));
    command.addAll(List.of(args));
    run(command.toArray(String[]::new));
  }

  private void inNamespace(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + namespacePath()));
    command.addAll(List.of(args));
    run(command.toArray(String[]::new));
  }

  private static void run(String... command) throws IOException {
    Exec.Result result = Exec.run(null, List.of(command));
    if (!result.ok()) {
      throw new ClawException("setting up the agent's network: '" + String.join(" ", command)
          + "' failed: " + result.tail(3), "check that the kernel has network namespaces, veth, "
          + "tun and nftables (nf_tables, nft_nat, nft_ct), and that claw runs as root");
    }
  }

  private static InetAddress address(String text) {
    return Cidr.address(text).orElseThrow();
  }
}
