package dev.claw.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * claw's kernel configuration fragment (kernel/microvm.config), applied on top of
 * {@code allnoconfig}. Kconfig drops an option whose dependencies are unmet without a word, so
 * after configuring, {@link #unmetIn} compares the result with the fragment: a fragment option
 * that did not stick fails the build instead of producing a kernel that lacks it.
 */
public final class KernelConfig {
  static final String RESOURCE = "microvm.config";

  private static final Pattern SET = Pattern.compile("(CONFIG_[A-Za-z0-9_]+)=(.*)");
  private static final Pattern UNSET = Pattern.compile("# (CONFIG_[A-Za-z0-9_]+) is not set");

  private final byte[] text;
  private final Map<String, String> settings;

  private KernelConfig(byte[] text) {
    this.text = text;
    this.settings = parse(new String(text, StandardCharsets.UTF_8));
  }

  /** The fragment that ships with claw. */
  public static KernelConfig bundled() {
    try (InputStream in = KernelConfig.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("microvm.config is missing from claw's jar");
      }
      return new KernelConfig(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static KernelConfig of(String text) {
    return new KernelConfig(text.getBytes(StandardCharsets.UTF_8));
  }

  public byte[] bytes() {
    return text.clone();
  }

  /**
   * The settings alone, one per line in a fixed order: what the kernel depends on. Comments
   * and layout are left out, so rewording a reason does not force a rebuild.
   */
  public String canonical() {
    StringBuilder text = new StringBuilder();
    new TreeMap<>(settings).forEach((name, value) -> text.append(name).append('=')
        .append(value).append('\n'));
    return text.toString();
  }

  /** Option name to value, "n" for options the fragment turns off. */
  public Map<String, String> settings() {
    return settings;
  }

  /** The fragment's settings that {@code dotConfig} (a configured .config) does not have. */
  public List<String> unmetIn(Path dotConfig) throws IOException {
    Map<String, String> actual = parse(Files.readString(dotConfig));
    List<String> unmet = new ArrayList<>();
    settings.forEach((name, wanted) -> {
      String got = actual.getOrDefault(name, "n");
      if (!got.equals(wanted)) {
        unmet.add(name + "=" + wanted + " (got " + got + ")");
      }
    });
    return unmet;
  }

  private static Map<String, String> parse(String text) {
    Map<String, String> settings = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      String trimmed = line.strip();
      Matcher set = SET.matcher(trimmed);
      Matcher unset = UNSET.matcher(trimmed);
      if (set.matches()) {
        settings.put(set.group(1), set.group(2));
      } else if (unset.matches()) {
        settings.put(unset.group(1), "n");
      }
    }
    return settings;
  }
}
