package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's own plumbing changed by hand: an address of the uplink in {@code S} deleted or
 * added, the default route of {@code S-outside} deleted, routes of {@code S-outside} added through
 * the uplink without a gateway or with another metric. Each is drift (one {@code ~} line for
 * the device), apply sets it back in place, and {@code web} reaches {@code @outside} again.
 */
class SandboxPlumbingKernelTest extends SandboxTest {
  private boolean webReachesOutside() throws InterruptedException {
    for (int i = 0; i < 10; i++) {
      if (Kernel.run("ip", "netns", "exec", s + "-web", "ping", "-c1", "-W1", "198.18.0.2").ok()) {
        return true;
      }
      Thread.sleep(200);
    }
    return false;
  }

  private List<String> plan(Runner.Target t) {
    return runner.plan(t).changes().stream().map(Change::line).toList();
  }

  @Test
  void theUplinksAddressesAndTheOutsidesRoutesAreDriftThatApplyRepairs() throws Exception {
    Runner.Target t = Kernel.target(Kernel.compile("examples/webshop.netc"), s);
    runner.apply(t);
    assertTrue(runner.drift(t).inSync());
    assertTrue(webReachesOutside(), "web -> @outside");

    // S's address on the uplink deleted, another one added
    assertTrue(Kernel.run("ip", "-n", s, "address", "del", "198.18.0.1/30", "dev", "uplink").ok());
    assertFalse(runner.drift(t).inSync());
    assertEquals(List.of("~ link:" + s + ":uplink  (address 198.18.0.1/30 missing)"), plan(t));
    assertTrue(Kernel.run("ip", "-n", s, "address", "add", "10.99.0.1/24", "dev", "uplink").ok());
    assertEquals(List.of("~ link:" + s + ":uplink  (address 10.99.0.1/24 -> 198.18.0.1/30)"), plan(t));
    assertTrue(Kernel.run("ip", "-n", s, "address", "add", "10.98.0.1/24", "dev", "uplink").ok());
    assertEquals(List.of("~ link:" + s + ":uplink  (address 198.18.0.1/30 missing, address 10.98.0.1/24 unexpected,"
        + " address 10.99.0.1/24 unexpected)"), plan(t));
    runner.apply(t);
    assertEquals("uplink UP 198.18.0.1/30 2001:2::1/64", Kernel.run("ip", "-n", s, "-br", "-o", "address", "show", "dev",
        "uplink", "scope", "global").out().replaceAll("@\\S+", "").replaceAll("\\s+", " ").strip());
    assertTrue(plan(t).isEmpty(), () -> plan(t).toString());
    assertTrue(webReachesOutside(), "web -> @outside again");

    // S-outside's default routes deleted
    assertTrue(Kernel.run("ip", "-n", s + "-outside", "route", "del", "default").ok());
    assertTrue(Kernel.run("ip", "-n", s + "-outside", "-6", "route", "del", "default").ok());
    assertFalse(runner.drift(t).inSync());
    assertEquals(List.of("~ link:" + s + "-outside:uplink  (route 0.0.0.0/0 via 198.18.0.1 missing, route ::/0 via 2001:2::1 missing)"),
        plan(t));
    runner.apply(t);
    assertTrue(Kernel.run("ip", "-n", s + "-outside", "route", "show", "default").out().contains("via 198.18.0.1 dev uplink"));
    assertTrue(Kernel.run("ip", "-n", s + "-outside", "-6", "route", "show", "default").out().contains("via 2001:2::1 dev uplink"));
    assertTrue(runner.apply(t).plan().empty(), "a second apply: no changes");
    assertTrue(webReachesOutside(), "web -> @outside again");
  }
  @Test
  void ipv6SwitchedOffOnAnUplinkIsDriftThatApplyRepairs() throws Exception {
    // the kernel drops the uplink's IPv6 address (and S-outside's IPv6 default route) and refuses
    // it again ("IPv6 is disabled on this device") until IPv6 is switched on: before, the plan
    // only added the address, and apply failed and rolled back every time
    Runner.Target t = Kernel.target(Kernel.compile("examples/webshop.netc"), s);
    runner.apply(t);
    assertTrue(runner.drift(t).inSync());
    assertTrue(Kernel.run("ip", "netns", "exec", s, "sysctl", "-qw", "net.ipv6.conf.uplink.disable_ipv6=1").ok());
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-outside", "sysctl", "-qw", "net.ipv6.conf.uplink.disable_ipv6=1").ok());
    assertEquals(List.of("~ link:" + s + ":uplink  (disable_ipv6 1 -> 0, address 2001:2::1/64 missing)",
        "~ link:" + s + "-outside:uplink  (disable_ipv6 1 -> 0, address 2001:2::2/64 missing, route ::/0 via 2001:2::1 missing)"),
        plan(t));
    assertEquals(2, runner.apply(t).plan().changes().size());
    assertEquals("0", Kernel.run("ip", "netns", "exec", s, "sysctl", "-n", "net.ipv6.conf.uplink.disable_ipv6").out().strip());
    assertEquals("uplink UP 198.18.0.1/30 2001:2::1/64", Kernel.run("ip", "-n", s, "-br", "-o", "address", "show", "dev",
        "uplink", "scope", "global").out().replaceAll("@\\S+", "").replaceAll("\\s+", " ").strip());
    assertTrue(Kernel.run("ip", "-n", s + "-outside", "-6", "route", "show", "default").out().contains("via 2001:2::1 dev uplink"));
    assertTrue(runner.apply(t).plan().empty(), "a second apply: no changes");
    assertTrue(runner.drift(t).inSync());
  }

  @Test
  void routesOfTheOutsideWithoutAGatewayOrOfAnotherMetricAreDriftThatApplyRepairs() throws Exception {
    Runner.Target t = Kernel.target(Kernel.compile("examples/webshop.netc"), s);
    runner.apply(t);
    String outside = s + "-outside";
    // the kernel's own routes of the uplink (its subnets', fe80::/64) are no drift
    assertTrue(runner.drift(t).inSync(), () -> runner.drift(t).text());
    // S-outside sends to the back network on the link itself, and IPv4 by a second default route
    assertTrue(Kernel.run("ip", "-n", outside, "route", "add", "10.20.0.0/24", "dev", "uplink").ok());
    assertTrue(Kernel.run("ip", "-n", outside, "-6", "route", "add", "fd00:20::/64", "dev", "uplink", "metric", "7").ok());
    assertTrue(Kernel.run("ip", "-n", outside, "route", "add", "default", "via", "198.18.0.1", "dev", "uplink", "metric", "5").ok());
    // and a route of a TOS, which the kernel deletes only when told its TOS
    assertTrue(Kernel.run("ip", "-n", outside, "route", "add", "10.30.0.0/24", "via", "198.18.0.1", "dev", "uplink", "tos", "0x10").ok());
    assertEquals(List.of("~ link:" + outside + ":uplink  (route 0.0.0.0/0 via 198.18.0.1 metric 5 unexpected, "
        + "route 10.20.0.0/24 unexpected, route 10.30.0.0/24 tos 0x10 via 198.18.0.1 unexpected, route fd00:20::/64 metric 7 unexpected)"), plan(t));
    runner.apply(t);
    assertTrue(plan(t).isEmpty(), () -> plan(t).toString());
    assertEquals(List.of("default via 198.18.0.1 dev uplink", "198.18.0.0/30 dev uplink proto kernel scope link src 198.18.0.2"),
        Kernel.run("ip", "-n", outside, "route", "show").out().lines().map(String::strip).toList());
    assertEquals("", Kernel.run("ip", "-n", outside, "-6", "route", "show", "fd00:20::/64").out().strip());
    assertTrue(webReachesOutside(), "web -> @outside");
  }

  /**
   * Without promote_secondaries (the kernel's default), deleting a primary address takes the
   * secondaries of its subnet with it: two unexpected addresses of one subnet, and the wanted
   * address made a secondary of an unexpected one, are set right in one apply.
   */
  @Test
  void unexpectedAddressesOfOneSubnetAndAWantedSecondaryAreSetRight() throws Exception {
    Runner.Target t = Kernel.target(Kernel.compile("examples/webshop.netc"), s);
    runner.apply(t);
    assertTrue(Kernel.run("ip", "netns", "exec", s, "sysctl", "-qw", "net.ipv4.conf.uplink.promote_secondaries=0").ok());
    assertTrue(Kernel.run("ip", "-n", s, "address", "add", "10.97.0.1/24", "dev", "uplink").ok());
    assertTrue(Kernel.run("ip", "-n", s, "address", "add", "10.97.0.2/24", "dev", "uplink").ok());
    // 198.18.0.1/30 a secondary of 198.18.0.3/30
    assertTrue(Kernel.run("ip", "-n", s, "address", "del", "198.18.0.1/30", "dev", "uplink").ok());
    assertTrue(Kernel.run("ip", "-n", s, "address", "add", "198.18.0.3/30", "dev", "uplink").ok());
    assertTrue(Kernel.run("ip", "-n", s, "address", "add", "198.18.0.1/30", "dev", "uplink").ok());
    assertEquals(List.of("~ link:" + s + ":uplink  (address 10.97.0.1/24 unexpected, address 10.97.0.2/24 unexpected,"
        + " address 198.18.0.3/30 unexpected)"), plan(t));
    runner.apply(t);
    assertEquals("uplink UP 198.18.0.1/30 2001:2::1/64", Kernel.run("ip", "-n", s, "-br", "-o", "address", "show", "dev",
        "uplink", "scope", "global").out().replaceAll("@\\S+", "").replaceAll("\\s+", " ").strip());
    assertTrue(plan(t).isEmpty(), () -> plan(t).toString());
    assertTrue(webReachesOutside(), "web -> @outside");
  }

  /**
   * Routes without a gateway appended by hand beside the kernel's route of the uplink's subnet
   * and beside netc's default routes, IPv4 and IPv6: each deleted, and neither of those (before,
   * the IPv6 one's deletion, {@code route del ::/0 proto boot dev uplink}, took netc's default
   * route through {@code 2001:2::1}, the first the kernel found on the uplink, and left it).
   */
  @Test
  void routesAppendedBesideTheKernelsAndNetcsAreDeletedAndNotThem() throws Exception {
    Runner.Target t = Kernel.target(Kernel.compile("examples/webshop.netc"), s);
    runner.apply(t);
    String outside = s + "-outside";
    List<String> fresh = Kernel.run("ip", "-n", outside, "route", "show").out().lines().map(String::strip).toList();
    List<String> fresh6 = Kernel.run("ip", "-n", outside, "-6", "route", "show").out().lines().map(String::strip).toList();
    assertTrue(fresh6.contains("default via 2001:2::1 dev uplink metric 1024 pref medium"), fresh6::toString);
    assertTrue(Kernel.run("ip", "-n", outside, "route", "append", "198.18.0.0/30", "dev", "uplink", "proto", "static").ok());
    assertTrue(Kernel.run("ip", "-n", outside, "route", "append", "default", "dev", "uplink").ok());
    assertTrue(Kernel.run("ip", "-n", outside, "-6", "route", "append", "default", "dev", "uplink").ok());
    assertEquals(List.of("~ link:" + outside + ":uplink  (route 0.0.0.0/0 unexpected, route 198.18.0.0/30 proto static unexpected, "
        + "route ::/0 unexpected)"), plan(t));
    runner.apply(t);
    assertTrue(plan(t).isEmpty(), () -> plan(t).toString());
    assertEquals(fresh, Kernel.run("ip", "-n", outside, "route", "show").out().lines().map(String::strip).toList());
    assertEquals(fresh6, Kernel.run("ip", "-n", outside, "-6", "route", "show").out().lines().map(String::strip).toList());
    assertTrue(webReachesOutside(), "web -> @outside");
  }

  /**
   * The same routes appended by hand, then an apply that deletes them and fails (at the
   * kernel's rule it makes again in {@code web}): the rollback gives them back after netc's,
   * and {@code S-outside}'s routes are as before in both families (before, {@code route replace
   * ::/0 dev uplink} and {@code route replace 0.0.0.0/0 dev uplink} replaced netc's default
   * routes through {@code S}, the first of their destination, instead).
   */
  @Test
  void routesAppendedBesideNetcsAreGivenBackByARollbackAfterThem() throws Exception {
    Runner.Target t = Kernel.target(Kernel.compile("examples/webshop.netc"), s);
    runner.apply(t);
    String outside = s + "-outside";
    assertTrue(Kernel.run("ip", "-n", outside, "route", "append", "default", "dev", "uplink").ok());
    assertTrue(Kernel.run("ip", "-n", outside, "-6", "route", "append", "default", "dev", "uplink", "proto", "static").ok());
    assertTrue(Kernel.run("ip", "-n", s + "-web", "rule", "del", "pref", "32767").ok());
    List<String> show = List.of("route show table all", "-6 route show table all");
    List<String> before = new java.util.ArrayList<>();
    for (String what : show) {
      before.add(Kernel.run(("ip -n " + outside + " -j -d " + what).split(" ")).out());
    }
    CommandExecutor failing = Kernel.failingOnce((argv, stdin) -> stdin.contains("rule add pref 32767"));
    Runner broken = new Runner(failing, Runner.ETC_NETNS, stateDir, java.time.Duration.ofSeconds(5));
    RunnerException e = org.junit.jupiter.api.Assertions.assertThrows(RunnerException.class, () -> broken.apply(t));
    assertTrue(e.getMessage().contains("injected failure"), e.getMessage());
    assertTrue(e.getMessage().endsWith("rolled back, sandbox " + s + " is as before"), e.getMessage());
    for (int i = 0; i < show.size(); i++) {
      assertEquals(before.get(i), Kernel.run(("ip -n " + outside + " -j -d " + show.get(i)).split(" ")).out(), show.get(i));
    }
    runner.apply(t);
    assertTrue(plan(t).isEmpty(), () -> plan(t).toString());
    assertTrue(webReachesOutside(), "web -> @outside");
  }

  /**
   * Two topologies in one sandbox, one on several hosts (an underlay, and a route of S-outside
   * back to it) and one of one host: the one-host topology wants that route too, so neither
   * undoes the other.
   */
  @Test
  void aTopologyOfOneHostLeavesTheRouteBackToAnothersUnderlay(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    dev.netc.compiler.ir.Topology topology = Kernel.compile("examples/overlay.netc");
    dev.netc.backends.plan.DesiredState state = dev.netc.backends.plan.Planner.plan(topology, s).state().orElseThrow();
    List<Runner.Target> hosts = state.hosts().stream().map(h -> Targets.of(topology, state, h)).toList();
    runner.apply(hosts);
    Runner.Target shop = Kernel.target(dir, "solo.netc", "topology solo\nnetwork lan { subnet 10.90.0.0/24 }\n"
        + "container solo-a {\n  attach lan\n}\n", s);
    runner.apply(shop);
    assertTrue(runner.plan(shop).empty(), () -> runner.plan(shop).text());
    assertTrue(runner.plan(hosts).empty(), () -> runner.plan(hosts).text());
    assertTrue(Kernel.run("ip", "-n", s + "-outside", "route", "show", "192.168.56.0/24").out().contains("via 198.18.0.1"));
  }
}
