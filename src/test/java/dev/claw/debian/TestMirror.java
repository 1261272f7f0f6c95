package dev.claw.debian;

import com.sun.net.httpserver.HttpServer;
import dev.claw.host.Exec;
import dev.claw.host.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * A tiny Debian repository served over HTTP on the loopback interface, signed with a
 * throwaway GnuPG key: the real file layout, real xz and gzip indexes, a real clearsigned
 * InRelease. Tests change what it serves to play a broken or hostile mirror.
 */
final class TestMirror implements AutoCloseable {
  static final String SUITE = "bookworm";
  static final String DEB_PATH = "pool/main/h/hello/hello_1.0-1_amd64.deb";
  static final byte[] DEB = "!<arch>\nnot really a deb, but bytes with a digest\n"
      .getBytes(StandardCharsets.US_ASCII);

  private final HttpServer server;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

  TestMirror() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      byte[] body = files.get(path);
      exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        if (body != null) {
          out.write(body);
        }
      }
    });
    server.start();
  }

  /** The repository's base URI, as an apt source gives it. */
  String uri() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/debian";
  }

  void put(String path, byte[] body) {
    files.put("/debian/" + path, body);
  }

  void remove(String path) {
    files.remove("/debian/" + path);
  }

  /** How many requests asked for {@code path}. */
  int hits(String path) {
    AtomicInteger count = hits.get("/debian/" + path);
    return count == null ? 0 : count.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  // ---- content

  /** Two packages: hello (the .deb above) and libhello, which hello depends on. */
  static String packagesIndex() {
    return String.join("\n",
        "Package: hello",
        "Source: hello-src (1.0-1)",
        "Version: 1.0-1",
        "Architecture: amd64",
        "Depends: libhello (>= 1.0)",
        "Description: says hello",
        " A test package.",
        "Filename: " + DEB_PATH,
        "Size: " + DEB.length,
        "SHA256: " + Sha256.of(DEB),
        "",
        "Package: libhello",
        "Version: 1.0-1",
        "Architecture: amd64",
        "Filename: pool/main/h/hello/libhello_1.0-1_amd64.deb",
        "Size: 10",
        "SHA256: " + "c".repeat(64),
        "");
  }

  /** Release text listing {@code indexes} (path below the suite → bytes). */
  static String release(String codename, String extraFields, Map<String, byte[]> indexes) {
    StringBuilder text = new StringBuilder()
        .append("Origin: claw-test\nSuite: stable\nCodename: ").append(codename).append('\n')
        .append("Date: Sat, 01 Jun 2024 10:00:00 UTC\n").append(extraFields)
        .append("Architectures: amd64 arm64\nComponents: main\nSHA256:\n");
    indexes.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry ->
        text.append(' ').append(Sha256.of(entry.getValue())).append(' ')
            .append(entry.getValue().length).append(' ').append(entry.getKey()).append('\n'));
    return text.toString();
  }

  static byte[] xz(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (XZOutputStream out = new XZOutputStream(bytes, new LZMA2Options())) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  // ---- keys

  /** A throwaway signing key: its GnuPG home, and its public key as a binary keyring. */
  record Key(Path home, Path keyring) implements AutoCloseable {

    static Key generate(Path dir, String name) throws IOException {
      Path home = Files.createDirectories(dir.resolve("gnupg-" + name));
      Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
      gpg(home, "--passphrase", "", "--quick-gen-key", name + " <" + name + "@claw.invalid>",
          "ed25519", "sign", "never");
      Path keyring = dir.resolve(name + ".gpg");
      gpg(home, "--output", keyring.toString(), "--export");
      return new Key(home, keyring);
    }

    /** The public key ASCII-armoured, as many repositories publish it. */
    String armoured() throws IOException {
      return gpg(home, "--armor", "--export");
    }

    /** {@code text} clearsigned, optionally with a given digest algorithm. */
    byte[] clearsign(String text, String... options) throws IOException {
      Path input = Files.createTempFile(home, "release", ".txt");
      Path output = home.resolve(input.getFileName() + ".asc");
      Files.writeString(input, text, StandardCharsets.UTF_8);
      String[] args = new String[options.length + 4];
      System.arraycopy(options, 0, args, 0, options.length);
      System.arraycopy(new String[] {"--clearsign", "--output", output.toString(),
          input.toString()}, 0, args, options.length, 4);
      gpg(home, args);
      return Files.readAllBytes(output);
    }

    /** Stops the gpg-agent that key generation and signing started for this home. */
    @Override
    public void close() throws IOException {
      Exec.run(null, List.of("gpgconf", "--homedir", home.toString(), "--kill", "gpg-agent"));
    }

    private static String gpg(Path home, String... args) throws IOException {
      List<String> command = new ArrayList<>(List.of("gpg", "--batch", "--quiet",
          "--homedir", home.toString()));
      command.addAll(List.of(args));
      Exec.Result result = Exec.run(null, command);
      if (!result.ok()) {
        throw new IOException("gpg failed: " + result.tail(5));
      }
      return result.stdout();
    }
  }
}
