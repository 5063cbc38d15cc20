package dev.netc.runner.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.backends.plan.DesiredState;
import dev.netc.backends.plan.Planner;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import dev.netc.runner.Sandbox;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where the probe looks (no root, no socket): the namespaces of the web shop's nodes, the
 * destinations tried, and how answers become cells.
 */
class LayoutTest {
  private static final PortSpec HTTP = new PortSpec(PortRange.of(80), Protocol.TCP);
  private static final PortSpec API = new PortSpec(PortRange.of(3000), Protocol.TCP);

  private static final Topology WEBSHOP = compile();
  private static final Reachability MODEL = new Reachability(WEBSHOP);

  private static final Topology OVERLAY = compile("overlay");
  private static final Reachability OVERLAY_MODEL = new Reachability(OVERLAY);

  private static Topology compile() {
    return compile("webshop");
  }

  private static Topology compile(String example) {
    try {
      Path root = Path.of(System.getProperty("netc.root", "..")).toAbsolutePath().normalize();
      return new Compiler().compile(root.resolve("examples/" + example + ".netc")).topology().orElseThrow();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Prober.Layout layout() {
    DesiredState s = Planner.plan(WEBSHOP, "demo").state().orElseThrow();
    return Prober.Layout.of(MODEL, s.hosts().get(0), new Sandbox("demo"));
  }

  private static Node node(String name) {
    return MODEL.node(name).orElseThrow();
  }

  @Test
  void everyNodeHasItsNamespace() {
    Prober.Layout l = layout();
    assertEquals(MODEL.nodes(), l.nodes());
    assertEquals(List.of("demo-web", "demo-api-1", "demo-api-2", "demo-db", "demo", "demo-outside"),
        l.namespaces());
    assertEquals("demo", l.namespace(node("@host")));
    assertEquals("demo-outside", l.namespace(node("@outside")));
  }

  @Test
  void destinationsAreEveryAddressAndThePublishedPortsOfTheHost() {
    List<String> to = layout().attempts("demo-api-1", Protocol.TCP, List.of(80)).stream()
        .map(Attempt::destination).toList();
    // web's two addresses, the others', the host's gateways and uplink on 80 and on 8080 (published
    // to web's 80), the outside, loopback
    assertEquals(List.of("10.10.0.10:80", "10.20.0.2:80", "10.20.0.3:80", "10.20.0.4:80", "10.20.0.5:80",
        "10.10.0.1:80", "10.10.0.1:8080", "10.20.0.1:80", "10.20.0.1:8080", "198.18.0.1:80", "198.18.0.1:8080",
        "[2001:2::1]:80", "[2001:2::1]:8080", "198.18.0.2:80", "[2001:2::2]:80", "127.0.0.1:80", "127.0.0.1:8080",
        "[::1]:80", "[::1]:8080"), to);
    assertTrue(layout().attempts("demo-web", Protocol.UDP, List.of()).isEmpty());
  }

  @Test
  void aCellIsAdmittedWhenTheDestinationsNamespaceAnswersOnItsPort() {
    Prober.Layout l = layout();
    List<Attempt> attempts = new ArrayList<>(l.attempts("demo", Protocol.TCP, List.of(80, 3000)));
    List<Outcome> outcomes = new ArrayList<>();
    for (Attempt a : attempts) {
      String d = a.destination();
      // the host's 127.0.0.1:8080 is DNATed to web's 80; api-1 answers on 3000; the rest is dropped
      outcomes.add(d.equals("127.0.0.1:8080") ? Outcome.answered("demo-web", 80)
          : d.equals("10.20.0.3:3000") ? Outcome.answered("demo-api-1", 3000)
          : d.equals("10.20.0.4:3000") ? Outcome.of(Outcome.Status.REFUSED)
          : Outcome.of(Outcome.Status.TIMEOUT));
    }
    List<PortSpec> ports = List.of(HTTP, API);
    List<ProbeResult.Cell> cells = l.cells(ports, attempts, outcomes);
    ProbeResult r = new ProbeResult(l.nodes(), ports, cells, attempts.size(), 0);
    int host = 4;
    ProbeResult.Cell toWeb = r.cell(host, 0, 0);
    assertTrue(toWeb.allowed());
    assertEquals("via 127.0.0.1:8080", toWeb.detail());
    assertFalse(r.cell(host, 0, 1).allowed(), "web on 3000: nothing answered there");
    assertEquals("via 10.20.0.3:3000", r.cell(host, 1, 1).detail());
    assertEquals("10.20.0.4:3000 refused", r.cell(host, 2, 1).detail());
    assertEquals("10.20.0.5:80 timed out", r.cell(host, 3, 0).detail());
    assertFalse(r.cell(0, 1, 1).allowed(), "web's row was not probed");
    assertEquals("not probed", r.cell(0, 1, 1).detail());
  }

  @Test
  void severalHostsAreProbedTogetherEachInItsNamespace() {
    DesiredState state = Planner.plan(OVERLAY, "demo").state().orElseThrow();
    Prober.Layout all = Prober.Layout.of(OVERLAY_MODEL, state.hosts(), new Sandbox("demo"));
    assertEquals(OVERLAY_MODEL.nodes(), all.nodes(), "every node of every host, in the model's order");
    assertEquals(List.of("demo-web", "demo-api", "demo-worker-1", "demo-worker-2", "demo-host_h1", "demo-host_h2",
        "demo-outside"), all.namespaces());
    assertEquals("demo-host_h2", all.namespace(OVERLAY_MODEL.node("@host/h2").orElseThrow()));
    assertEquals(List.of("demo-host_h1", "demo-host_h2", "demo"), all.routers(), "S routes between the hosts");
    List<String> to = all.attempts("demo-api", Protocol.TCP, List.of(80)).stream().map(Attempt::destination).toList();
    // the endpoints of both hosts on the overlay; each host's gateway (one address: each reaches
    // its own) and underlay address, on 80 and, for h1, on 8080 (published to web's 80); the
    // outside; loopback on both
    assertEquals(List.of("10.40.0.2:80", "10.40.0.3:80", "10.40.0.4:80", "10.40.0.5:80", "10.40.0.1:80",
        "10.40.0.1:8080", "192.168.56.11:80", "192.168.56.11:8080", "192.168.56.12:80", "198.18.0.2:80",
        "[2001:2::2]:80", "127.0.0.1:80", "127.0.0.1:8080", "[::1]:80", "[::1]:8080"), to);

    Prober.Layout h2 = Prober.Layout.of(OVERLAY_MODEL, state.host("h2").orElseThrow(), new Sandbox("demo"));
    assertEquals(List.of("api", "worker-1", "worker-2", "@host/h2", "@outside"),
        h2.nodes().stream().map(Node::name).toList(), "--host h2: its nodes and the outside");
  }
}
