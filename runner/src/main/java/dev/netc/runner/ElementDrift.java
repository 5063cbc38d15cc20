package dev.netc.runner;

import dev.netc.backends.nftables.Expr;
import dev.netc.backends.nftables.Value;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.runner.netlink.NftDump;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Names the elements by which a set or map of a table differs from the one apply loaded: the
 * kernel's elements ({@link NftDump.SetElement}) are printed as the backends print them ({@link
 * Value#render}) and compared with the element lines of the file apply loaded, by key and map
 * value. Plan and diff use it once a set's digest ({@link TableRules}) says that its elements
 * changed: {@code set allow_in4_exact: 10.20.0.9 . 10.20.0.5 . tcp . 5432 added since apply}.
 *
 * <p>The kernel keeps an element as bytes: each field of a key in network byte order, padded
 * to 4 bytes in a concatenation; the range of a set of several fields as a key and a key end;
 * the range of a set of one field as two elements, its start and the address one past its end
 * marked as an interval's end.
 */
final class ElementDrift {
  /** The most elements added, and deleted, one description names. */
  static final int NAMED = 3;

  private ElementDrift() {}

  /**
   * The types of a key's or a value's fields that can be printed back ({@link
   * Expr.FieldType}'s, but {@code integer} and {@code verdict}), with their length in bytes.
   */
  private enum Field {
    IPV4_ADDR(Expr.FieldType.IPV4_ADDR, 4),
    IPV6_ADDR(Expr.FieldType.IPV6_ADDR, 16),
    INET_PROTO(Expr.FieldType.INET_PROTO, 1),
    INET_SERVICE(Expr.FieldType.INET_SERVICE, 2),
    IFNAME(Expr.FieldType.IFNAME, 16),
    ETHER_ADDR(Expr.FieldType.ETHER_ADDR, 6);

    final Expr.FieldType type;
    final int length;

    Field(Expr.FieldType type, int length) {
      this.type = type;
      this.length = length;
    }

    static Optional<Field> of(String text) {
      return Arrays.stream(values()).filter(f -> f.type.text().equals(text)).findFirst();
    }
  }

  /**
   * How the live elements of set {@code set} differ from the element lines {@code applied} of
   * the file apply loaded, whose type line ({@code type ipv4_addr . inet_service}) is {@code
   * type}; empty when they cannot be told apart (a type that cannot be printed back, such as a
   * {@code typeof} set or a verdict map; bytes of another length; or no difference in keys and
   * values, as when only an element's comment was changed).
   */
  static Optional<String> describe(String set, String type, List<String> applied, List<NftDump.SetElement> live) {
    Optional<List<List<Field>>> fields = fields(type);
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    List<Field> key = fields.get().get(0);
    List<Field> data = fields.get().get(1);
    Set<String> now = new TreeSet<>();
    try {
      List<NftDump.SetElement> keyed = new ArrayList<>();
      for (NftDump.SetElement e : live) {
        if (e.key() == null) {
          // the catch-all element (`*`, no key), which netc never loads
          now.add("*" + (data.isEmpty() ? "" : " : " + print(data, e.data(), e.data())));
        } else {
          keyed.add(e);
        }
      }
      for (byte[][] e : ranges(key, keyed)) {
        now.add(print(key, e[0], e[1]) + (data.isEmpty() ? "" : " : " + print(data, e[2], e[2])));
      }
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // bytes that do not fit the type
    }
    Map<String, String> was = new LinkedHashMap<>();
    for (String line : applied) {
      was.put(element(line), comment(line));
    }
    List<String> added = now.stream().filter(e -> !was.containsKey(e)).toList();
    List<String> deleted = was.keySet().stream().filter(e -> !now.contains(e)).toList();
    if (added.isEmpty() && deleted.isEmpty()) {
      return Optional.empty();
    }
    List<String> parts = new ArrayList<>();
    if (!added.isEmpty()) {
      parts.add(some(added) + " added since apply");
    }
    if (!deleted.isEmpty()) {
      parts.add(some(deleted.stream().map(e -> was.get(e).isEmpty() ? e : e + " (" + was.get(e) + ")").toList())
          + " deleted since apply");
    }
    return Optional.of((data.isEmpty() ? "set " : "map ") + set + ": " + String.join(", ", parts));
  }

  /** {@code A}, {@code A and B}, {@code A, B and C}, {@code A, B, C and 2 more}: {@link #NAMED} at most. */
  static String some(List<String> elements) {
    int n = elements.size();
    if (n == 1) {
      return elements.get(0);
    }
    if (n <= NAMED) {
      return String.join(", ", elements.subList(0, n - 1)) + " and " + elements.get(n - 1);
    }
    return String.join(", ", elements.subList(0, NAMED)) + " and " + (n - NAMED) + " more";
  }

  /**
   * Whether the elements of a set of type line {@code type} can be printed back ({@link
   * #describe} can name them): not those of a {@code typeof} set or of a type with a field it
   * does not know (a verdict map's), which are not worth reading from the kernel.
   */
  static boolean printable(String type) {
    return fields(type).isPresent();
  }

  /** The key's fields and the value's (none for a set) of a type line; empty when one cannot be printed back. */
  private static Optional<List<List<Field>>> fields(String type) {
    if (!type.startsWith("type ")) {
      return Optional.empty();
    }
    String[] sides = type.substring(5).strip().split(" : ", -1);
    if (sides.length > 2) {
      return Optional.empty();
    }
    List<List<Field>> out = new ArrayList<>();
    for (String side : sides) {
      List<Field> fs = new ArrayList<>();
      for (String f : side.split(" \\. ", -1)) {
        Optional<Field> x = Field.of(f.strip());
        if (x.isEmpty()) {
          return Optional.empty();
        }
        fs.add(x.get());
      }
      out.add(fs);
    }
    if (out.size() == 1) {
      out.add(List.of());
    }
    return Optional.of(out);
  }

  /**
   * The elements as {@code {start, end, value}} (the end inclusive): a set of one field with
   * ranges pairs each start with the interval end that follows it (an end without a start, as
   * older nft versions put at 0, is passed over; a start without an end runs to the top).
   */
  private static List<byte[][]> ranges(List<Field> key, List<NftDump.SetElement> live) {
    List<byte[][]> out = new ArrayList<>();
    if (live.stream().noneMatch(NftDump.SetElement::intervalEnd)) {
      for (NftDump.SetElement e : live) {
        out.add(new byte[][] {e.key(), e.keyEnd() == null ? e.key() : e.keyEnd(), e.data()});
      }
      return out;
    }
    if (key.size() != 1) {
      throw new IllegalArgumentException("interval ends in a set of several fields");
    }
    List<NftDump.SetElement> sorted = new ArrayList<>(live);
    // by key, and at one key an end before a start (two ranges that touch)
    sorted.sort(Comparator.<NftDump.SetElement, byte[]>comparing(NftDump.SetElement::key, Arrays::compareUnsigned)
        .thenComparing(e -> !e.intervalEnd()));
    NftDump.SetElement open = null;
    for (NftDump.SetElement e : sorted) {
      if (e.intervalEnd()) {
        if (open != null) {
          out.add(new byte[][] {open.key(), minusOne(e.key()), open.data()});
          open = null;
        }
      } else {
        if (open != null) {
          throw new IllegalArgumentException("two starts of intervals in a row");
        }
        open = e;
      }
    }
    if (open != null) {
      byte[] top = new byte[open.key().length];
      Arrays.fill(top, (byte) 0xff);
      out.add(new byte[][] {open.key(), top, open.data()});
    }
    return out;
  }

  private static byte[] minusOne(byte[] b) {
    byte[] out = b.clone();
    for (int i = out.length - 1; i >= 0; i--) {
      if (out[i]-- != 0) {
        return out;
      }
    }
    throw new IllegalArgumentException("an interval that ends before 0");
  }

  /** The fields {@code fields} from {@code lo} to {@code hi}, as the backends print them: {@code 10.20.0.2-10.20.0.5 . tcp . 80}. */
  private static String print(List<Field> fields, byte[] lo, byte[] hi) {
    int padded = fields.stream().mapToInt(f -> (f.length + 3) & ~3).sum();
    boolean concatenated = fields.size() > 1;
    int length = concatenated ? padded : fields.get(0).length;
    if (lo == null || hi == null || lo.length != length || hi.length != length) {
      throw new IllegalArgumentException("bytes of another length than the type's");
    }
    List<String> out = new ArrayList<>();
    int at = 0;
    for (Field f : fields) {
      out.add(field(f, ByteBuffer.wrap(lo, at, f.length).slice(), ByteBuffer.wrap(hi, at, f.length).slice()));
      at += concatenated ? (f.length + 3) & ~3 : f.length;
    }
    return String.join(" . ", out);
  }

  private static String field(Field f, ByteBuffer lo, ByteBuffer hi) {
    return switch (f) {
      case IPV4_ADDR -> new Value.Addr(IpAddress.v4(Integer.toUnsignedLong(lo.getInt(0))),
          IpAddress.v4(Integer.toUnsignedLong(hi.getInt(0)))).render();
      case IPV6_ADDR -> new Value.Addr(new IpAddress(IpAddress.Family.V6, lo.getLong(0), lo.getLong(8)),
          new IpAddress(IpAddress.Family.V6, hi.getLong(0), hi.getLong(8))).render();
      case INET_PROTO -> new Value.Proto(lo.get(0) & 0xff, hi.get(0) & 0xff).render();
      case INET_SERVICE -> new Value.Port(lo.getShort(0) & 0xffff, hi.getShort(0) & 0xffff).render();
      case IFNAME -> "\"" + single(lo, hi, text(lo)) + "\"";
      case ETHER_ADDR -> single(lo, hi, HexFormat.ofDelimiter(":").formatHex(bytes(lo)));
    };
  }

  /** {@code printed}, when the field is one value, not a range. */
  private static String single(ByteBuffer lo, ByteBuffer hi, String printed) {
    if (!lo.equals(hi)) {
      throw new IllegalArgumentException("a range of a field that has none");
    }
    return printed;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  /** An interface name: the bytes before the first NUL. */
  private static String text(ByteBuffer b) {
    byte[] all = bytes(b);
    int end = 0;
    while (end < all.length && all[end] != 0) {
      end++;
    }
    return new String(all, 0, end, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** An element line's key and map value, without its comment: {@code 127.0.0.1 . tcp . 8080 : 10.10.0.10 . 80}. */
  static String element(String line) {
    int c = line.indexOf(" comment \"");
    if (c < 0) {
      return line;
    }
    int close = line.indexOf('"', c + 10);
    return close < 0 ? line.substring(0, c) : line.substring(0, c) + line.substring(close + 1);
  }

  /** An element line's comment ({@code web-to-api examples/webshop.netc:46}); empty when it has none. */
  static String comment(String line) {
    int c = line.indexOf(" comment \"");
    if (c < 0) {
      return "";
    }
    int close = line.indexOf('"', c + 10);
    return close < 0 ? "" : line.substring(c + 10, close);
  }
}
