package dev.netc.compiler.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * An IPv4 or IPv6 address. The 128 bits are held in two longs; an IPv4 address uses the low 32
 * bits of {@code lo}. Parsing is strict: dotted quads without leading zeros, RFC 4291 text for
 * IPv6 (with {@code ::} and an embedded dotted quad), no zone index, no host names.
 */
public record IpAddress(Family family, long hi, long lo) implements Comparable<IpAddress> {

  /** An address family. */
  public enum Family {
    V4(32),
    V6(128);

    private final int bits;

    Family(int bits) {
      this.bits = bits;
    }

    public int bits() {
      return bits;
    }

    public String label() {
      return this == V4 ? "IPv4" : "IPv6";
    }
  }

  public IpAddress {
    if (family == Family.V4 && (hi != 0 || (lo >>> 32) != 0)) {
      throw new IllegalArgumentException("IPv4 address out of range");
    }
  }

  public static IpAddress v4(long value) {
    return new IpAddress(Family.V4, 0, value & 0xffffffffL);
  }

  public static Parsed<IpAddress> parse(String text) {
    if (text.indexOf(':') >= 0) {
      return parseV6(text);
    }
    return parseV4(text)
        .map(v -> v4(v))
        .value()
        .map(Parsed::ok)
        .orElseGet(() -> Parsed.error("expected an IP address such as `10.0.0.1` or `fd00::1`"));
  }

  private static Parsed<Long> parseV4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return Parsed.error("not four parts");
    }
    long v = 0;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        return Parsed.error("bad part");
      }
      if (p.length() > 1 && p.charAt(0) == '0') {
        return Parsed.error("leading zero");
      }
      int n = Integer.parseInt(p);
      if (n > 255) {
        return Parsed.error("part over 255");
      }
      v = (v << 8) | n;
    }
    return Parsed.ok(v);
  }

  private static Parsed<IpAddress> parseV6(String text) {
    Parsed<IpAddress> bad = Parsed.error("expected an IPv6 address such as `fd00::1`");
    int dbl = text.indexOf("::");
    if (dbl >= 0 && text.indexOf("::", dbl + 1) >= 0) {
      return bad;
    }
    List<Integer> head = new ArrayList<>();
    List<Integer> tail = new ArrayList<>();
    String left = dbl >= 0 ? text.substring(0, dbl) : text;
    String right = dbl >= 0 ? text.substring(dbl + 2) : "";
    if (!groups(left, head, dbl < 0 || right.isEmpty()) || !groups(right, tail, true)) {
      return bad;
    }
    int count = head.size() + tail.size();
    if (dbl < 0 ? count != 8 : count > 7) {
      return bad;
    }
    int[] all = new int[8];
    for (int i = 0; i < head.size(); i++) {
      all[i] = head.get(i);
    }
    for (int i = 0; i < tail.size(); i++) {
      all[8 - tail.size() + i] = tail.get(i);
    }
    long hi = 0;
    long lo = 0;
    for (int i = 0; i < 4; i++) {
      hi = (hi << 16) | all[i];
      lo = (lo << 16) | all[i + 4];
    }
    return Parsed.ok(new IpAddress(Family.V6, hi, lo));
  }

  /** Reads colon-separated hex groups; the last may be a dotted quad when {@code last}. */
  private static boolean groups(String s, List<Integer> out, boolean last) {
    if (s.isEmpty()) {
      return true;
    }
    String[] parts = s.split(":", -1);
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (last && i == parts.length - 1 && p.indexOf('.') >= 0) {
        Parsed<Long> v4 = parseV4(p);
        if (!v4.ok()) {
          return false;
        }
        out.add((int) (v4.get() >>> 16));
        out.add((int) (v4.get() & 0xffff));
        continue;
      }
      if (p.isEmpty() || p.length() > 4) {
        return false;
      }
      for (char c : p.toCharArray()) {
        if (Character.digit(c, 16) < 0) {
          return false;
        }
      }
      out.add(Integer.parseInt(p, 16));
    }
    return true;
  }

  public boolean isV4() {
    return family == Family.V4;
  }

  /** Whether this is {@code 0.0.0.0} or {@code ::}: bound, every address of its family. */
  public boolean isUnspecified() {
    return hi == 0 && lo == 0;
  }

  /** The address {@code n} places further on (wrapping is the caller's concern). */
  public IpAddress plus(long n) {
    if (isV4()) {
      return v4(lo + n);
    }
    long newLo = lo + n;
    long carry = Long.compareUnsigned(newLo, lo) < 0 ? 1 : 0;
    return new IpAddress(Family.V6, hi + carry, newLo);
  }

  @Override
  public int compareTo(IpAddress o) {
    int c = family.compareTo(o.family);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(hi, o.hi);
    return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
  }

  /** Canonical text: dotted quad, or RFC 5952 for IPv6 (lower case, longest zero run as ::). */
  @Override
  public String toString() {
    if (isV4()) {
      return ((lo >>> 24) & 255) + "." + ((lo >>> 16) & 255) + "." + ((lo >>> 8) & 255) + "."
          + (lo & 255);
    }
    int[] g = new int[8];
    for (int i = 0; i < 4; i++) {
      g[i] = (int) ((hi >>> (48 - 16 * i)) & 0xffff);
      g[i + 4] = (int) ((lo >>> (48 - 16 * i)) & 0xffff);
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }
}
