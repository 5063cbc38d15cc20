package dev.netc.compiler.ir;

/** A range of port numbers {@code first..last}, both in 1-65535, first not after last. */
public record PortRange(int first, int last) implements Comparable<PortRange> {
  public PortRange {
    if (first < 1 || last > 65535 || first > last) {
      throw new IllegalArgumentException("bad port range " + first + "-" + last);
    }
  }

  public static PortRange of(int port) {
    return new PortRange(port, port);
  }

  /** Reads {@code N} or {@code N-M}. */
  public static Parsed<PortRange> parse(String text) {
    int dash = text.indexOf('-');
    String a = dash < 0 ? text : text.substring(0, dash);
    String b = dash < 0 ? text : text.substring(dash + 1);
    if (dash >= 0 && (a.isEmpty() || b.isEmpty())) {
      return Parsed.error("expected a port in 1-65535 or a range such as `8000-8010`, got `" + text + "`");
    }
    Parsed<Integer> first = port(a);
    if (!first.ok()) {
      return Parsed.error(first.error());
    }
    Parsed<Integer> last = port(b);
    if (!last.ok()) {
      return Parsed.error(last.error());
    }
    if (first.get() > last.get()) {
      return Parsed.error("the range `" + text + "` ends before it starts");
    }
    return Parsed.ok(new PortRange(first.get(), last.get()));
  }

  private static Parsed<Integer> port(String s) {
    if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(Character::isDigit)) {
      return Parsed.error("expected a port in 1-65535, got `" + s + "`");
    }
    int n = Integer.parseInt(s);
    if (n < 1 || n > 65535) {
      return Parsed.error("expected a port in 1-65535, got `" + s + "`");
    }
    return Parsed.ok(n);
  }

  public int size() {
    return last - first + 1;
  }

  public boolean overlaps(PortRange o) {
    return first <= o.last && o.first <= last;
  }

  public boolean contains(PortRange o) {
    return first <= o.first && o.last <= last;
  }

  @Override
  public int compareTo(PortRange o) {
    return first != o.first ? Integer.compare(first, o.first) : Integer.compare(last, o.last);
  }

  @Override
  public String toString() {
    return first == last ? Integer.toString(first) : first + "-" + last;
  }
}
