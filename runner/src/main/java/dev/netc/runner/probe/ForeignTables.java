package dev.netc.runner.probe;

import dev.netc.runner.netlink.NftDump;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * nftables tables that netc did not make (any but the {@code inet netc_*} and {@code bridge
 * netc_*} tables of the topologies) in the namespaces a verify probed: their base chains filter
 * the probes' traffic too, and drift, which compares only netc's own objects, does not look at
 * them. A verify whose cells differ names each such table that has a base chain, and the tables
 * of the other topologies applied in the sandbox.
 */
final class ForeignTables {
  private ForeignTables() {}

  /** Whether a table is one of netc's: {@code inet} or {@code bridge}, named {@code netc_*}. */
  static boolean netcs(String family, String table) {
    return (family.equals("inet") || family.equals("bridge")) && table.startsWith("netc_");
  }

  /**
   * One note for each table that is not netc's among the base chains of {@code chains} (by
   * namespace, in the order given), in the order the kernel listed them; then, in each namespace,
   * one for the tables of each other topology (netc's, but not {@code own}, the verified
   * topology's table name): another topology applied in the sandbox, whose published ports and
   * rules act on the probes' traffic too (a port it publishes on every host address takes
   * the connections to the host on that port).
   */
  static List<String> notes(Map<String, List<NftDump.BaseChain>> chains, String own) {
    List<String> out = new ArrayList<>();
    chains.forEach((ns, list) -> {
      Map<String, List<NftDump.BaseChain>> byTable = new LinkedHashMap<>();
      Map<String, java.util.Set<String>> others = new LinkedHashMap<>();
      for (NftDump.BaseChain c : list) {
        if (!netcs(c.family(), c.table())) {
          byTable.computeIfAbsent(c.family() + " " + c.table(), k -> new ArrayList<>()).add(c);
        } else if (!c.table().equals(own)) {
          others.computeIfAbsent(c.table(), k -> new java.util.LinkedHashSet<>()).add(c.family() + " " + c.table());
        }
      }
      byTable.forEach((table, base) -> out.add(note(ns, table, base)));
      others.forEach((table, tables) -> out.add((ns.isEmpty() ? "the host's namespace" : "namespace " + ns)
          + " holds nftables table" + (tables.size() == 1 ? " " : "s ") + and(List.copyOf(tables))
          + " of another topology: its published ports and rules also act on the traffic verify measured"
          + " (a port it publishes on every host address is its container's, not the host's)"));
    });
    return out;
  }

  /**
   * {@code namespace demo holds nftables table inet mine (not netc's) with base chain fwd
   * (forward, policy drop): it also filters the traffic verify measured}.
   */
  static String note(String ns, String table, List<NftDump.BaseChain> base) {
    List<String> chains = base.stream().map(c -> c.name() + " (" + c.hook()
        + (c.devices().isEmpty() ? "" : " on " + and(c.devices())) + ", policy " + c.policy() + ")").toList();
    return (ns.isEmpty() ? "the host's namespace" : "namespace " + ns) + " holds nftables table " + table
        + " (not netc's) with base chain" + (chains.size() == 1 ? " " : "s ") + and(chains)
        + ": it also filters the traffic verify measured";
  }

  /** {@code a}, {@code a and b}, {@code a, b and c}. */
  private static String and(List<String> items) {
    return items.size() == 1 ? items.get(0)
        : String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.get(items.size() - 1);
  }
}
