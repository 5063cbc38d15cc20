package dev.netc.runner.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.backends.plan.DesiredState;
import dev.netc.backends.plan.Planner;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.ir.Endpoint;
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
}
