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
        List.of(new ProbeResult.Cell(a, b, http, Set.of(), Map.of(IpAddress.Family.V4, "10.0.0.3:80 timed out"), false),
            new ProbeResult.Cell(b, a, http, Set.of(), Map.of(IpAddress.Family.V4, "10.0.0.2:80 timed out"), false)), 2, 1000);
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
        List.of(new ProbeResult.Cell(a, b, http, Set.of(), Map.of(IpAddress.Family.V4, "10.0.0.3:80 timed out"), false)), 12, 2345);
    Verification.Difference d = new Verification.Difference(a, b, http, Optional.empty(), true, false, "10.0.0.3:80 timed out", "why");
    Verification v = new Verification("t", "s", probe, List.of(d), 4, Map.of("known", 2), List.of());
    assertEquals("Differ: 1 of 4 cells (sandbox s, topology t, 2 ports, 12 connections in 2.3 s); not compared: 2 cells"
        + " known.", v.summary());
  }

  /**
   * A cell measured again keeps each family that got through in either measurement, with the way
   * it got through; its detail as a whole is the first family's way through, or what became of
   * the connections of both.
   */
  @Test
  void aCellMeasuredAgainKeepsEveryFamilyThatGotThrough() {
    Node a = new Node("a", Node.Kind.ENDPOINT, Optional.empty(), Optional.of("h1"));
    Node b = new Node("b", Node.Kind.ENDPOINT, Optional.empty(), Optional.of("h1"));
    PortSpec http = new PortSpec(PortRange.of(80), Protocol.TCP);
    ProbeResult.Cell first = new ProbeResult.Cell(a, b, http, Set.of(IpAddress.Family.V6),
        Map.of(IpAddress.Family.V4, "10.0.0.3:80 timed out", IpAddress.Family.V6, "via [fd00::3]:80"), false);
    assertEquals("via [fd00::3]:80", first.detail());
    ProbeResult.Cell again = new ProbeResult.Cell(a, b, http, Set.of(IpAddress.Family.V4),
        Map.of(IpAddress.Family.V4, "via 10.0.0.3:80", IpAddress.Family.V6, "[fd00::3]:80 timed out"), false);
    ProbeResult.Cell merged = first.mergedWith(again);
    assertEquals(Set.of(IpAddress.Family.V4, IpAddress.Family.V6), merged.admittedIn());
    assertEquals("via 10.0.0.3:80", merged.detail(IpAddress.Family.V4));
    assertEquals("via [fd00::3]:80", merged.detail(IpAddress.Family.V6));
    ProbeResult.Cell none = new ProbeResult.Cell(a, b, http, Set.of(),
        Map.of(IpAddress.Family.V4, "10.0.0.3:80 timed out", IpAddress.Family.V6, ProbeResult.NOT_PROBED), false);
    assertEquals("10.0.0.3:80 timed out", none.detail());
    assertEquals(none, none.mergedWith(none));
  }

  /** A difference in one family says which, in text ("in IPv6") and JSON ({@code "family": "ipv6"}). */
  @Test
  void aDifferenceInOneFamilySaysWhich() {
    Node a = new Node("a", Node.Kind.ENDPOINT, Optional.empty(), Optional.of("h1"));
    Node b = new Node("b", Node.Kind.ENDPOINT, Optional.empty(), Optional.of("h1"));
    PortSpec http = new PortSpec(PortRange.of(80), Protocol.TCP);
    ProbeResult probe = new ProbeResult(List.of(a, b), List.of(http), List.of(), 4, 1000);
    Verification.Difference d = new Verification.Difference(a, b, http, Optional.of(IpAddress.Family.V6), true, false,
        "[fd00::3]:80 timed out", "path: both on network `n`");
    Verification v = new Verification("t", "s", probe, List.of(d), 4, Map.of(), List.of());
    assertEquals("a -> b on 80/tcp in IPv6: model admits, kernel denies ([fd00::3]:80 timed out)\n"
        + "  model: path: both on network `n`\n\n" + v.summary() + "\n", v.text());
    assertEquals(true, v.json().contains("\"protocol\": \"tcp\",\n      \"family\": \"ipv6\","), v::json);
  }
}
