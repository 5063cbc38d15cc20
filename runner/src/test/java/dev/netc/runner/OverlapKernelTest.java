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
