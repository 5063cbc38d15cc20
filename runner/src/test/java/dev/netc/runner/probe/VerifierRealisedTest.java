package dev.netc.runner.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.backends.plan.DesiredState;
import dev.netc.backends.plan.Planner;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Reachability;
import dev.netc.compiler.source.SourceFile;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** verify's model of what the plans realise names the host ports the plan chose for the whole topology. */
class VerifierRealisedTest {
  // `ov` spans hosts whose underlays are of two families: not realised (NETC520); `a`, on it
  // alone, keeps its automatic port, so that `b` after it has 49153 in the plan and in both models
  private static final String TOPOLOGY = """
      topology ports

      host h1 { underlay 192.168.56.11 }
      host h2 { underlay fd00:56::12 }

      network ov {
        driver overlay
        subnet 10.30.0.0/24
      }

      network lan {
        subnet 10.10.0.0/24
      }

      container a {
        on h1
        attach ov
        publish 80/tcp
      }

      container z {
        on h2
        attach ov
      }

      container b {
        on h1
        attach lan
        publish 80/tcp
      }
      """;

  @Test
  void theRealisedModelKeepsThePortsThePlanChose() {
    var compiled = new Compiler().compile(Path.of("."), new SourceFile("ports.netc", TOPOLOGY));
    Topology t = compiled.topology().orElseThrow(() -> new AssertionError(compiled.diagnostics().toString()));
    Reachability model = new Reachability(t);
    DesiredState plan = Planner.plan(t, "demo").state().orElseThrow();
    Reachability realised = Verifier.realised(model, plan.hosts());
    assertNotSame(model, realised); // `a` loses its attachment to `ov` there
    Endpoint b = t.endpoints().stream().filter(e -> e.name().equals("b")).findFirst().orElseThrow();
    assertEquals(OptionalInt.of(49153), model.automaticPorts().first(b, 0));
    assertEquals(OptionalInt.of(49153), realised.automaticPorts().first(b, 0));
    assertTrue(plan.hosts().stream().flatMap(h -> h.published().stream())
        .anyMatch(p -> p.endpoint().equals("b") && p.automatic() && p.hostPort() == 49153), plan.hosts()::toString);
  }

  /**
   * Of a model of one family, the model of what the plans realise is of that family too: in IPv6,
   * h1 (an IPv4 underlay) reaches neither the outside nor h2, as in the model of IPv6 it was made
   * from (it once lost the family, and with it every cell off the hosts in the wrong family looked
   * like one that depends on what is not realised, and was not compared).
   */
  @Test
  void theRealisedModelOfOneFamilyKeepsItsFamily() {
    // (`ov` dual stack here, so that its IPv6 interfaces, not realised, are left out of the IPv6 model)
    var compiled = new Compiler().compile(Path.of("."), new SourceFile("ports.netc",
        TOPOLOGY.replace("subnet 10.30.0.0/24", "subnet 10.30.0.0/24\n  subnet fd00:30::/64")));
    Topology t = compiled.topology().orElseThrow(() -> new AssertionError(compiled.diagnostics().toString()));
    Reachability six = new Reachability(t).inFamily(dev.netc.compiler.ir.IpAddress.Family.V6);
    Reachability realised = Verifier.realised(six, Planner.plan(t, "demo").state().orElseThrow().hosts());
    assertNotSame(six, realised);
    var h1 = realised.node("@host/h1").orElseThrow();
    var outside = realised.node("@outside").orElseThrow();
    PortRange p80 = PortRange.of(80);
    var port = new dev.netc.compiler.ir.PortSpec(p80, dev.netc.compiler.ir.Protocol.TCP);
    assertEquals(six.allowed(six.node("@host/h1").orElseThrow(), six.node("@outside").orElseThrow(), port),
        realised.allowed(h1, outside, port));
    assertTrue(!realised.allowed(h1, outside, port), "no IPv6 leaves a host of an IPv4 underlay");
  }

  // `be` is on a macvlan network only: the host cannot reach it, so neither service `s` nor its
  // node port leads to it, in the model as in the plan; `both` is behind `s` over `app2`
  private static final String MACVLAN_BEHIND_A_SERVICE = """
      topology mvs

      network lan {
        driver macvlan
        parent eth0
        subnet 192.0.2.0/24
      }

      network app {
        subnet 10.53.0.0/24
      }

      network app2 {
        subnet 10.54.0.0/24
      }

      container client {
        attach app
      }

      container be {
        labels tier=x
        attach lan
        expose 8080/tcp
      }

      container both {
        labels tier=x
        attach lan
        attach app2
        expose 8080/tcp
      }

      service s {
        select tier=x
        port 80 -> 8080/tcp node-port 30082
      }
      """;

  @Test
  void aServiceLeadsToNoEndpointOnMacvlanNetworksOnlyAndVerifyComparesItsCells() {
    var compiled = new Compiler().compile(Path.of("."), new SourceFile("mvs.netc", MACVLAN_BEHIND_A_SERVICE));
    Topology t = compiled.topology().orElseThrow(() -> new AssertionError(compiled.diagnostics().toString()));
    Reachability model = new Reachability(t);
    dev.netc.compiler.ir.PortSpec port = new dev.netc.compiler.ir.PortSpec(dev.netc.compiler.ir.PortRange.of(8080),
        dev.netc.compiler.ir.Protocol.TCP);
    var client = model.node("client").orElseThrow();
    var outside = model.node("@outside").orElseThrow();
    assertFalse(model.allowed(client, model.node("be").orElseThrow(), port), "the plan balances `s` to `both` only");
    assertFalse(model.allowed(outside, model.node("be").orElseThrow(), port), "nor does its node port lead to `be`");
    assertTrue(model.allowed(client, model.node("both").orElseThrow(), port));
    assertTrue(model.allowed(outside, model.node("both").orElseThrow(), port));
    // the plan balances every endpoint the host can reach: verify compares every cell
    DesiredState plan = Planner.plan(t, "demo").state().orElseThrow();
    assertSame(model, Verifier.realised(model, plan.hosts()));
  }
}
