package dev.claw.debian;

import dev.claw.ClawException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Downloads files from Debian mirrors into files, hashing on the way. The mirror is not
 * trusted: a download stops as soon as it is larger than the size the caller expects, and
 * the caller checks size and digest before using a byte of it.
 */
final class Http {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
  // Until the response headers arrive; a large index then takes as long as it takes.
  private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);

  private final HttpClient client;

  private Http(HttpClient client) {
    this.client = client;
  }

  static Http create() {
    // HTTP/1.1: Debian mirrors speak it everywhere; an h2c upgrade attempt gains nothing.
    return new Http(HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build());
  }

  /** What arrived: its length and SHA-256 (lower-case hex). */
  record Download(long size, String sha256) {}

  /**
   * Writes the body of {@code uri} to {@code target} (created or truncated).
   *
   * @param limit the most bytes to accept; more is an error, not a truncation
   * @return empty if the mirror says the file does not exist (404 or 410)
   */
  Optional<Download> fetch(URI uri, Path target, long limit) {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(RESPONSE_TIMEOUT)
        .header("User-Agent", "claw")
        .GET()
        .build();
    try {
      HttpResponse<InputStream> response = client.send(request,
          HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        int status = response.statusCode();
        if (status == 404 || status == 410) {
          return Optional.empty();
        }
        if (status != 200) {
          throw new ClawException("the mirror answered HTTP " + status + " for " + uri,
              "try again later, or use another mirror");
        }
        return Optional.of(copy(body, target, limit, uri));
      }
    } catch (IOException e) {
      throw new ClawException("could not download " + uri + ": " + e,
          "check the network connection and that the mirror's address is right", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClawException("interrupted while downloading " + uri, "run claw again", e);
    }
  }

  /**
   * Writes {@code body} to {@code target}, hashing it, and stops with an error past
   * {@code limit} bytes; {@code source} names where the bytes come from.
   */
  static Download copy(InputStream body, Path target, long limit, Object source)
      throws IOException {
    MessageDigest sha = sha256();
    long size = 0;
    byte[] buffer = new byte[1 << 16];
    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
        size += n;
        if (size > limit) {
          throw new ClawException("the mirror sent more than the expected " + limit
              + " bytes for " + source, "the mirror is broken or tampered with: use another"
              + " mirror");
        }
        sha.update(buffer, 0, n);
        out.write(buffer, 0, n);
      }
    }
    return new Download(size, HexFormat.of().formatHex(sha.digest()));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
