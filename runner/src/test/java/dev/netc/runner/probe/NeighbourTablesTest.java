package dev.netc.runner.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.model.Node;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The kernel's neighbour tables full while a verify probes: counted from {@code /proc/net/stat},
 * and said beside the differences (a flat network of 50 dual-stack endpoints, verified with the
 * kernel's default limits, once showed 1,189 of 5,408 cells as "model admits, kernel denies",
 * with nothing to tell that the network was not to blame; dmesg had "neighbor table overflow").
 */
class NeighbourTablesTest {
  private static final String NDISC = """
      entries  allocs   destroys hash_grows lookups  hits     res_failed rcv_probes_mcast rcv_probes_ucast periodic_gc_runs forced_gc_runs unresolved_discards table_fulls
      00000395 000435fe 00047bfd 00000006   00005d3c 00002c6a 0000030a   0000223f         00000855         0000091d         00014230       00000000            00013ed1
      00000395 0004ad25 00046391 00000002   000068d1 00002f0e 00000589   00002437         00000dbe         00000000         0001b4cb       00000000            0001b040
      """;

  @Test
  void theTableFullsOfEveryCpuAreSummed() {
    assertEquals(0x13ed1 + 0x1b040, NeighbourTables.fulls(NDISC));
  }

  @Test
  void aFileWithoutTheColumnOrRowsCountsNothing() {
    assertEquals(0, NeighbourTables.fulls(""));
    assertEquals(0, NeighbourTables.fulls("entries allocs\n00000001 00000002\n"));
    assertEquals(0, NeighbourTables.fulls("entries table_fulls\n"));
  }

  @Test
  void aVerifyThatCountedOverflowsSaysSoBeforeItsSummary() {
    Node a = new Node("a", Node.Kind.ENDPOINT, Optional.empty(), Optional.of("local"));
    Node b = new Node("b", Node.Kind.ENDPOINT, Optional.empty(), Optional.of("local"));
    PortSpec http = new PortSpec(PortRange.of(80), Protocol.TCP);
    ProbeResult probe = new ProbeResult(List.of(a, b), List.of(http),
        List.of(new ProbeResult.Cell(a, b, http, Set.of(), Map.of(IpAddress.Family.V4, "10.0.0.3:80 timed out"), false)), 2, 1000);
    String note = NeighbourTables.note("net.ipv4.neigh.default.gc_thresh3 = 1024, net.ipv6.neigh.default.gc_thresh3 = 1024");
    Verification v = new Verification("t", "s", probe,
        List.of(new Verification.Difference(a, b, http, Optional.empty(), true, false, "10.0.0.3:80 timed out", "path: both on network `n`")),
        1, Map.of(), List.of(note));
    assertEquals("""
        a -> b on 80/tcp: model admits, kernel denies (10.0.0.3:80 timed out)
          model: path: both on network `n`

        note: the kernel's neighbour tables overflowed while probing (net.ipv4.neigh.default.gc_thresh3 = 1024, \
        net.ipv6.neigh.default.gc_thresh3 = 1024: the entries of every network namespace of the machine, and N \
        endpoints on one network take about N²), so connections were dropped whatever the topology admits and cells \
        that differ may be that; raise the limits (`sysctl -w net.ipv4.neigh.default.gc_thresh3=16384 \
        net.ipv6.neigh.default.gc_thresh3=16384`) or probe fewer endpoints, and verify again

        Differ: 1 of 1 cells (sandbox s, topology t, 1 port, 2 connections in 1.0 s).
        """, v.text());
    assertEquals(List.of(note), v.notes());
  }
}
