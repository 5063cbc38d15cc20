package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.compiler.ir.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container's routes when the topology changes under them (root, a sandbox each): an address
 * replaced on the device of the default route (the kernel drops the route with the device's
 * last IPv4 address), a network left whose link carried the default route (the route goes with
 * the link), another gateway, the default route moving to another network, and a route changed
 * by hand. Each time apply exits without error, the plan after it is empty and the container's
 * routes are the ones a fresh apply makes.
 */
@Timeout(120)
class RouteChangesKernelTest extends SandboxTest {
  @TempDir Path dir;

  /** Container a of 10.1.0.10 on dual-stack network n has the routes of a fresh apply, the kernel's and netc's alone. */
  private void assertFreshRoutesOfA() throws Exception {
    assertEquals(List.of("default via 10.1.0.1 dev eth0", "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.10"),
        routes("a"));
    assertEquals(List.of("fd00:1::/64 dev eth0 proto kernel metric 256 pref medium",
        "fe80::/64 dev eth0 proto kernel metric 256 pref medium", "default via fd00:1::1 dev eth0 metric 1024 pref medium"),
        Kernel.run("ip", "-n", s + "-a", "-6", "route", "show").out().lines().map(String::strip).toList());
  }

  private Runner.Target target(String name, String source) throws Exception {
    Path file = dir.resolve(name + ".netc");
    Files.writeString(file, "topology t\n" + source);
    Topology t = new dev.netc.compiler.Compiler().compile(file).topology().orElseThrow();
    return Kernel.target(t, s);
  }

  /** Container a of 10.1.0.10 on dual-stack network n (10.1.0.0/24, fd00:1::/64), written to a1.netc. */
  private Runner.Target aOnDualStackN() throws Exception {
    return target("a1", "network n {\n  subnet 10.1.0.0/24\n  subnet fd00:1::/64\n}\ncontainer a { attach n { ip 10.1.0.10 } }\n");
  }

  private List<String> routes(String endpoint) {
    return Kernel.run("ip", "-n", s + "-" + endpoint, "route", "show").out().lines().map(String::strip).toList();
  }

  /**
   * Deletes the kernel's rule 32767 of endpoint {@code a} by hand and makes the apply that puts it
   * back fail there, after its deletions: the rollback leaves {@code ip -j -d route show table
   * all} of both families as it was.
   */
  private void aFailedApplyLeavesTheRoutesOfAAsTheyWere(Runner.Target t) {
    ipIn("a", "rule del pref 32767");
    aFailedApplyLeavesAAsItWas(t, List.of("route show table all", "-6 route show table all"));
  }

  /**
   * With the kernel's rule 32767 of endpoint {@code a} deleted by hand, makes the apply that puts
   * it back fail there, after its deletions: the rollback leaves {@code ip -j -d SHOW} of a as it
   * was, for each {@code SHOW} of {@code show}.
   */
  private void aFailedApplyLeavesAAsItWas(Runner.Target t, List<String> show) {
    List<String> before = show.stream().map(this::ipJsonOfA).toList();
    failsAndRollsBack(t, (argv, stdin) -> stdin.contains("rule add pref 32767"));
    for (int i = 0; i < show.size(); i++) {
      assertEquals(before.get(i), ipJsonOfA(show.get(i)), show.get(i));
    }
  }

  /** {@code ip -n S-a -j -d WHAT} ({@code what} split at spaces): its output. */
  private String ipJsonOfA(String what) {
    return Kernel.run(("ip -n " + s + "-a -j -d " + what).split(" ")).out();
  }

  /**
   * Applies {@code t} with a runner whose first command that {@code fails} picks fails: the apply
   * fails with the injected failure and says it rolled back.
   */
  private void failsAndRollsBack(Runner.Target t, java.util.function.BiPredicate<List<String>, String> fails) {
    Runner broken = failingOnce(fails);
    RunnerException e = org.junit.jupiter.api.Assertions.assertThrows(RunnerException.class, () -> broken.apply(t));
    assertTrue(e.getMessage().contains("injected failure"), e.getMessage());
    assertTrue(e.getMessage().endsWith("rolled back, sandbox " + s + " is as before"), e.getMessage());
  }

  /**
   * A runner whose executor does not say it reaches the kernel: every read and batch goes
   * through {@code ip} processes, as without root or JNA.
   */
  private Runner throughIp() {
    return new Runner(Kernel.throughProcesses(), Runner.ETC_NETNS, stateDir, java.time.Duration.ofSeconds(5));
  }

  /** Applies {@code after} over {@code before}: no error, nothing left to do, the routes {@code expected}. */
  private Plan change(Runner.Target before, Runner.Target after, List<String> expected) {
    runner.apply(before);
    Plan plan = runner.plan(after);
    runner.apply(after);
    assertTrue(runner.plan(after).empty(), () -> runner.plan(after).text());
    assertEquals(expected, routes("a"));
    return plan;
  }

  @Test
  void aStaticAddressChangedKeepsTheDefaultRoute() throws Exception {
    Plan plan = change(target("a1", "network n { subnet 10.1.0.0/24 }\ncontainer a { attach n { ip 10.1.0.10 } }\n"),
        target("a2", "network n { subnet 10.1.0.0/24 }\ncontainer a { attach n { ip 10.1.0.11 } }\n"),
        List.of("default via 10.1.0.1 dev eth0", "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.11"));
    assertTrue(plan.changes().stream().map(Change::line).toList()
        .contains("~ route:" + s + "-a:0.0.0.0/0  (again, after the address of eth0 is replaced)"), plan.text());
  }

  @Test
  void replicasRenumberingTheOthersKeepTheirDefaultRoutes() throws Exception {
    String a = "network n { subnet 10.1.0.0/24 }\ncontainer b { replicas %d; attach n }\ncontainer a { attach n }\n";
    change(target("r1", a.formatted(1)), target("r2", a.formatted(2)),
        List.of("default via 10.1.0.1 dev eth0", "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.4"));
    change(target("r2", a.formatted(2)), target("r1", a.formatted(1)),
        List.of("default via 10.1.0.1 dev eth0", "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.3"));
  }

  @Test
  void leavingTheNetworkOfTheDefaultRouteTakesTheRouteWithTheLink() throws Exception {
    String both = "network m { subnet 10.2.0.0/24; internal }\nnetwork n { subnet 10.1.0.0/24 }\n";
    change(target("b1", both + "container a { attach m; attach n }\n"), target("b2", both + "container a { attach m }\n"),
        List.of("10.2.0.0/24 dev eth0 proto kernel scope link src 10.2.0.2"));
  }

  @Test
  void anotherGatewayOrNetworkChangesTheRouteInPlace() throws Exception {
    Plan plan = change(target("c1", "network n { subnet 10.1.0.0/24 }\ncontainer a { attach n { ip 10.1.0.10 } }\n"),
        target("c2", "network n { subnet 10.1.0.0/24; gateway 10.1.0.254 }\ncontainer a { attach n { ip 10.1.0.10 } }\n"),
        List.of("default via 10.1.0.254 dev eth0", "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.10"));
    assertTrue(plan.changes().stream().map(Change::line).toList()
        .contains("~ route:" + s + "-a:0.0.0.0/0  (via 10.1.0.1 dev eth0 -> via 10.1.0.254 dev eth0)"), plan.text());
    runner.destroy(target("c2", "network n { subnet 10.1.0.0/24; gateway 10.1.0.254 }\ncontainer a { attach n { ip 10.1.0.10 } }\n"));

    // `internal` dropped from the first network: the default route moves to it
    String nets = "network m { subnet 10.2.0.0/24%s }\nnetwork n { subnet 10.1.0.0/24 }\ncontainer a { attach m; attach n }\n";
    change(target("g1", nets.formatted("; internal")), target("g2", nets.formatted("")),
        List.of("default via 10.2.0.1 dev eth0", "10.1.0.0/24 dev eth1 proto kernel scope link src 10.1.0.2",
            "10.2.0.0/24 dev eth0 proto kernel scope link src 10.2.0.2"));
  }

  @Test
  void aFailedApplyGivesAReplacedRouteItsGatewayBack() throws Exception {
    Runner.Target c1 = target("c1", "network n { subnet 10.1.0.0/24 }\ncontainer a { attach n { ip 10.1.0.10 } }\n"
        + "container b { attach n { ip 10.1.0.20 } }\n");
    Runner.Target c2 = target("c2", "network n { subnet 10.1.0.0/24; gateway 10.1.0.254 }\ncontainer a { attach n { ip 10.1.0.10 } }\n");
    runner.apply(c1);
    // the deletion of b (after the endpoints' configuration, which replaced a's route) fails
    RecordingExecutor failing = new RecordingExecutor((argv, stdin) -> argv.contains("-force") && stdin.contains("netns del")
        ? new CommandExecutor.Result(1, "", "injected failure") : Kernel.EXEC.run(argv, stdin));
    Runner broken = new Runner(failing, Runner.ETC_NETNS, stateDir, java.time.Duration.ofSeconds(5));
    RunnerException e = org.junit.jupiter.api.Assertions.assertThrows(RunnerException.class, () -> broken.apply(c2));
    assertTrue(e.getMessage().contains("injected failure"), e.getMessage());
    assertTrue(e.getMessage().endsWith("rolled back, sandbox " + s + " is as before"), e.getMessage());
    assertEquals("default via 10.1.0.1 dev eth0", routes("a").get(0), "the route's gateway is given back");
    // and what was deleted before the failure is made again: the bridge's old address (deleted
    // early, before its new one) and b's files (deleted just before its namespace)
    assertTrue(runner.plan(c1).empty(), () -> runner.plan(c1).text());
    assertTrue(Files.exists(Runner.ETC_NETNS.resolve(s + "-b").resolve("hosts")));
  }

  @Test
  void aFailedApplyGivesARouteMadeAgainAfterAReplacedAddressItsRouteBack() throws Exception {
    // a's address is replaced (its default route made again after it), then the apply fails at
    // b, whose folder under /etc/netns is taken: the rollback deletes a's new address, the last
    // one of eth0 (the kernel drops the default route with it), and adds the old one back
    Runner.Target a1 = target("a1", "network n { subnet 10.1.0.0/24 }\ncontainer a { attach n { ip 10.1.0.10 } }\n");
    Runner.Target a2 = target("a2", "network n { subnet 10.1.0.0/24 }\ncontainer a { attach n { ip 10.1.0.11 } }\n"
        + "container b { attach n { ip 10.1.0.20 } }\n");
    runner.apply(a1);
    Path taken = Runner.ETC_NETNS.resolve(s + "-b");
    Files.createDirectories(Runner.ETC_NETNS);
    Files.writeString(taken, "not a folder\n");
    try {
      assertTrue(runner.plan(a2).changes().stream().map(Change::line).toList()
          .contains("~ route:" + s + "-a:0.0.0.0/0  (again, after the address of eth0 is replaced)"), runner.plan(a2).text());
      RunnerException e = org.junit.jupiter.api.Assertions.assertThrows(RunnerException.class, () -> runner.apply(a2));
      assertTrue(e.getMessage().endsWith("is not a folder; rolled back, sandbox " + s + " is as before"), e.getMessage());
    } finally {
      Files.delete(taken);
    }
    assertEquals(List.of("default via 10.1.0.1 dev eth0", "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.10"),
        routes("a"));
    assertTrue(runner.plan(a1).empty(), () -> runner.plan(a1).text());
  }

  @Test
  void aMultipathRouteMadeByHandIsDriftRepairedAndGivenBackByARollback() throws Exception {
    String n = "network n { subnet 10.1.0.0/24 }\ncontainer a { attach n { ip 10.1.0.10 } }\n";
    Runner.Target a1 = target("a1", n);
    Runner.Target a2 = target("a2", n + "container b { attach n { ip 10.1.0.20 } }\n");
    runner.apply(a1);
    // netc's default route made multipath, and a multipath route beside it
    ipIn("a", "route replace default nexthop via 10.1.0.1 dev eth0 nexthop via 10.1.0.99 dev eth0 weight 2");
    ipIn("a", "route add 10.9.0.0/16 nexthop via 10.1.0.98 nexthop via 10.1.0.99");
    String a = s + "-a";
    assertEquals(List.of("changed     route:" + a + ":0.0.0.0/0  (nexthop via 10.1.0.1 dev eth0 nexthop weight 2 via 10.1.0.99 dev eth0 "
        + "-> via 10.1.0.1 dev eth0)", "unexpected  route:" + a + ":10.9.0.0/16"), unexpected(runner.drift(a1)), runner.drift(a1).text());
    List<String> routes = routes("a");
    // an apply that sets them back, then fails at b (its folder under /etc/netns taken): both given back
    Path taken = Runner.ETC_NETNS.resolve(s + "-b");
    Files.createDirectories(Runner.ETC_NETNS);
    Files.writeString(taken, "not a folder\n");
    try {
      RunnerException e = org.junit.jupiter.api.Assertions.assertThrows(RunnerException.class, () -> runner.apply(a2));
      assertTrue(e.getMessage().endsWith("is not a folder; rolled back, sandbox " + s + " is as before"), e.getMessage());
    } finally {
      Files.delete(taken);
    }
    assertEquals(routes, routes("a"));
    runner.apply(a1);
    assertTrue(runner.plan(a1).empty(), () -> runner.plan(a1).text());
    assertEquals(List.of("default via 10.1.0.1 dev eth0", "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.10"),
        routes("a"));
  }

  @Test
  void aRouteChangedByHandIsDriftAndRepaired() throws Exception {
    Runner.Target t = target("a1", "network n { subnet 10.1.0.0/24 }\ncontainer a { attach n { ip 10.1.0.10 } }\n");
    runner.apply(t);
    assertTrue(Kernel.run("ip", "-n", s + "-a", "route", "replace", "default", "via", "10.1.0.77", "dev", "eth0").ok());
    Drift drift = runner.drift(t);
    assertEquals(List.of("changed     route:" + s + "-a:0.0.0.0/0  (via 10.1.0.77 dev eth0 -> via 10.1.0.1 dev eth0)"),
        drift.text().lines().filter(l -> l.startsWith("changed")).toList(), drift.text());
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    assertEquals("default via 10.1.0.1 dev eth0", routes("a").get(0));
  }

  @Test
  void routesWithoutAGatewayAddedByHandAreUnexpectedAndDeleted() throws Exception {
    Runner.Target t = aOnDualStackN();
    runner.apply(t);
    // the kernel's own routes of a dual-stack interface (prefix routes, fe80::/64, ff00::/8 in
    // the local table) are no drift
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    String a = s + "-a";
    for (String[] r : List.of(new String[] {"blackhole", "10.21.0.0/25"}, new String[] {"10.99.0.0/16", "dev", "eth0"},
        new String[] {"unreachable", "10.22.0.0/16"}, new String[] {"-6", "prohibit", "fd00:9::/48"},
        new String[] {"-6", "blackhole", "::/0", "metric", "2000"})) {
      List<String> argv = new java.util.ArrayList<>(List.of("ip", "-n", a, "route", "add"));
      if (r[0].equals("-6")) {
        argv.add(3, "-6");
        argv.addAll(List.of(r).subList(1, r.length));
      } else {
        argv.addAll(List.of(r));
      }
      assertTrue(Kernel.run(argv.toArray(String[]::new)).ok(), argv::toString);
    }
    Drift drift = runner.drift(t);
    // (the IPv6 blackhole has another metric than the default route: a route of its own)
    assertEquals(List.of("unexpected  route:" + a + ":10.21.0.0/25", "unexpected  route:" + a + ":10.22.0.0/16",
        "unexpected  route:" + a + ":10.99.0.0/16", "unexpected  route:" + a + ":::/0 metric 2000",
        "unexpected  route:" + a + ":fd00:9::/48"),
        drift.text().lines().filter(l -> l.startsWith("unexpected")).toList(), drift.text());
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    assertEquals(List.of("default via 10.1.0.1 dev eth0", "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.10"),
        routes("a"));
    assertEquals("", Kernel.run("ip", "-n", a, "-6", "route", "show", "type", "prohibit").out().strip());
    assertEquals("", Kernel.run("ip", "-n", a, "-6", "route", "show", "type", "blackhole").out().strip());
  }

  /** Runs {@code ip -n S-ENDPOINT ARGS...} (split at spaces) and checks that it worked. */
  private void ipIn(String endpoint, String args) {
    List<String> argv = new java.util.ArrayList<>(List.of("ip", "-n", s + "-" + endpoint));
    argv.addAll(List.of(args.split(" ")));
    assertTrue(Kernel.run(argv.toArray(String[]::new)).ok(), argv::toString);
  }

  /**
   * A runner on the real kernel (it reads over netlink) whose first command that {@code fails}
   * picks fails ("injected failure"); every other runs.
   */
  private Runner failingOnce(java.util.function.BiPredicate<List<String>, String> fails) {
    return new Runner(Kernel.failingOnce(fails), Runner.ETC_NETNS, stateDir, java.time.Duration.ofSeconds(5));
  }

  private List<String> unexpected(Drift drift) {
    return drift.text().lines().filter(l -> !l.startsWith("Drift:") && !l.isEmpty()).toList();
  }

  @Test
  void rulesAndRoutesOfOtherTablesAddedByHandAreUnexpectedAndDeleted() throws Exception {
    Runner.Target t = aOnDualStackN();
    runner.apply(t);
    // the kernel's own rules (0, 32766, 32767 in IPv4; 0, 32766 in IPv6) and local table are no drift
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    // policy routing made by hand: the container's traffic from 10.0.0.0/8 and all its IPv6
    // traffic looked up in tables of their own
    ipIn("a", "rule add from 10.0.0.0/8 lookup 100");
    ipIn("a", "route add default via 10.1.0.99 table 100");
    ipIn("a", "-6 rule add from all lookup 200 pref 300");
    ipIn("a", "-6 route add blackhole default table 200");
    ipIn("a", "rule add to 10.6.0.0/16 fwmark 0x10/0xff prohibit pref 301");
    ipIn("a", "route add unreachable 10.9.0.0/16 table default");
    String a = s + "-a";
    assertEquals(List.of("unexpected  rule:" + a + ":-6 pref 300 from all lookup 200",
        "unexpected  rule:" + a + ":pref 301 from all to 10.6.0.0/16 fwmark 0x10/0xff prohibit",
        "unexpected  rule:" + a + ":pref 32765 from 10.0.0.0/8 lookup 100",
        "unexpected  route:" + a + ":0.0.0.0/0 table 100",
        "unexpected  route:" + a + ":10.9.0.0/16 table default",
        "unexpected  route:" + a + ":::/0 table 200"), unexpected(runner.drift(t)), runner.drift(t).text());
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    assertEquals("0: from all lookup local 32766: from all lookup main 32767: from all lookup default",
        Kernel.run("ip", "-n", a, "rule", "show").out().replaceAll("\\s+", " ").strip());
    assertEquals("0: from all lookup local 32766: from all lookup main",
        Kernel.run("ip", "-n", a, "-6", "rule", "show").out().replaceAll("\\s+", " ").strip());
    assertEquals(List.of(), Kernel.run("ip", "-n", a, "route", "show", "table", "all").out().lines()
        .filter(l -> l.contains(" table ") && !l.contains(" table local ")).toList());
    assertEquals(List.of("default via 10.1.0.1 dev eth0", "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.10"),
        routes("a"));
  }

  /**
   * The same without netlink (an executor that does not say it reaches the kernel: every read
   * and batch through {@code ip}, as without JNA): the rules made by hand, of both families, are
   * read through {@code ip rule show} and {@code ip -6 rule show}, unexpected, and deleted; a
   * kernel rule deleted by hand is missing and made again.
   */
  @Test
  void rulesAddedByHandAreSeenAndDeletedWithoutNetlink() throws Exception {
    Runner viaIp = throughIp();
    Runner.Target t = aOnDualStackN();
    viaIp.apply(t);
    assertTrue(viaIp.plan(t).empty(), () -> viaIp.plan(t).text());
    ipIn("a", "rule add from 10.0.0.0/8 lookup 100");
    ipIn("a", "-6 rule add from all lookup 200 pref 300");
    ipIn("a", "rule add to 10.6.0.0/16 fwmark 0x10/0xff prohibit pref 301");
    ipIn("a", "rule del pref 32767");
    String a = s + "-a";
    assertEquals(List.of("missing     rule:" + a + ":pref 32767 from all lookup default  (the kernel's own rule, deleted by hand)",
        "unexpected  rule:" + a + ":-6 pref 300 from all lookup 200",
        "unexpected  rule:" + a + ":pref 301 from all to 10.6.0.0/16 fwmark 0x10/0xff prohibit",
        "unexpected  rule:" + a + ":pref 32765 from 10.0.0.0/8 lookup 100"), unexpected(viaIp.drift(t)), viaIp.drift(t).text());
    // and read so by the runner that reads over netlink
    assertEquals(unexpected(runner.drift(t)), unexpected(viaIp.drift(t)));
    viaIp.apply(t);
    assertTrue(viaIp.plan(t).empty(), () -> viaIp.plan(t).text());
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    assertEquals("0: from all lookup local 32766: from all lookup main 32767: from all lookup default",
        Kernel.run("ip", "-n", a, "rule", "show").out().replaceAll("\\s+", " ").strip());
    assertEquals("0: from all lookup local 32766: from all lookup main",
        Kernel.run("ip", "-n", a, "-6", "rule", "show").out().replaceAll("\\s+", " ").strip());
  }

  /**
   * The kernel's own rules deleted by hand in an endpoint (without {@code pref 32766} it looks up
   * no table with a route out): missing, made again by apply, and deleted again by the rollback
   * of an apply that fails after making them.
   */
  @Test
  void theKernelsOwnRulesDeletedByHandAreMissingAndMadeAgain() throws Exception {
    Runner.Target t = aOnDualStackN();
    runner.apply(t);
    String a = s + "-a";
    String v4 = Kernel.run("ip", "-n", a, "rule", "show").out();
    String v6 = Kernel.run("ip", "-n", a, "-6", "rule", "show").out();
    ipIn("a", "rule del pref 32766");
    ipIn("a", "rule del pref 32767");
    ipIn("a", "-6 rule del pref 32766");
    assertTrue(Kernel.run("ip", "-n", a, "route", "get", "10.1.0.1").out().isEmpty(), "no table, no route");
    String why = "  (the kernel's own rule, deleted by hand)";
    List<String> missing = List.of("missing     rule:" + a + ":pref 32766 from all lookup main" + why,
        "missing     rule:" + a + ":pref 32767 from all lookup default" + why,
        "missing     rule:" + a + ":-6 pref 32766 from all lookup main" + why);
    assertEquals(missing, unexpected(runner.drift(t)), runner.drift(t).text());
    // an apply that fails after making the IPv4 ones (at the IPv6 one) deletes them again
    failsAndRollsBack(t, (argv, stdin) -> argv.contains("-6") && stdin.contains("rule add"));
    assertEquals(missing, unexpected(runner.drift(t)), runner.drift(t).text());
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    assertEquals(v4, Kernel.run("ip", "-n", a, "rule", "show").out());
    assertEquals(v6, Kernel.run("ip", "-n", a, "-6", "rule", "show").out());
    assertEquals("10.1.0.1 dev eth0 src 10.1.0.10 uid 0", Kernel.run("ip", "-n", a, "route", "get", "10.1.0.1").out()
        .lines().findFirst().orElse("").strip());
  }

  /**
   * Both of the kernel's own IPv6 rules deleted by hand in an endpoint (no IPv6 rule left: IPv6
   * routing broken there): missing, read over netlink and read through ip, and made again by
   * apply (before, a namespace without any IPv6 rule was taken for a kernel without IPv6 policy
   * routing, and they were no drift).
   */
  @Test
  void bothOfTheKernelsOwnIpv6RulesDeletedByHandAreMissingAndMadeAgain() throws Exception {
    Runner viaIp = throughIp();
    Runner.Target t = aOnDualStackN();
    String a = s + "-a";
    String why = "  (the kernel's own rule, deleted by hand)";
    List<String> missing = List.of("missing     rule:" + a + ":-6 pref 0 from all lookup local" + why,
        "missing     rule:" + a + ":-6 pref 32766 from all lookup main" + why);
    for (Runner r : List.of(runner, viaIp)) {
      r.apply(t);
      String v6 = Kernel.run("ip", "-n", a, "-6", "rule", "show").out();
      ipIn("a", "-6 rule del pref 0");
      ipIn("a", "-6 rule del pref 32766");
      assertEquals("", Kernel.run("ip", "-n", a, "-6", "rule", "show").out().strip());
      assertEquals(missing, unexpected(r.drift(t)), r.drift(t).text());
      r.apply(t);
      assertTrue(r.plan(t).empty(), () -> r.plan(t).text());
      assertEquals(v6, Kernel.run("ip", "-n", a, "-6", "rule", "show").out());
    }
  }

  /**
   * Read through ip on what looks like a kernel without IPv6 policy routing (every {@code ip -6
   * rule show} fails, in the batches and read alone): the IPv6 rules are unread, not missing, and
   * the plan is empty; the IPv4 rules are still read (a kernel rule deleted by hand is missing).
   */
  @Test
  void ipv6RulesThatCannotBeReadThroughIpAreNotMissing() throws Exception {
    CommandExecutor without6 = new CommandExecutor() {
      @Override
      public Result run(List<String> argv, String stdin) {
        if (argv.contains("-6") && stdin.equals("rule show\n")) {
          return new Result(2, "[", "RTNETLINK answers: Address family not supported by protocol\nDump terminated\n");
        }
        // (a batch file ip cannot open: the child fails, as ip -6 rule show would)
        return Kernel.EXEC.run(argv, stdin == null ? null : stdin.replaceAll("( ip -6 -N -j -d -batch )(\\S*read-6\\.batch)", "$1$2.none"));
      }

      @Override
      public int runAttached(List<String> argv) {
        return Kernel.EXEC.runAttached(argv);
      }

      @Override
      public int processes() {
        return Kernel.EXEC.processes();
      }
    };
    Runner viaIp = new Runner(without6, Runner.ETC_NETNS, stateDir, java.time.Duration.ofSeconds(5));
    Runner.Target t = aOnDualStackN();
    String a = s + "-a";
    runner.apply(t);
    assertTrue(viaIp.plan(t).empty(), () -> viaIp.plan(t).text());
    ipIn("a", "-6 rule del pref 32766");
    ipIn("a", "rule del pref 32767");
    assertEquals(List.of("missing     rule:" + a + ":pref 32767 from all lookup default  (the kernel's own rule, deleted by hand)"),
        unexpected(viaIp.drift(t)), viaIp.drift(t).text());
    viaIp.apply(t);
    assertTrue(viaIp.plan(t).empty(), () -> viaIp.plan(t).text());
    assertEquals(List.of("missing     rule:" + a + ":-6 pref 32766 from all lookup main  (the kernel's own rule, deleted by hand)"),
        unexpected(runner.drift(t)), runner.drift(t).text());
  }

  /**
   * Rules and routes made by hand with what else a route or rule can be made of (a protocol, a
   * preferred source, a scope, {@code onlink}, realms, metrics and their locks, an IPv6
   * preference) are deleted by an apply that then fails: the rollback makes them again with every
   * one of those, and {@code ip -j -d} shows the same routes and rules as before, attribute for
   * attribute (before, they came back with {@code ip}'s defaults: {@code proto boot}, no source,
   * no MTU).
   */
  @Test
  void aFailedApplyMakesTheRulesAndRoutesItDeletedAgainWithTheirAttributes() throws Exception {
    Runner.Target t = aOnDualStackN();
    runner.apply(t);
    String a = s + "-a";
    String v6 = Kernel.run("ip", "-n", a, "-6", "-j", "address", "show", "dev", "eth0", "scope", "global").out()
        .replaceAll("(?s).*\"local\":\"([0-9a-f:]+)\".*", "$1");
    assertTrue(v6.startsWith("fd00:1::"), v6);
    ipIn("a", "route add 10.9.0.0/16 via 10.1.0.98 dev eth0 proto static src 10.1.0.10 onlink realm 7 mtu lock 1400"
        + " window 1000 rtt 10ms rttvar 3ms advmss 1300 hoplimit 5 initcwnd 5 features ecn rto_min 30ms quickack 1"
        + " congctl lock cubic");
    ipIn("a", "route add 10.8.0.0/16 dev eth0 scope host proto 99 table 100 metric 5 initrwnd 7");
    ipIn("a", "route add blackhole 10.7.0.0/16 tos 0x08 realms 3/4 proto static");
    ipIn("a", "-6 route add fd00:9::/48 via fd00:1::1 dev eth0 pref high mtu 1300 proto static src " + v6 + " metric 7");
    ipIn("a", "-6 route add fd00:8::/48 dev eth0 proto 42 hoplimit 9 pref low");
    ipIn("a", "rule add from 10.0.0.0/8 lookup 100 protocol static pref 100");
    ipIn("a", "-6 rule add from fd00:1::/64 lookup 200 protocol 99 pref 200");
    // the failure: the kernel's rule deleted by hand is made again after the deletions, and that fails
    ipIn("a", "rule del pref 32767");
    List<String> drift = unexpected(runner.drift(t));
    assertEquals(8, drift.size(), drift::toString);
    String json = ipJsonOfA("route show table all");
    assertTrue(json.contains("\"prefsrc\":\"10.1.0.10\""), json);
    aFailedApplyLeavesAAsItWas(t, List.of("route show table all", "-6 route show table all", "rule show", "-6 rule show"));
    assertEquals(drift, unexpected(runner.drift(t)));
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
  }

  /**
   * Routes of one destination, TOS, table and metric appended by hand ({@code ip route append})
   * beside netc's default routes and beside each other, through other gateways, other devices or
   * of another type (in IPv6 those without a gateway: the kernel merges those through gateways
   * into one multipath route): each one is unexpected on its own, named by what it goes through;
   * an apply that fails after deleting them makes them all again, in their order; one apply
   * deletes them all and keeps netc's (before, they shared one identity: drift named one, each
   * apply deleted one, and in IPv6 the deletion of {@code default dev eth0} took netc's default
   * route, the first of that destination on eth0).
   */
  @Test
  void routesAppendedByHandAreEachUnexpectedAndDeletedInOneApply() throws Exception {
    Runner.Target t = aOnDualStackN();
    runner.apply(t);
    ipIn("a", "route append default via 10.1.0.99");
    ipIn("a", "route append default dev eth0");
    ipIn("a", "route append blackhole default");
    ipIn("a", "route add 10.9.0.0/16 via 10.1.0.98 proto static");
    ipIn("a", "route append 10.9.0.0/16 via 10.1.0.97 mtu 1400");
    ipIn("a", "route append 10.9.0.0/16 via 10.1.0.97 proto static");
    ipIn("a", "route append 10.9.0.0/16 dev eth0 src 10.1.0.10");
    ipIn("a", "-6 route append default dev eth0");
    ipIn("a", "-6 route append fd00:9::/48 dev eth0");
    ipIn("a", "-6 route append blackhole fd00:9::/48");
    String a = s + "-a";
    List<String> drift = List.of("unexpected  route:" + a + ":0.0.0.0/0 blackhole", "unexpected  route:" + a + ":0.0.0.0/0 dev eth0",
        "unexpected  route:" + a + ":0.0.0.0/0 via 10.1.0.99 dev eth0", "unexpected  route:" + a + ":10.9.0.0/16",
        "unexpected  route:" + a + ":10.9.0.0/16 dev eth0", "unexpected  route:" + a + ":10.9.0.0/16 proto static via 10.1.0.97 dev eth0",
        "unexpected  route:" + a + ":10.9.0.0/16 via 10.1.0.97 dev eth0", "unexpected  route:" + a + ":::/0 dev eth0",
        "unexpected  route:" + a + ":fd00:9::/48", "unexpected  route:" + a + ":fd00:9::/48 blackhole");
    assertEquals(drift, unexpected(runner.drift(t)), runner.drift(t).text());
    // an apply that fails after deleting them (at the kernel's rule it makes again) gives them back, in their order
    aFailedApplyLeavesTheRoutesOfAAsTheyWere(t);
    // one apply: in sync, and netc's default routes are the ones left
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    assertFreshRoutesOfA();
  }

  /**
   * A route through a gateway appended by hand after one without a gateway of the same identity
   * (IPv4 and IPv6): the one through the gateway keeps the identity, though the kernel lists it
   * second, and is deleted by its gateway; an apply that fails after deleting both makes them
   * again in their order (the first of the identity with {@code route append}, after the other);
   * one apply deletes both (before, {@code route del 10.9.0.0/16 proto 3} deleted the one without
   * a gateway, the next line found nothing, and every apply failed, its rollback too).
   */
  @Test
  void aRouteThroughAGatewayAppendedAfterOneWithoutIsDeletedByItsGateway() throws Exception {
    Runner.Target t = aOnDualStackN();
    runner.apply(t);
    ipIn("a", "route add 10.9.0.0/16 dev eth0");
    ipIn("a", "route append 10.9.0.0/16 via 10.1.0.99 dev eth0");
    ipIn("a", "-6 route add fd00:9::/48 dev eth0");
    ipIn("a", "-6 route append fd00:9::/48 via fd00:1::1 dev eth0");
    String a = s + "-a";
    assertEquals(List.of("unexpected  route:" + a + ":10.9.0.0/16", "unexpected  route:" + a + ":10.9.0.0/16 dev eth0",
        "unexpected  route:" + a + ":fd00:9::/48", "unexpected  route:" + a + ":fd00:9::/48 dev eth0"),
        unexpected(runner.drift(t)), runner.drift(t).text());
    aFailedApplyLeavesTheRoutesOfAAsTheyWere(t);
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    assertFreshRoutesOfA();
  }

  /**
   * Routes made by hand on nexthop objects ({@code ip nexthop add id 5 via 10.1.0.99 dev eth0},
   * {@code ip route add 10.9.0.0/16 nhid 5}; the kernel lists them with their nexthop's gateway
   * and device), alone, appended after a route of their identity, and appended beside netc's
   * default routes, IPv4 and IPv6: each deleted by its nexthop object ({@code route del
   * 10.9.0.0/16 proto 3 nhid 5}), an apply that fails after deleting them makes them again on
   * their nexthop objects ({@code ip -j -d route show table all} the same), one apply deletes
   * them all and keeps netc's default routes (before, {@code route del 10.9.0.0/16 proto 3 via
   * 10.1.0.99 dev eth0} found no route, the kernel matching a route on a nexthop object by no
   * gateway or device, and every apply failed and rolled back).
   */
  @Test
  void routesOnNexthopObjectsMadeByHandAreDeletedByTheirNexthop() throws Exception {
    Runner.Target t = aOnDualStackN();
    runner.apply(t);
    ipIn("a", "nexthop add id 5 via 10.1.0.99 dev eth0");
    ipIn("a", "nexthop add id 7 via 10.1.0.1 dev eth0");
    ipIn("a", "nexthop add id 6 via fd00:1::99 dev eth0");
    ipIn("a", "nexthop add id 8 via fd00:1::1 dev eth0");
    ipIn("a", "route add 10.9.0.0/16 nhid 5");
    ipIn("a", "route add 10.8.0.0/16 via 10.1.0.98 dev eth0");
    ipIn("a", "route append 10.8.0.0/16 nhid 5");
    ipIn("a", "route append default nhid 7");
    ipIn("a", "-6 route add fd00:9::/48 nhid 6");
    ipIn("a", "-6 route append default nhid 8");
    String a = s + "-a";
    assertEquals(List.of("unexpected  route:" + a + ":0.0.0.0/0 via 10.1.0.1 dev eth0",
        "unexpected  route:" + a + ":10.8.0.0/16", "unexpected  route:" + a + ":10.8.0.0/16 via 10.1.0.99 dev eth0",
        "unexpected  route:" + a + ":10.9.0.0/16", "unexpected  route:" + a + ":::/0 via fd00:1::1 dev eth0",
        "unexpected  route:" + a + ":fd00:9::/48"), unexpected(runner.drift(t)), runner.drift(t).text());
    String json = ipJsonOfA("route show table all");
    assertTrue(json.contains("\"nhid\":5"), json);
    aFailedApplyLeavesTheRoutesOfAAsTheyWere(t);
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    assertFreshRoutesOfA();
  }

  /**
   * Routes put by hand before netc's default route with {@code ip route prepend} (through another
   * gateway; through netc's gateway with an MTU; on a nexthop object through netc's gateway): netc's
   * route keeps its identity by what it is (the gateway and device the topology wants, made as netc
   * makes it), not by where the kernel lists it, and each one made by hand is unexpected, named
   * apart and deleted by a line of its own, read over netlink and read through ip; an apply that
   * fails after deleting them makes them again before netc's, in their order ({@code route
   * prepend}, the last first); one apply leaves {@code ip -j -d route show table all} as it was
   * before them (before, the first one the kernel listed took netc's identity, apply's {@code route
   * replace} of it failed with {@code File exists}, and every apply rolled back).
   */
  @Test
  void routesPrependedByHandBeforeNetcsAreDeletedAndNotNetcs() throws Exception {
    Runner viaIp = throughIp();
    Runner.Target t = aOnDualStackN();
    String a = s + "-a";
    for (Runner r : List.of(runner, viaIp)) {
      r.apply(t);
      String fresh = ipJsonOfA("route show table all");
      ipIn("a", "nexthop replace id 7 via 10.1.0.1 dev eth0");
      ipIn("a", "route prepend default nhid 7");
      ipIn("a", "route prepend default via 10.1.0.1 dev eth0 mtu 1400");
      ipIn("a", "route prepend default via 10.1.0.99 dev eth0");
      assertEquals(List.of("default via 10.1.0.99 dev eth0", "default via 10.1.0.1 dev eth0 mtu 1400",
          "default nhid 7 via 10.1.0.1 dev eth0", "default via 10.1.0.1 dev eth0"),
          routes("a").stream().filter(l -> l.startsWith("default")).toList());
      assertEquals(List.of("unexpected  route:" + a + ":0.0.0.0/0 proto boot via 10.1.0.1 dev eth0",
          "unexpected  route:" + a + ":0.0.0.0/0 via 10.1.0.1 dev eth0",
          "unexpected  route:" + a + ":0.0.0.0/0 via 10.1.0.99 dev eth0"), unexpected(r.drift(t)), r.drift(t).text());
      if (r == runner) {
        ipIn("a", "rule del pref 32767");
        aFailedApplyLeavesAAsItWas(t, List.of("route show table all"));
      }
      r.apply(t);
      assertTrue(r.plan(t).empty(), () -> r.plan(t).text());
      assertEquals(fresh, ipJsonOfA("route show table all"));
      assertFreshRoutesOfA();
    }
  }

  /**
   * IPv6 routes on nexthop objects made by hand before netc's default route (through another
   * gateway, and through netc's own; IPv6 lists a route after those of its destination and metric
   * made before it, so netc's route made again after them is listed last): netc's route keeps its
   * identity by what it is, the others are unexpected, named apart and deleted by their nexthop
   * objects, read over netlink and read through ip; one apply leaves {@code ip -j -d -6 route show
   * table all} as it was before them (before, the first one listed took netc's identity: drift
   * called netc's route unexpected and the one made by hand netc's, changed).
   */
  @Test
  void ipv6RoutesOnNexthopObjectsListedBeforeNetcsAreDeletedAndNotNetcs() throws Exception {
    Runner viaIp = throughIp();
    Runner.Target t = aOnDualStackN();
    String a = s + "-a";
    for (Runner r : List.of(runner, viaIp)) {
      r.apply(t);
      String fresh = ipJsonOfA("-6 route show table all");
      ipIn("a", "nexthop replace id 6 via fd00:1::99 dev eth0");
      ipIn("a", "nexthop replace id 8 via fd00:1::1 dev eth0");
      ipIn("a", "-6 route del default via fd00:1::1 dev eth0");
      ipIn("a", "-6 route add default nhid 6");
      ipIn("a", "-6 route append default nhid 8");
      ipIn("a", "-6 route append default via fd00:1::1 dev eth0");
      assertEquals(List.of("default nhid 6 via fd00:1::99 dev eth0 metric 1024 pref medium",
          "default nhid 8 via fd00:1::1 dev eth0 metric 1024 pref medium", "default via fd00:1::1 dev eth0 metric 1024 pref medium"),
          Kernel.run("ip", "-n", a, "-6", "route", "show", "default").out().lines().map(String::strip).toList());
      assertEquals(List.of("unexpected  route:" + a + ":::/0 via fd00:1::1 dev eth0",
          "unexpected  route:" + a + ":::/0 via fd00:1::99 dev eth0"), unexpected(r.drift(t)), r.drift(t).text());
      if (r == runner) {
        // an apply that fails after deleting them gives them back in the read's order, after
        // netc's route (IPv6 appends whatever the line says: no route prepend there)
        ipIn("a", "rule del pref 32767");
        failsAndRollsBack(t, (argv, stdin) -> stdin.contains("rule add pref 32767"));
        assertEquals(List.of("default via fd00:1::1 dev eth0 metric 1024 pref medium",
            "default nhid 6 via fd00:1::99 dev eth0 metric 1024 pref medium",
            "default nhid 8 via fd00:1::1 dev eth0 metric 1024 pref medium"),
            Kernel.run("ip", "-n", a, "-6", "route", "show", "default").out().lines().map(String::strip).toList());
      }
      r.apply(t);
      assertTrue(r.plan(t).empty(), () -> r.plan(t).text());
      assertEquals(fresh, ipJsonOfA("-6 route show table all"));
      assertFreshRoutesOfA();
    }
  }

  /**
   * Routes appended by hand through netc's gateway that differ from netc's default route only in
   * their attributes (a metric, a source, realms; the kernel keeps them apart), and two through
   * another gateway that differ only in their source: each named apart (by its protocol, then its
   * attributes), each deleted by its source and metrics and not netc's route, which the kernel
   * lists first (before, `route del 0.0.0.0/0 proto 3 via 10.1.0.1 dev eth0` deleted netc's route
   * and a fourth route of the gateway had no identity at all); an apply that fails after deleting
   * them gives them back as they were (rtt and rttvar of the kernel's values, realms over 255).
   */
  @Test
  void routesAppendedThroughNetcsGatewayWithOtherAttributesAreDeletedAndNotNetcs() throws Exception {
    Runner.Target t = aOnDualStackN();
    runner.apply(t);
    ipIn("a", "route append default via 10.1.0.1 dev eth0 mtu 1400");
    ipIn("a", "route append default via 10.1.0.1 dev eth0 src 10.1.0.10");
    ipIn("a", "route append default via 10.1.0.1 dev eth0 hoplimit 9");
    ipIn("a", "route append default via 10.1.0.1 dev eth0 rtt 100 rttvar 50");
    ipIn("a", "route append default via 10.1.0.1 dev eth0 rtt 101");
    ipIn("a", "route append default via 10.1.0.1 dev eth0 realms " + (3 << 16 | 700));
    ipIn("a", "route add 10.9.0.0/16 via 10.1.0.97 dev eth0 src 10.1.0.10");
    ipIn("a", "route append 10.9.0.0/16 via 10.1.0.97 dev eth0");
    String a = s + "-a";
    assertEquals(List.of("unexpected  route:" + a + ":0.0.0.0/0 proto boot hoplimit 9 via 10.1.0.1 dev eth0",
        "unexpected  route:" + a + ":0.0.0.0/0 proto boot realms 197308 via 10.1.0.1 dev eth0",
        "unexpected  route:" + a + ":0.0.0.0/0 proto boot rtt 100 rttvar 50 via 10.1.0.1 dev eth0",
        "unexpected  route:" + a + ":0.0.0.0/0 proto boot rtt 101 via 10.1.0.1 dev eth0",
        "unexpected  route:" + a + ":0.0.0.0/0 proto boot via 10.1.0.1 dev eth0",
        "unexpected  route:" + a + ":0.0.0.0/0 via 10.1.0.1 dev eth0", "unexpected  route:" + a + ":10.9.0.0/16",
        "unexpected  route:" + a + ":10.9.0.0/16 via 10.1.0.97 dev eth0"), unexpected(runner.drift(t)), runner.drift(t).text());
    ipIn("a", "rule del pref 32767");
    aFailedApplyLeavesAAsItWas(t, List.of("route show table all"));
    assertEquals(List.of("rtt 12ms rttvar 12ms", "rtt 12ms"), routes("a").stream().filter(r -> r.contains("rtt"))
        .map(r -> r.substring(r.indexOf("rtt")).strip()).toList());
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    assertFreshRoutesOfA();
  }

  /**
   * Routes appended by hand through netc's gateway that differ from netc's default route only in
   * an rtt given in milliseconds, an {@code rto_min} (which ip locks itself), one with a locked
   * MTU too, or a scope: each deleted by a line that matches it alone ({@code rtt 100ms}, {@code
   * rto_min 10ms}, {@code mtu lock 1400 rto_min 10ms}, {@code scope site}), netc's route kept,
   * read over netlink and read through ip (before, the line left them out and deleted netc's
   * route, listed first; the hand route took its identity and drift went quiet).
   */
  @Test
  void routesAppendedThroughNetcsGatewayWithAnRttOrRtoMinOrScopeAreDeletedAndNotNetcs() throws Exception {
    Runner viaIp = throughIp();
    Runner.Target t = aOnDualStackN();
    String a = s + "-a";
    for (Runner r : List.of(runner, viaIp)) {
      r.apply(t);
      ipIn("a", "route append default via 10.1.0.1 dev eth0 rtt 100ms");
      ipIn("a", "route append default via 10.1.0.1 dev eth0 rto_min 10ms");
      if (r == runner) {
        // (ip's read has no lock: with rto_min, which makes the kernel compare them, its line finds
        // no such route, and the apply fails and rolls back rather than delete netc's)
        ipIn("a", "route append default via 10.1.0.1 dev eth0 mtu lock 1400 rto_min 10ms");
      }
      ipIn("a", "route append default via 10.1.0.1 dev eth0 scope site");
      List<String> drift = new java.util.ArrayList<>(List.of(
          "unexpected  route:" + a + ":0.0.0.0/0 proto boot mtu lock 1400 rto_min 10ms via 10.1.0.1 dev eth0",
          "unexpected  route:" + a + ":0.0.0.0/0 proto boot scope site via 10.1.0.1 dev eth0",
          "unexpected  route:" + a + ":0.0.0.0/0 proto boot via 10.1.0.1 dev eth0",
          "unexpected  route:" + a + ":0.0.0.0/0 via 10.1.0.1 dev eth0"));
      if (r == viaIp) {
        drift.remove(0);
      }
      assertEquals(drift, unexpected(r.drift(t)), r.drift(t).text());
      if (r == runner) {
        ipIn("a", "rule del pref 32767");
        aFailedApplyLeavesAAsItWas(t, List.of("route show table all"));
      }
      r.apply(t);
      assertTrue(r.plan(t).empty(), () -> r.plan(t).text());
      assertFreshRoutesOfA();
    }
  }

  /**
   * Read through {@code ip} (whose JSON has no metric's lock): four routes appended through
   * netc's gateway, of one protocol and the same attributes as ip reads them, each named apart,
   * the fourth by a number (before, it had no identity: neither netc's nor unexpected, and left
   * there), all deleted by one apply, and netc's route kept.
   */
  @Test
  void routesAppendedThroughNetcsGatewayThatIpReadsAlikeEachHaveAnIdentity() throws Exception {
    Runner viaIp = throughIp();
    Runner.Target t = aOnDualStackN();
    viaIp.apply(t);
    ipIn("a", "route append default via 10.1.0.1 dev eth0 mtu 1400 hoplimit 9");
    ipIn("a", "route append default via 10.1.0.1 dev eth0 mtu lock 1400 hoplimit 9");
    ipIn("a", "route append default via 10.1.0.1 dev eth0 mtu 1400 hoplimit lock 9");
    ipIn("a", "route append default via 10.1.0.1 dev eth0 mtu lock 1400 hoplimit lock 9");
    String a = s + "-a";
    assertEquals(List.of("unexpected  route:" + a + ":0.0.0.0/0 proto boot #2 via 10.1.0.1 dev eth0",
        "unexpected  route:" + a + ":0.0.0.0/0 proto boot mtu 1400 hoplimit 9 via 10.1.0.1 dev eth0",
        "unexpected  route:" + a + ":0.0.0.0/0 proto boot via 10.1.0.1 dev eth0",
        "unexpected  route:" + a + ":0.0.0.0/0 via 10.1.0.1 dev eth0"), unexpected(viaIp.drift(t)), viaIp.drift(t).text());
    viaIp.apply(t);
    assertTrue(viaIp.plan(t).empty(), () -> viaIp.plan(t).text());
    assertFreshRoutesOfA();
  }

  /**
   * A route appended by hand after the kernel's prefix route of its subnet has the same identity
   * (destination, table, metric): its deletion names its protocol, so the kernel's route, which
   * comes first, is not the one deleted.
   */
  @Test
  void aRouteAppendedBesideTheKernelsPrefixRouteIsDeletedAndNotTheKernels() throws Exception {
    Runner.Target t = aOnDualStackN();
    runner.apply(t);
    ipIn("a", "route append 10.1.0.0/24 via 10.1.0.99");
    ipIn("a", "route append 10.1.0.0/24 dev eth0 proto static");
    ipIn("a", "-6 route append fd00:1::/64 via fd00:1::99 metric 256");
    String a = s + "-a";
    // (the second one through the device is a route of its own: one apply deletes both)
    assertEquals(List.of("unexpected  route:" + a + ":10.1.0.0/24", "unexpected  route:" + a + ":10.1.0.0/24 dev eth0",
        "unexpected  route:" + a + ":fd00:1::/64 metric 256"), unexpected(runner.drift(t)), runner.drift(t).text());
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    assertFreshRoutesOfA();
  }

  @Test
  void routesOfAnotherMetricAddedByHandAreUnexpectedAndDeletedAlone() throws Exception {
    Runner.Target t = aOnDualStackN();
    runner.apply(t);
    // beside the subnet's own route (the kernel's), the default route through the gateway (netc's),
    // and one IPv6 route of the default metric made by hand
    ipIn("a", "route add 10.1.0.0/24 dev eth0 metric 50");
    ipIn("a", "route add blackhole default metric 5");
    ipIn("a", "route add default via 10.1.0.99 metric 7");
    ipIn("a", "-6 route add default dev eth0 metric 5");
    ipIn("a", "-6 route add blackhole fd00:9::/48");
    ipIn("a", "-6 route add fd00:9::/48 dev eth0 metric 5");
    String a = s + "-a";
    assertEquals(List.of("unexpected  route:" + a + ":0.0.0.0/0 metric 5", "unexpected  route:" + a + ":0.0.0.0/0 metric 7",
        "unexpected  route:" + a + ":10.1.0.0/24 metric 50", "unexpected  route:" + a + ":::/0 metric 5",
        "unexpected  route:" + a + ":fd00:9::/48", "unexpected  route:" + a + ":fd00:9::/48 metric 5"),
        unexpected(runner.drift(t)), runner.drift(t).text());
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    // each deleted alone: the subnet's route and the default routes netc made are still there
    assertFreshRoutesOfA();
  }

  @Test
  void routesOfATosAddedByHandAreUnexpectedAndDeletedAlone() throws Exception {
    Runner.Target t = target("a1", "network n {\n  subnet 10.1.0.0/24\n}\n"
        + "container a { attach n { ip 10.1.0.10 } }\n");
    runner.apply(t);
    // beside netc's default route and a route made by hand, routes of the same destination of
    // a TOS: the kernel keys them by it, and `route del DST` deletes only the one without
    ipIn("a", "route add default via 10.1.0.99 tos 0x10");
    ipIn("a", "route add 10.9.0.0/16 via 10.1.0.98");
    ipIn("a", "route add blackhole 10.9.0.0/16 tos 0x08");
    ipIn("a", "route add 10.1.0.0/24 dev eth0 tos 0x04 metric 50");
    String a = s + "-a";
    assertEquals(List.of("unexpected  route:" + a + ":0.0.0.0/0 tos 0x10", "unexpected  route:" + a + ":10.1.0.0/24 tos 0x04 metric 50",
        "unexpected  route:" + a + ":10.9.0.0/16", "unexpected  route:" + a + ":10.9.0.0/16 tos 0x08"),
        unexpected(runner.drift(t)), runner.drift(t).text());
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    assertEquals(List.of("default via 10.1.0.1 dev eth0", "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.10"),
        routes("a"));
  }

  @Test
  void localAndBroadcastRoutesAddedByHandAreUnexpectedAndDeleted() throws Exception {
    Runner.Target t = aOnDualStackN();
    runner.apply(t);
    // the container takes another's address (10.1.0.20, fd00:1::20), or whole networks, as its
    // own: routes of the local table (where ip puts them) or another that the kernel did not make
    ipIn("a", "route add local 10.1.0.20 dev eth0");
    ipIn("a", "route add local 10.9.0.0/16 dev lo table 100");
    ipIn("a", "route add local 10.8.0.0/16 dev lo table main");
    ipIn("a", "route add broadcast 10.1.0.127 dev eth0");
    ipIn("a", "-6 route add local fd00:1::20 dev eth0");
    String a = s + "-a";
    assertEquals(List.of("unexpected  route:" + a + ":10.1.0.127/32 table local", "unexpected  route:" + a + ":10.1.0.20/32 table local",
        "unexpected  route:" + a + ":10.8.0.0/16", "unexpected  route:" + a + ":10.9.0.0/16 table 100",
        "unexpected  route:" + a + ":fd00:1::20/128 table local"),
        unexpected(runner.drift(t)), runner.drift(t).text());
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    // and the local table is the kernel's again: the container's own addresses
    assertEquals(List.of("local 10.1.0.10 dev eth0 proto kernel scope host src 10.1.0.10",
        "broadcast 10.1.0.255 dev eth0 proto kernel scope link src 10.1.0.10",
        "local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1", "local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1",
        "broadcast 127.255.255.255 dev lo proto kernel scope link src 127.0.0.1"),
        Kernel.run("ip", "-n", a, "route", "show", "table", "local").out().lines().map(String::strip).toList());
    assertEquals(List.of(), Kernel.run("ip", "-n", a, "-6", "route", "show", "table", "all").out().lines()
        .filter(l -> l.contains("fd00:1::20")).toList());
    assertEquals(List.of(), Kernel.run("ip", "-n", a, "route", "show", "table", "all").out().lines()
        .filter(l -> l.contains("10.8.0.0") || l.contains("10.9.0.0")).toList());
  }

  @Test
  void aFailedApplyMakesTheRulesAndRoutesItDeletedAgain() throws Exception {
    Runner.Target t = aOnDualStackN();
    runner.apply(t);
    ipIn("a", "rule add from 10.0.0.0/8 lookup 100");
    ipIn("a", "route add default via 10.1.0.99 table 100");
    ipIn("a", "route add 10.1.0.0/24 dev eth0 metric 50");
    ipIn("a", "route add blackhole 10.9.0.0/16 tos 0x08");
    ipIn("a", "route add local 10.1.0.20 dev eth0");
    ipIn("a", "-6 rule add from all lookup 200 pref 300");
    List<String> drift = unexpected(runner.drift(t));
    assertEquals(6, drift.size(), drift::toString);
    // the IPv4 rule and the routes are deleted, then the batch of the IPv6 rule fails (an
    // executor that reaches the kernel: the runner reads the rules over netlink)
    failsAndRollsBack(t, (argv, stdin) -> argv.contains("-6") && stdin.contains("rule del"));
    // made again as they were: the same drift
    assertEquals(drift, unexpected(runner.drift(t)));
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
  }
}
