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
import org.junit.jupiter.api.Test;

/** The model on cases the conformance fixture cannot show: equal endpoints, paths, explain. */
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
}
