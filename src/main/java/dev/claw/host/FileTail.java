package dev.claw.host;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The end of a file that a guest or a VMM writes to, read without trusting its size. */
public final class FileTail {
  private FileTail() {}

  /** The last {@code maxBytes} of {@code file} as text; empty if it does not exist. */
  public static String read(Path file, int maxBytes) {
    if (!Files.exists(file)) {
      return "";
    }
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long start = Math.max(0, in.length() - maxBytes);
      byte[] tail = new byte[(int) (in.length() - start)];
      in.seek(start);
      in.readFully(tail);
      return new String(tail, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(could not read " + file + ": " + e.getMessage() + ")";
    }
  }
}
