package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netc.backends.plan.Link;
import dev.netc.compiler.ir.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A bridge port's hairpin mode is compared for drift: switched off by hand on a port netc made
 * with hairpin (a service backend reaching itself through its service address), diff reports
 * it, plan shows an in-place update, apply puts it back without replacing the link.
 */
class HairpinDriftKernelTest extends SandboxTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void hairpinSwitchedOffByHandIsDriftAndRepairedInPlace() throws Exception {
    Topology topology = Kernel.compile("examples/services.netc");
    Runner.Target t = Kernel.target(topology, s);
    Link port = t.host().links().stream().filter(Link::hairpin).findFirst()
        .orElseThrow(() -> new AssertionError("no hairpin port in examples/services.netc"));
    runner.apply(t);
    assertTrue(hairpin(port), "apply set hairpin on " + port.name());
    int ifindex = ifindex(port);
    assertTrue(runner.drift(t).inSync());

    assertTrue(Kernel.run("ip", "-n", port.namespace(), "link", "set", "dev", port.name(), "type", "bridge_slave",
        "hairpin", "off").ok());
    assertFalse(hairpin(port));
    Drift drift = runner.drift(t);
    assertFalse(drift.inSync());
    List<String> lines = runner.plan(t).changes().stream().map(Change::line).toList();
    assertEquals(List.of("~ link:" + s + ":" + port.name() + "  (hairpin off -> on)"), lines);

    runner.apply(t);
    assertTrue(hairpin(port));
    assertEquals(ifindex, ifindex(port), "updated in place, not replaced");
    assertTrue(runner.plan(t).empty());
  }

  private static JsonNode link(Link l) throws Exception {
    return JSON.readTree(Kernel.run("ip", "-j", "-d", "-n", l.namespace(), "link", "show", "dev", l.name()).out()).get(0);
  }

  private static boolean hairpin(Link l) throws Exception {
    return link(l).path("linkinfo").path("info_slave_data").path("hairpin").asBoolean();
  }

  private static int ifindex(Link l) throws Exception {
    return link(l).path("ifindex").asInt();
  }
}
