package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.compiler.ir.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Drift of a link that is replaced: a macvlan sub-interface made again by hand in another mode,
 * with the alias, MAC address, address and IPv6 switch apply gave it. Drift names the link,
 * changed with the attribute that forces its replacement, and nothing else: its address and
 * sysctl are there as desired, and the plan makes them again only with the replacement
 * ({@code again, with replaced link}), which is no drift of their own. Before, drift listed the
 * address as missing and the sysctl as changed, and counted them.
 */
class ReplacedLinkDriftKernelTest extends SandboxTest {
  @Test
  void aMacvlanMadeAgainInAnotherModeIsOneChangedLink() throws Exception {
    Topology topology = Kernel.compile("examples/macvlan.netc");
    Runner.Target t = Kernel.target(topology, s);
    runner.apply(t);
    assertTrue(runner.drift(t).inSync());

    String erp = s + "-erp";
    for (List<String> command : List.of(
        List.of("ip", "-n", erp, "link", "del", "eth0"),
        List.of("ip", "-n", s, "link", "add", "rp-mv", "link", "eth0", "address", "02:42:c0:00:02:32", "type", "macvlan",
            "mode", "vepa"),
        List.of("ip", "-n", s, "link", "set", "rp-mv", "netns", erp),
        List.of("ip", "-n", erp, "link", "set", "rp-mv", "name", "eth0"),
        List.of("ip", "-n", erp, "link", "set", "eth0", "alias", "netc:macvlan:macvlan:erp:0"),
        List.of("ip", "netns", "exec", erp, "sysctl", "-qw", "net.ipv6.conf.eth0.disable_ipv6=1"),
        List.of("ip", "-n", erp, "addr", "add", "192.0.2.50/24", "dev", "eth0"),
        List.of("ip", "-n", erp, "link", "set", "eth0", "up"))) {
      assertTrue(Kernel.run(command.toArray(String[]::new)).ok(), String.join(" ", command));
    }

    // the plan replaces the link and makes its address and sysctl again with it, as before
    assertEquals(List.of(
        "-/+ link:" + erp + ":eth0  (forces replacement: macvlan mode)",
        "+ address:" + erp + ":eth0/192.0.2.50/24  (again, with replaced link:" + erp + ":eth0)",
        "~ sysctl:" + erp + ":net.ipv6.conf.eth0.disable_ipv6  (1 again, with replaced link:" + erp + ":eth0)"),
        runner.plan(t).changes().stream().map(Change::line).toList());

    Drift drift = runner.drift(t);
    assertEquals("changed     link:" + erp + ":eth0  (forces replacement: macvlan mode)\n\n"
        + "Drift: 0 missing, 1 changed, 0 unexpected (sandbox " + s + ", topology macvlan); `netc apply` repairs it.\n",
        drift.text());
    assertEquals(List.of(0L, 1L, 0L),
        List.of(drift.count(Drift.State.MISSING), drift.count(Drift.State.CHANGED), drift.count(Drift.State.UNEXPECTED)));

    runner.apply(t);
    assertTrue(runner.drift(t).inSync());
    assertTrue(Kernel.run("ip", "-d", "-n", erp, "link", "show", "eth0").out().contains("macvlan mode bridge"));
  }
}
