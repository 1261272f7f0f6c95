package dev.claw.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw.event.EventListener;
import dev.claw.fs.FileTree;
import dev.claw.host.ClawDirs;
import dev.claw.host.Exec;
import dev.claw.image.Initramfs;
import dev.claw.kernel.KernelCommandLine;
import dev.claw.net.EgressNetwork;
import dev.claw.net.NetworkLayout;
import dev.claw.profile.AgentProfile;
import dev.claw.profile.ProfileLoader;
import dev.claw.testing.TestAgents;
import dev.claw.testing.TestHosts;
import dev.claw.testing.TestKernel;
import dev.claw.testing.VmLeaks;
import dev.claw.vm.Accelerator;
import dev.claw.vm.QemuMicrovm;
import dev.claw.vm.VmProcess;
import dev.claw.vm.VmRegistry;
import dev.claw.vm.VmSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real traffic from agents in real microVMs to the test's own hosts (see {@link TestHosts}):
 *
 * <ul>
 *   <li>A, "allowed.test": 10.250.1.2 and fd00:250:1::2, HTTP on 80 and 8080, UDP echo on 7;
 *   <li>C, reached by the profile's CIDR: 10.250.4.2, the same servers;
 *   <li>D, "denied.test": 10.250.2.2 and fd00:250:2::2, the same servers;
 *   <li>the upstream DNS: dnsmasq at 10.250.3.2, holding both names, logging every query.
 * </ul>
 */
class EgressNetworkTest {
  private static final String PROFILE_NETWORK = "network:\n"
      + "  egress:\n"
      + "    - {host: allowed.test, ports: [80]}\n"
      + "    - {cidr: 10.250.4.0/24, ports: [8080]}\n"
      + "  dns: {upstream: 10.250.3.2}\n";

  @TempDir static Path world;
  @TempDir Path runtime;
  @TempDir Path agentDir;

  private static Path agentBinary;
  private static TestHosts hosts;
  private static Path dnsLog;

  @BeforeAll
  static void buildTheTestInternet() throws Exception {
    agentBinary = TestAgents.compile(world);
    TestKernel.cachedOrBuilt();
    hosts = new TestHosts();
    hosts.host("a", 1);
    hosts.host("d", 2);
    hosts.host("dns", 3);
    hosts.host("c", 4);
    for (String name : List.of("a", "d", "c")) {
      hosts.start(name, world.resolve(name + ".log"), agentBinary.toString(), "serve",
          "server-" + name, "7", "80", "8080");
    }
    dnsLog = world.resolve("dnsmasq.log");
    hosts.start("dns", world.resolve("dnsmasq.out"), "dnsmasq", "--keep-in-foreground",
        "--no-resolv", "--no-hosts", "--no-dhcp-interface=eth0", "--bind-interfaces",
        "--listen-address=10.250.3.2", "--user=root", "--pid-file=",
        "--log-queries", "--log-facility=" + dnsLog, "--local-ttl=60",
        "--host-record=allowed.test,10.250.1.2,fd00:250:1::2",
        "--host-record=denied.test,10.250.2.2,fd00:250:2::2");
    Thread.sleep(500);
  }

  @AfterAll
  static void tearDownTheTestInternet() throws IOException {
    if (hosts != null) {
      hosts.close();
    }
  }

  @AfterEach
  void nothingLeftBehind() throws IOException {
    VmLeaks.assertNoneLeft(runtime);
    assertThat(TestHosts.clawNetworkLeftovers()).as("namespaces, veths, taps, nft tables")
        .isEmpty();
    assertThat(hosts.leaked()).as("packets that left for the real network").isZero();
  }

  @Test
  void agentReachesExactlyWhatItsProfileLists() throws Exception {
    String out = runSteps(List.of(
        "ifaces",
        "resolve allowed.test",
        "connect allowed.test 80 4",
        "connect allowed.test 80 6",
        "connect allowed.test 8080 4",
        "connect 10.250.4.2 8080",
        "connect 10.250.4.2 80",
        "resolve denied.test",
        "connect 10.250.2.2 80",
        "connect fd00:250:2::2 80 6",
        "connect 10.250.1.1 80",
        "connect fd00:250:1::1 80 6",
        "connect 169.254.169.254 80",
        "connect fd00:ec2::254 80 6",
        "connect 10.233.0.1 80",
        "udp 10.250.1.2 7",
        "udp 10.250.4.2 7",
        "udp 10.250.3.2 53",
        "icmp 10.250.1.2"));

    assertThat(out).contains(
        "interfaces: lo eth0",
        "resolve allowed.test: 10.250.1.2 fd00:250:1::2",
        "connect allowed.test 80 4: ok server-a",
        "connect allowed.test 80 6: ok server-a",
        "connect allowed.test 8080 4: blocked",
        "connect 10.250.4.2 8080: ok server-c",
        "connect 10.250.4.2 80: blocked",
        "resolve denied.test: failed",
        "connect 10.250.2.2 80: blocked",
        "connect fd00:250:2::2 80 6: blocked",
        "connect 10.250.1.1 80: blocked",
        "connect fd00:250:1::1 80 6: blocked",
        "connect 169.254.169.254 80: blocked",
        "connect fd00:ec2::254 80 6: blocked",
        "connect 10.233.0.1 80: blocked",
        "udp 10.250.1.2 7: no reply",
        "udp 10.250.4.2 7: no reply",
        "udp 10.250.3.2 53: no reply",
        // An agent has no capabilities: it cannot even send an ICMP echo.
        "icmp 10.250.1.2: cannot send");
    String queries = Files.readString(dnsLog);
    assertThat(queries).contains("allowed.test");
    assertThat(queries).as("a name the profile does not list never reaches the upstream")
        .doesNotContain("denied.test");
  }

  @Test
  void profileWithoutNetworkGivesAVmWithoutANetworkDevice() throws Exception {
    // Listing interfaces takes an AF_INET socket, which only the network preset allows: the
    // point here is the missing device, not the filter that would stop the probe first.
    String out = run(List.of("ifaces"), "seccomp: network\n");

    assertThat(out).isEqualTo("interfaces: lo\n");
  }

  /**
   * Root in the guest, with every capability (the test agent runs as PID 1 in place of claw's
   * init), takes another address and MAC, sets its own routes, and tries the matrix again. The
   * guest kernel has no netfilter, so there are no guest rules to flush: all enforcement is on
   * the host, which is the point.
   */
  @Test
  void rootInTheGuestReaddressingItselfGainsNothing() throws Exception {
    List<String> probes = List.of(
        "connect 10.250.1.2 80", "connect 10.250.4.2 8080", "connect 10.250.4.2 80",
        "connect 10.250.2.2 80", "connect fd00:250:2::2 80 6", "connect 10.250.1.1 80",
        "connect 169.254.169.254 80", "udp 10.250.1.2 7", "icmp 10.250.1.2",
        "icmp 10.250.2.2");
    List<String> steps = new ArrayList<>();
    steps.add("ifconfig " + NetworkLayout.GUEST4 + " 30 " + NetworkLayout.GATEWAY4 + " "
        + NetworkLayout.GUEST6 + " 126 " + NetworkLayout.GATEWAY6 + " "
        + NetworkLayout.GUEST_MAC);
    steps.addAll(probes);
    steps.add("ifconfig 10.233.255.253 30 10.233.255.254 fd00:c1a3:ffff::3 126 "
        + NetworkLayout.GATEWAY6 + " 02:00:00:00:00:99");
    steps.addAll(probes);
    steps.add("ifconfig " + NetworkLayout.GUEST4 + " 30 " + NetworkLayout.GATEWAY4 + " "
        + NetworkLayout.GUEST6 + " 126 " + NetworkLayout.GATEWAY6 + " 02:00:00:00:00:99");
    steps.add("connect 10.250.4.2 8080");

    String console = bootAsRoot(steps);

    String[] rounds = console.split("ifconfig: eth0 ");
    assertThat(rounds).as(console).hasSize(4);
    // Pinned address and MAC: only the CIDR's port passes (no DNS answer allowed A here).
    assertThat(rounds[1]).contains("connect 10.250.4.2 8080: ok server-c",
        "connect 10.250.1.2 80: blocked", "connect 10.250.4.2 80: blocked",
        "connect 10.250.2.2 80: blocked", "connect fd00:250:2::2 80 6: blocked",
        "connect 10.250.1.1 80: blocked", "connect 169.254.169.254 80: blocked",
        "udp 10.250.1.2 7: no reply", "icmp 10.250.1.2: no reply", "icmp 10.250.2.2: no reply");
    // Another address and MAC: nothing at all, not even what the profile allows.
    assertThat(rounds[2]).contains("connect 10.250.4.2 8080: blocked",
        "connect 10.250.1.2 80: blocked", "connect 10.250.2.2 80: blocked",
        "icmp 10.250.2.2: no reply").doesNotContain(": ok", ": reply");
    // The right address with another MAC: still nothing.
    assertThat(rounds[3]).contains("connect 10.250.4.2 8080: blocked");
  }

  /**
   * A second agent, alive in its own VM with egress of its own and serving on port 8081: the
   * first reaches neither its namespace's uplink address nor anything else of claw's range.
   */
  @Test
  void anotherRunningAgentIsUnreachable() throws Exception {
    Path serverDir = Files.createDirectories(world.resolve("server-" + System.nanoTime()));
    Files.copy(agentBinary, serverDir.resolve("test-agent"));
    // Ports above 1023: the serving agent is an unprivileged uid too.
    TestAgents.profile(serverDir, "server", List.of("serve", "server-vm", "7007", "8081"),
        "  timeout: 40s\n" + PROFILE_NETWORK);
    AgentProfile serverProfile = new ProfileLoader().load(serverDir);
    CollectedOutput serverOutput = new CollectedOutput();
    ClawDirs dirs = new ClawDirs(ClawDirs.fromEnvironment().cache(), runtime);
    CompletableFuture<RunResult> server = CompletableFuture.supplyAsync(() -> {
      try {
        return new AgentRunner(dirs, new QemuMicrovm(), EventListener.IGNORE)
            .run(RunRequest.of(serverProfile), serverOutput);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });

    String serverAddress = awaitServing(serverOutput, server);
    String out = runSteps(List.of("connect " + serverAddress + " 8081",
        "udp " + serverAddress + " 7007", "connect allowed.test 80 4"));
    RunResult serverResult = server.get(90, TimeUnit.SECONDS);

    assertThat(out).contains("connect " + serverAddress + " 8081: blocked",
        "udp " + serverAddress + " 7007: no reply",
        // The first agent's own egress still works while the other one runs.
        "connect allowed.test 80 4: ok server-a");
    assertThat(serverResult.outcome()).isInstanceOf(Outcome.TimedOut.class);
  }

  /** Waits for the serving agent, then finds its namespace's uplink address on the host. */
  private static String awaitServing(CollectedOutput output, CompletableFuture<RunResult> run)
      throws Exception {
    for (int i = 0; i < 600 && !output.stdout().contains("serving"); i++) {
      assertThat(run).as("the serving agent ended early: " + output.stderr()).isNotDone();
      Thread.sleep(100);
    }
    assertThat(output.stdout()).contains("serving");
    Exec.Result namespaces = Exec.run(null, List.of("ip", "netns", "list"));
    String namespace = namespaces.stdout().lines().map(line -> line.split(" ")[0])
        .filter(name -> name.startsWith("claw-")).findFirst().orElseThrow();
    Exec.Result address = Exec.run(null, List.of("ip", "-n", namespace, "-4", "-o", "addr",
        "show", "dev", NetworkLayout.UPLINK));
    Matcher inet = Pattern.compile("inet (\\S+)/").matcher(address.stdout());
    assertThat(inet.find()).as(address.stdout()).isTrue();
    return inet.group(1);
  }

  private String runSteps(List<String> steps) throws Exception {
    Files.writeString(agentDir.resolve("steps"), String.join("\n", steps) + "\n");
    return run(List.of("batch", "/app/steps"), "  timeout: 60s\n" + PROFILE_NETWORK
        + "files:\n  - {from: steps, to: /app/steps}\n", true);
  }

  private String run(List<String> args, String extra) throws Exception {
    return run(args, extra, false);
  }

  private String run(List<String> args, String extra, boolean withSteps) throws Exception {
    Files.copy(agentBinary, agentDir.resolve("test-agent"));
    TestAgents.profile(agentDir, "net", args, extra);
    if (withSteps) {
      // TestAgents writes one files entry; a second list would be a duplicate key.
      String yaml = Files.readString(agentDir.resolve("claw.yaml"))
          .replace("files:\n  - {from: steps, to: /app/steps}\n", "")
          .replace("  - {from: test-agent, to: /app/test-agent}\n",
              "  - {from: test-agent, to: /app/test-agent}\n  - {from: steps, to: /app/steps}\n");
      Files.writeString(agentDir.resolve("claw.yaml"), yaml);
    }
    AgentProfile profile = new ProfileLoader().load(agentDir);
    ClawDirs dirs = new ClawDirs(ClawDirs.fromEnvironment().cache(), runtime);
    CollectedOutput output = new CollectedOutput();
    RunResult result = new AgentRunner(dirs, new QemuMicrovm(), EventListener.IGNORE)
        .run(RunRequest.of(profile), output);
    assertThat(result.outcome()).as(output.stderr() + result.console())
        .isEqualTo(new Outcome.Exited(0));
    return output.stdout();
  }

  /** Boots the test agent as PID 1 behind a real claw network with the profile above. */
  private String bootAsRoot(List<String> steps) throws Exception {
    AgentProfile profile = new ProfileLoader().load(
        TestAgents.profile(agentDir, "root", List.of("x"), PROFILE_NETWORK));
    VmRegistry registry = new VmRegistry(runtime.resolve("vms"));
    Path dir = registry.create("root");
    try (EgressNetwork network = EgressNetwork.create(VmRegistry.vmId(dir),
        profile.network().orElseThrow(), dir, EventListener.IGNORE)) {
      Path initramfs = dir.resolve("initramfs.cpio");
      Initramfs.writeTo(new FileTree()
          .file("/init", 0755, Files.readAllBytes(agentBinary))
          .file("/app/steps", 0644, (String.join("\n", steps) + "\n").getBytes())
          .directory("/proc", 0555)
          .charDevice("/dev/console", 0600, 5, 1), initramfs);
      List<String> args = new ArrayList<>(KernelCommandLine.standard());
      args.remove("quiet");
      VmSpec spec = new VmSpec("root", TestKernel.cachedOrBuilt(), initramfs, args, 128, 1,
          Accelerator.TCG, Optional.empty(), dir.resolve("console.log"), dir, Optional.empty())
          .withNic(new VmSpec.Nic(network.namespacePath(), NetworkLayout.TAP,
              NetworkLayout.GUEST_MAC));
      try (VmProcess vm = new QemuMicrovm().start(spec)) {
        assertThat(vm.waitFor(Duration.ofSeconds(90))).as(vm.stderr()).isPresent();
      }
      return Files.readString(dir.resolve("console.log"));
    } finally {
      registry.release(dir);
    }
  }
}
