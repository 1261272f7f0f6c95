package dev.claw.vm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Recognises a compressed x86 kernel in the Linux boot protocol format (a bzImage, as
 * distributions ship in /boot), as opposed to the uncompressed vmlinux claw builds. QEMU boots
 * a vmlinux by its PVH entry directly; a bzImage needs the firmware's Linux loader.
 */
public final class BzImage {
  /** The boot protocol's magic "HdrS" sits at this offset of the setup header. */
  private static final int HEADER_MAGIC_OFFSET = 0x202;

  private BzImage() {}

  /** Whether {@code kernel} starts with a Linux boot protocol header. */
  public static boolean is(Path kernel) {
    try (InputStream in = Files.newInputStream(kernel)) {
      byte[] head = in.readNBytes(HEADER_MAGIC_OFFSET + 4);
      return head.length == HEADER_MAGIC_OFFSET + 4
          && new String(head, HEADER_MAGIC_OFFSET, 4, StandardCharsets.US_ASCII).equals("HdrS");
    } catch (IOException e) {
      return false;
    }
  }
}
