package dev.netc.backends.nftables;

import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The protocols and ports some rules cover, normalised so that equal coverages are equal
 * values: every protocol and port (a rule without ports), or per protocol a sorted list of
 * disjoint, non-adjacent port ranges.
 */
record Coverage(boolean all, Map<Protocol, List<PortRange>> ports) {
  static final Coverage ALL = new Coverage(true, Map.of());

  Coverage {
    ports = Map.copyOf(ports);
  }

  /** What a rule's port list covers: everything when it names none. */
  static Coverage of(List<PortSpec> specs) {
    if (specs.isEmpty()) {
      return ALL;
    }
    Map<Protocol, List<PortRange>> m = new EnumMap<>(Protocol.class);
    for (PortSpec s : specs) {
      m.computeIfAbsent(s.protocol(), k -> new ArrayList<>()).add(s.range());
    }
    return normal(m);
  }

  Coverage union(Coverage o) {
    if (all || o.all) {
      return ALL;
    }
    Map<Protocol, List<PortRange>> m = new EnumMap<>(Protocol.class);
    ports.forEach((k, v) -> m.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
    o.ports.forEach((k, v) -> m.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
    return normal(m);
  }

  private static Coverage normal(Map<Protocol, List<PortRange>> m) {
    Map<Protocol, List<PortRange>> out = new EnumMap<>(Protocol.class);
    m.forEach((proto, ranges) -> {
      List<PortRange> sorted = new ArrayList<>(ranges);
      sorted.sort(null);
      List<PortRange> merged = new ArrayList<>();
      for (PortRange r : sorted) {
        if (!merged.isEmpty() && r.first() <= merged.get(merged.size() - 1).last() + 1) {
          PortRange last = merged.remove(merged.size() - 1);
          merged.add(new PortRange(last.first(), Math.max(last.last(), r.last())));
        } else {
          merged.add(r);
        }
      }
      out.put(proto, List.copyOf(merged));
    });
    return new Coverage(false, out);
  }

  /** The {@code protocol . port} pairs of set elements: disjoint, in protocol and port order. */
  List<List<Value>> values() {
    if (all) {
      return List.of(List.of(Value.Proto.ALL, Value.Port.ALL));
    }
    List<List<Value>> out = new ArrayList<>();
    for (Protocol p : Protocol.values()) {
      for (PortRange r : ports.getOrDefault(p, List.of())) {
        int n = number(p);
        out.add(List.of(new Value.Proto(n, n), new Value.Port(r.first(), r.last())));
      }
    }
    return out;
  }

  /** The IP protocol number. */
  static int number(Protocol p) {
    return switch (p) {
      case TCP -> 6;
      case UDP -> 17;
      case SCTP -> 132;
    };
  }
}
