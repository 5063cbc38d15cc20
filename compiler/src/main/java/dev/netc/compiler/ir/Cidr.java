package dev.netc.compiler.ir;

/**
 * An IP prefix such as {@code 10.0.0.0/24}: a network address with no host bits set and a prefix
 * length that fits its family.
 */
public record Cidr(IpAddress address, int prefix) implements Comparable<Cidr> {
  public Cidr {
    if (prefix < 0 || prefix > address.family().bits()) {
      throw new IllegalArgumentException("prefix length out of range");
    }
    if (!mask(address, prefix).equals(address)) {
      throw new IllegalArgumentException("host bits set");
    }
  }

  /** Reads {@code ADDRESS/LENGTH}; host bits set is an error whose reason names the fix. */
  public static Parsed<Cidr> parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      return Parsed.error("expected a prefix such as `10.0.0.0/24`, got `" + text + "`");
    }
    Parsed<IpAddress> addr = IpAddress.parse(text.substring(0, slash));
    String len = text.substring(slash + 1);
    if (!addr.ok()) {
      return Parsed.error("expected a prefix such as `10.0.0.0/24`, got `" + text + "`"
          + (text.substring(0, slash).matches("[0-9.]+") && text.substring(0, slash).matches("(.*\\.)?0[0-9].*")
              ? ": a part of an IPv4 address has no leading zero (it would read as octal elsewhere)" : ""));
    }
    int max = addr.get().family().bits();
    if (len.isEmpty() || len.length() > 3 || !len.chars().allMatch(Character::isDigit)) {
      return Parsed.error("expected a prefix length in 0-" + max + ", got `" + len + "`");
    }
    if (len.length() > 1 && len.startsWith("0")) {
      // as an address's parts: `ip` reads `/024` as octal (/20), Kubernetes refuses it
      return Parsed.error("expected a prefix length in 0-" + max + " without a leading zero (it would"
          + " read as octal elsewhere), got `" + len + "`");
    }
    int n = Integer.parseInt(len);
    if (n > max) {
      return Parsed.error(
          "expected a prefix length in 0-" + max + " for an " + addr.get().family().label()
              + " prefix, got `" + n + "`");
    }
    IpAddress net = mask(addr.get(), n);
    if (!net.equals(addr.get())) {
      return Parsed.error(
          "`" + text + "` has host bits set; the network is `" + net + "/" + n + "`");
    }
    return Parsed.ok(new Cidr(net, n));
  }

  /** {@code address} with every bit past {@code prefix} cleared. */
  public static IpAddress mask(IpAddress address, int prefix) {
    if (address.isV4()) {
      long m = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
      return IpAddress.v4(address.lo() & m);
    }
    long hiMask = prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
    long loMask = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
    return new IpAddress(IpAddress.Family.V6, address.hi() & hiMask, address.lo() & loMask);
  }

  public IpAddress.Family family() {
    return address.family();
  }

  public boolean contains(IpAddress a) {
    return a.family() == family() && mask(a, prefix).equals(address);
  }

  public boolean contains(Cidr other) {
    return other.prefix >= prefix && contains(other.address);
  }

  public boolean overlaps(Cidr other) {
    return contains(other) || other.contains(this);
  }

  /** The last address of the prefix (the broadcast address of an IPv4 subnet). */
  public IpAddress last() {
    int hostBits = family().bits() - prefix;
    if (address.isV4()) {
      return IpAddress.v4(address.lo() | (hostBits == 32 ? 0xffffffffL : (1L << hostBits) - 1));
    }
    long loBits = hostBits >= 64 ? -1L : hostBits == 0 ? 0 : (1L << hostBits) - 1;
    long hiBits = hostBits <= 64 ? 0 : hostBits == 128 ? -1L : (1L << (hostBits - 64)) - 1;
    return new IpAddress(IpAddress.Family.V6, address.hi() | hiBits, address.lo() | loBits);
  }

  @Override
  public int compareTo(Cidr o) {
    int c = address.compareTo(o.address);
    return c != 0 ? c : Integer.compare(prefix, o.prefix);
  }

  @Override
  public String toString() {
    return address + "/" + prefix;
  }
}
