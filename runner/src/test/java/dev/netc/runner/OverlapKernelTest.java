package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network whose subnet overlaps one already in the sandbox (another topology's network, the
 * sandbox's uplink) is refused before any change, as Docker refuses a pool that overlaps: both
 * would be taken by the kernel, and one network's traffic would go to the other's bridge. A
 * network that overlaps nothing is applied beside it, and one already made is not checked again.
 */
class OverlapKernelTest extends SandboxTest {
  @TempDir Path dir;

  private static String topology(String name, String network, String subnet) {
    return "topology " + name + "\nnetwork " + network + " { subnet " + subnet + " }\ncontainer c-" + name + " {\n  attach "
        + network + "\n}\n";
  }

  @Test
  void aNetworkThatOverlapsOneAlreadyThereIsRefusedBeforeAnyChange() throws Exception {
    Runner.Target one = Kernel.target(dir, "one.netc", topology("one", "net1", "10.77.0.0/24"), s);
    runner.apply(one);
    Runner.Target two = Kernel.target(dir, "two.netc", topology("two", "net2", "10.77.0.0/16"), s);
    RunnerException e = assertThrows(RunnerException.class, () -> runner.apply(two));
    assertEquals("a network of topology two overlaps a network already in sandbox " + s + ": the subnet 10.77.0.0/16"
        + " of br-net2 overlaps 10.77.0.0/24 dev br-net1 (`netc:one:bridge:net1`); give the network a subnet that does"
        + " not overlap (in the topology, or in the lock file)", e.getMessage());
    assertTrue(!Kernel.run("ip", "-n", s, "link", "show", "br-net2").ok(), "nothing of two was made");
    // the sandbox's own uplink (198.18.0.0/30) is a network too
    Runner.Target three = Kernel.target(dir, "three.netc", topology("three", "net3", "198.18.0.0/24"), s);
    e = assertThrows(RunnerException.class, () -> runner.plan(three));
    assertTrue(e.getMessage().contains("the subnet 198.18.0.0/24 of br-net3 overlaps 198.18.0.0/30 dev uplink"), e.getMessage());
    // beside it, a network that overlaps nothing; and the first one, made already, is not checked again
    Runner.Target four = Kernel.target(dir, "four.netc", topology("four", "net4", "10.78.0.0/24"), s);
    runner.apply(four);
    assertTrue(runner.plan(one).empty(), () -> runner.plan(one).text());
    assertTrue(runner.plan(four).empty(), () -> runner.plan(four).text());
  }
  /**
   * The sandbox's own networks count before the apply that makes them: the uplink of a new
   * sandbox, and the underlay of a topology of several hosts made after a topology of one host
   * took its subnet.
   */
  @Test
  void theSandboxsOwnNetworksCountBeforeTheyAreMade() throws Exception {
    Runner.Target uplink = Kernel.target(dir, "u.netc", topology("u", "netu", "198.18.0.0/24"), s);
    RunnerException e = assertThrows(RunnerException.class, () -> runner.plan(uplink));
    assertTrue(e.getMessage().contains("the subnet 198.18.0.0/24 of br-netu overlaps 198.18.0.0/30 of the sandbox's uplink"),
        e.getMessage());
    runner.apply(Kernel.target(dir, "one.netc", topology("one", "net1", "192.168.56.0/24"), s));
    List<Runner.Target> overlay = Kernel.targets(Kernel.compile("examples/overlay.netc"), s);
    e = assertThrows(RunnerException.class, () -> runner.apply(overlay));
    assertTrue(e.getMessage().contains("the underlay 192.168.56.0/24 of the sandbox overlaps 192.168.56.0/24 dev br-net1"),
        e.getMessage());
    assertTrue(!Kernel.run("ip", "-n", s, "link", "show", "underlay").ok(), "no underlay made");
  }

  /**
   * In an {@code S} made by someone else, the uplink netc makes there takes 198.18.0.0/30 and
   * 2001:2::/64: a network of theirs over it is refused before any change (it was taken, and the
   * host's traffic to @outside went to their link); a route that drops a topology's subnet
   * (blackhole, prohibit) is a network already there too, named by its type, and a route through
   * a gateway is named with it.
   */
  @Test
  void inAnSOfSomeoneElseTheUplinkAndRoutesThatDropAreChecked() throws Exception {
    assertTrue(Kernel.run("ip", "netns", "add", s).ok());
    assertTrue(Kernel.run("ip", "-n", s, "link", "add", "ua", "type", "veth", "peer", "name", "ub").ok());
    assertTrue(Kernel.run("ip", "-n", s, "address", "add", "198.18.0.1/30", "dev", "ua").ok());
    Runner.Target t = Kernel.target(dir, "d.netc", topology("d", "netd", "10.79.0.0/24"), s);
    RunnerException e = assertThrows(RunnerException.class, () -> runner.apply(t));
    assertEquals("sandbox " + s + " cannot make its uplink to @outside, which takes 198.18.0.0/30 and 2001:2::/64 in every"
        + " sandbox: 198.18.0.0/30 overlaps 198.18.0.0/30 dev ua, already in " + s + "; remove that network from " + s
        + ", or use another sandbox", e.getMessage());
    assertEquals(List.of(s), Kernel.run("ip", "netns", "list").out().lines().map(l -> l.split(" ")[0])
        .filter(n -> n.startsWith(s)).toList(), "nothing made");
    assertTrue(Kernel.run("ip", "-n", s, "address", "flush", "dev", "ua").ok());
    assertTrue(Kernel.run("ip", "-n", s, "link", "set", "ua", "up").ok());
    assertTrue(Kernel.run("ip", "-n", s, "link", "set", "ub", "up").ok());
    assertTrue(Kernel.run("ip", "-n", s, "route", "add", "blackhole", "10.79.0.0/16").ok());
    assertTrue(Kernel.run("ip", "-n", s, "address", "add", "192.168.77.1/24", "dev", "ua").ok());
    assertTrue(Kernel.run("ip", "-n", s, "route", "add", "10.79.0.0/25", "via", "192.168.77.254").ok());
    e = assertThrows(RunnerException.class, () -> runner.plan(t));
    assertTrue(e.getMessage().contains("the subnet 10.79.0.0/24 of br-netd overlaps 10.79.0.0/16 blackhole"), e.getMessage());
    assertTrue(e.getMessage().contains("the subnet 10.79.0.0/24 of br-netd overlaps 10.79.0.0/25 via 192.168.77.254 dev ua"),
        e.getMessage());
  }

  /** An underlay in the subnet of the uplink of a sandbox not made yet is refused before any change. */
  @Test
  void anUnderlayOverTheUplinkOfANewSandboxIsRefused() throws Exception {
    List<Runner.Target> hosts = Kernel.targets(Kernel.compile(dir, "topology ul\nhost h1 { underlay 198.18.0.11 }\n"
        + "host h2 { underlay 198.18.0.12 }\nnetwork nu { subnet 10.43.0.0/24 }\ncontainer a {\n  on h1\n  attach nu\n}\n"
        + "container b {\n  on h2\n  attach nu\n}\n"), s);
    RunnerException e = assertThrows(RunnerException.class, () -> runner.apply(hosts));
    assertTrue(e.getMessage().contains("the underlay 198.18.0.0/24 of the sandbox overlaps 198.18.0.0/30 of the sandbox's uplink"),
        e.getMessage());
    assertTrue(!Kernel.run("ip", "netns", "list").out().contains(s), "nothing made");
  }
}
