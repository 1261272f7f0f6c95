package dev.claw.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 in the lower-case hex form used in cache keys, lockfiles and reports. */
public final class Sha256 {
  private final MessageDigest digest;

  private Sha256() {
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** A digest to feed piece by piece, for cache keys made of several inputs. */
  public static Sha256 start() {
    return new Sha256();
  }

  public Sha256 add(byte[] bytes) {
    digest.update(bytes);
    return this;
  }

  /** Adds {@code text} followed by a newline, so "ab"+"c" and "a"+"bc" differ. */
  public Sha256 add(String text) {
    return add((text + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** {@code out}, with every byte written to it also added to this digest. */
  public OutputStream digesting(OutputStream out) {
    return new DigestOutputStream(out, digest);
  }

  public String hex() {
    return HexFormat.of().formatHex(digest.digest());
  }

  public static String of(byte[] bytes) {
    return start().add(bytes).hex();
  }

  public static String of(Path file) throws IOException {
    Sha256 sha = start();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        sha.digest.update(buffer, 0, n);
      }
    }
    return sha.hex();
  }
}
