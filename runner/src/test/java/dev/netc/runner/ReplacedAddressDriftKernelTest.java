package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.compiler.ir.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Drift of an address replaced by hand, on a container's end and on a bridge (the gateway):
 * drift names the address, changed from what it is to what it should be, and nothing else. The
 * plan still deletes the one and adds the other, and makes the routes through the device again
 * after it ({@code again, after the address of eth0 is replaced}): those the kernel dropped with
 * the device's last IPv4 address ({@code +}), and those still there ({@code ~}, the IPv6 default
 * route of a dual-stack container). They follow the address and are no drift of their own.
 * Before, drift listed the desired address as missing, the hand-made one as unexpected and the
 * routes as missing or changed, and counted them all.
 */
class ReplacedAddressDriftKernelTest extends SandboxTest {
  private static void run(List<List<String>> commands) {
    for (List<String> command : commands) {
      assertTrue(Kernel.run(command.toArray(String[]::new)).ok(), String.join(" ", command));
    }
  }

  private static List<Long> counts(Drift drift) {
    return List.of(drift.count(Drift.State.MISSING), drift.count(Drift.State.CHANGED), drift.count(Drift.State.UNEXPECTED));
  }

  /** Asserts the plan's lines of {@code t}, its drift's text and counts (missing, changed, unexpected); returns the drift. */
  private Drift assertPlanAndDrift(Runner.Target t, List<String> plan, String drift, List<Long> counts) {
    assertEquals(plan, runner.plan(t).changes().stream().map(Change::line).toList());
    Drift d = runner.drift(t);
    assertEquals(drift, d.text());
    assertEquals(counts, counts(d));
    return d;
  }

  @Test
  void anAddressReplacedByHandIsOneChangedAddress() throws Exception {
    Topology topology = Kernel.compile("examples/webshop.netc");
    Runner.Target t = Kernel.target(topology, s);
    runner.apply(t);
    assertTrue(runner.drift(t).inSync());

    String web = s + "-web";
    run(List.of(
        List.of("ip", "-n", web, "addr", "del", "10.10.0.10/24", "dev", "eth0"),
        List.of("ip", "-n", web, "addr", "add", "10.10.0.99/24", "dev", "eth0"),
        List.of("ip", "-n", s, "addr", "del", "10.10.0.1/24", "dev", "br-front"),
        List.of("ip", "-n", s, "addr", "add", "10.10.0.254/24", "dev", "br-front")));

    // the plan adds the addresses, makes web's default route again after its address (the
    // kernel dropped it with the old one) and deletes the hand-made addresses, as before
    Drift drift = assertPlanAndDrift(t, List.of(
        "+ address:" + s + ":br-front/10.10.0.1/24",
        "+ address:" + web + ":eth0/10.10.0.10/24",
        "+ route:" + web + ":0.0.0.0/0  (again, after the address of eth0 is replaced)",
        "- address:" + s + ":br-front/10.10.0.254/24",
        "- address:" + web + ":eth0/10.10.0.99/24"),
        "changed     address:" + s + ":br-front/10.10.0.1/24  (10.10.0.254/24 -> 10.10.0.1/24)\n"
        + "changed     address:" + web + ":eth0/10.10.0.10/24  (10.10.0.99/24 -> 10.10.0.10/24)\n\n"
        + "Drift: 0 missing, 2 changed, 0 unexpected (sandbox " + s + ", topology webshop); `netc apply` repairs it.\n",
        List.of(0L, 2L, 0L));
    String json = drift.json();
    assertEquals(2, json.split("\"state\": \"changed\"").length - 1, json);
    assertTrue(json.contains("\"note\": \"10.10.0.99/24 -> 10.10.0.10/24\""), json);
    assertTrue(json.endsWith("  \"summary\": {\n    \"missing\": 0,\n    \"changed\": 2,\n    \"unexpected\": 0\n  }\n}\n"), json);

    assertEquals(5, runner.apply(t).plan().changes().size());
    assertTrue(runner.apply(t).plan().empty(), "a second apply is a no-op");
    assertTrue(runner.drift(t).inSync());
    assertEquals(List.of("default via 10.10.0.1 dev eth0", "10.10.0.0/24 dev eth0 proto kernel scope link src 10.10.0.10",
        "10.20.0.0/24 dev eth1 proto kernel scope link src 10.20.0.2"),
        Kernel.run("ip", "-n", web, "route", "show").out().lines().map(String::strip).toList());
    assertTrue(Kernel.run("ip", "-n", s, "-o", "-4", "addr", "show", "dev", "br-front").out().contains(" 10.10.0.1/24 "));
  }

  @Test
  void anAddressDeletedByHandIsOneMissingAddressItsRouteFollows() throws Exception {
    Topology topology = Kernel.compile("examples/webshop.netc");
    Runner.Target t = Kernel.target(topology, s);
    runner.apply(t);
    String web = s + "-web";
    // the kernel drops web's default route with the device's last IPv4 address
    run(List.of(List.of("ip", "-n", web, "addr", "del", "10.10.0.10/24", "dev", "eth0")));
    assertTrue(!Kernel.run("ip", "-n", web, "route", "show").out().contains("default"));

    assertPlanAndDrift(t, List.of(
        "+ address:" + web + ":eth0/10.10.0.10/24",
        "+ route:" + web + ":0.0.0.0/0  (again, after the address of eth0 is added back)"),
        "missing     address:" + web + ":eth0/10.10.0.10/24\n\n"
        + "Drift: 1 missing, 0 changed, 0 unexpected (sandbox " + s + ", topology webshop); `netc apply` repairs it.\n",
        List.of(1L, 0L, 0L));

    assertEquals(2, runner.apply(t).plan().changes().size());
    assertTrue(runner.drift(t).inSync());
    assertTrue(Kernel.run("ip", "-n", web, "route", "show").out().contains("default via 10.10.0.1 dev eth0"));

    // the route deleted by hand as well: still made again with the address, and not told apart
    run(List.of(List.of("ip", "-n", web, "route", "del", "default"),
        List.of("ip", "-n", web, "addr", "del", "10.10.0.10/24", "dev", "eth0")));
    assertEquals(List.of(1L, 0L, 0L), counts(runner.drift(t)));
    runner.apply(t);
    assertTrue(runner.drift(t).inSync());
  }

  @Test
  void theRoutesOfADualStackContainerFollowItsAddress() throws Exception {
    Topology topology = Kernel.compile("examples/dual-stack.netc");
    Runner.Target t = Kernel.target(topology, s);
    runner.apply(t);
    assertTrue(runner.drift(t).inSync());

    String web = s + "-web";
    run(List.of(
        List.of("ip", "-n", web, "addr", "del", "10.60.0.10/24", "dev", "eth0"),
        List.of("ip", "-n", web, "addr", "add", "10.60.0.99/24", "dev", "eth0")));
    // the IPv4 default route went with the address; the IPv6 one is there, and made again (`~`)
    assertPlanAndDrift(t, List.of(
        "+ address:" + web + ":eth0/10.60.0.10/24",
        "+ route:" + web + ":0.0.0.0/0  (again, after the address of eth0 is replaced)",
        "~ route:" + web + ":::/0  (again, after the address of eth0 is replaced)",
        "- address:" + web + ":eth0/10.60.0.99/24"),
        "changed     address:" + web + ":eth0/10.60.0.10/24  (10.60.0.99/24 -> 10.60.0.10/24)\n\n"
        + "Drift: 0 missing, 1 changed, 0 unexpected (sandbox " + s + ", topology dual-stack); `netc apply` repairs it.\n",
        List.of(0L, 1L, 0L));
    runner.apply(t);
    assertTrue(runner.apply(t).plan().empty(), "a second apply is a no-op");

    // the IPv6 address: both default routes are still there, made again after it
    run(List.of(
        List.of("ip", "-n", web, "addr", "del", "fd00:60::10/64", "dev", "eth0"),
        List.of("ip", "-n", web, "addr", "add", "fd00:60::99/64", "dev", "eth0", "nodad")));
    assertPlanAndDrift(t, List.of(
        "+ address:" + web + ":eth0/fd00:60::10/64",
        "~ route:" + web + ":0.0.0.0/0  (again, after the address of eth0 is replaced)",
        "~ route:" + web + ":::/0  (again, after the address of eth0 is replaced)",
        "- address:" + web + ":eth0/fd00:60::99/64"),
        "changed     address:" + web + ":eth0/fd00:60::10/64  (fd00:60::99/64 -> fd00:60::10/64)\n\n"
        + "Drift: 0 missing, 1 changed, 0 unexpected (sandbox " + s + ", topology dual-stack); `netc apply` repairs it.\n",
        List.of(0L, 1L, 0L));
    runner.apply(t);
    assertTrue(runner.apply(t).plan().empty(), "a second apply is a no-op");
    assertTrue(runner.drift(t).inSync());
  }
}
