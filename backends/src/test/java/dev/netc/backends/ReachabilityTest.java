package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
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
    assertEquals("path: out of network `front` with masquerade, from fd00:1::2 to 2001:2::2",
        m.explain(m.node("client").get(), outside, TCP80).steps().get(0).text());
    assertTrue(allowed(m, "@host", "web"), "the host's own traffic is exempt");
  }
}
