package dev.claw.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw.ClawException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Saving a running QEMU VM to a file and starting another from it. QEMU 7.2 has no
 * {@code file:} migration URI, so the state goes through {@code exec:cat}: QEMU's own
 * migration stream, which writes zero pages as markers, so a 128 MiB guest that uses 20 MiB
 * makes a file of about 20 MiB.
 */
public final class QemuSnapshots {
  private static final ObjectMapper JSON = new ObjectMapper();

  private QemuSnapshots() {}

  /** Starts {@code spec} with a QMP monitor on {@code qmpSocket}, to be saved later. */
  public static VmProcess startSaveable(QemuMicrovm qemu, VmSpec spec, Path qmpSocket)
      throws IOException {
    // server=on,wait=off: QEMU listens and boots without waiting for claw to connect.
    return qemu.start(spec, List.of("-qmp", "unix:" + qmpSocket + ",server=on,wait=off"));
  }

  /**
   * A backend that starts each VM from {@code state} instead of booting it: the devices must
   * be the ones the saved VM had, so the spec is the saved VM's, with a new channel socket.
   */
  public static VmBackend restoring(QemuMicrovm qemu, Path state) {
    String quoted = shellQuoted(state);
    return new VmBackend() {
      @Override
      public String name() {
        return qemu.name() + "-restore";
      }

      @Override
      public String identity() {
        return qemu.identity();
      }

      @Override
      public void checkInstalled() {
        qemu.checkInstalled();
      }

      @Override
      public VmProcess start(VmSpec spec) throws IOException {
        // The guest runs on by itself once the state is in: no -S, no "cont".
        return qemu.start(spec, List.of("-incoming", "exec:cat " + quoted));
      }
    };
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
