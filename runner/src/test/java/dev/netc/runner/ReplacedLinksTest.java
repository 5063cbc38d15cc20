package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netc.backends.plan.ObjectId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The commands that make replaced links again in a rollback ({@link ReplacedLinks}), on a
 * recording executor: a bridge (its address, and its port that stayed enslaved to it again), a
 * VXLAN device in it (its forwarding entry), a macvlan sub-interface on its parent (its address,
 * route and sysctl), parents first; a link that still has its index is left alone.
 */
class ReplacedLinksTest {
  private static ObjectId link(String ns, String name) {
    return new ObjectId(ObjectId.Kind.LINK, ns, name);
  }

  @Test
  void makesEachKindAgainAsItWasParentsFirst() {
    ObjectId bridge = link("t1", "br-lan");
    ObjectId still = link("t1", "br-still");
    ObjectId vxlan = link("t1", "vx-mesh");
    ObjectId port = link("t1", "ve-x-0");
    ObjectId parent = link("t1", "eth0");
    ObjectId macvlan = link("t1-m1", "eth0");
    Map<ObjectId, LiveLink> links = new LinkedHashMap<>();
    links.put(bridge, new LiveLink("bridge", 1500, true, "", "02:00:00:00:00:01", 3, -1));
    links.put(still, new LiveLink("bridge", 1500, true, "", "02:00:00:00:00:02", 7, -1));
    links.put(vxlan, new LiveLink("vxlan", 1450, true, "br-lan", "aa:bb:cc:dd:ee:ff", 5, -1,
        "id=4100 port=4789 local=192.168.77.11 dev=underlay"));
    links.put(port, new LiveLink("veth", 1500, true, "br-lan", "aa:00:00:00:00:04", 4, 2, "", true));
    links.put(link("t1-x", "eth0"), new LiveLink("veth", 1500, true, "", "aa:00:00:00:00:05", 2, 4));
    links.put(parent, new LiveLink("veth", 1500, true, "", "aa:00:00:00:00:06", 6, 8));
    links.put(link("t1", "pp-eth0"), new LiveLink("veth", 1500, true, "", "aa:00:00:00:00:08", 8, 6));
    links.put(macvlan, new LiveLink("macvlan", 1500, true, "", "02:42:c0:00:02:02", 2, 6, "mode=bridge parent=eth0"));
    Map<ObjectId, String> aliases = new LinkedHashMap<>();
    links.keySet().forEach(i -> aliases.put(i, "netc:t:" + i.name()));
    Set<ObjectId> owned = new java.util.HashSet<>(links.keySet());
    ObjectId route = new ObjectId(ObjectId.Kind.ROUTE, "t1-m1", "0.0.0.0/0");
    // and two appended by hand beside it, kept apart, which the kernel lists in another order than their identities'
    ObjectId through = new ObjectId(ObjectId.Kind.ROUTE, "t1-m1", "0.0.0.0/0 via 192.0.2.9 dev eth0");
    ObjectId device = new ObjectId(ObjectId.Kind.ROUTE, "t1-m1", "0.0.0.0/0 dev eth0");
    Map<ObjectId, String> routes = new LinkedHashMap<>();
    routes.put(route, "via 192.0.2.1 dev eth0");
    routes.put(through, "via 192.0.2.9 dev eth0");
    routes.put(device, "dev eth0");
    owned.addAll(List.of(through, device));
    owned.addAll(List.of(new ObjectId(ObjectId.Kind.ADDRESS, "t1", "br-lan/10.78.0.1/24"),
        new ObjectId(ObjectId.Kind.ADDRESS, "t1-m1", "eth0/192.0.2.2/24"), route,
        new ObjectId(ObjectId.Kind.FDB, "t1", "vx-mesh/00:00:00:00:00:00/192.168.77.12")));
    LiveState before = LiveState.builder().sandboxExists(true).outsideExists(true).sandboxMark("netc-sandbox:t1")
        .namespaces(Set.of("t1", "t1-outside", "t1-m1", "t1-x")).owned(owned)
        .sysctls(Map.of("t1-m1|net.ipv6.conf.eth0.disable_ipv6", "1")).hostNamespaces(Set.of("t1")).aliases(aliases)
        .links(links).routes(routes).build();
    Plan plan = new Plan("t", "t1", List.of(
        new Change(Change.Action.REPLACE, bridge, "forces replacement: kind"),
        new Change(Change.Action.REPLACE, still, "forces replacement: kind"),
        new Change(Change.Action.REPLACE, macvlan, "forces replacement: macvlan mode"),
        new Change(Change.Action.REPLACE, vxlan, "forces replacement: vxlan id")));
    RecordingExecutor exec = new RecordingExecutor((argv, stdin) -> new CommandExecutor.Result(0,
        argv.equals(List.of("ip", "-j", "-n", "t1", "link", "show"))
            ? "[{\"ifname\":\"br-lan\",\"ifindex\":10},{\"ifname\":\"br-still\",\"ifindex\":7},{\"ifname\":\"eth0\",\"ifindex\":6}]"
            : argv.equals(List.of("ip", "-j", "-n", "t1-m1", "link", "show")) ? "[{\"ifname\":\"eth0\",\"ifindex\":3}]" : "",
        ""));
    List<Map<String, Map<String, String>>> sysctls = new ArrayList<>();

    List<String> problems = new ReplacedLinks(exec, before, sysctls::add).makeAgain(plan, Set.of());

    assertEquals(List.of(), problems);
    assertEquals(List.of(Map.of("t1-m1", Map.of("net.ipv6.conf.eth0.disable_ipv6", "1"))), sysctls);
    assertEquals(List.of(
        "ip -j -n t1 link show | ",
        "ip -j -n t1-m1 link show | ",
        "ip -force -n t1 -batch - | link del br-lan\nlink del vx-mesh\n",
        "ip -force -n t1-m1 -batch - | link del eth0\n",
        // the bridge
        "ip -n t1 -batch - | link add br-lan mtu 1500 address 02:00:00:00:00:01 type bridge\n",
        "ip -force -n t1 -batch - | link set br-lan alias netc:t:br-lan\n",
        "ip -force -n t1 -batch - | link set br-lan up\naddress add 10.78.0.1/24 dev br-lan\n",
        // the VXLAN device in it
        "ip -n t1 -batch - | link add vx-mesh mtu 1450 address aa:bb:cc:dd:ee:ff type vxlan id 4100 dstport 4789"
            + " local 192.168.77.11 dev underlay nolearning\n",
        "ip -force -n t1 -batch - | link set vx-mesh alias netc:t:vx-mesh\nlink set vx-mesh master br-lan\n",
        "ip -force -n t1 -batch - | link set vx-mesh up\n",
        "bridge -force -n t1 -batch - | fdb append 00:00:00:00:00:00 dev vx-mesh dst 192.168.77.12\n",
        // the macvlan, made on its parent straight into its namespace
        "ip -n t1 -batch - | link add link eth0 name eth0 netns t1-m1 mtu 1500 address 02:42:c0:00:02:02 type macvlan mode bridge\n",
        "ip -force -n t1-m1 -batch - | link set eth0 alias netc:t:eth0\n",
        "ip -force -n t1-m1 -batch - | link set eth0 up\naddress add 192.0.2.2/24 dev eth0\nroute add 0.0.0.0/0 via 192.0.2.1 dev eth0\n"
            + "route append 0.0.0.0/0 via 192.0.2.9 dev eth0\nroute append 0.0.0.0/0 dev eth0\n",
        // the bridge's port that stayed
        "ip -force -n t1 -batch - | link set ve-x-0 master br-lan\nlink set ve-x-0 type bridge_slave hairpin on\n"),
        exec.calls().stream().map(c -> c.line() + " | " + c.stdin()).toList());
  }

  @Test
  void aLinkOfAKindNetcDoesNotMakeIsNamed() {
    ObjectId other = link("t1", "br-x");
    LiveState before = LiveState.builder().sandboxExists(true).outsideExists(true).namespaces(Set.of("t1"))
        .owned(Set.of(other)).hostNamespaces(Set.of("t1")).aliases(Map.of(other, "netc:t:bridge:x"))
        .links(Map.of(other, new LiveLink("other", 1500, true, "", "", 3, -1))).build();
    RecordingExecutor exec = new RecordingExecutor((argv, stdin) -> new CommandExecutor.Result(0, "", ""));
    Plan plan = new Plan("t", "t1", List.of(new Change(Change.Action.REPLACE, other, "forces replacement: kind")));
    assertEquals(List.of("the other link link:t1:br-x could not be made again: netc makes no link of that kind"),
        new ReplacedLinks(exec, before, x -> { }).makeAgain(plan, Set.of()));
    assertEquals(List.of(), exec.calls());
  }

  @Test
  void aCommandThatCannotRunFailsItsLinkOnlyTheNextAreStillMade() {
    ObjectId a = link("t1", "br-a");
    ObjectId b = link("t1", "br-b");
    Map<ObjectId, LiveLink> links = new LinkedHashMap<>();
    links.put(a, new LiveLink("bridge", 1500, true, "", "02:00:00:00:00:0a", 3, -1));
    links.put(b, new LiveLink("bridge", 1500, true, "", "02:00:00:00:00:0b", 4, -1));
    LiveState before = LiveState.builder().sandboxExists(true).outsideExists(true).namespaces(Set.of("t1"))
        .owned(Set.of(a, b)).hostNamespaces(Set.of("t1")).aliases(Map.of(a, "netc:t:bridge:a", b, "netc:t:bridge:b"))
        .links(links).build();
    // the executor cannot start the process that makes br-a (as ProcessExecutor says so)
    RecordingExecutor exec = new RecordingExecutor((argv, stdin) -> {
      if (stdin.startsWith("link add br-a ")) {
        throw new RunnerException("cannot run ip: No such file or directory");
      }
      return new CommandExecutor.Result(0, "", "");
    });
    Plan plan = new Plan("t", "t1", List.of(new Change(Change.Action.REPLACE, a, "forces replacement: kind"),
        new Change(Change.Action.REPLACE, b, "forces replacement: kind")));

    List<String> problems = new ReplacedLinks(exec, before, x -> { }).makeAgain(plan, Set.of());

    assertEquals(List.of("the bridge link:t1:br-a could not be made again: cannot run ip: No such file or directory"), problems);
    assertEquals(1, exec.calls().stream().filter(c -> c.stdin().startsWith("link add br-b ")).count(),
        () -> "br-b is made after br-a failed: " + exec.calls());
  }

  @Test
  void aVethWhosePeerIsNotKnownIsNamed() {
    ObjectId end = link("t1", "ve-x-0");
    LiveState before = LiveState.builder().sandboxExists(true).outsideExists(true).namespaces(Set.of("t1"))
        .owned(Set.of(end)).hostNamespaces(Set.of("t1")).aliases(Map.of(end, "netc:t:veth:x:0"))
        .links(Map.of(end, new LiveLink("veth", 1500, true, "", "", 3, 9))).build();
    RecordingExecutor exec = new RecordingExecutor((argv, stdin) -> new CommandExecutor.Result(0, "", ""));
    Plan plan = new Plan("t", "t1", List.of(new Change(Change.Action.REPLACE, end, "forces replacement: peer")));
    assertEquals(List.of("the veth link:t1:ve-x-0 could not be made again: its peer is not known"),
        new ReplacedLinks(exec, before, x -> { }).makeAgain(plan, Set.of()));
    assertEquals(List.of(), exec.calls());
  }
}
