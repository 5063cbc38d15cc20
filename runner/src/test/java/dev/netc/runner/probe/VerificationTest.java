package dev.netc.runner.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.model.Node;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The summary of a verify agrees in number with its counts: a two-host topology whose service
 * leads only to an endpoint of the other host once said "not compared: 1 cell that depend on
 * what the hosts' plans do not realise".
 */
class VerificationTest {
  @Test
  void oneCellComparedAndOneNotRealisedAreSaidInTheSingular() {
    Node a = new Node("a", Node.Kind.ENDPOINT, Optional.empty(), Optional.of("h1"));
    Node b = new Node("b", Node.Kind.ENDPOINT, Optional.empty(), Optional.of("h2"));
    PortSpec http = new PortSpec(PortRange.of(80), Protocol.TCP);
    ProbeResult probe = new ProbeResult(List.of(a, b), List.of(http),
        List.of(new ProbeResult.Cell(a, b, http, false, "10.0.0.3:80 timed out", false),
            new ProbeResult.Cell(b, a, http, false, "10.0.0.2:80 timed out", false)), 2, 1000);
    Verification v = new Verification("t", "s", probe, List.of(), 1, Map.of(Verifier.NOT_REALISED, 1), List.of());
    assertEquals("Verified: the kernel admits exactly what the model says in 1 cell (sandbox s, topology t, 1 port, "
        + "2 connections in 1.0 s); not compared: 1 cell depending on what the hosts' plans do not realise (a network "
        + "without interfaces yet, a host on no underlay or a policy between macvlan members, NETC520, or a service balancing"
        + " to endpoints it does not hold).", v.summary());
  }

  @Test
  void differencesAndSeveralCellsAreSaidInThePlural() {
    Node a = new Node("a", Node.Kind.ENDPOINT, Optional.empty(), Optional.of("h1"));
    Node b = new Node("b", Node.Kind.ENDPOINT, Optional.empty(), Optional.of("h1"));
    PortSpec http = new PortSpec(PortRange.of(80), Protocol.TCP);
    PortSpec dns = new PortSpec(PortRange.of(53), Protocol.UDP);
    ProbeResult probe = new ProbeResult(List.of(a, b), List.of(http, dns),
        List.of(new ProbeResult.Cell(a, b, http, false, "10.0.0.3:80 timed out", false)), 12, 2345);
    Verification.Difference d = new Verification.Difference(a, b, http, true, false, "10.0.0.3:80 timed out", "why");
    Verification v = new Verification("t", "s", probe, List.of(d), 4, Map.of("known", 2), List.of());
    assertEquals("Differ: 1 of 4 cells (sandbox s, topology t, 2 ports, 12 connections in 2.3 s); not compared: 2 cells"
        + " known.", v.summary());
  }
}
