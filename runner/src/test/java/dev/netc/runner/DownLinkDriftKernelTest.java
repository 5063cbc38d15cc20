package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Drift of a link set down by hand, or given an MTU under 1280 (root, examples/dual-stack.netc):
 * the kernel deletes the link's IPv6 addresses and its routes when it goes down, and its IPv6
 * addresses and routes with its IPv6 state under 1280 bytes. Drift names the link, changed, and
 * nothing else; the plan sets it right and makes what the kernel took again after it ({@code
 * again, after eth0 is set up}, {@code again, IPv6 back with the MTU}). Before, drift listed
 * those addresses and routes as missing (and the IPv6 settings as changed) and counted them.
 */
class DownLinkDriftKernelTest extends SandboxTest {
  private Runner.Target applied() {
    Runner.Target t = Kernel.target(Kernel.compile("examples/dual-stack.netc"), s);
    runner.apply(t);
    assertTrue(runner.drift(t).inSync());
    return t;
  }

  private static void run(String... command) {
    assertTrue(Kernel.run(command).ok(), String.join(" ", command));
  }

  /** Drift is the one changed link, plan is {@code plan}; apply repairs it, and a second apply does nothing. */
  private void oneChangedLink(Runner.Target t, String link, List<String> plan) {
    assertEquals(plan, runner.plan(t).changes().stream().map(Change::line).toList());
    Drift drift = runner.drift(t);
    assertEquals("changed     " + link + "\n\n"
        + "Drift: 0 missing, 1 changed, 0 unexpected (sandbox " + s + ", topology dual-stack); `netc apply` repairs it.\n",
        drift.text());
    assertEquals(List.of(0L, 1L, 0L),
        List.of(drift.count(Drift.State.MISSING), drift.count(Drift.State.CHANGED), drift.count(Drift.State.UNEXPECTED)));
    assertEquals(plan.size(), runner.apply(t).plan().changes().size());
    assertTrue(runner.apply(t).plan().empty(), "a second apply is a no-op");
    assertTrue(runner.drift(t).inSync());
  }

  @Test
  void aLinkSetDownIsOneChangedLink() throws Exception {
    Runner.Target t = applied();
    String web = s + "-web";
    run("ip", "-n", web, "link", "set", "eth0", "down");
    oneChangedLink(t, "link:" + web + ":eth0  (state down -> up)", List.of(
        "~ link:" + web + ":eth0  (state down -> up)",
        "+ address:" + web + ":eth0/fd00:60::10/64  (again, after eth0 is set up)",
        "+ route:" + web + ":0.0.0.0/0  (again, after eth0 is set up)",
        "+ route:" + web + ":::/0  (again, after eth0 is set up)"));
    assertEquals(List.of("default via 10.60.0.1 dev eth0", "10.60.0.0/24 dev eth0 proto kernel scope link src 10.60.0.10",
        "10.61.0.0/24 dev eth1 proto kernel scope link src 10.61.0.2"),
        Kernel.run("ip", "-n", web, "route", "show").out().lines().map(String::strip).toList());

    run("ip", "-n", s, "link", "set", "br-edge", "down");
    oneChangedLink(t, "link:" + s + ":br-edge  (state down -> up)", List.of(
        "~ link:" + s + ":br-edge  (state down -> up)",
        "+ address:" + s + ":br-edge/fd00:60::1/64  (again, after br-edge is set up)"));
  }

  @Test
  void anMtuUnder1280IsOneChangedLink() throws Exception {
    Runner.Target t = applied();
    run("ip", "-n", s, "link", "set", "br-edge", "mtu", "1000");
    oneChangedLink(t, "link:" + s + ":br-edge  (mtu 1000 -> 1500)", List.of(
        "~ link:" + s + ":br-edge  (mtu 1000 -> 1500)",
        "+ address:" + s + ":br-edge/fd00:60::1/64  (again, IPv6 back with the MTU)"));
    assertTrue(Kernel.run("ip", "-n", s, "-o", "-6", "addr", "show", "dev", "br-edge").out().contains(" fd00:60::1/64 "));

    String web = s + "-web";
    run("ip", "-n", web, "link", "set", "eth0", "mtu", "1000");
    oneChangedLink(t, "link:" + web + ":eth0  (mtu 1000 -> 1500)", List.of(
        "~ link:" + web + ":eth0  (mtu 1000 -> 1500)",
        "+ address:" + web + ":eth0/fd00:60::10/64  (again, IPv6 back with the MTU)",
        "+ route:" + web + ":::/0  (again, IPv6 back with the MTU)",
        "~ sysctl:" + web + ":net.ipv6.conf.eth0.accept_ra  (1 -> 0, IPv6 back with the MTU)",
        "~ sysctl:" + web + ":net.ipv6.conf.eth0.accept_dad  (1 -> 0, IPv6 back with the MTU)"));
    assertTrue(Kernel.run("ip", "-n", web, "-6", "route", "show", "default").out().contains("via fd00:60::1 dev eth0"));
  }
}
