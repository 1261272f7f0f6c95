package dev.claw.deb;

import io.airlift.compress.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;

/**
 * Builds .deb files in memory for tests, the way dpkg-deb lays them out (GNU tar, "./" names,
 * fixed times), including broken and hostile ones. Same calls, same bytes.
 */
final class TestDeb {
  private static final FileTime EPOCH = FileTime.fromMillis(0);

  private final Map<String, String> control = new LinkedHashMap<>();
  private final List<Member> data = new ArrayList<>();
  private final Map<String, String> controlFiles = new LinkedHashMap<>();
  private String controlCompression = "xz";
  private String dataCompression = "xz";
  private boolean md5sums = true;

  private record Member(TarArchiveEntry header, byte[] content) {}

  private TestDeb(String name, String version) {
    control.put("Package", name);
    control.put("Version", version);
    control.put("Architecture", "amd64");
    control.put("Maintainer", "Test Maintainer <test@example.org>");
    control.put("Installed-Size", "12");
    control.put("Section", "misc");
    control.put("Description", "a package made by a test\n Its long description has two\n"
        + " .\n paragraphs.");
  }

  static TestDeb named(String name) {
    return new TestDeb(name, "1.0-1");
  }

  TestDeb version(String version) {
    control.put("Version", version);
    return this;
  }

  TestDeb field(String name, String value) {
    control.put(name, value);
    return this;
  }

  TestDeb compression(String controlSuffix, String dataSuffix) {
    this.controlCompression = controlSuffix;
    this.dataCompression = dataSuffix;
    return this;
  }

  TestDeb script(String name, String text) {
    controlFiles.put(name, text);
    return this;
  }

  /** Replaces the md5sums computed from the regular files with {@code text}. */
  TestDeb md5sums(String text) {
    controlFiles.put("md5sums", text);
    md5sums = false;
    return this;
  }

  TestDeb dir(String name, int mode) {
    TarArchiveEntry header = new TarArchiveEntry(name, TarConstants.LF_DIR, true);
    header.setMode(mode);
    return add(header, new byte[0]);
  }

  TestDeb file(String name, int mode, String content) {
    return file(name, mode, content.getBytes(StandardCharsets.UTF_8));
  }

  TestDeb file(String name, int mode, byte[] content) {
    TarArchiveEntry header = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
    header.setMode(mode);
    header.setSize(content.length);
    return add(header, content);
  }

  /** A file with another owner than root. */
  TestDeb ownedFile(String name, int mode, String user, int uid, String group, int gid) {
    file(name, mode, "owned");
    TarArchiveEntry header = data.get(data.size() - 1).header();
    header.setUserName(user);
    header.setUserId(uid);
    header.setGroupName(group);
    header.setGroupId(gid);
    return this;
  }

  TestDeb symlink(String name, String target) {
    TarArchiveEntry header = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
    header.setLinkName(target);
    header.setMode(0777);
    return add(header, new byte[0]);
  }

  TestDeb hardlink(String name, String target) {
    TarArchiveEntry header = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
    header.setLinkName(target);
    header.setMode(0644);
    return add(header, new byte[0]);
  }

  /** An entry of any tar type, such as a device node or a fifo. */
  TestDeb special(String name, byte type) {
    TarArchiveEntry header = new TarArchiveEntry(name, type, true);
    header.setMode(0600);
    header.setDevMajor(1);
    header.setDevMinor(3);
    return add(header, new byte[0]);
  }

  private TestDeb add(TarArchiveEntry header, byte[] content) {
    header.setModTime(EPOCH);
    if (header.getUserName().isEmpty()) {
      header.setUserName("root");
      header.setGroupName("root");
    }
    data.add(new Member(header, content));
    return this;
  }

  /** The .deb's bytes. */
  byte[] build() {
    return ar(List.of(
        Map.entry("debian-binary", ascii("2.0\n")),
        Map.entry("control.tar" + suffix(controlCompression), controlMember()),
        Map.entry("data.tar" + suffix(dataCompression), dataMember())));
  }

  /** The .deb, read back. */
  DebPackage read() {
    return DebPackage.parse(build(), fileName());
  }

  String fileName() {
    return control.get("Package") + "_" + control.get("Version") + "_amd64.deb";
  }

  /** The compressed control tarball, as it goes into the .deb. */
  byte[] controlMember() {
    List<Member> members = new ArrayList<>();
    members.add(controlFile("control", controlText()));
    if (md5sums) {
      members.add(controlFile("md5sums", computedMd5sums()));
    }
    controlFiles.forEach((name, text) -> members.add(controlFile(name, text)));
    return compress(tar(members), controlCompression);
  }

  /** The compressed data tarball, as it goes into the .deb. */
  byte[] dataMember() {
    return compress(tar(data), dataCompression);
  }

  /**
   * The data tarball, uncompressed, cut just after its last entry: no end-of-archive record,
   * as if the download stopped between two entries. The last entry must not end in zeros.
   */
  byte[] dataTarWithoutEnd() {
    byte[] whole = tar(data);
    int end = whole.length;
    while (end > 0 && whole[end - 1] == 0) {
      end--;
    }
    return Arrays.copyOf(whole, (end + 511) / 512 * 512);
  }

  private String controlText() {
    StringBuilder text = new StringBuilder();
    control.forEach((name, value) -> text.append(name).append(": ").append(value)
        .append('\n'));
    return text.toString();
  }

  /** md5sums as dh_md5sums writes it: every name of a regular file, hard links included. */
  private String computedMd5sums() {
    Map<String, byte[]> contents = new LinkedHashMap<>();
    StringBuilder text = new StringBuilder();
    for (Member member : data) {
      TarArchiveEntry header = member.header();
      byte[] content = null;
      if (header.getLinkFlag() == TarConstants.LF_NORMAL) {
        content = member.content();
        contents.put(header.getName(), content);
      } else if (header.getLinkFlag() == TarConstants.LF_LINK) {
        content = contents.get(header.getLinkName());
      }
      if (content != null) {
        text.append(md5(content)).append("  ").append(header.getName().replaceFirst("^\\./", ""))
            .append('\n');
      }
    }
    return text.toString();
  }

  private static Member controlFile(String name, String text) {
    byte[] content = ascii(text);
    TarArchiveEntry header = new TarArchiveEntry("./" + name, TarConstants.LF_NORMAL, true);
    header.setMode(name.equals("control") || name.equals("md5sums") ? 0644 : 0755);
    header.setSize(content.length);
    header.setModTime(EPOCH);
    return new Member(header, content);
  }

  /** An ar archive of {@code members} in order, as dpkg-deb writes it. */
  static byte[] ar(List<Map.Entry<String, byte[]>> members) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ArArchiveOutputStream ar = new ArArchiveOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> member : members) {
        ar.putArchiveEntry(new ArArchiveEntry(member.getKey(), member.getValue().length, 0, 0,
            0100644, 0));
        ar.write(member.getValue());
        ar.closeArchiveEntry();
      }
      ar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] tar(List<Member> members) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (Member member : members) {
        tar.putArchiveEntry(member.header());
        tar.write(member.content());
        tar.closeArchiveEntry();
      }
      tar.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static byte[] compress(byte[] raw, String compression) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = compressor(bytes, compression)) {
      out.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static OutputStream compressor(OutputStream out, String compression)
      throws IOException {
    switch (compression) {
      case "gz":
        return new GZIPOutputStream(out);
      case "xz":
        return new XZCompressorOutputStream(out);
      case "zst":
        return new ZstdOutputStream(out);
      case "bz2":
        return new BZip2CompressorOutputStream(out);
      default:
        return out;
    }
  }

  private static String suffix(String compression) {
    return compression.isEmpty() ? "" : "." + compression;
  }

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String md5(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has MD5", e);
    }
  }
}
