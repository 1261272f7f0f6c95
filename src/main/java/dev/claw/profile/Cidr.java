package dev.claw.profile;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network, such as {@code 10.20.0.0/24} or {@code fd00:ec2::254/128}. Host bits
 * must be zero: {@code 10.20.0.1/24} is refused rather than silently widened, since it usually
 * means the writer had one host in mind.
 */
public record Cidr(InetAddress network, int prefix) {
  private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern V6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

  public Cidr {
    if (prefix < 0 || prefix > bits(network)) {
      throw new IllegalArgumentException("prefix /" + prefix + " for " + network);
    }
  }

  /**
   * Parses {@code text}; a bare address is a single host. Only numeric addresses are read, so
   * nothing here ever asks a resolver.
   */
  public static Optional<Cidr> parse(String text) {
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    Optional<InetAddress> parsed = address(address);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    int max = bits(parsed.get());
    int prefix = max;
    if (slash >= 0) {
      String digits = text.substring(slash + 1);
      if (!digits.matches("\\d{1,3}") || Integer.parseInt(digits) > max) {
        return Optional.empty();
      }
      prefix = Integer.parseInt(digits);
    }
    Cidr cidr = new Cidr(parsed.get(), prefix);
    return cidr.equals(cidr.masked()) ? Optional.of(cidr) : Optional.empty();
  }

  /** A numeric IPv4 or IPv6 address; never a name lookup. */
  public static Optional<InetAddress> address(String text) {
    if (!V4.matcher(text).matches() && !V6.matcher(text).matches()) {
      return Optional.empty();
    }
    try {
      // Numeric only (checked above), so getByName parses and never resolves.
      InetAddress address = InetAddress.getByName(text);
      if (text.contains(":") && address instanceof Inet4Address) {
        // Java turns ::ffff:a.b.c.d into plain IPv4; a filter must keep the two apart.
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(address.getAddress(), 0, mapped, 12, 4);
        address = Inet6Address.getByAddress(null, mapped, -1);
      }
      return Optional.of(address);
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  public boolean isIpv4() {
    return network instanceof Inet4Address;
  }

  /** Whether every address of {@code other} is inside this network. */
  public boolean contains(Cidr other) {
    return isIpv4() == other.isIpv4() && other.prefix >= prefix
        && new Cidr(other.network, prefix).masked().network.equals(network);
  }

  /** Whether the two networks share any address. */
  public boolean overlaps(Cidr other) {
    return contains(other) || other.contains(this);
  }

  /** This network with its host bits cleared. */
  private Cidr masked() {
    byte[] bytes = network.getAddress();
    for (int bit = prefix; bit < bytes.length * 8; bit++) {
      bytes[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
    }
    try {
      InetAddress masked = bytes.length == 4 ? InetAddress.getByAddress(bytes)
          : Inet6Address.getByAddress(null, bytes, -1);
      return new Cidr(masked, prefix);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("an address of " + bytes.length + " bytes", e);
    }
  }

  private static int bits(InetAddress address) {
    return address.getAddress().length * 8;
  }

  /** As nft and ip write it: the address, and the prefix unless it is a single host. */
  @Override
  public String toString() {
    String host = format(network);
    return prefix == bits(network) ? host : host + "/" + prefix;
  }

  /** An address as RFC 5952 writes it: IPv6 in lower case with the longest zero run as "::". */
  public static String format(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length == 4) {
      return address.getHostAddress();
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = (bytes[2 * i] & 0xff) << 8 | (bytes[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int start = 0; start < 8; start++) {
      int length = 0;
      while (start + length < 8 && groups[start + length] == 0) {
        length++;
      }
      if (length > bestLength) {
        bestStart = start;
        bestLength = length;
      }
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append(i == 0 ? "::" : ":");
        i += bestLength - 1;
        continue;
      }
      text.append(Integer.toHexString(groups[i])).append(i < 7 ? ":" : "");
    }
    return text.toString();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Cidr cidr && cidr.prefix == prefix
        && Arrays.equals(cidr.network.getAddress(), network.getAddress());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network.getAddress()) * 31 + prefix;
  }
}
