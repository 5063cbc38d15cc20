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
 * overlays would take one VNI on a shared host are refused before any change, and a host that
 * no topology applied in the sandbox has any more goes with its underlay (one another topology
 * still uses is kept).
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

  /**
   * A host dropped from a topology (its container moved to another host): plan and diff list its
   * namespace, apply removes it with its underlay port; a host another topology still has is kept
   * and said; a topology down to one host (played in S) takes the underlay with its last host.
   */
  @Test
  void aHostNoTopologyHasAnyMoreGoesWithItsUnderlay() throws Exception {
    runner.apply(targets(topology("dra", "10.78.1.0/24", "", true)));
    assertTrue(namespaces().contains(s + "-host_h3"));
    // h3 dropped, its container moved to h2
    List<Runner.Target> dropped = targets(topology("dra", "10.78.1.0/24", "", true)
        .replace("host h3 { underlay 192.168.78.13 }\n", "").replace("container dra3 {\n  on h3", "container dra3 {\n  on h2"));
    List<String> lines = runner.plan(dropped).changes().stream().map(Change::line).toList();
    assertTrue(lines.contains("- namespace:(host):" + s + "-host_h3  (host h3, with its underlay: no topology applied in sandbox "
        + s + " has it)"), lines::toString);
    assertTrue(runner.drift(dropped).text().contains("unexpected  namespace:(host):" + s + "-host_h3"));
    // the host goes last: an apply that fails before keeps it, with its underlay
    Runner failing = new Runner(new RecordingExecutor((argv, stdin) -> argv.contains(s + "-host_h3")
        && stdin.contains("link del vx-net-dra") ? new CommandExecutor.Result(1, "", "injected failure") : Kernel.EXEC.run(argv, stdin)),
        Runner.ETC_NETNS, stateDir, java.time.Duration.ofSeconds(5));
    RunnerException e = assertThrows(RunnerException.class, () -> failing.apply(dropped));
    assertTrue(e.getMessage().contains("injected failure; rolled back"), e.getMessage());
    assertTrue(Kernel.run("ip", "-n", s + "-host_h3", "address", "show", "dev", "underlay").out().contains(" 192.168.78.13/24 "),
        "h3 kept with its underlay address");
    runner.apply(dropped);
    assertFalse(namespaces().contains(s + "-host_h3"), namespaces()::toString);
    assertFalse(Kernel.run("ip", "-n", s, "link", "show", "ul-h3").ok(), "the underlay port of h3 gone");
    assertTrue(runner.plan(dropped).empty(), () -> runner.plan(dropped).text());
    assertTrue(runner.drift(dropped).inSync());

    // h2 dropped too while another topology has it: kept, and said
    runner.apply(targets(topology("drb", "10.78.2.0/24", "  vni 4200\n", false)));
    List<Runner.Target> one = targets("topology dra\nhost h1 { underlay 192.168.78.11 }\n"
        + "network net-dra {\n  subnet 10.78.1.0/24\n}\n"
        + "container dra1 {\n  attach net-dra\n}\ncontainer dra2 {\n  attach net-dra\n}\ncontainer dra3 {\n  attach net-dra\n}\n");
    Plan plan = runner.plan(one);
    assertTrue(plan.changes().stream().noneMatch(c -> c.id().kind() == dev.netc.backends.plan.ObjectId.Kind.NAMESPACE
        && c.id().name().contains("-host_")), plan::text);
    assertTrue(plan.notes().contains("kept " + s + "-host_h2 (host h2, no longer in topology dra): it still holds topology"
        + " drb's links or table"), plan.notes()::toString);
    runner.apply(one);
    assertTrue(namespaces().containsAll(List.of(s + "-host_h1", s + "-host_h2")), namespaces()::toString);
    assertTrue(runner.plan(one).empty(), () -> runner.plan(one).text());

    // the other topology destroyed: the hosts, the underlay and S-outside's route to it go with the next apply
    runner.destroy(targets(topology("drb", "10.78.2.0/24", "  vni 4200\n", false)));
    List<String> last = runner.plan(one).changes().stream().map(Change::line).toList();
    assertEquals(List.of("- link:" + s + ":underlay  (the sandbox's underlay, and the route of " + s + "-outside to it: no host is"
        + " left on it)",
        "- namespace:(host):" + s + "-host_h1  (host h1, with its underlay: no topology applied in sandbox " + s + " has it)",
        "- namespace:(host):" + s + "-host_h2  (host h2, with its underlay: no topology applied in sandbox " + s + " has it)"),
        last);
    runner.apply(one);
    assertEquals(Set.of(s, s + "-outside", s + "-dra1", s + "-dra2", s + "-dra3"), namespaces());
    assertFalse(Kernel.run("ip", "-n", s, "link", "show", "underlay").ok(), "the underlay bridge gone");
    assertFalse(Kernel.run("ip", "-n", s + "-outside", "route", "show").out().contains("192.168.78."),
        "S-outside's route to the underlay gone");
    assertTrue(runner.plan(one).empty(), () -> runner.plan(one).text());
    assertTrue(runner.drift(one).inSync());
  }
}
