package dev.claw.deb;

import dev.claw.ClawException;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A Debian binary package (deb(5)), read without running anything from it: an {@code ar}
 * archive of {@code debian-binary} ("2.0"), {@code control.tar[.gz|.xz|.zst]} and
 * {@code data.tar[.gz|.xz|.zst|.bz2]}, with members whose names start with "_" skipped as
 * dpkg does.
 *
 * <p>Reading checks the container and the control stanza at once; the data tarball is
 * decompressed each time {@link #readData} walks it, and a damaged one is reported then. The
 * whole file is held in memory, so what is installed is exactly what was read, even if the
 * file changes on disk meanwhile.
 */
public final class DebPackage {
  /** Control-archive members that dpkg would run or act on while installing. */
  private static final Set<String> SCRIPT_NAMES =
      Set.of("preinst", "postinst", "prerm", "postrm", "config", "triggers");
  private static final Pattern PACKAGE_NAME = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9.+~:-]+");
  private static final Pattern ARCHITECTURE = Pattern.compile("[a-z0-9-]+");

  private final String fileName;
  private final byte[] bytes;
  private final ArArchive.Member data;
  private final Compression dataCompression;
  private final Map<String, String> control;
  private final SortedSet<String> scripts;
  private final String md5sums;

  private DebPackage(String fileName, byte[] bytes, ArArchive.Member data,
      Compression dataCompression, Map<String, String> control, ControlArchive controlArchive) {
    this.fileName = fileName;
    this.bytes = bytes;
    this.data = data;
    this.dataCompression = dataCompression;
    this.control = control;
    this.scripts = Collections.unmodifiableSortedSet(controlArchive.scripts);
    this.md5sums = controlArchive.md5sums;
  }

  /** Reads the .deb at {@code deb}. */
  public static DebPackage read(Path deb) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(deb);
    } catch (IOException e) {
      throw new ClawException("cannot read the package file " + deb + ": " + e.getMessage(),
          "check that the file exists and that you can read it", e);
    }
    return parse(bytes, deb.toString());
  }

  /**
   * Reads a .deb held in memory; {@code fileName} names it in messages (the file it came from,
   * or the package's download name).
   */
  public static DebPackage parse(byte[] bytes, String fileName) {
    try {
      return fromMembers(fileName, bytes, ArArchive.members(bytes));
    } catch (DebFormatException e) {
      throw damaged(fileName, e);
    }
  }

  private static DebPackage fromMembers(String fileName, byte[] bytes,
      List<ArArchive.Member> members) throws DebFormatException {
    MemberWalk walk = new MemberWalk(bytes, members);
    walk.expectFormatVersion();
    ArArchive.Member controlMember = walk.expect("control.tar");
    ArArchive.Member dataMember = walk.expect("data.tar");
    walk.expectEnd();

    Compression controlCompression = compression(controlMember, "control.tar");
    if (controlCompression == Compression.BZIP2) {
      throw new DebFormatException("its control member is " + controlMember.name()
          + "; dpkg allows bzip2 for the data member only");
    }
    Compression dataCompression = compression(dataMember, "data.tar");
    ControlArchive controlArchive = ControlArchive.read(controlCompression,
        slice(bytes, controlMember), controlMember.name());
    return new DebPackage(fileName, bytes, dataMember, dataCompression,
        controlArchive.fields(), controlArchive);
  }

  /** The file this package was read from, as given; for messages. */
  public String fileName() {
    return fileName;
  }

  /** The package name ({@code Package}), checked to be a valid Debian package name. */
  public String name() {
    return field("Package").orElseThrow();
  }

  public String version() {
    return field("Version").orElseThrow();
  }

  public String architecture() {
    return field("Architecture").orElseThrow();
  }

  /** The control stanza's fields in the order the package gives them. */
  public Map<String, String> control() {
    return control;
  }

  /** One control field, matched without regard to case. */
  public Optional<String> field(String name) {
    return ControlFile.find(control, name);
  }

  /**
   * The maintainer scripts and trigger declarations the package carries (of preinst,
   * postinst, prerm, postrm, config, triggers), sorted. claw runs none of them.
   */
  public SortedSet<String> maintainerScripts() {
    return scripts;
  }

  /** The package's {@code md5sums} list ("hash  relative/path" lines), if it has one. */
  public Optional<String> md5sums() {
    return Optional.ofNullable(md5sums);
  }

  /**
   * Walks the data tarball, handing each entry to {@code visitor} in archive order. A damaged
   * or cut-short tarball is reported with a {@link ClawException} once the walk reaches the
   * damage, so a caller that must not act on half a package collects entries first.
   */
  public void readData(Consumer<DebEntry> visitor) {
    try (TarReader reader = new TarReader(new BufferedInputStream(
        dataCompression.decode(slice(bytes, data)), 1 << 16))) {
      for (DebEntry entry = next(reader); entry != null; entry = next(reader)) {
        visitor.accept(entry);
      }
    } catch (IOException e) {
      throw damaged(fileName, new DebFormatException(data.name() + " cannot be read: "
          + describe(e), e));
    }
  }

  private DebEntry next(TarReader reader) throws IOException {
    try {
      return reader.next();
    } catch (DebFormatException e) {
      throw damaged(fileName, new DebFormatException(data.name() + ": " + e.getMessage(), e));
    } catch (IOException | RuntimeException e) {
      // Decoders report bad input as IOException or, for some, unchecked exceptions.
      throw damaged(fileName, new DebFormatException(data.name() + " is damaged: "
          + describe(e), e));
    }
  }

  @Override
  public String toString() {
    return name() + " " + version();
  }

  static ClawException damaged(String fileName, DebFormatException e) {
    return Printable.exception(fileName + " is not a usable Debian package: " + e.getMessage(),
        "the download is damaged or is not a .deb: delete " + fileName + " (or clear claw's"
            + " package cache) so that claw fetches it again, then build again", e);
  }

  static String describe(Exception e) {
    if (e instanceof EOFException) {
      return "it ends too early";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static Compression compression(ArArchive.Member member, String stem)
      throws DebFormatException {
    Compression compression = Compression.of(member.name(), stem);
    if (compression == null) {
      throw new DebFormatException("its member " + member.name() + " is compressed in a way"
          + " claw does not read (it reads " + Compression.known() + ")");
    }
    return compression;
  }

  private static InputStream slice(byte[] bytes, ArArchive.Member member) {
    return new ByteArrayInputStream(bytes, member.offset(), member.size());
  }

  /** Walks the ar members in the order deb(5) requires. */
  private static final class MemberWalk {
    private final byte[] bytes;
    private final List<ArArchive.Member> members;
    private int next;

    MemberWalk(byte[] bytes, List<ArArchive.Member> members) {
      this.bytes = bytes;
      this.members = members;
    }

    void expectFormatVersion() throws DebFormatException {
      if (members.isEmpty() || !members.get(0).name().equals("debian-binary")) {
        throw new DebFormatException("its first member is "
            + (members.isEmpty() ? "missing" : members.get(0).name()) + ", not debian-binary");
      }
      ArArchive.Member version = members.get(next++);
      String text = new String(bytes, version.offset(), version.size(),
          StandardCharsets.US_ASCII);
      if (!text.equals("2.0\n")) {
        throw new DebFormatException("its format version (debian-binary) is \""
            + text.strip() + "\"; claw reads version 2.0");
      }
    }

    ArArchive.Member expect(String stem) throws DebFormatException {
      skipIgnored();
      if (next >= members.size()) {
        throw new DebFormatException("it has no " + stem + " member");
      }
      ArArchive.Member member = members.get(next++);
      if (!member.name().startsWith(stem)) {
        throw new DebFormatException("it has member " + member.name() + " where " + stem
            + " should be");
      }
      return member;
    }

    void expectEnd() throws DebFormatException {
      skipIgnored();
      if (next < members.size()) {
        throw new DebFormatException("it has an unexpected member " + members.get(next).name()
            + " after the data member");
      }
    }

    private void skipIgnored() {
      while (next < members.size() && members.get(next).name().startsWith("_")) {
        next++;
      }
    }
  }

  /** What claw takes from the control tarball. */
  private static final class ControlArchive {
    private final Map<String, String> files = new HashMap<>();
    private final SortedSet<String> scripts = new TreeSet<>();
    private String md5sums;
    private String memberName;

    static ControlArchive read(Compression compression, InputStream member,
        String memberName) throws DebFormatException {
      ControlArchive archive = new ControlArchive();
      archive.memberName = memberName;
      try (TarReader reader = new TarReader(compression.decode(member))) {
        for (DebEntry entry = reader.next(); entry != null; entry = reader.next()) {
          archive.take(entry);
        }
      } catch (DebFormatException e) {
        throw new DebFormatException(memberName + ": " + e.getMessage(), e);
      } catch (IOException | RuntimeException e) {
        throw new DebFormatException(memberName + " is damaged: " + describe(e), e);
      }
      archive.md5sums = archive.files.get("md5sums");
      return archive;
    }

    private void take(DebEntry entry) {
      String name = entry.name().startsWith("./") ? entry.name().substring(2) : entry.name();
      if (entry.kind() != DebEntry.Kind.FILE) {
        return;
      }
      if (SCRIPT_NAMES.contains(name)) {
        scripts.add(name);
      }
      if (name.equals("control") || name.equals("md5sums")) {
        files.put(name, new String(entry.content(), StandardCharsets.UTF_8));
      }
    }

    Map<String, String> fields() throws DebFormatException {
      String text = files.get("control");
      if (text == null) {
        throw new DebFormatException(memberName + " has no control file");
      }
      Map<String, String> fields = ControlFile.parse(text);
      require(fields, "Package", PACKAGE_NAME);
      require(fields, "Version", VERSION);
      require(fields, "Architecture", ARCHITECTURE);
      return fields;
    }

    private static void require(Map<String, String> fields, String name, Pattern form)
        throws DebFormatException {
      Optional<String> value = ControlFile.find(fields, name);
      if (value.isEmpty()) {
        throw new DebFormatException("its control file has no " + name + " field");
      }
      if (!form.matcher(value.get()).matches()) {
        throw new DebFormatException("its control file gives " + name + " as \""
            + value.get() + "\", which is not a valid " + name.toLowerCase() + " (" + form
            + ")");
      }
    }
  }
}
