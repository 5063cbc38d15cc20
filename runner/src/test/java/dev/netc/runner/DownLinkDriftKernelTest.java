package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift of a link set down by hand, given an MTU under 1280, or with its IPv6 switched off (root,
 * examples/dual-stack.netc): the kernel deletes the link's IPv6 addresses and its routes when it
 * goes down, and its IPv6 addresses and routes with its IPv6 state under 1280 bytes or with
 * {@code disable_ipv6}. Drift names the link or the sysctl, changed, and nothing else; the plan
 * sets it right and makes what the kernel took again after it ({@code again, after eth0 is set
 * up}, {@code again, IPv6 back with the MTU}, {@code again, after the IPv6 of eth0 is switched
 * on}). Before, drift listed those addresses and routes as missing (and the IPv6 settings as
 * changed) and counted them.
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

  /** Drift is the one changed object, plan is {@code plan}; apply repairs it, and a second apply does nothing. */
  private void oneChanged(Runner.Target t, String object, List<String> plan) {
    assertEquals(plan, runner.plan(t).changes().stream().map(Change::line).toList());
    Drift drift = runner.drift(t);
    assertEquals("changed     " + object + "\n\n"
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
    oneChanged(t, "link:" + web + ":eth0  (state down -> up)", List.of(
        "~ link:" + web + ":eth0  (state down -> up)",
        "+ address:" + web + ":eth0/fd00:60::10/64  (again, after eth0 is set up)",
        "+ route:" + web + ":0.0.0.0/0  (again, after eth0 is set up)",
        "+ route:" + web + ":::/0  (again, after eth0 is set up)"));
    assertEquals(List.of("default via 10.60.0.1 dev eth0", "10.60.0.0/24 dev eth0 proto kernel scope link src 10.60.0.10",
        "10.61.0.0/24 dev eth1 proto kernel scope link src 10.61.0.2"),
        Kernel.run("ip", "-n", web, "route", "show").out().lines().map(String::strip).toList());

    run("ip", "-n", s, "link", "set", "br-edge", "down");
    oneChanged(t, "link:" + s + ":br-edge  (state down -> up)", List.of(
        "~ link:" + s + ":br-edge  (state down -> up)",
        "+ address:" + s + ":br-edge/fd00:60::1/64  (again, after br-edge is set up)"));
  }

  @Test
  void anMtuUnder1280IsOneChangedLink() throws Exception {
    Runner.Target t = applied();
    run("ip", "-n", s, "link", "set", "br-edge", "mtu", "1000");
    oneChanged(t, "link:" + s + ":br-edge  (mtu 1000 -> 1500)", List.of(
        "~ link:" + s + ":br-edge  (mtu 1000 -> 1500)",
        "+ address:" + s + ":br-edge/fd00:60::1/64  (again, IPv6 back with the MTU)",
        "~ sysctl:" + s + ":net.ipv6.conf.br-edge.accept_dad  (0, IPv6 back with the MTU)"));
    assertTrue(Kernel.run("ip", "-n", s, "-o", "-6", "addr", "show", "dev", "br-edge").out().contains(" fd00:60::1/64 "));
    assertEquals("0", Kernel.run("ip", "netns", "exec", s, "sysctl", "-n", "net.ipv6.conf.br-edge.accept_dad").out().strip());

    String web = s + "-web";
    run("ip", "-n", web, "link", "set", "eth0", "mtu", "1000");
    oneChanged(t, "link:" + web + ":eth0  (mtu 1000 -> 1500)", List.of(
        "~ link:" + web + ":eth0  (mtu 1000 -> 1500)",
        "+ address:" + web + ":eth0/fd00:60::10/64  (again, IPv6 back with the MTU)",
        "+ route:" + web + ":::/0  (again, IPv6 back with the MTU)",
        "~ sysctl:" + web + ":net.ipv6.conf.eth0.accept_ra  (1 -> 0, IPv6 back with the MTU)",
        "~ sysctl:" + web + ":net.ipv6.conf.eth0.accept_dad  (1 -> 0, IPv6 back with the MTU)"));
    assertTrue(Kernel.run("ip", "-n", web, "-6", "route", "show", "default").out().contains("via fd00:60::1 dev eth0"));
  }

  @Test
  void ipv6SwitchedOffByHandIsOneChangedSysctl() throws Exception {
    Runner.Target t = applied();
    String web = s + "-web";
    run("ip", "netns", "exec", web, "sysctl", "-qw", "net.ipv6.conf.eth0.disable_ipv6=1");
    oneChanged(t, "sysctl:" + web + ":net.ipv6.conf.eth0.disable_ipv6  (1 -> 0)", List.of(
        "+ address:" + web + ":eth0/fd00:60::10/64  (again, after the IPv6 of eth0 is switched on)",
        "+ route:" + web + ":::/0  (again, after the IPv6 of eth0 is switched on)",
        "~ sysctl:" + web + ":net.ipv6.conf.eth0.disable_ipv6  (1 -> 0)"));
    assertTrue(Kernel.run("ip", "-n", web, "-6", "route", "show", "default").out().contains("via fd00:60::1 dev eth0"));
  }

  @Test
  void ipv6SwitchedOffByHandOnABridgeIsOneChangedSysctl() throws Exception {
    // the kernel drops br-edge's IPv6 address and refuses it again ("IPv6 is disabled on this
    // device") until IPv6 is switched on: before, the plan only added the address, and apply
    // failed and rolled back every time
    Runner.Target t = applied();
    run("ip", "netns", "exec", s, "sysctl", "-qw", "net.ipv6.conf.br-edge.disable_ipv6=1");
    oneChanged(t, "sysctl:" + s + ":net.ipv6.conf.br-edge.disable_ipv6  (1 -> 0)", List.of(
        "+ address:" + s + ":br-edge/fd00:60::1/64  (again, after the IPv6 of br-edge is switched on)",
        "~ sysctl:" + s + ":net.ipv6.conf.br-edge.disable_ipv6  (1 -> 0)"));
    assertEquals("0", Kernel.run("ip", "netns", "exec", s, "sysctl", "-n", "net.ipv6.conf.br-edge.disable_ipv6").out().strip());
    assertTrue(Kernel.run("ip", "-n", s, "-o", "-6", "addr", "show", "dev", "br-edge").out().contains(" fd00:60::1/64 "));
  }

  @Test
  void aNetworkMadeDualStackGivesNewAddressesNoNote(@TempDir Path dir) throws Exception {
    // an IPv4-only network's members have their IPv6 switched off; made dual stack, the
    // network's IPv6 subnet and addresses are new, not made again: drift lists them
    String v4 = "topology t\nnetwork n {\n  subnet 10.77.0.0/24\n}\ncontainer a { attach n }\n";
    runner.apply(Kernel.target(dir, "v4.netc", v4, s));
    Runner.Target dual = Kernel.target(dir, "dual.netc", v4.replace("  subnet 10.77.0.0/24\n", "  subnet 10.77.0.0/24\n  subnet fd77::/64\n"), s);
    List<String> lines = runner.plan(dual).changes().stream().map(Change::line).toList();
    assertTrue(lines.contains("+ address:" + s + "-a:eth0/fd77::2/64"), lines.toString());
    assertTrue(lines.contains("~ sysctl:" + s + "-a:net.ipv6.conf.eth0.disable_ipv6  (1 -> 0)"), lines.toString());
    List<String> drift = runner.drift(dual).text().lines().toList();
    assertTrue(drift.contains("missing     address:" + s + "-a:eth0/fd77::2/64"), drift.toString());
    assertTrue(drift.contains("missing     address:" + s + ":br-n/fd77::1/64"), drift.toString());
  }
}
