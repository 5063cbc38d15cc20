package dev.netc.runner.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netc.runner.netlink.NftDump;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tables that are not netc's, named beside a verify's differences: one note per table with a
 * base chain, by namespace; the {@code inet} and {@code bridge} {@code netc_*} tables of any
 * topology are netc's, a {@code netc_*} table of another family is not; another topology's tables
 * are named once, as another topology's.
 */
class ForeignTablesTest {
  private static NftDump.BaseChain chain(String family, String table, String name, String hook, String policy,
      String... devices) {
    return new NftDump.BaseChain(family, table, name, hook, List.of(devices), policy);
  }

  @Test
  void eachForeignTableIsNamedWithItsBaseChainsAndTheVerifiedTopologysAreNot() {
    Map<String, List<NftDump.BaseChain>> chains = new LinkedHashMap<>();
    chains.put("demo", List.of(chain("inet", "netc_webshop", "forward", "forward", "drop"),
        chain("bridge", "netc_other", "prerouting", "prerouting", "accept"),
        chain("inet", "mine", "fw", "forward", "drop"), chain("ip", "netc_x", "out", "output", "accept"),
        chain("inet", "mine", "in", "input", "accept")));
    chains.put("demo-db", List.of(chain("netdev", "edge", "i", "ingress", "drop", "eth0", "eth1")));
    chains.put("demo-web", List.of());
    assertEquals(List.of(
        "namespace demo holds nftables table inet mine (not netc's) with base chains fw (forward, policy drop) and in"
            + " (input, policy accept): it also filters the traffic verify measured",
        "namespace demo holds nftables table ip netc_x (not netc's) with base chain out (output, policy accept):"
            + " it also filters the traffic verify measured",
        "namespace demo holds nftables table bridge netc_other of another topology: its published ports and rules"
            + " also act on the traffic verify measured (a port it publishes on every host address is its"
            + " container's, not the host's)",
        "namespace demo-db holds nftables table netdev edge (not netc's) with base chain i (ingress on eth0 and eth1,"
            + " policy drop): it also filters the traffic verify measured"),
        ForeignTables.notes(chains, "netc_webshop"));
  }

  @Test
  void theTablesOfAnotherTopologyAreNamedOnceForBothFamilies() {
    Map<String, List<NftDump.BaseChain>> chains = new LinkedHashMap<>();
    chains.put("demo", List.of(chain("inet", "netc_eg", "forward", "forward", "accept"),
        chain("inet", "netc_blog", "forward", "forward", "accept"),
        chain("inet", "netc_blog", "prerouting", "prerouting", "accept"),
        chain("bridge", "netc_blog", "prerouting", "prerouting", "accept"),
        chain("bridge", "netc_eg", "prerouting", "prerouting", "accept")));
    assertEquals(List.of("namespace demo holds nftables tables inet netc_blog and bridge netc_blog of another"
        + " topology: its published ports and rules also act on the traffic verify measured (a port it publishes"
        + " on every host address is its container's, not the host's)"),
        ForeignTables.notes(chains, "netc_eg"));
  }

  @Test
  void theHostsOwnNamespaceIsNamedSo() {
    assertEquals(List.of("the host's namespace holds nftables table ip filter (not netc's) with base chains INPUT"
        + " (input, policy accept), FORWARD (forward, policy drop) and OUTPUT (output, policy accept): it also filters"
        + " the traffic verify measured"),
        ForeignTables.notes(Map.of("", List.of(chain("ip", "filter", "INPUT", "input", "accept"),
            chain("ip", "filter", "FORWARD", "forward", "drop"), chain("ip", "filter", "OUTPUT", "output", "accept"))),
            "netc_webshop"));
  }
}
