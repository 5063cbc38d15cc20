package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.compiler.ir.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * IPv6 on a container's interface only where its network gives it an IPv6 address: an interface
 * of an IPv4-only network has none at all (no link-local address), as Docker does; a network
 * that gains or loses its IPv6 subnet switches its members' interfaces in place. Where IPv6 is
 * on, a router advertisement from another container changes nothing (dropped on the bridge,
 * and not taken by the interface).
 */
@Timeout(120)
class Ipv6SwitchKernelTest extends SandboxTest {
  private static final String V4 = "topology sw\n\nnetwork n {\n  subnet 10.77.0.0/24\n}\n\n"
      + "container a {\n  attach n\n}\n\ncontainer b {\n  attach n\n}\n";
  private static final String DUAL = V4.replace("  subnet 10.77.0.0/24\n", "  subnet 10.77.0.0/24\n  subnet fd77::/64\n");

  private static Topology compile(Path dir, String name, String text) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return new dev.netc.compiler.Compiler().compile(f).topology().orElseThrow();
  }

  /** The IPv6 addresses of {@code eth0} in an endpoint's namespace, scope and all. */
  private String inet6(String endpoint) {
    return Kernel.run("ip", "-n", s + "-" + endpoint, "-6", "-o", "address", "show", "dev", "eth0").out().strip();
  }

  @Test
  void anInterfaceOfAnIpv4OnlyNetworkHasNoIpv6AndANetworkThatGainsOrLosesItSwitchesInPlace(@TempDir Path dir)
      throws Exception {
    Runner.Target v4 = Kernel.target(compile(dir, "v4.netc", V4), s);
    Runner.Target dual = Kernel.target(compile(dir, "dual.netc", DUAL), s);
    runner.apply(v4);
    assertEquals("", inet6("a"), "no link-local address, nothing of IPv6");
    assertEquals("1", Kernel.run("ip", "netns", "exec", s + "-a", "cat", "/proc/sys/net/ipv6/conf/eth0/disable_ipv6").out().strip());
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-a", "ping", "-c1", "-W2", "10.77.0.3").ok(), "IPv4 works");
    assertTrue(runner.plan(v4).empty(), () -> runner.plan(v4).text());

    // switched on by hand: drift, repaired in place
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-b", "sysctl", "-qw", "net.ipv6.conf.eth0.disable_ipv6=0").ok());
    Plan drift = runner.plan(v4);
    assertEquals(List.of("~ sysctl:" + s + "-b:net.ipv6.conf.eth0.disable_ipv6  (0 -> 1)"), lines(drift), drift.text());
    runner.apply(v4);
    assertEquals("", inet6("b"));

    // the network gains an IPv6 subnet: on again before the addresses are added
    Plan gain = runner.plan(dual);
    assertTrue(lines(gain).contains("~ sysctl:" + s + "-a:net.ipv6.conf.eth0.disable_ipv6  (1 -> 0)"), gain.text());
    runner.apply(dual);
    assertTrue(inet6("a").contains("fd77::2/64 scope global"), inet6("a"));
    assertTrue(inet6("a").contains("scope link"), "the kernel's link-local address is back: " + inet6("a"));
    assertFalse(inet6("a").contains("tentative"), "no duplicate address detection (accept_dad=0): " + inet6("a"));
    assertEquals("", Kernel.run("ip", "-n", s, "-6", "-o", "address", "show", "dev", "ve-a-0").out().strip(),
        "the bridge port has no IPv6 address of its own (addrgenmode none)");
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-a", "ping", "-6", "-c1", "-W3", "fd77::3").ok(), "IPv6 works");
    assertTrue(runner.plan(dual).empty(), () -> runner.plan(dual).text());

    // and loses it: the addresses and routes go first, then IPv6 is switched off
    runner.apply(v4);
    assertEquals("", inet6("a"));
    assertTrue(runner.plan(v4).empty(), () -> runner.plan(v4).text());
    runner.destroy(v4);
    assertFalse(Kernel.run("ip", "netns", "exec", s + "-a", "true").ok(), "destroyed");
  }

  /**
   * A network that gains an IPv6 subnet while its IPv4 subnet moves: the members' MAC addresses
   * (made from their IPv4 addresses) change in place while their IPv6 is still off, so there is no
   * link-local address to replace then (an apply once failed on it, "IPv6 is disabled on this
   * device", and rolled back); the kernel makes the new one when IPv6 comes on.
   */
  @Test
  void aNetworkThatGainsIpv6AndMovesItsIpv4SubnetAtOnceConvergesInOneApply(@TempDir Path dir) throws Exception {
    Runner.Target v4 = Kernel.target(compile(dir, "v4.netc", V4), s);
    Runner.Target moved = Kernel.target(compile(dir, "moved.netc",
        V4.replace("  subnet 10.77.0.0/24\n", "  subnet 10.78.0.0/24\n  subnet fd78::/64\n")), s);
    runner.apply(v4);
    assertEquals("", inet6("a"));
    Plan change = runner.plan(moved);
    assertTrue(lines(change).contains("~ link:" + s + "-a:eth0  (address 02:42:0a:4d:00:02 -> 02:42:0a:4e:00:02)"),
        change.text());
    assertTrue(lines(change).contains("~ sysctl:" + s + "-a:net.ipv6.conf.eth0.disable_ipv6  (1 -> 0)"), change.text());
    runner.apply(moved);
    assertTrue(inet6("a").contains("fd78::2/64 scope global"), inet6("a"));
    String linkLocal = dev.netc.backends.nftables.PortFilter.linkLocal("02:42:0a:4e:00:02").toString();
    assertTrue(inet6("a").contains(linkLocal + "/64 scope link"),
        "the kernel's link-local address, of the new MAC address, which the port filter admits: " + inet6("a"));
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-a", "ping", "-6", "-c1", "-W3", "fd78::3").ok(), "IPv6 works");
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-a", "ping", "-c1", "-W2", "10.78.0.3").ok(), "IPv4 works");
    assertTrue(runner.plan(moved).empty(), () -> runner.plan(moved).text());
    runner.destroy(moved);
  }

  /**
   * A network whose MTU crosses IPv6's minimum of 1280 in place, losing or gaining its IPv6 subnet
   * with it (a network under 1280 bytes has none, NETC206): under 1280 a link has no IPv6 state,
   * so the IPv6 addresses and routes go before the MTU falls, and the bridge's IPv6 address comes
   * after it rises. Each apply once failed and rolled back, "IPv6 is disabled on this device" and
   * "Invalid argument".
   */
  @Test
  void aNetworkWhoseMtuCrossesIpv6sMinimumWithItsIpv6SubnetConvergesInOneApply(@TempDir Path dir) throws Exception {
    String small = V4.replace("  subnet 10.77.0.0/24\n", "  subnet 10.77.0.0/24\n  mtu 1200\n");
    Runner.Target v4 = Kernel.target(compile(dir, "small.netc", small), s);
    Runner.Target dual = Kernel.target(compile(dir, "dual.netc",
        small.replace("  mtu 1200\n", "  mtu 1400\n  subnet fd77::/64\n")), s);
    runner.apply(dual);
    assertTrue(inet6("a").contains("fd77::2/64 scope global"), inet6("a"));

    Plan down = runner.plan(v4);
    assertTrue(lines(down).contains("~ link:" + s + ":br-n  (mtu 1400 -> 1200)"), down.text());
    assertTrue(lines(down).contains("- address:" + s + ":br-n/fd77::1/64"), down.text());
    runner.apply(v4);
    assertEquals("", inet6("a"));
    assertEquals("", Kernel.run("ip", "-n", s, "-6", "-o", "address", "show", "dev", "br-n").out().strip());
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-a", "ping", "-c1", "-W2", "10.77.0.3").ok(), "IPv4 works");
    assertTrue(runner.plan(v4).empty(), () -> runner.plan(v4).text());

    Plan up = runner.plan(dual);
    assertTrue(lines(up).contains("+ address:" + s + ":br-n/fd77::1/64"), up.text());
    runner.apply(dual);
    assertTrue(Kernel.run("ip", "-n", s, "-6", "-o", "address", "show", "dev", "br-n").out().contains("fd77::1/64"));
    assertTrue(inet6("a").contains("fd77::2/64 scope global"), inet6("a"));
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-a", "ping", "-6", "-c1", "-W3", "fd77::1").ok(), "the gateway");
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-a", "ping", "-6", "-c1", "-W3", "fd77::3").ok(), "IPv6 works");
    assertTrue(runner.plan(dual).empty(), () -> runner.plan(dual).text());
    runner.destroy(dual);
  }

  @Test
  void aRouterAdvertisementFromAContainerChangesNothingInTheOthers(@TempDir Path dir) throws Exception {
    Runner.Target dual = Kernel.target(compile(dir, "dual.netc", DUAL), s);
    runner.apply(dual);
    assertEquals("0", Kernel.run("ip", "netns", "exec", s + "-b", "cat", "/proc/sys/net/ipv6/conf/eth0/accept_ra").out().strip());
    Path script = dir.resolve("ra.py");
    try (var in = Ipv6SwitchKernelTest.class.getResourceAsStream("router-advertisement.py")) {
      Files.copy(in, script);
    }
    // an advertisement comes from a link-local address: a's must be past duplicate address detection
    for (int i = 0; i < 100 && !Kernel.run("ip", "-n", s + "-a", "-6", "address", "show", "dev", "eth0", "scope", "link")
        .out().matches("(?s).*fe80::\\S+ scope link(?! tentative).*"); i++) {
      Thread.sleep(50);
    }
    assertFalse(inet6("a").contains("tentative"), inet6("a"));
    String routesBefore = Kernel.run("ip", "-n", s + "-b", "-6", "route").out();

    // each layer alone: first the table (b taking advertisements, set by hand), then b's accept_ra
    // (the tables flushed), then neither: the advertisement does reach b and is taken
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-b", "sysctl", "-qw", "net.ipv6.conf.eth0.accept_ra=1").ok());
    assertTrue(lines(runner.plan(dual)).contains("~ sysctl:" + s + "-b:net.ipv6.conf.eth0.accept_ra  (1 -> 0)"),
        runner.plan(dual).text());
    advertise(script);
    assertEquals(routesBefore, Kernel.run("ip", "-n", s + "-b", "-6", "route").out(), "dropped on a's port");
    assertFalse(inet6("b").contains("2001:db8:bad"), inet6("b"));

    runner.apply(dual);
    // the port's chain and forward (which drops link-local sources, an advertisement's) flushed
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "flush", "chain", "bridge", "netc_sw", "prerouting").ok());
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "flush", "chain", "inet", "netc_sw", "forward").ok());
    advertise(script);
    assertEquals(routesBefore, Kernel.run("ip", "-n", s + "-b", "-6", "route").out(), "not taken by b");
    assertFalse(inet6("b").contains("2001:db8:bad"), inet6("b"));

    assertTrue(Kernel.run("ip", "netns", "exec", s + "-b", "sysctl", "-qw", "net.ipv6.conf.eth0.accept_ra=1").ok());
    advertise(script);
    for (int i = 0; i < 50 && !Kernel.run("ip", "-n", s + "-b", "-6", "route").out().contains("proto ra"); i++) {
      Thread.sleep(50); // a busy machine
    }
    assertTrue(Kernel.run("ip", "-n", s + "-b", "-6", "route").out().contains("proto ra"),
        "the test's advertisement works: " + Kernel.run("ip", "-n", s + "-b", "-6", "route").out());
  }

  /** Three router advertisements from a's eth0 to all nodes, then time for b to take them. */
  private void advertise(Path script) throws InterruptedException {
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-a", "python3", script.toString(), "eth0").ok());
    Thread.sleep(500);
  }

  private static List<String> lines(Plan p) {
    return p.changes().stream().map(c -> c.action().symbol + " " + c.id() + (c.detail().isEmpty() ? "" : "  (" + c.detail() + ")")).toList();
  }
}
