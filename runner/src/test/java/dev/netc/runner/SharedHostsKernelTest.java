package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
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
    return Kernel.namespacesOf(s);
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


  /**
   * A Compose project publishing 8080:80 on every address and a topology publishing 8080 too in
   * one sandbox: the second is refused before any change, naming the port, the other topology and
   * a free port, not applied with its DNAT behind the first's (verify then found `model admits,
   * kernel denies`); published on two loopback addresses, both apply.
   */
  @Test
  void twoTopologiesPublishingOneHostPortAreRefusedBeforeAnyChange() throws Exception {
    Runner.Target a = Kernel.target(dir, "compose.yaml", "name: pa\nservices:\n  nginx:\n    image: nginx\n    ports:\n"
        + "      - \"8080:80\"\n", s);
    runner.apply(List.of(a));
    Set<String> before = namespaces();
    String b = "topology pb\nnetwork lan {\n  subnet 10.79.2.0/24\n}\ncontainer web {\n  attach lan\n  publish PORT -> 80/tcp\n}\n";
    List<Runner.Target> clash = List.of(Kernel.target(dir, "b.netc", b.replace("PORT", "8080"), s));
    String expected = "topology pb cannot publish its ports in sandbox " + s + ": host port 8080/tcp on every IPv4 address (web "
        + dir.resolve("b.netc") + ":7) is topology pa's on every IPv4 address (nginx " + dir.resolve("compose.yaml")
        + ":6) in " + s + "; a host port forwards to one container, the first table's DNAT takes it: take another host"
        + " port (8081 for 8080/tcp, say), or destroy topology pa there first";
    assertEquals(expected, assertThrows(RunnerException.class, () -> runner.plan(clash)).getMessage());
    assertEquals(expected, assertThrows(RunnerException.class, () -> runner.apply(clash)).getMessage());
    assertEquals(before, namespaces(), "nothing made");
    assertFalse(Kernel.run("nft", "list", "tables").out().contains("netc_pb") || Kernel.run("ip", "netns", "exec", s, "nft",
        "list", "tables").out().contains("netc_pb"), "no table of pb");
    assertTrue(runner.plan(List.of(a)).empty());

    // another port applies beside it
    List<Runner.Target> other = List.of(Kernel.target(dir, "b.netc", b.replace("PORT", "8081"), s));
    runner.apply(other);
    assertTrue(runner.plan(other).empty(), () -> runner.plan(other).text());
    assertTrue(runner.plan(List.of(a)).empty());
  }

  /** Two topologies publishing one port on two loopback addresses both apply: other addresses are no clash. */
  @Test
  void twoTopologiesPublishingOnePortOnTwoAddressesBothApply() throws Exception {
    String text = "topology NAME\nnetwork lan-NAME {\n  subnet SUBNET\n}\ncontainer web-NAME {\n  attach lan-NAME\n"
        + "  publish ADDRESS:8080 -> 80/tcp\n}\n";
    List<Runner.Target> a = List.of(Kernel.target(dir, "a.netc", text.replace("NAME", "pa").replace("SUBNET", "10.79.1.0/24")
        .replace("ADDRESS", "127.0.0.1"), s));
    List<Runner.Target> b = List.of(Kernel.target(dir, "b.netc", text.replace("NAME", "pb").replace("SUBNET", "10.79.2.0/24")
        .replace("ADDRESS", "127.0.0.2"), s));
    runner.apply(a);
    runner.apply(b);
    assertTrue(runner.plan(a).empty(), () -> runner.plan(a).text());
    assertTrue(runner.plan(b).empty(), () -> runner.plan(b).text());
    // and the same address is refused, both ways
    List<Runner.Target> c = List.of(Kernel.target(dir, "c.netc", text.replace("NAME", "pc").replace("SUBNET", "10.79.3.0/24")
        .replace("ADDRESS", "127.0.0.2"), s));
    assertEquals("topology pc cannot publish its ports in sandbox " + s + ": host port 8080/tcp on 127.0.0.2 (web-pc "
        + dir.resolve("c.netc") + ":7) is topology pb's on 127.0.0.2 (web-pb " + dir.resolve("b.netc") + ":7) in " + s
        + "; a host port forwards to one container, the first table's DNAT takes it: take another host port (8081 for"
        + " 8080/tcp, say), or destroy topology pb there first",
        assertThrows(RunnerException.class, () -> runner.apply(c)).getMessage());
  }
}
