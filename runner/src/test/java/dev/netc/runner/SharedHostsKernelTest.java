package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hosts of a sandbox over the life of the topologies that share them: two topologies whose
 * overlays would take one VNI on a shared host are refused before any change.
 */
@Timeout(180)
class SharedHostsKernelTest extends SandboxTest {
  @TempDir Path dir;

  /** A topology {@code NAME} of hosts h1, h2 (and h3, when {@code h3} is set) with an overlay {@code net-NAME}, one container per host. */
  private static String topology(String name, String subnet, String vni, boolean h3) {
    return "topology " + name + "\n"
        + "host h1 { underlay 192.168.78.11 }\nhost h2 { underlay 192.168.78.12 }\n"
        + (h3 ? "host h3 { underlay 192.168.78.13 }\n" : "")
        + "# netc:ignore NETC406 \"the sandbox underlay is a bridge of the test\"\n"
        + "network net-" + name + " {\n  driver overlay\n  subnet " + subnet + "\n" + vni + "}\n"
        + "container " + name + "1 {\n  on h1\n  attach net-" + name + "\n}\n"
        + "container " + name + "2 {\n  on h2\n  attach net-" + name + "\n}\n"
        + (h3 ? "container " + name + "3 {\n  on h3\n  attach net-" + name + "\n}\n" : "");
  }

  private List<Runner.Target> targets(String text) throws Exception {
    return Kernel.targets(Kernel.compile(dir, text), s);
  }

  private Set<String> namespaces() {
    Set<String> out = new TreeSet<>();
    for (String l : Kernel.run("ip", "netns", "list").out().split("\n")) {
      String n = l.split(" ")[0];
      if (n.equals(s) || n.startsWith(s + "-")) {
        out.add(n);
      }
    }
    return out;
  }

  /**
   * Two topologies that leave `vni` out both take 4096: the second is refused before any change,
   * naming the other's network, the VNI and the fix, not with the kernel's "A VXLAN device with
   * the specified VNI already exists"; given `vni`, both apply and carry traffic side by side.
   */
  @Test
  void overlaysOfTwoTopologiesOnSharedHostsTakingOneVniAreRefusedBeforeAnyChange() throws Exception {
    runner.apply(targets(topology("vna", "10.78.1.0/24", "", false)));
    Set<String> before = namespaces();
    List<Runner.Target> b = targets(topology("vnb", "10.78.2.0/24", "", false));
    String expected = "topology vnb cannot make its tunnels in sandbox " + s + ": overlay network net-vnb would take VNI 4096"
        + " (port 4789), which network net-vna of topology vna has on " + s + "-host_h1 and " + s + "-host_h2; the kernel"
        + " gives a VNI and port to one VXLAN device per host: set `vni` in one of them (`vni 4097` in"
        + " network net-vnb, say)";
    assertEquals(expected, assertThrows(RunnerException.class, () -> runner.plan(b)).getMessage());
    assertEquals(expected, assertThrows(RunnerException.class, () -> runner.apply(b)).getMessage());
    assertEquals(before, namespaces(), "nothing made");
    assertTrue(runner.plan(targets(topology("vna", "10.78.1.0/24", "", false))).empty());

    // another port is no clash for the kernel
    assertFalse(runner.plan(targets(topology("vnb", "10.78.2.0/24", "  port 4790\n", false))).empty());
    List<Runner.Target> given = targets(topology("vnb", "10.78.2.0/24", "  vni 4097\n", false));
    runner.apply(given);
    assertTrue(runner.plan(given).empty(), () -> runner.plan(given).text());
    assertTrue(runner.plan(targets(topology("vna", "10.78.1.0/24", "", false))).empty());
  }

}
