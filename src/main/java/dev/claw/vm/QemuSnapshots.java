package dev.claw.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw.ClawException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Saving a running QEMU VM to a file and starting others from it. Guest RAM lives in a file
 * of its own ({@code memory-backend-file}): the VM that is saved maps it shared, so the guest's
 * memory is in the file when it stops, and the migration capability {@code x-ignore-shared}
 * leaves that RAM out of the saved state, which holds only the devices (~45 KB instead of
 * ~25 MB). Each clone maps the RAM file private (copy on write): it reads the snapshot's pages
 * and never writes them back, so clones neither see each other nor change the snapshot.
 * QEMU 7.2 has no {@code file:} migration URI, so the state is saved through {@code exec:cat}
 * and restored from QEMU's standard input ({@code fd:0}).
 */
public final class QemuSnapshots {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RAM_ID = "claw-ram";
  private static final String IGNORE_SHARED = "{\"execute\":\"migrate-set-capabilities\","
      + "\"arguments\":{\"capabilities\":[{\"capability\":\"x-ignore-shared\","
      + "\"state\":true}]}}";
  private static final Duration MONITOR_WAIT = Duration.ofSeconds(10);

  private QemuSnapshots() {}

  /**
   * Starts {@code spec} with a QMP monitor on {@code qmpSocket} and its RAM shared in
   * {@code ram}, to be saved later.
   */
  public static VmProcess startSaveable(QemuMicrovm qemu, VmSpec spec, Path qmpSocket,
      Path ram) throws IOException {
    // Made here at its full size (sparse): QEMU would extend it itself, and the VMM's file
    // size limit, there to keep its logs in check, is smaller than a guest's RAM.
    try (RandomAccessFile file = new RandomAccessFile(ram.toFile(), "rw")) {
      file.setLength((long) spec.memoryMib() << 20);
    }
    List<String> args = new ArrayList<>(ramArgs(spec, ram, true));
    // server=on,wait=off: QEMU listens and boots without waiting for claw to connect.
    args.addAll(List.of("-qmp", "unix:" + qmpSocket + ",server=on,wait=off"));
    return qemu.start(spec, args);
  }

  /**
   * The guest's RAM in {@code ram}. share=on writes the guest's memory to the file (the saved
   * VM); share=off maps it copy-on-write (a clone). QEMU reads a comma doubled.
   */
  private static List<String> ramArgs(VmSpec spec, Path ram, boolean shared) {
    return List.of(
        "-object", "memory-backend-file,id=" + RAM_ID + ",size=" + spec.memoryMib() + "M"
            + ",mem-path=" + ram.toAbsolutePath().toString().replace(",", ",,")
            + ",share=" + (shared ? "on" : "off"),
        // QEMU merges this into the -machine option above.
        "-machine", "memory-backend=" + RAM_ID);
  }

  /**
   * A backend that starts each VM from the saved {@code state} and {@code ram} instead of
   * booting it: the devices must be the ones the saved VM had, so the spec is the saved VM's,
   * with a new channel socket.
   */
  public static VmBackend restoring(QemuMicrovm qemu, Path state, Path ram) {
    return new ForwardingBackend(qemu) {
      @Override
      public String name() {
        return qemu.name() + "-restore";
      }

      @Override
      public VmProcess start(VmSpec spec) throws IOException {
        return restore(qemu, spec, state, ram);
      }
    };
  }

  /**
   * x-ignore-shared is not a command-line option in QEMU 7.2, and the restoring side must set
   * it too (it changes the stream's RAM header), so the restore waits ("-incoming defer") for
   * claw's monitor: QEMU connects to claw's socket at start, claw sends the capability and
   * "migrate-incoming fd:0" at once, and the guest runs on by itself once the state is in.
   */
  private static VmProcess restore(QemuMicrovm qemu, VmSpec spec, Path state, Path ram)
      throws IOException {
    Path monitor = spec.stateDir().resolve("restore-qmp.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(monitor));
      List<String> args = new ArrayList<>(ramArgs(spec, ram, false));
      args.addAll(List.of("-chardev", "socket,id=claw-qmp,path=" + monitor,
          "-mon", "chardev=claw-qmp,mode=control", "-incoming", "defer"));
      VmProcess vm = qemu.start(spec, args, state,
          QemuMicrovm.SnapshotRole.RESTORE);
      try (SocketChannel socket = accept(server, vm)) {
        startIncoming(socket);
        return vm;
      } catch (IOException | RuntimeException e) {
        vm.close();
        throw e;
      }
    } finally {
      Files.deleteIfExists(monitor);
    }
  }

  private static SocketChannel accept(ServerSocketChannel server, VmProcess vm)
      throws IOException {
    server.configureBlocking(false);
    try (Selector selector = Selector.open()) {
      server.register(selector, SelectionKey.OP_ACCEPT);
      long deadline = System.nanoTime() + MONITOR_WAIT.toNanos();
      while (System.nanoTime() < deadline && vm.isAlive()) {
        selector.select(50);
        SocketChannel socket = server.accept();
        if (socket != null) {
          socket.configureBlocking(true);
          return socket;
        }
      }
    }
    throw new IOException("QEMU did not connect to claw's monitor to restore the snapshot: "
        + vm.stderrTail(5));
  }

  /** Sends the three commands in one write: QMP answers them in order. */
  private static void startIncoming(SocketChannel socket) throws IOException {
    List<String> commands = List.of("{\"execute\":\"qmp_capabilities\"}", IGNORE_SHARED,
        "{\"execute\":\"migrate-incoming\",\"arguments\":{\"uri\":\"fd:0\"}}");
    OutputStream send = Channels.newOutputStream(socket);
    send.write((String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8));
    send.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(
        Channels.newInputStream(socket), StandardCharsets.UTF_8));
    in.readLine(); // the greeting
    for (String command : commands) {
      reply(in, command);
    }
  }

  /** Stops the VM behind {@code qmpSocket} and writes its whole state to {@code out}. */
  public static void save(Path qmpSocket, Path out) throws IOException {
    try (SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      socket.connect(UnixDomainSocketAddress.of(qmpSocket));
      BufferedReader in = new BufferedReader(new InputStreamReader(
          Channels.newInputStream(socket), StandardCharsets.UTF_8));
      OutputStream send = Channels.newOutputStream(socket);
      in.readLine(); // the greeting
      command(in, send, "{\"execute\":\"qmp_capabilities\"}");
      // The RAM is in its own file already: the state needs only the devices.
      command(in, send, IGNORE_SHARED);
      // No "stop" first: a VM saved paused is restored paused. Init is blocked on the
      // channel, so the guest changes nothing while it is copied, and QEMU stops it at the end.
      command(in, send, "{\"execute\":\"migrate\",\"arguments\":{\"uri\":"
          + JSON.writeValueAsString("exec:cat > " + shellQuoted(out)) + "}}");
      awaitMigration(in, send);
    }
  }

  private static void awaitMigration(BufferedReader in, OutputStream send) throws IOException {
    for (int polls = 0; polls < 6000; polls++) {
      JsonNode status = command(in, send, "{\"execute\":\"query-migrate\"}").path("status");
      if (status.asText().equals("completed")) {
        return;
      }
      if (status.asText().equals("failed") || status.asText().equals("cancelled")) {
        throw new IOException("QEMU could not save the VM: migration " + status.asText());
      }
      sleep(10);
    }
    throw new IOException("QEMU did not finish saving the VM within 60 s");
  }

  /** Sends one command and returns its "return" value, skipping asynchronous events. */
  private static JsonNode command(BufferedReader in, OutputStream send, String command)
      throws IOException {
    send.write((command + "\n").getBytes(StandardCharsets.UTF_8));
    send.flush();
    return reply(in, command);
  }

  /** Reads up to the reply to {@code command}, skipping asynchronous events. */
  private static JsonNode reply(BufferedReader in, String command) throws IOException {
    while (true) {
      String line = in.readLine();
      if (line == null) {
        throw new IOException("QEMU closed its monitor after " + command);
      }
      JsonNode reply = JSON.readTree(line);
      if (reply.has("error")) {
        throw new IOException("QEMU refused " + command + ": " + reply.get("error"));
      }
      if (reply.has("return")) {
        return reply.get("return");
      }
    }
  }

  /** QEMU runs an exec: URI with /bin/sh; claw's own paths never hold a quote. */
  private static String shellQuoted(Path path) {
    String text = path.toAbsolutePath().toString();
    if (text.contains("'")) {
      throw new ClawException("the snapshot path " + text + " holds a quote",
          "set CLAW_CACHE to a folder without quotes in its path");
    }
    return "'" + text + "'";
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while QEMU saved the VM", e);
    }
  }
}
