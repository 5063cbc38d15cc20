package dev.netc.backends.nftables;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A named set (or, with {@code data}, a map) of the table. Elements never overlap: the builder
 * cuts them into disjoint ranges, as the kernel requires of interval sets with concatenations.
 *
 * @param data the types of a map's values; empty for a set
 * @param interval whether elements are ranges ({@code flags interval})
 * @param typeof the set's or map's type as expressions ({@code typeof numgen random mod 3 : ip daddr . tcp
 *     dport}), for keys that have no type name; empty to use {@code key} and {@code data}
 */
public record NftSet(
    String name, List<Expr.FieldType> key, List<Expr.FieldType> data, boolean interval,
    List<Element> elements, String comment, java.util.Optional<String> typeof) {

  public NftSet(String name, List<Expr.FieldType> key, List<Expr.FieldType> data, boolean interval,
      List<Element> elements, String comment) {
    this(name, key, data, interval, elements, comment, java.util.Optional.empty());
  }

  public NftSet {
    if (!name.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException("bad set name " + name);
    }
    key = List.copyOf(key);
    data = List.copyOf(data);
    elements = List.copyOf(elements);
    Comments.check(comment);
  }

  /** One element: a key, a map's value, and where it comes from. */
  public record Element(List<Value> key, List<Value> data, String comment) {
    public Element {
      key = List.copyOf(key);
      data = List.copyOf(data);
      Comments.check(comment);
    }

    public String render() {
      String k = key.stream().map(Value::render).collect(Collectors.joining(" . "));
      String d = data.isEmpty() ? "" : " : " + data.stream().map(Value::render).collect(Collectors.joining(" . "));
      // nft takes an element's comment after its key, before a map's value
      return k + (comment.isEmpty() ? "" : " comment \"" + comment + "\"") + d;
    }
  }

  public boolean isMap() {
    return !data.isEmpty() || typeof.filter(t -> t.contains(" : ")).isPresent();
  }

  /** {@code type ipv4_addr . inet_service} or {@code type inet_proto . inet_service : ipv4_addr . inet_service}. */
  public String typeLine() {
    if (typeof.isPresent()) {
      return typeof.get();
    }
    String k = key.stream().map(Expr.FieldType::text).collect(Collectors.joining(" . "));
    return data.isEmpty() ? k : k + " : " + data.stream().map(Expr.FieldType::text).collect(Collectors.joining(" . "));
  }
}
