package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host of a topology of several hosts given another underlay address: the sandbox's underlay
 * device of that host namespace gets it in place (plan and diff show it), the tunnel follows,
 * and the containers on both hosts reach each other through it again; an apply that fails
 * after the change gives the old address back.
 */
@Timeout(180)
class UnderlayChangeKernelTest extends SandboxTest {
  @TempDir Path dir;

  private List<Runner.Target> targets(String text) throws Exception {
    return Kernel.targets(Kernel.compile(dir, text), s);
  }


  private String underlay(String host) {
    return Kernel.run("ip", "-n", s + "-host_" + host, "-br", "address", "show", "dev", "underlay").out()
        .replaceAll("\\s+", " ").strip();
  }

  @Test
  void aHostGivenAnotherUnderlayAddressGetsItInPlace() throws Exception {
    String text = String.format(DriversKernelTest.OVERLAY, "");
    List<Runner.Target> before = targets(text);
    runner.apply(before);
    assertTrue(underlay("h2").contains(" 192.168.77.12/24 "), underlay("h2"));

    List<Runner.Target> moved = targets(text.replace("underlay 192.168.77.12", "underlay 192.168.77.22"));
    List<String> lines = runner.plan(moved).changes().stream().map(Change::line).toList();
    assertTrue(lines.contains("~ link:" + s + "-host_h2:underlay  (address 192.168.77.12/24 -> 192.168.77.22/24)"),
        lines::toString);
    assertTrue(lines.stream().noneMatch(l -> l.contains(":underlay ") && !l.contains("host_h2")), lines::toString);
    // an apply that fails after the address changed gives it back
    Runner failing = new Runner(new RecordingExecutor((argv, stdin) -> argv.contains(s + "-host_h2")
        && stdin.contains("link del vx-mesh") ? new CommandExecutor.Result(1, "", "injected failure") : Kernel.EXEC.run(argv, stdin)),
        Runner.ETC_NETNS, stateDir, java.time.Duration.ofSeconds(5));
    RunnerException e = org.junit.jupiter.api.Assertions.assertThrows(RunnerException.class, () -> failing.apply(moved));
    assertTrue(e.getMessage().endsWith("injected failure; rolled back, sandbox " + s + " is as before"), e.getMessage());
    assertTrue(underlay("h2").contains(" 192.168.77.12/24 ") && !underlay("h2").contains("192.168.77.22"), underlay("h2"));
    assertTrue(runner.plan(before).empty(), () -> runner.plan(before).text());

    runner.apply(moved);
    assertTrue(underlay("h2").contains(" 192.168.77.22/24 ") && !underlay("h2").contains("192.168.77.12"), underlay("h2"));
    assertTrue(Kernel.run("ip", "-n", s + "-host_h2", "route", "show", "default").out().contains("dev underlay"),
        "h2's default route through S");
    assertTrue(runner.apply(moved).plan().empty(), "a second apply: no changes");
    assertTrue(runner.drift(moved).inSync());

    // the tunnel carries traffic between the hosts on the new address, both ways
    List<Process> listeners = new ArrayList<>();
    try {
      listeners.add(Kernel.listen(s + "-a1", 8080));
      listeners.add(Kernel.listen(s + "-b1", 8080));
      assertTrue(Kernel.connectsWithin(s + "-b1", "a1", 8080, 5), "b1 on h2 -> a1 on h1");
      assertTrue(Kernel.connectsWithin(s + "-a1", "b1", 8080, 5), "a1 on h1 -> b1 on h2");
    } finally {
      Kernel.stop(listeners);
    }

    // and back
    assertEquals(List.of("~ link:" + s + "-host_h2:underlay  (address 192.168.77.22/24 -> 192.168.77.12/24)"),
        runner.plan(before).changes().stream().map(Change::line).filter(l -> l.contains(":underlay ")).toList());
  }
  /**
   * The sandbox's underlay cut by hand: a host's port deleted (its device `underlay` goes with
   * it), then the bridge: diff reports each, apply makes them again (the port with the host's
   * address and route, the bridge with every port on it and the route of S-outside kept), an
   * apply that fails after that leaves them as they were, and the hosts reach each other again.
   * (Before: the port was not seen, and apply failed for ever on `Cannot find device
   * "underlay"`; the bridge came back without its ports, S-outside's route deleted by one apply
   * and made by the next.)
   */
  @Test
  void anUnderlayCutByHandIsReportedAndMadeAgain() throws Exception {
    String text = String.format(DriversKernelTest.OVERLAY, "");
    List<Runner.Target> ts = targets(text);
    runner.apply(ts);
    assertTrue(Kernel.run("ip", "-n", s, "link", "del", "ul-h2").ok());
    assertEquals(List.of("+ link:" + s + ":ul-h2  (underlay port of host h2, 192.168.77.12/24)"),
        runner.plan(ts).changes().stream().map(Change::line).filter(l -> l.contains(":ul-")).toList());
    assertTrue(runner.drift(ts).count(Drift.State.MISSING) > 0);
    Runner failing = new Runner(new RecordingExecutor((argv, stdin) -> argv.contains(s + "-host_h2")
        && stdin.contains("link add vx-mesh") ? new CommandExecutor.Result(1, "", "injected failure") : Kernel.EXEC.run(argv, stdin)),
        Runner.ETC_NETNS, stateDir, java.time.Duration.ofSeconds(5));
    RunnerException e = org.junit.jupiter.api.Assertions.assertThrows(RunnerException.class, () -> failing.apply(ts));
    assertTrue(e.getMessage().endsWith("injected failure; rolled back, sandbox " + s + " is as before"), e.getMessage());
    assertTrue(underlay("h2").isEmpty(), "the rollback took the port made again away: " + underlay("h2"));
    runner.apply(ts);
    assertTrue(underlay("h2").contains(" 192.168.77.12/24 "), underlay("h2"));
    assertTrue(runner.plan(ts).empty(), () -> runner.plan(ts).text());

    String outsideRoutes = Kernel.run("ip", "-n", s + "-outside", "route", "show").out();
    assertTrue(Kernel.run("ip", "-n", s, "link", "del", "underlay").ok());
    assertEquals(List.of("+ link:" + s + ":underlay  (the sandbox's underlay bridge, with the hosts' ports)"),
        runner.plan(ts).changes().stream().map(Change::line).toList());
    runner.apply(ts);
    assertTrue(runner.plan(ts).empty(), () -> runner.plan(ts).text());
    assertEquals(outsideRoutes, Kernel.run("ip", "-n", s + "-outside", "route", "show").out());
    String ports = Kernel.run("ip", "-n", s, "-br", "link", "show", "master", "underlay").out();
    assertTrue(ports.contains("ul-h1") && ports.contains("ul-h2"), ports);
    // a port taken off the bridge alone (as the bridge made again by another topology's apply
    // leaves the ports of this one's hosts): told, and put back
    assertTrue(Kernel.run("ip", "-n", s, "link", "set", "ul-h2", "nomaster").ok());
    assertEquals(List.of("~ link:" + s + ":ul-h2  (master none -> underlay)"),
        runner.plan(ts).changes().stream().map(Change::line).toList());
    runner.apply(ts);
    assertTrue(Kernel.run("ip", "-n", s, "-br", "link", "show", "master", "underlay").out().contains("ul-h2"));
    assertTrue(runner.plan(ts).empty(), () -> runner.plan(ts).text());

    List<Process> listeners = new ArrayList<>();
    try {
      listeners.add(Kernel.listen(s + "-a1", 8080));
      assertTrue(Kernel.connectsWithin(s + "-b1", "a1", 8080, 5), "b1 on h2 -> a1 on h1 over the underlay");
    } finally {
      Kernel.stop(listeners);
    }
  }

  /**
   * A host renamed with its underlay address kept (`h2` now `h3`) is refused before any change:
   * the namespace of h2 would stay on the underlay with that address beside h3's, and h1's tunnel
   * would reach the old one (plan and diff then in sync, the cells across hosts cut).
   */
  @Test
  void aHostRenamedOnTheAddressOfAHostNamespaceStillThereIsRefused() throws Exception {
    String text = String.format(DriversKernelTest.OVERLAY, "");
    List<Runner.Target> before = targets(text);
    runner.apply(before);
    List<Runner.Target> renamed = targets(text.replace("host h2 {", "host h3 {").replace("on h2", "on h3"));
    RunnerException e = org.junit.jupiter.api.Assertions.assertThrows(RunnerException.class, () -> runner.apply(renamed));
    assertEquals("host h3's underlay address 192.168.77.12 is held by " + s + "-host_h2, the namespace of a host that"
        + " topology ovk does not have (a host renamed?) or another topology's: `netc destroy` the topology that made it,"
        + " or delete the namespace when nothing is left in it (`ip netns del " + s + "-host_h2`), or give h3 another"
        + " underlay address", e.getMessage());
    assertTrue(runner.plan(before).empty(), () -> runner.plan(before).text());
    // destroyed and applied again, it holds
    runner.destroy(before);
    runner.apply(renamed);
    assertTrue(runner.plan(renamed).empty(), () -> runner.plan(renamed).text());
  }

  /**
   * A second topology that puts a host of the first on another underlay address is refused
   * before any change: the underlay is shared, and each apply would undo the other's.
   */
  @Test
  void aTopologyThatWouldMoveAnothersHostOnTheUnderlayIsRefused() throws Exception {
    runner.apply(Kernel.targets(Kernel.compile("examples/overlay.netc"), s));
    List<Runner.Target> other = targets("topology mhx\nhost h1 { underlay 192.168.56.21 }\nhost h3 { underlay 192.168.56.13 }\n"
        + "network bx { subnet 10.41.0.0/24 }\ncontainer x1 {\n  on h1\n  attach bx\n}\ncontainer x3 {\n  on h3\n  attach bx\n}\n");
    RunnerException e = org.junit.jupiter.api.Assertions.assertThrows(RunnerException.class, () -> runner.apply(other));
    assertEquals("topology mhx would change " + s + "-host_h1's underlay (address 192.168.56.11/24 -> 192.168.56.21/24), which"
        + " topology overlay uses too in sandbox " + s + ": topologies that share a host must give it one underlay address,"
        + " and one subnet", e.getMessage());
    assertEquals(underlay("h1").contains("192.168.56.11/24"), true, underlay("h1"));
  }

  /**
   * A host's underlay address deleted by hand where two topologies share the host: either one's
   * apply puts it back (both want it), and one whose hosts are others does not count as sharing.
   */
  @Test
  void anUnderlayAddressDeletedByHandOnASharedHostIsPutBack() throws Exception {
    runner.apply(Kernel.targets(Kernel.compile("examples/overlay.netc"), s));
    List<Runner.Target> other = targets("topology mhy\nhost h1 { underlay 192.168.56.11 }\nhost h3 { underlay 192.168.56.13 }\n"
        + "network by { subnet 10.42.0.0/24 }\ncontainer y1 {\n  on h1\n  attach by\n}\ncontainer y3 {\n  on h3\n  attach by\n}\n");
    runner.apply(other);
    assertTrue(Kernel.run("ip", "-n", s + "-host_h1", "address", "del", "192.168.56.11/24", "dev", "underlay").ok());
    assertEquals(List.of("~ link:" + s + "-host_h1:underlay  (address 192.168.56.11/24 missing,"
        + " route 0.0.0.0/0 via 192.168.56.254 missing)"),
        runner.plan(other).changes().stream().map(Change::line).toList());
    runner.apply(other);
    assertTrue(underlay("h1").contains(" 192.168.56.11/24 "), underlay("h1"));
    assertTrue(runner.plan(other).empty(), () -> runner.plan(other).text());
  }
}
