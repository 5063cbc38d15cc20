package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netc.backends.plan.ObjectId;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Reachability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Links that move in a real sandbox: a container moved to another host of a topology of two
 * hosts (its veth pair replaced, the old host end dying with it, not deleted on its own), and
 * macvlan members whose network gets another parent, the old one still in use or deleted (the
 * members replaced onto the new parent). Each move applies, a second apply changes nothing, and
 * the container's interface is there with its address, its route and traffic.
 */
@Timeout(180)
class LinkMoveKernelTest extends SandboxTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aContainerMovesToAnotherHostAndBack() throws Exception {
    String onH2 = DriversKernelTest.OVERLAY.formatted("");
    String onH1 = onH2.replace("labels app=c\n  on h2", "labels app=c\n  on h1");
    assertFalse(onH1.equals(onH2));
    Topology before = compile(onH2);
    runner.apply(targets(before));
    Topology moved = compile(onH1);
    move(moved, "h1", "h2");
    move(before, "h2", "h1");
  }

  @Test
  void aMoveThatFailsLaterGivesTheContainerItsInterfaceBack() throws Exception {
    String onH2 = DriversKernelTest.OVERLAY.formatted("");
    // b1 moves to h1, and a new container's files cannot be written (its folder's name is taken)
    String failing = onH2.replace("labels app=c\n  on h2", "labels app=c\n  on h1")
        + "\ncontainer c9 {\n  on h1\n  attach mesh\n}\n";
    List<Runner.Target> before = targets(compile(onH2));
    runner.apply(before);
    Path taken = Runner.ETC_NETNS.resolve(s + "-c9");
    Files.createDirectories(Runner.ETC_NETNS);
    Files.writeString(taken, "not a folder\n");
    try {
      List<Runner.Target> ts = targets(compile(failing));
      assertTrue(runner.plan(ts).changes().contains(new Change(Change.Action.REPLACE,
          new ObjectId(ObjectId.Kind.LINK, s + "-b1", "eth0"), "forces replacement: peer")));
      RunnerException e = org.junit.jupiter.api.Assertions.assertThrows(RunnerException.class, () -> runner.apply(ts));
      assertTrue(e.getMessage().endsWith("rolled back, sandbox " + s + " is as before"), e.getMessage());
    } finally {
      Files.delete(taken);
    }
    Plan plan = runner.plan(before);
    assertTrue(plan.empty(), plan::text);
    assertTrue(Kernel.run("ip", "-n", s + "-host_h2", "link", "show", "ve-b1-0").ok());
    b1Reachesa1(compile(onH2), "b1, back on h2, reaches a1");
  }

  /** b1 has its address and default route, and reaches a1's port 8080. */
  private void b1Reachesa1(Topology t, String what) throws Exception {
    Reachability model = new Reachability(t);
    String b1 = model.addresses(model.node("b1").get()).get(0).toString();
    assertTrue(Kernel.run("ip", "-n", s + "-b1", "-br", "address", "show", "eth0").out().contains(b1 + "/24"));
    assertTrue(Kernel.run("ip", "-n", s + "-b1", "route", "show", "default").out().startsWith("default via 10.77.0.1 dev eth0"));
    String a1 = model.addresses(model.node("a1").get()).get(0).toString();
    Process listener = Kernel.listen(s + "-a1", 8080);
    try {
      assertTrue(Kernel.connectsWithin(s + "-b1", a1, 8080, 5), what);
    } finally {
      Kernel.stop(listener);
    }
  }

  /** Applies {@code t}, in which b1 is on host {@code to}, no longer on {@code from}. */
  private void move(Topology t, String to, String from) throws Exception {
    List<Runner.Target> ts = targets(t);
    Plan plan = runner.plan(ts);
    ObjectId eth0 = new ObjectId(ObjectId.Kind.LINK, s + "-b1", "eth0");
    assertTrue(plan.changes().contains(new Change(Change.Action.REPLACE, eth0, "forces replacement: peer")), plan::text);
    assertTrue(plan.changes().contains(new Change(Change.Action.CREATE,
        new ObjectId(ObjectId.Kind.LINK, s + "-host_" + to, "ve-b1-0"), "")), plan::text);
    assertFalse(plan.changes().stream().anyMatch(c -> c.action() == Change.Action.DELETE && c.id().kind() == ObjectId.Kind.LINK),
        () -> "the old host end dies with the replaced pair: " + plan.text());
    // a1 talks to b1 where it is: a1 keeps b1's MAC address, the bridges learn where b1 is
    String b1Before = new Reachability(t).addresses(new Reachability(t).node("b1").get()).get(0).toString();
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-a1", "ping", "-c", "2", "-W", "1", b1Before).ok(), "a1 reaches b1 on " + from);
    runner.apply(ts);
    Plan second = runner.plan(ts);
    assertTrue(second.empty(), second::text);
    assertTrue(Kernel.run("ip", "-n", s + "-host_" + to, "link", "show", "ve-b1-0").ok());
    assertFalse(Kernel.run("ip", "-n", s + "-host_" + from, "link", "show", "ve-b1-0").ok());

    // before b1 says anything: a1 reaches it at once (the bridges forgot where b1 was)
    Reachability model = new Reachability(t);
    String b1 = model.addresses(model.node("b1").get()).get(0).toString();
    Process inB1 = Kernel.listen(s + "-b1", 8081);
    try {
      assertTrue(Kernel.connectsWithin(s + "-a1", b1, 8081, 3), "a1 reaches b1 on " + to + " at once");
    } finally {
      Kernel.stop(inB1);
    }
    b1Reachesa1(t, "b1 on " + to + " reaches a1");
  }

  @Test
  void macvlanMembersFollowTheirNetworksNewParent() throws Exception {
    // both networks on eth1; then lan on eth0 while quiet keeps eth1; then lan on eth2, eth0 deleted
    for (String parent : List.of("eth1", "eth0", "eth2")) {
      List<Runner.Target> ts = targets(compile(DriversKernelTest.MACVLAN.formatted(parent)));
      Plan plan = runner.plan(ts);
      if (!parent.equals("eth1")) {
        for (String m : List.of("m1", "m2")) {
          ObjectId eth0 = new ObjectId(ObjectId.Kind.LINK, s + "-" + m, "eth0");
          assertTrue(plan.changes().contains(new Change(Change.Action.REPLACE, eth0, "forces replacement: macvlan parent")),
              plan::text);
        }
        assertTrue(runner.drift(ts).text().contains("changed     link:" + s + "-m1:eth0  (forces replacement: macvlan parent)"),
            runner.drift(ts).text());
      }
      runner.apply(ts);
      Plan second = runner.plan(ts);
      assertTrue(second.empty(), second::text);
      int index = ifindex(s, parent);
      for (String m : List.of("m1", "m2")) {
        JsonNode link = JSON.readTree(Kernel.run("ip", "-n", s + "-" + m, "-d", "-j", "link", "show", "eth0").out()).get(0);
        assertEquals(index, link.path("link_index").asInt(), m + " is on " + parent + ": " + link);
      }
      assertEquals(ifindex(s, "eth1"), JSON.readTree(Kernel.run("ip", "-n", s + "-q1", "-d", "-j", "link", "show", "eth0").out())
          .get(0).path("link_index").asInt(), "q1 stays on eth1");
      Process listener = Kernel.listen(s + "-m1", 8080);
      try {
        assertTrue(Kernel.connectsWithin(s + "-m2", "m1", 8080, 5), "m2 -> m1 on " + parent);
      } finally {
        Kernel.stop(listener);
      }
    }
    assertFalse(Kernel.run("ip", "-n", s, "link", "show", "eth0").ok(), "the parent no network uses is deleted");
  }

  @Test
  void aMacvlanMemberLeavingANetworkThatGoesGoesWithItsParent() throws Exception {
    String both = """
        topology mvl

        # netc:ignore NETC407 "the sandbox parent is a veth, which takes any MAC address"
        network lan {
          driver macvlan
          parent eth0
          subnet 192.0.2.0/24
        }

        # netc:ignore NETC407 "the same"
        network quiet {
          driver macvlan
          parent eth1
          subnet 198.51.100.0/24
        }

        container m {
          attach lan
          attach quiet
        }
        """;
    runner.apply(targets(compile(both)));
    assertTrue(Kernel.run("ip", "-n", s + "-m", "link", "show", "eth1").ok());
    String left = both.substring(0, both.indexOf("# netc:ignore NETC407 \"the same\""))
        + "container m {\n  attach lan\n}\n";
    List<Runner.Target> ts = targets(compile(left));
    Plan plan = runner.plan(ts);
    // the member's eth1 dies with the parent eth1 of the sandbox: no deletion of its own
    assertEquals(List.of(new Change(Change.Action.DELETE, new ObjectId(ObjectId.Kind.LINK, s, "eth1"), "")),
        plan.changes().stream().filter(c -> c.action() == Change.Action.DELETE).toList(), plan::text);
    runner.apply(ts);
    Plan second = runner.plan(ts);
    assertTrue(second.empty(), second::text);
    assertFalse(Kernel.run("ip", "-n", s + "-m", "link", "show", "eth1").ok());
    assertTrue(Kernel.run("ip", "-n", s + "-m", "link", "show", "eth0").ok());
  }

  private static int ifindex(String ns, String name) throws IOException {
    return JSON.readTree(Kernel.run("ip", "-n", ns, "-j", "link", "show", name).out()).get(0).path("ifindex").asInt();
  }

  private Topology compile(String text) throws IOException {
    return Kernel.compile(dir, text);
  }

  private List<Runner.Target> targets(Topology t) {
    return Kernel.targets(t, s);
  }
}
