package dev.claw.debian;

import dev.claw.ClawException;
import dev.claw.host.Exec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/**
 * Verifies a clearsigned InRelease file with gpgv, the way apt does, and yields only the text
 * gpgv vouches for. gpgv's exit code is not enough on its own: claw reads its status lines and
 * accepts the file only if every signature on it is good, made by a key in the keyrings, with
 * a key that has neither expired nor been revoked, over a strong digest.
 */
final class SignatureCheck {
  // OpenPGP hash algorithm ids apt no longer accepts: MD5, SHA-1, RIPEMD-160.
  private static final List<String> WEAK_DIGESTS = List.of("1", "2", "3");

  private SignatureCheck() {}

  /**
   * Returns the signed text of {@code signedFile}.
   *
   * @param keyring a keyring file (binary or ASCII-armoured), or a folder whose {@code *.gpg}
   *     and {@code *.asc} files are all trusted, like apt's trusted.gpg.d
   * @param scratch an empty private folder for gpgv's home and output; the caller deletes it
   * @param what the file's name in messages, such as its URL
   */
  static String verify(Path signedFile, Path keyring, Path scratch, String what)
      throws IOException {
    checkSingleClearsignedMessage(Files.readString(signedFile, StandardCharsets.UTF_8), what);

    List<String> command = new ArrayList<>(List.of(gpgv().toString(),
        "--homedir", Files.createDirectory(scratch.resolve("gnupg")).toString(),
        "--status-fd", "1", "--output", scratch.resolve("signed.txt").toString()));
    for (Path file : keyringFiles(keyring, scratch)) {
      command.add("--keyring");
      command.add(file.toString());
    }
    command.add(signedFile.toString());
    Exec.Result result;
    try {
      result = Exec.run(scratch, command);
    } catch (IOException e) {
      throw new ClawException("could not run gpgv to check " + what + ": " + e.getMessage(),
          "check that gpgv works: gpgv --version", e);
    }

    judge(result, keyring, what);
    return Files.readString(scratch.resolve("signed.txt"), StandardCharsets.UTF_8);
  }

  /**
   * apt refuses anything but one clearsigned message with nothing around it: text outside the
   * signed part, or a second message, is how unsigned lines get smuggled into a parser.
   */
  static void checkSingleClearsignedMessage(String text, String what) {
    String trimmed = text.strip();
    boolean shaped = trimmed.startsWith("-----BEGIN PGP SIGNED MESSAGE-----\n")
        && trimmed.endsWith("\n-----END PGP SIGNATURE-----")
        && count(trimmed, "-----BEGIN PGP SIGNED MESSAGE-----") == 1
        && count(trimmed, "\n-----BEGIN PGP SIGNATURE-----\n") == 1
        && count(trimmed, "-----END PGP SIGNATURE-----") == 1;
    if (!shaped) {
      throw new ClawException(what + " is not a single clearsigned message",
          "the mirror or a proxy is serving something else: use another mirror");
    }
  }

  private static int count(String text, String part) {
    int found = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      found++;
    }
    return found;
  }

  private static Path gpgv() {
    return Exec.which("gpgv").orElseThrow(() -> new ClawException(
        "gpgv is not installed, and claw needs it to check Debian's signatures",
        "install it: sudo apt-get install gpgv"));
  }

  /** The keyring files to pass; gpgv reads only binary keyrings, so armour is removed. */
  private static List<Path> keyringFiles(Path keyring, Path scratch) throws IOException {
    List<Path> sources = new ArrayList<>();
    if (Files.isDirectory(keyring)) {
      try (Stream<Path> files = Files.list(keyring)) {
        files.filter(SignatureCheck::isKeyringName).sorted().forEach(sources::add);
      }
    } else if (Files.isRegularFile(keyring)) {
      sources.add(keyring);
    }
    if (sources.isEmpty()) {
      throw new ClawException("no keyring found at " + keyring,
          "install the repository's keyring (for Debian: sudo apt-get install"
          + " debian-archive-keyring) and name it with Signed-By in the apt source");
    }

    List<Path> usable = new ArrayList<>();
    for (Path source : sources) {
      usable.add(source.toString().endsWith(".asc")
          ? dearmor(source, scratch.resolve("key-" + usable.size() + ".gpg")) : source);
    }
    return usable;
  }

  private static boolean isKeyringName(Path file) {
    String name = file.getFileName().toString();
    return Files.isRegularFile(file) && (name.endsWith(".gpg") || name.endsWith(".asc"));
  }

  /** Turns every ASCII-armoured key block in {@code armoured} into one binary keyring. */
  static Path dearmor(Path armoured, Path target) throws IOException {
    StringBuilder base64 = new StringBuilder();
    boolean inBlock = false;
    boolean inBody = false;
    for (String line : Files.readAllLines(armoured, StandardCharsets.UTF_8)) {
      String text = line.strip();
      if (text.equals("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
        inBlock = true;
        inBody = false;
      } else if (text.startsWith("-----END PGP PUBLIC KEY BLOCK-----")) {
        inBlock = false;
      } else if (inBlock && !inBody) {
        // Armour headers ("Comment: ...") end at the first empty line.
        inBody = text.isEmpty();
      } else if (inBlock && !text.startsWith("=")) {
        base64.append(text);
      }
    }
    try {
      byte[] keys = Base64.getDecoder().decode(base64.toString());
      if (keys.length == 0) {
        throw new IllegalArgumentException("no key block");
      }
      return Files.write(target, keys);
    } catch (IllegalArgumentException e) {
      throw new ClawException("the keyring " + armoured + " is not an ASCII-armoured OpenPGP"
          + " public key (" + e.getMessage() + ")", "replace it with the key file the"
          + " repository publishes, or remove it");
    }
  }

  /** Accepts the signature only on gpgv's own word, line by line. */
  static void judge(Exec.Result result, Path keyring, String what) {
    int signatures = 0;
    int good = 0;
    int valid = 0;
    for (String line : result.stdout().split("\n")) {
      if (!line.startsWith("[GNUPG:] ")) {
        continue;
      }
      String[] words = line.substring(9).split(" ");
      switch (words[0]) {
        case "NEWSIG":
          signatures++;
          break;
        case "GOODSIG":
          good++;
          break;
        case "VALIDSIG":
          checkDigest(words, what);
          valid++;
          break;
        default:
          refuseBadStatus(words, keyring, what);
      }
    }

    if (signatures == 0 || good != signatures || valid != signatures || !result.ok()) {
      throw new ClawException(what + " is not validly signed by a key in " + keyring
          + " (gpgv: " + result.tail(3).replace('\n', ' ') + ")",
          "use a mirror that serves correctly signed files, or fix the keyring");
    }
  }

  private static void checkDigest(String[] words, String what) {
    // VALIDSIG <fpr> <date> <timestamp> <expires> <version> <reserved> <pubkey> <hash> ...
    if (words.length < 9 || WEAK_DIGESTS.contains(words[8])) {
      throw new ClawException(what + " is signed with a weak digest (OpenPGP hash algorithm "
          + (words.length < 9 ? "?" : words[8]) + ")",
          "use a repository that signs with SHA-256 or better");
    }
  }

  private static void refuseBadStatus(String[] words, Path keyring, String what) {
    String key = words.length > 1 ? words[1] : "?";
    switch (words[0]) {
      case "BADSIG":
        throw tampered(what, "has a bad signature by key " + key);
      case "ERRSIG":
      case "NO_PUBKEY":
        throw new ClawException(what + " is signed by key " + key + ", which gpgv could not"
            + " check with " + keyring, "install the keyring that holds this key (for Debian:"
            + " sudo apt-get install debian-archive-keyring) and name it with Signed-By");
      case "EXPKEYSIG":
      case "EXPSIG":
        throw new ClawException(what + " is signed by key " + key + ", which has expired",
            "update the repository's keyring (for Debian: debian-archive-keyring)");
      case "REVKEYSIG":
        throw tampered(what, "is signed by key " + key + ", which has been revoked");
      case "NODATA":
      case "BADARMOR":
        throw tampered(what, "has no readable signature");
      default:
        // Informational lines (KEY_CONSIDERED, SIG_ID, PLAINTEXT, ...) decide nothing.
    }
  }

  private static ClawException tampered(String what, String why) {
    return new ClawException(what + " " + why + ": it may have been altered",
        "do not use this mirror until it serves correctly signed files; try another mirror");
  }
}
