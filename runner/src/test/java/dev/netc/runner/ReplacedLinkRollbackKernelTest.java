package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.backends.plan.ObjectId;
import dev.netc.backends.plan.Sysctl;
import dev.netc.runner.netlink.NetlinkNamespaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
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
    LiveState read = read(before);
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
    Map<String, Object> then = comparable(read);
    Map<String, Object> is = comparable(read(before));
    assertEquals(then, is, () -> differences(then, is));
    Plan plan = runner.plan(before);
    assertTrue(plan.empty(), plan::text);
  }

  /** The entries of {@code was} and {@code is} (of {@link #comparable}) that differ, for a failure's message. */
  private static String differences(Map<String, Object> was, Map<String, Object> is) {
    List<String> out = new java.util.ArrayList<>();
    was.forEach((k, v) -> {
      if (v.equals(is.get(k))) {
        return;
      }
      if (v instanceof Map<?, ?> a && is.get(k) instanceof Map<?, ?> b) {
        java.util.Set<Object> keys = new java.util.TreeSet<>(java.util.Comparator.comparing(Object::toString));
        keys.addAll(a.keySet());
        keys.addAll(b.keySet());
        keys.stream().filter(x -> !java.util.Objects.equals(a.get(x), b.get(x)))
            .forEach(x -> out.add(k + " " + x + ": was " + a.get(x) + ", is " + b.get(x)));
      } else {
        out.add(k + ": was " + v + ", is " + is.get(k));
      }
    });
    return String.join("\n", out);
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

  /** The live state as the runner reads it (over netlink, the endpoints' interface sysctls too). */
  private LiveState read(List<Runner.Target> ts) {
    Map<String, List<String>> sysctls = new LinkedHashMap<>();
    ts.forEach(x -> sysctls.put(x.hostNs(), x.sysctlKeys()));
    ts.forEach(x -> x.host().endpointSysctls().forEach((ns, l) -> sysctls.put(ns, l.stream().map(Sysctl::key).toList())));
    return new LiveReader(Kernel.EXEC, Runner.ETC_NETNS, stateDir, new NetlinkNamespaces(Path.of("/run/netns")))
        .read(ts.get(0).sandbox(), ts.get(0).topology(), sysctls);
  }

  /**
   * {@code live} with what a link made again cannot keep: its index, and the indexes its peer or
   * parent is named by (each named instead by the identities of the links that have it: for a
   * veth, its peer; for a macvlan or VLAN sub-interface, its parent among the owned links); and
   * without the nftables generations (a table loaded again is a new generation).
   */
  private static Map<String, Object> comparable(LiveState live) {
    Map<String, Object> out = new TreeMap<>();
    out.put("sandbox", List.of(live.sandboxExists(), live.outsideExists(), live.sandboxMark()));
    out.put("namespaces", new java.util.TreeSet<>(live.namespaces()));
    out.put("owned", live.owned().stream().map(ObjectId::toString).collect(Collectors.toCollection(java.util.TreeSet::new)));
    out.put("foreign", new TreeMap<>(live.foreign()));
    out.put("sandboxLinks", new TreeMap<>(live.sandboxLinks()));
    out.put("tables", new java.util.TreeSet<>(live.tables()));
    out.put("sysctls", new TreeMap<>(live.sysctls()));
    out.put("files", new TreeMap<>(live.files()));
    out.put("hostNamespaces", new java.util.TreeSet<>(live.hostNamespaces()));
    out.put("aliases", new TreeMap<>(live.aliases()));
    out.put("notes", live.notes());
    out.put("unfinished", live.unfinished());
    out.put("routes", new TreeMap<>(live.routes()));
    out.put("plumbing", new TreeMap<>(live.plumbing()));
    out.put("enclosing", new TreeMap<>(live.enclosing()));
    out.put("otherRoutes", new TreeMap<>(live.otherRoutes()));
    Map<ObjectId, String> links = new TreeMap<>();
    live.links().forEach((id, l) -> {
      List<ObjectId> peers = l.kind().equals("veth") ? Runner.peers(live, id) : live.links().entrySet().stream()
          .filter(e -> e.getValue().ifindex() == l.peer() && !e.getKey().equals(id)
              && (l.kind().equals("macvlan") ? live.hostNamespaces().contains(e.getKey().namespace())
                  : e.getKey().namespace().equals(id.namespace())))
          .map(Map.Entry::getKey).sorted().toList();
      links.put(id, new LiveLink(l.kind(), l.mtu(), l.up(), l.master(), l.mac(), 0, l.peer() < 0 ? -1 : 0, l.params(),
          l.hairpin()).canonical() + (l.peer() < 0 ? "" : " peer " + (peers.isEmpty() ? "#" + l.peer() : peers)));
    });
    out.put("links", links);
    return out;
  }
}
