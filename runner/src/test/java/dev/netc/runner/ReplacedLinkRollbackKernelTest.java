package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.backends.plan.ObjectId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Applies that replace a link and then fail (a new container's folder under {@code /etc/netns}
 * is taken by a file): a VXLAN device given another VNI, a container's veth pair moved to
 * another host, a macvlan sub-interface given another mode or parent, a bridge whose name a
 * macvlan network's parent takes. The rollback makes the old link again with what it had: the live state read after it
 * is the one read before the apply (every owned object, link attribute, alias, address, route,
 * forwarding entry and sysctl; only the indexes of the links made again, and the nftables
 * generation of a table loaded again, differ), plan of the old topology is empty, and the
 * containers talk as before.
 */
@Timeout(180)
class ReplacedLinkRollbackKernelTest extends SandboxTest {
  @TempDir Path dir;

  @Test
  void aVxlanDeviceGivenAnotherVniIsMadeAgain() throws Exception {
    String was = DriversKernelTest.OVERLAY.formatted("vni 4100");
    failsAndRollsBack(was, DriversKernelTest.OVERLAY.formatted("vni 4200"), "h1",
        new ObjectId(ObjectId.Kind.LINK, s + "-host_h1", "vx-mesh"), "forces replacement: vxlan id");
    List<Process> listeners = List.of(Kernel.listen(s + "-a1", 8080), Kernel.listen(s + "-b1", 8080));
    try {
      assertTrue(Kernel.connectsWithin(s + "-b1", "a1", 8080, 5), "b1 on h2 -> a1 on h1, through the tunnel");
      assertTrue(Kernel.connectsWithin(s + "-a1", "b1", 8080, 5), "a1 on h1 -> b1 on h2, through the tunnel");
    } finally {
      Kernel.stop(listeners);
    }
  }

  @Test
  void theVethPairOfAContainerMovedToAnotherHostIsMadeAgain() throws Exception {
    String was = DriversKernelTest.OVERLAY.formatted("");
    failsAndRollsBack(was, was.replace("labels app=c\n  on h2", "labels app=c\n  on h1"), "h1",
        new ObjectId(ObjectId.Kind.LINK, s + "-b1", "eth0"), "forces replacement: peer");
    Process listener = Kernel.listen(s + "-a1", 8080);
    try {
      assertTrue(Kernel.connectsWithin(s + "-b1", "a1", 8080, 5), "b1, back on h2, reaches a1");
    } finally {
      Kernel.stop(listener);
    }
  }

  @Test
  void aMacvlanSubInterfaceGivenAnotherModeIsMadeAgain() throws Exception {
    String was = DriversKernelTest.MACVLAN.formatted("eth0");
    failsAndRollsBack(was, was.replace("mode bridge", "mode vepa"), null,
        new ObjectId(ObjectId.Kind.LINK, s + "-m1", "eth0"), "forces replacement: macvlan mode");
    lanMembersTalk();
  }

  @Test
  void aMacvlanSubInterfaceGivenAnotherParentIsMadeAgain() throws Exception {
    String was = DriversKernelTest.MACVLAN.formatted("eth0");
    failsAndRollsBack(was, DriversKernelTest.MACVLAN.formatted("eth2"), null,
        new ObjectId(ObjectId.Kind.LINK, s + "-m1", "eth0"), "forces replacement: macvlan parent");
    lanMembersTalk();
  }

  @Test
  void aBridgeWhoseNameAParentTakesIsMadeAgain() throws Exception {
    String was = """
        topology brk

        network lan {
          subnet 10.78.0.0/24
        }

        container m1 {
          attach lan
        }

        container m2 {
          attach lan
        }
        """;
    // lan's bridge br-lan becomes the (sandbox's stand-in for the) parent of a macvlan network
    String replaced = """
        topology brk

        # netc:ignore NETC407 "the sandbox parent is a veth, which takes any MAC address"
        network lan {
          driver macvlan
          parent br-lan
          subnet 10.78.0.0/24
        }

        container m1 {
          attach lan
        }

        container m2 {
          attach lan
        }
        """;
    failsAndRollsBack(was, replaced, null, new ObjectId(ObjectId.Kind.LINK, s, "br-lan"), "forces replacement: kind");
    lanMembersTalk();
  }

  /**
   * Applies {@code was}; then {@code replaced} and a container c9 (on {@code host}, if any)
   * whose folder under {@code /etc/netns} is taken, so that the apply fails after it replaced
   * {@code link} ({@code why}): the rollback says the sandbox is as before, and the live state
   * is the one read before.
   */
  private void failsAndRollsBack(String was, String replaced, String host, ObjectId link, String why) throws Exception {
    List<Runner.Target> before = targets(was);
    runner.apply(before);
    LiveState read = Snapshot.read(before, stateDir);
    Path taken = Runner.ETC_NETNS.resolve(s + "-c9");
    Files.createDirectories(Runner.ETC_NETNS);
    Files.writeString(taken, "not a folder\n");
    try {
      List<Runner.Target> ts = targets(replaced + "\ncontainer c9 {\n" + (host == null ? "" : "  on " + host + "\n")
          + "  attach " + (replaced.contains("network mesh") ? "mesh" : "lan") + "\n}\n");
      Plan plan = runner.plan(ts);
      assertTrue(plan.changes().contains(new Change(Change.Action.REPLACE, link, why)), plan::text);
      RunnerException e = assertThrows(RunnerException.class, () -> runner.apply(ts));
      assertTrue(e.getMessage().endsWith("is not a folder; rolled back, sandbox " + s + " is as before"), e.getMessage());
    } finally {
      Files.delete(taken);
    }
    Map<String, Object> then = Snapshot.comparable(read);
    Map<String, Object> is = Snapshot.comparable(Snapshot.read(before, stateDir));
    assertEquals(then, is, () -> Snapshot.differences(then, is));
    Plan plan = runner.plan(before);
    assertTrue(plan.empty(), plan::text);
  }

  /** m2 reaches m1 on the network lan. */
  private void lanMembersTalk() throws Exception {
    Process listener = Kernel.listen(s + "-m1", 8080);
    try {
      assertTrue(Kernel.connectsWithin(s + "-m2", "m1", 8080, 5), "m2 -> m1");
    } finally {
      Kernel.stop(listener);
    }
  }

  private List<Runner.Target> targets(String text) throws Exception {
    return Kernel.targets(Kernel.compile(dir, text), s);
  }
}
