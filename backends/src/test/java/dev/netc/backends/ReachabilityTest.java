package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.netc.backends.plan.Planner;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The model on cases the conformance fixture cannot show: equal endpoints, paths, explain, and
 * {@code cidr} peers decided on the address each packet carries.
 */
class ReachabilityTest {
  private static final PortSpec TCP80 = new PortSpec(PortRange.of(80), Protocol.TCP);

  private static Reachability model(String text) throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path p = fs.getPath("/t.netc");
      Files.writeString(p, text);
      CompileResult r = new Compiler().compile(p);
      return new Reachability(r.topology().orElseThrow(() -> new AssertionError(r.diagnostics())));
    }
  }

  private static boolean allowed(Reachability m, String from, String to) {
    Node a = m.node(from).orElseThrow();
    Node b = m.node(to).orElseThrow();
    boolean fast = m.allowed(a, b, TCP80);
    assertEquals(m.explain(a, b, TCP80).allowed(), fast, "matrix and explain agree on " + from + " -> " + to);
    return fast;
  }

  /** Two endpoints with equal labels on either side of an `except` get different verdicts. */
  @Test
  void exceptSplitsEndpointsWithEqualLabels() throws IOException {
    String t = """
        network n { subnet 10.0.0.0/24 }
        container srv { labels app=srv; attach n { ip 10.0.0.10 }; expose 80 }
        container c1 { labels app=client; attach n { ip 10.0.0.3 } }
        container c2 { labels app=client; attach n { ip 10.0.0.4 } }
        policy p {
          select app=srv
          allow ingress from cidr 10.0.0.0/24 except 10.0.0.4/32 port 80
        }
        """;
    Reachability m = model(t);
    assertTrue(allowed(m, "c1", "srv"));
    assertFalse(allowed(m, "c2", "srv"));
    Reachability reversed = model(t.replace("except 10.0.0.4/32", "except 10.0.0.3/32"));
    assertFalse(allowed(reversed, "c1", "srv"));
    assertTrue(allowed(reversed, "c2", "srv"));
  }

  /**
   * With several hosts, a host is reached from off it, and left, at its underlay address only:
   * in that family, none other being translated (docs/model.md, "The family of the underlay").
   */
  @Test
  void offTheHostsTrafficTakesTheUnderlaysFamilyOnly() throws IOException {
    Reachability m = model("""
        host h1 { underlay fd00:56::11 }
        host h2 { underlay fd00:56::12 }
        host h3 { underlay 192.168.56.13 }
        network v4 { subnet 10.1.0.0/24 }
        network ds { subnet 10.2.0.0/24; subnet fd00:2::/64 }
        container a { on h1; attach v4; publish 8080 -> 80/tcp }
        container b { on h1; attach ds; publish 8081 -> 80/tcp }
        container c { on h2; attach v4 }
        container d { on h3; attach v4; publish 8082 -> 80/tcp }
        """);
    Map<String, Boolean> got = new TreeMap<>();
    for (String[] cell : new String[][] {{"a", "@outside"}, {"d", "@outside"}, {"@outside", "a"},
        {"@outside", "b"}, {"@outside", "d"}, {"a", "@host/h2"}, {"d", "@host/h1"}, {"@host/h2", "a"},
        {"@host/h2", "b"}, {"@host/h3", "a"}, {"c", "b"}, {"c", "d"}, {"@host/h1", "@host/h2"},
        {"@host/h1", "@host/h3"}}) {
      got.put(cell[0] + " -> " + cell[1], allowed(m, cell[0], cell[1]));
    }
    assertEquals(Map.ofEntries(Map.entry("a -> @outside", false), Map.entry("d -> @outside", true),
        Map.entry("@outside -> a", false), Map.entry("@outside -> b", true), Map.entry("@outside -> d", true),
        Map.entry("a -> @host/h2", false), Map.entry("d -> @host/h1", false), Map.entry("@host/h2 -> a", false),
        Map.entry("@host/h2 -> b", true), Map.entry("@host/h3 -> a", false), Map.entry("c -> b", false), Map.entry("c -> d", false),
        Map.entry("@host/h1 -> @host/h2", true), Map.entry("@host/h1 -> @host/h3", false)), got);
    Node a = m.node("a").get();
    Node outside = m.node("@outside").get();
    assertEquals("no path: `a` has no address on a network with a route out in the family of host `h1`'s underlay"
        + " fd00:56::11 (IPv6), its host's way out (no family is translated)", m.explain(a, outside, TCP80)
        .steps().get(0).text());
    assertEquals("no path: `a` has no IPv6 address on `v4`, its first network with a route out, where its published"
        + " ports forward (through published port 8080/tcp of host `h1`), in the family of host `h1`'s underlay"
        + " fd00:56::11 (IPv6), the one the outside reaches its host at: no family is translated",
        m.explain(outside, a, TCP80).steps().get(0).text());
    assertEquals("no path: the two hosts' underlay addresses are of different families: host `h1`'s underlay"
        + " fd00:56::11 (IPv6) and host `h3`'s underlay 192.168.56.13 (IPv4)",
        m.explain(m.node("@host/h1").get(), m.node("@host/h3").get(), TCP80).steps().get(0).text());
  }

  @Test
  void pathsFollowNetworksHostsAndPublishedPorts() throws IOException {
    Reachability m = model("""
        network a { subnet 10.1.0.0/24 }
        network b { subnet 10.2.0.0/24; internal }
        container x { attach a }
        container y { attach b; publish 8080 -> 80/tcp }
        container z { attach a; publish 127.0.0.1:9090 -> 80/tcp }
        container s { mode none }
        """);
    assertFalse(allowed(m, "x", "y"), "no shared network");
    assertTrue(allowed(m, "x", "z"));
    assertFalse(allowed(m, "@outside", "y"), "published, but only on an internal network");
    assertFalse(allowed(m, "@outside", "z"), "published on loopback only");
    assertTrue(allowed(m, "@host", "z"));
    assertTrue(allowed(m, "x", "@outside"));
    assertFalse(allowed(m, "y", "@outside"), "internal networks have no way out");
    assertFalse(allowed(m, "s", "@host"));
    assertTrue(allowed(m, "s", "s"), "an endpoint always reaches itself");
  }

  @Test
  void hostTrafficIsExemptAndDenyWins() throws IOException {
    Reachability m = model("""
        network a { subnet 10.1.0.0/24 }
        container web { labels app=web; attach a; expose 80 }
        container cli { labels app=cli; attach a }
        policy lock { select all; isolate ingress egress }
        policy open { select app=web; allow ingress; deny ingress from app=cli }
        """);
    assertTrue(allowed(m, "@host", "web"), "traffic from the endpoint's own host is not subject to policy");
    assertFalse(allowed(m, "cli", "web"), "deny wins over the allow-all");
    var v = m.explain(m.node("cli").get(), m.node("web").get(), TCP80);
    assertTrue(v.deciding().isPresent());
    assertEquals(5, v.deciding().get().span().line());
  }

  /**
   * A multi-homed endpoint is matched by a block on the address of the network the packet
   * leaves by, not by its other address: over the network it shares with the destination.
   */
  @Test
  void cidrPeersMatchTheAddressOfTheNetworkThePacketTakes() throws IOException {
    Reachability m = model("""
        network mgmt { subnet 10.30.0.0/24 }
        network app { subnet 10.40.0.0/24 }
        container admin { labels role=admin; attach mgmt; attach app }
        container ops { labels role=ops; attach mgmt }
        container db { labels app=db; attach app; attach mgmt; expose 80 }
        container cache { labels app=cache; attach app; expose 80 }
        policy db-in { select app=db; allow ingress from cidr 10.30.0.0/24 port 80 }
        policy cache-in { select app=cache; deny ingress from cidr 10.30.0.0/24 port 80 }
        """);
    assertTrue(allowed(m, "admin", "db"), "over mgmt, from 10.30.0.x");
    assertTrue(allowed(m, "ops", "db"));
    assertTrue(allowed(m, "admin", "cache"), "over app, from 10.40.0.x: the deny does not match");
    Node admin = m.node("admin").get();
    Node db = m.node("db").get();
    assertEquals(List.of("both on network `mgmt` 10.30.0.2 -> 10.30.0.4", "both on network `app` 10.40.0.2 -> 10.40.0.3"),
        m.flows(admin, db, TCP80).stream().map(f -> f.path() + " " + f.source().get() + " -> " + f.destination().get())
            .toList());
    var v = m.explain(admin, db, TCP80);
    assertEquals("path: both on network `mgmt`, from 10.30.0.2 to 10.30.0.4", v.steps().get(0).text());
    assertTrue(m.deniedBy(admin, m.node("cache").get(), TCP80).isEmpty());

    // db on app only: admin and db share app alone, and admin's app address is not in the block
    Reachability appOnly = model("""
        network mgmt { subnet 10.30.0.0/24 }
        network app { subnet 10.40.0.0/24 }
        container admin { labels role=admin; attach mgmt; attach app }
        container db { labels app=db; attach app; expose 80 }
        container cache { labels app=cache; attach app; attach mgmt; expose 80 }
        policy db-in { select app=db; allow ingress from cidr 10.30.0.0/24 port 80 }
        policy cache-in { select app=cache; deny ingress from cidr 10.30.0.0/24 port 80 }
        """);
    assertFalse(allowed(appOnly, "admin", "db"));
    var denied = appOnly.explain(appOnly.node("admin").get(), appOnly.node("db").get(), TCP80);
    assertEquals("path: both on network `app`, from 10.40.0.2 to 10.40.0.3", denied.steps().get(0).text());
    // cache shares both networks with admin: the deny drops the way over mgmt, not over app
    assertTrue(allowed(appOnly, "admin", "cache"));
    assertTrue(appOnly.deniedBy(appOnly.node("admin").get(), appOnly.node("cache").get(), TCP80).isEmpty());
  }

  /** Egress blocks match the destination address the packet is sent to. */
  @Test
  void egressBlocksMatchTheDestinationThePacketIsSentTo() throws IOException {
    Reachability m = model("""
        network mgmt { subnet 10.30.0.0/24 }
        network store { subnet 10.50.0.0/24; internal }
        container admin { labels role=admin; attach mgmt }
        container backup { labels app=backup; attach mgmt; attach store; expose 80 }
        container vault { labels app=vault; attach store; attach mgmt; expose 80 }
        policy out { select role=admin; allow egress to cidr 10.50.0.0/24 port 80 }
        """);
    assertFalse(allowed(m, "admin", "backup"), "reached at its mgmt address, outside the block");
    assertFalse(allowed(m, "admin", "vault"));
    assertFalse(allowed(m, "admin", "@outside"));
  }

  /**
   * An IPv4 block matches IPv4 packets only; @outside keeps its address through a published port,
   * and a container reaches a published port from each of its networks with a route out.
   */
  @Test
  void familiesPublishedPortsAndTheOutside() throws IOException {
    Reachability m = model("""
        network front { subnet 10.1.0.0/24; subnet fd00:1::/64 }
        network back { subnet 10.2.0.0/24 }
        container client { labels app=client; attach back; attach front }
        container web { labels app=web; attach back; expose 80; publish 8080 -> 80/tcp }
        container edge { labels app=edge; attach front; expose 80 }
        policy web-in { select app=web; allow ingress from cidr 10.1.0.0/24, cidr 198.18.0.2/32 port 80 }
        policy edge-in { select app=edge; deny ingress from cidr 10.1.0.0/16 port 80 }
        policy client-out { select app=client; deny egress to cidr 198.18.0.0/15 }
        """);
    assertTrue(allowed(m, "@outside", "web"), "DNAT keeps 198.18.0.2");
    Node outside = m.node("@outside").get();
    Node web = m.node("web").get();
    assertEquals("path: through published port 8080/tcp, from 198.18.0.2 to 10.2.0.3",
        m.explain(outside, web, TCP80).steps().get(0).text());
    // client shares back with web (refused: from 10.2.0.2), but reaches the published port at
    // the host's address on front, from 10.1.0.2
    assertTrue(allowed(m, "client", "web"));
    assertEquals("path: through published port 8080/tcp of their host, from 10.1.0.2 to 10.2.0.3",
        m.explain(m.node("client").get(), web, TCP80).steps().get(0).text());
    // over IPv6 the IPv4 deny does not match: client reaches edge, and @outside at 2001:2::2
    assertTrue(allowed(m, "client", "edge"));
    assertTrue(allowed(m, "client", "@outside"));
    assertEquals("path: out of network `front` without masquerade, from fd00:1::2 to 2001:2::2",
        m.explain(m.node("client").get(), outside, TCP80).steps().get(0).text());
    assertTrue(allowed(m, "@host", "web"), "the host's own traffic is exempt");
  }

  /**
   * The way out names what the emitted ruleset does in each family: a single host masquerades
   * IPv4 only (masquerade4) and routes its IPv6 subnets out as they are; a host of several
   * masquerades both (masquerade6). docs/kernel-plan.md, "IPv6".
   */
  @Test
  void theWayOutSaysWhichFamiliesAreMasqueraded() throws IOException {
    // (a policy on `dual`, so that its flows carry their addresses)
    String common = """
        network ds { subnet 10.1.0.0/24; subnet fd00:1::/64 }
        network v4 { subnet 10.2.0.0/24 }
        policy dual-out { select app=dual; deny egress to cidr 192.0.2.0/24 }
        """;
    Reachability one = model(common + """
        container dual { labels app=dual; attach ds }
        container split { attach v4; attach ds }
        container old { attach v4 }
        """);
    Node outside = one.node("@outside").get();
    assertEquals(List.of("out of network `ds`, with masquerade in IPv4 and without masquerade in IPv6",
        "out of network `v4` with masquerade in IPv4 and out of network `ds` without masquerade in IPv6",
        "out of network `v4` with masquerade"),
        List.of("dual", "split", "old").stream()
            .map(e -> one.directPath(one.node(e).get(), outside, TCP80).orElseThrow()).toList());
    assertEquals(List.of("out of network `ds` with masquerade 10.1.0.2 -> 198.18.0.2",
        "out of network `ds` without masquerade fd00:1::2 -> 2001:2::2"), ways(one, "dual", "@outside"));
    // several hosts: masquerade6 too, in every family they leave in
    Reachability several = model("""
        host h1
        host h2
        """ + common + """
        container dual { labels app=dual; on h1; attach ds }
        """);
    assertEquals(Optional.of("out of network `ds` with masquerade"),
        several.directPath(several.node("dual").get(), several.node("@outside").get(), TCP80));
    assertEquals(List.of("out of network `ds` with masquerade 10.1.0.2 -> 198.18.0.2",
        "out of network `ds` with masquerade fd00:1::2 -> 2001:2::2"), ways(several, "dual", "@outside"));
    Reachability v6 = model("""
        host h1 { underlay fd00:57::11 }
        host h2 { underlay fd00:57::12 }
        """ + common + """
        container dual { labels app=dual; on h1; attach ds }
        """);
    assertEquals(List.of("to host `h2` over the underlay, out of network `ds` with masquerade fd00:1::2 -> fd00:57::12"),
        ways(v6, "dual", "@host/h2"));
  }

  private static List<String> ways(Reachability m, String from, String to) {
    return m.flows(m.node(from).get(), m.node(to).get(), TCP80).stream()
        .map(f -> f.path() + " " + f.source().get() + " -> " + f.destination().get()).toList();
  }


  /**
   * An endpoint reaches a port published on another host through its route out, as that host's
   * own connection reaches it: the destination's policies see the source's host, the source's
   * see the other host on the host port; a port bound to a gateway of that host is out of reach
   * from off it, and so is everything from an endpoint without a route out.
   */
  @Test
  void aPortPublishedOnAnotherHostIsReachedAsFromThatHost() throws IOException {
    Reachability m = model("""
        host h1 { underlay 192.168.57.11 }
        host h2 { underlay 192.168.57.12 }
        # netc:ignore NETC406 "a lab underlay"
        network mesh { driver overlay; subnet 10.57.0.0/24 }
        network lan { subnet 10.58.0.0/24 }
        network quiet { subnet 10.59.0.0/24; internal }
        container a { labels app=a; on h1; attach lan }
        container e { labels app=e; on h1; attach lan }
        container m { labels app=m; on h1; attach mesh }
        container q { labels app=q; on h1; attach quiet }
        container f { labels app=f; on h2; attach lan; publish 8083 -> 80/tcp }
        container b { labels app=b; on h2; attach lan; publish 8080 -> 80/tcp }
        container c { labels app=c; on h2; attach lan; publish 10.58.0.1:8081 -> 80/tcp }
        container d { labels app=d; on h2; attach lan; publish 192.168.57.12:8082 -> 80/tcp }
        container g { labels app=g; on h2; attach lan; publish 8084 -> 80/tcp }
        policy b-from-a {
          select app=b
          allow ingress from app=a port 80/tcp
        }
        policy d-from-hosts {
          select app=d
          allow ingress from @host port 80/tcp
        }
        policy g-from-h1 {
          select app=g
          allow ingress from cidr 192.168.57.11/32 port 80/tcp
        }
        policy e-out {
          select app=e
          allow egress to app=b port 80/tcp
          allow egress to @host port 8082/tcp
          allow egress to cidr 192.168.57.12/32 port 8084/tcp
        }
        """);
    assertTrue(allowed(m, "a", "f"), "through 8083 of h2");
    assertTrue(allowed(m, "m", "f"), "out of the overlay as well");
    assertFalse(allowed(m, "q", "f"), "an internal network has no route out");
    assertFalse(allowed(m, "a", "b"), "b's policy sees h1, not a");
    assertFalse(allowed(m, "a", "c"), "bound to a gateway of h2: not reached from h1");
    assertFalse(allowed(m, "@host/h1", "c"));
    assertFalse(allowed(m, "@outside", "c"));
    assertTrue(allowed(m, "@host/h2", "c"), "its own host reaches it");
    assertTrue(allowed(m, "a", "d"), "bound to h2's underlay address; d admits the hosts");
    assertTrue(allowed(m, "e", "d"), "e's egress sees h2 on 8082");
    assertFalse(allowed(m, "e", "f"), "e admits no egress to h2 on 8083");
    assertTrue(allowed(m, "a", "g"), "from h1's underlay address");
    assertTrue(allowed(m, "e", "g"), "to h2's underlay address on 8084");
    assertFalse(allowed(m, "@outside", "g"));

    Node a = m.node("a").orElseThrow();
    assertEquals(List.of("path: through published port 8080/tcp of host `h2`, out of network `lan` with masquerade,"
        + " from 192.168.57.11 to 10.58.0.5",
        "masqueraded out of host `h1`: to the policies of `b` it comes from `@host/h1`, to those of `a` it goes to"
            + " `@host/h2` on 8080/tcp",
        "`b` is isolated for ingress by policy `b-from-a`",
        "no allow rule of a policy selecting `b` admits `@host/h1` on 80/tcp (1 ingress allow rule checked)"),
        m.explain(a, m.node("b").orElseThrow(), TCP80).steps().stream().map(s -> s.text()).toList());
    Node e = m.node("e").orElseThrow();
    assertEquals(List.of("path: through published port 8083/tcp of host `h2`, out of network `lan` with masquerade,"
        + " from 192.168.57.11 to 10.58.0.4",
        "masqueraded out of host `h1`: to the policies of `f` it comes from `@host/h1`, to those of `e` it goes to"
            + " `@host/h2` on 8083/tcp",
        "`f` is not isolated for ingress",
        "`e` is isolated for egress by policy `e-out`",
        "no allow rule of a policy selecting `e` admits `@host/h2` on 8083/tcp (3 egress allow rules checked)"),
        m.explain(e, m.node("f").orElseThrow(), TCP80).steps().stream().map(s -> s.text()).toList());
  }

  /**
   * A node port of another host is reached as a port published there: the destination's policies
   * see the source's host, the source's see the other host on the node port; an endpoint without
   * a route out does not reach it. Measured by RemotePublishedPortKernelTest.
   */
  @Test
  void aNodePortOfAnotherHostIsReachedAsFromThatHost() throws IOException {
    Reachability m = model("""
        host h1 { underlay 192.168.64.11 }
        host h2 { underlay 192.168.64.12 }
        network lan { subnet 10.67.0.0/24 }
        network quiet { subnet 10.68.0.0/24; internal }
        container a { labels app=a; on h1; attach lan }
        container e { labels app=e; on h1; attach lan }
        container q { labels app=q; on h1; attach quiet }
        container web { labels app=web; on h2; attach lan }
        container api { labels app=api; on h2; attach lan }
        container c { labels app=c; on h2; attach lan }
        service front { select app=web; port 80 -> 80/tcp node-port 30080 }
        service back { select app=api; port 80 -> 80/tcp node-port 30081 }
        policy web-in { select app=web; allow ingress from @host port 80/tcp }
        policy api-in { select app=api; allow ingress from cidr 192.168.64.11/32 port 80/tcp }
        policy e-out { select app=e; allow egress to @host port 30080/tcp }
        """);
    assertTrue(allowed(m, "a", "web"), "web admits the hosts: a comes as h1");
    assertTrue(allowed(m, "a", "api"), "from h1's underlay address");
    assertTrue(allowed(m, "e", "web"), "e's egress sees h2 on 30080");
    assertFalse(allowed(m, "e", "api"), "e admits no egress to h2 on 30081");
    assertFalse(allowed(m, "q", "web"), "an internal network has no route out");
    assertFalse(allowed(m, "c", "web"), "through the service on h2, c is seen as c");
    assertFalse(allowed(m, "c", "api"));
    assertEquals(List.of("path: through node port 30081 of service `back` on host `h2`, out of network `lan` with"
        + " masquerade, from 192.168.64.11 to 10.67.0.5",
        "masqueraded out of host `h1`: to the policies of `api` it comes from `@host/h1`, to those of `a` it goes to"
            + " `@host/h2` on 30081/tcp",
        "`api` is isolated for ingress; admitted by policy `api-in`: `allow ingress from cidr 192.168.64.11/32 port"
            + " 80/tcp`",
        "`a` is not isolated for egress"),
        m.explain(m.node("a").orElseThrow(), m.node("api").orElseThrow(), TCP80).steps().stream()
            .map(s -> s.text()).toList());
    assertEquals(java.util.Optional.of("through node port 30081 of service `back` on host `h2`, out of network `lan`"
        + " with masquerade"), m.admittingRemoteWay(m.node("a").orElseThrow(), m.node("api").orElseThrow(), TCP80));
    assertEquals(java.util.Optional.of(new PortSpec(PortRange.of(30081), Protocol.TCP)),
        m.admittingRemoteHostPort(m.node("a").orElseThrow(), m.node("api").orElseThrow(), TCP80),
        "the node port, as a's egress rules see it");
    assertEquals(java.util.Optional.of(Reachability.Through.NODE_PORT),
        m.admittingRemoteThrough(m.node("a").orElseThrow(), m.node("api").orElseThrow(), TCP80));
    assertEquals(java.util.Optional.empty(), m.admittingRemoteThrough(m.node("e").orElseThrow(),
        m.node("api").orElseThrow(), TCP80), "e's egress refuses h2 on 30081");
    assertEquals(java.util.Optional.empty(), m.admittingRemoteWay(m.node("e").orElseThrow(),
        m.node("api").orElseThrow(), TCP80), "e's egress refuses h2 on 30081");
    assertEquals(java.util.Optional.empty(), m.admittingRemoteHostPort(m.node("e").orElseThrow(),
        m.node("api").orElseThrow(), TCP80));
    assertEquals(java.util.Optional.empty(), m.admittingRemoteWay(m.node("c").orElseThrow(),
        m.node("api").orElseThrow(), TCP80), "one host: no way through another host's port");
    List<String> refused = m.explain(m.node("e").orElseThrow(), m.node("api").orElseThrow(), TCP80).steps().stream()
        .map(s -> s.text()).toList();
    assertEquals("refused alike on the other way: through node port 30081 of service `back` on host `h2`, out of"
        + " network `lan` with masquerade, from 192.168.64.11 to 10.67.0.5", refused.get(refused.size() - 1));
  }

  /**
   * The way through a service's virtual address alone (NETC409): across hosts in the model, none
   * between two hosts in the model of what the plans realise; decided on its own addresses, the
   * client's default-route address, even when a shared network admits the pair another way.
   */
  @Test
  void theWayThroughAServiceIsDecidedOnItsOwn() throws IOException {
    String text = """
        host h1 { underlay 192.168.64.11 }
        host h2 { underlay 192.168.64.12 }
        network lan { subnet 10.67.0.0/24 }
        # netc:ignore NETC406 "a lab underlay"
        network mesh { driver overlay; subnet 10.68.0.0/24 }
        container c { labels app=c; on h1; attach lan { ip 10.67.0.2 }; attach mesh }
        container d { labels app=d; on h1; attach lan { ip 10.67.0.3 } }
        container web { labels app=web; on h1; attach lan }
        container api { labels app=api; on h2; attach mesh }
        service back { select app=api; port 80 -> 80/tcp }
        service front { select app=web; port 80 -> 80/tcp }
        policy api-in { select app=api; allow ingress from cidr 10.68.0.0/24, cidr 10.67.0.3/32 port 80/tcp }
        """;
    Reachability m = model(text);
    Node c = m.node("c").orElseThrow();
    Node d = m.node("d").orElseThrow();
    Node api = m.node("api").orElseThrow();
    assertTrue(m.directAllowed(c, api, TCP80), "both on mesh, from c's mesh address");
    assertFalse(m.serviceAllowed(c, api, TCP80), "to the virtual address c leaves from its lan address");
    assertTrue(m.serviceAllowed(d, api, TCP80), "d's lan address is admitted");
    assertFalse(m.serviceAllowed(d, api, new PortSpec(PortRange.of(81), Protocol.TCP)), "no service forwards to 81");
    assertTrue(m.serviceAllowed(d, m.node("web").orElseThrow(), TCP80), "one host");
    assertTrue(m.serviceAllowed(api, m.node("web").orElseThrow(), TCP80), "from another host, as the model has it");
    Reachability local;
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path p = fs.getPath("/t.netc");
      Files.writeString(p, text);
      local = new Reachability(new Compiler().compile(p).topology().orElseThrow(), false);
    }
    assertFalse(local.serviceAllowed(local.node("d").orElseThrow(), local.node("api").orElseThrow(), TCP80),
        "the plans balance over the client's host's endpoints only");
    assertFalse(local.serviceAllowed(local.node("api").orElseThrow(), local.node("web").orElseThrow(), TCP80));
    assertTrue(local.serviceAllowed(local.node("d").orElseThrow(), local.node("web").orElseThrow(), TCP80));
  }

  /**
   * A port published on another host with an automatic host port: the source's egress rules see
   * that host on the port the plan chooses (per host, past the ports given), not on the whole
   * dynamic range, so a rule that admits part of it admits exactly the ports it holds.
   */
  @Test
  void anAutomaticPortOfAnotherHostIsThePortThePlanChooses() throws IOException {
    String text = """
        topology autoport
        host h1 { underlay 192.168.59.11 }
        host h2 { underlay 192.168.59.12 }
        network lan { subnet 10.62.0.0/24 }
        container w { labels app=w; on h1; attach lan; publish 80/tcp }
        container a { labels app=a; on h1; attach lan }
        container fixed { labels app=fixed; on h2; attach lan; publish 49152 -> 80/tcp }
        container first { labels app=first; on h2; attach lan; publish 80/tcp }
        container second { labels app=second; on h2; attach lan; publish 80/tcp }
        container b { labels app=b; on h2; attach lan }
        policy a-out { select app=a; allow egress to @host port 49152-49153/tcp }
        policy b-out { select app=b; allow egress to @host port 49152/tcp }
        """;
    Reachability m = model(text);
    assertTrue(allowed(m, "a", "fixed"), "49152, given");
    assertTrue(allowed(m, "a", "first"), "49153, the first automatic port of h2");
    assertFalse(allowed(m, "a", "second"), "49154 is not in 49152-49153");
    assertTrue(allowed(m, "b", "w"), "49152 of h1: the numbers are per host");
    assertEquals(List.of("path: through published port 49153/tcp of host `h2`, out of network `lan` with masquerade,"
        + " from 192.168.59.11 to 10.62.0.5",
        "masqueraded out of host `h1`: to the policies of `first` it comes from `@host/h1`, to those of `a` it goes to"
            + " `@host/h2` on 49153/tcp",
        "`first` is not isolated for ingress",
        "`a` is isolated for egress; admitted by policy `a-out`: `allow egress to @host port 49152-49153/tcp`"),
        m.explain(m.node("a").orElseThrow(), m.node("first").orElseThrow(), TCP80).steps().stream()
            .map(s -> s.text()).toList());
    assertEquals(java.util.Optional.of(new PortSpec(PortRange.of(49153), Protocol.TCP)),
        m.admittingRemoteHostPort(m.node("a").orElseThrow(), m.node("first").orElseThrow(), TCP80));
    assertEquals(java.util.Optional.of(Reachability.Through.PUBLISHED_PORT),
        m.admittingRemoteThrough(m.node("a").orElseThrow(), m.node("first").orElseThrow(), TCP80));
    assertEquals("path: through published port 49154/tcp of host `h2`",
        m.explain(m.node("@outside").orElseThrow(), m.node("second").orElseThrow(), TCP80).steps().get(0).text());

    // the plan forwards the ports the model names
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path p = fs.getPath("/t.netc");
      Files.writeString(p, text);
      Planner.Result plan = Planner.plan(new Compiler().compile(p).topology().orElseThrow(), "");
      Map<String, Integer> ports = new TreeMap<>();
      plan.state().orElseThrow().hosts().forEach(h -> h.published().forEach(x -> ports.put(x.endpoint(), x.hostPort())));
      assertEquals(Map.of("w", 49152, "fixed", 49152, "first", 49153, "second", 49154), ports);
    }
  }
  /**
   * A node port is DNATed in the families its service has a virtual address of alone, to an
   * endpoint's address of that family: a node port of a service with an IPv6 address alone leads
   * to its endpoint from @outside (both families), from another host or its endpoints only over an
   * IPv6 underlay, and to no endpoint without an IPv6 address.
   */
  @Test
  void aNodePortLeadsOnlyInAFamilyOfItsService() throws IOException {
    String text = """
        topology np6
        host h1 { underlay UNDERLAY1 }
        host h2 { underlay UNDERLAY2 }
        network front { subnet 10.40.0.0/24; subnet fd00:40::/64 }
        network old { subnet 10.41.0.0/24 }
        container web { labels app=web; on h2; attach front; expose 80/tcp }
        container v4web { labels app=v4web; on h2; attach old; expose 80/tcp }
        container modern { on h1; attach front }
        container legacy { on h1; attach old }
        service www { select app=web; address fd00:96::10; port 8080 -> 80/tcp node-port 30080 }
        service v4www { select app=v4web; address fd00:96::11; port 8080 -> 80/tcp node-port 30081 }
        """;
    for (boolean v6 : List.of(false, true)) {
      Reachability m;
      try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
        Path p = fs.getPath("/t.netc");
        Files.writeString(p, text.replace("UNDERLAY1", v6 ? "fd00:64::11" : "192.168.64.11")
            .replace("UNDERLAY2", v6 ? "fd00:64::12" : "192.168.64.12"));
        CompileResult r = new Compiler().compile(p);
        // the plans' model: no service from one host to another's endpoints, node ports only
        m = new Reachability(r.topology().orElseThrow(() -> new AssertionError(r.diagnostics())), false);
      }
      String under = v6 ? "IPv6 underlay: " : "IPv4 underlay: ";
      // (@outside reaches a host of several at its underlay address alone, in its family)
      assertEquals(v6, allowed(m, "@outside", "web"), under + "@outside connects in the underlay's family");
      assertEquals(v6, allowed(m, "@host/h1", "web"), under + "h1 connects in its underlay's family");
      assertEquals(v6, allowed(m, "modern", "web"), under + "modern leaves masqueraded to h1's underlay address");
      assertFalse(allowed(m, "legacy", "web"), under + "legacy has no IPv6 address");
      assertFalse(allowed(m, "@outside", "v4web"), under + "v4web has no IPv6 address to be sent to");
      assertFalse(allowed(m, "@host/h1", "v4web"), under);
    }
  }

  /**
   * The endpoints a policy selects and a rule names are found through an index of labels
   * ({@code app=web} looks at the endpoints with that label only): every operator, in selectors
   * and peers, across namespaces and with a host-network endpoint, gives what matching every
   * node one by one gives.
   */
  @Test
  void selectorsFoundThroughTheLabelIndexMatchEveryNodeAlike() throws IOException {
    Reachability m = model("""
        network n { subnet 10.0.0.0/24 }
        container web1 { labels app=web tier=front env=prod; attach n }
        container web2 { labels app=web tier=front env=dev canary=yes; attach n }
        container api { labels app=api tier=back env=prod; attach n }
        container db { labels app=db tier=data; attach n }
        container bare { attach n }
        container agent { labels app=web tier=front; mode host }
        namespace other {
          labels team=ops
          container mon { labels app=web tier=front; attach n }
        }
        policy p-eq { select app=web; allow ingress from app=api port 80 }
        policy p-in { select tier in (front, data); allow ingress from tier in (back, front), app=db port 80 }
        policy p-exists { select canary; allow egress to env port 80 }
        policy p-neg { select env!=prod !canary; allow ingress from tier notin (front) port 80 }
        policy p-mixed { select app=web env notin (dev) tier; allow ingress from namespace team=ops pods app=web port 80 }
        policy p-none { select app=nothing; allow ingress from app=nothing, env=nothing port 80 }
        policy p-all { select all; allow ingress from all port 80; allow egress port 80 }
        """);
    int rules = 0;
    for (dev.netc.compiler.ir.Policy p : m.topology().policies()) {
      List<Node> selected = m.nodes().stream().filter(n -> n.endpoint().filter(e -> e.mode() != dev.netc.compiler.ir.NetMode.HOST
          && e.namespace().equals(p.namespace()) && p.selector().matches(e.labels())).isPresent()).toList();
      assertEquals(selected, m.selectedBy(p), "policy " + p.name() + " selects");
      for (dev.netc.compiler.ir.Policy.Rule r : p.rules()) {
        rules++;
        List<Node> peers = m.nodes().stream().filter(n -> m.peerMatches(r, p, n)).toList();
        assertEquals(peers, m.peersOf(p, r), "policy " + p.name() + ", rule " + r.span());
      }
    }
    assertEquals(8, rules);
    // (and the index is not a no-op: these name some endpoints and not others)
    dev.netc.compiler.ir.Policy in = m.topology().policies().get(1);
    assertEquals(List.of("web1", "web2", "db"), m.selectedBy(in).stream().map(Node::name).toList());
    assertEquals(List.of("web1", "web2", "api", "db"),
        m.peersOf(in, in.rules().get(0)).stream().map(Node::name).toList());
  }
}
