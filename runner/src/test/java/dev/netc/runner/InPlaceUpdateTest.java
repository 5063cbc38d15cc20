package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.netc.backends.plan.KernelObject;
import dev.netc.backends.plan.Link;
import dev.netc.backends.plan.NetnsFile;
import dev.netc.backends.plan.ObjectId;
import dev.netc.backends.plan.Sysctl;
import java.nio.file.FileSystem;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Link attributes: what {@code ip -j link show} says is read, an MTU or a state that differs is an
 * update in place, a link of the wrong kind or a veth without its peer is replaced with what goes
 * with it. The live state is built by hand from the desired one, then spoiled.
 */
class InPlaceUpdateTest {
  /** The links of S that a sandbox made by netc has besides the topology's. */
  private static final Map<String, String> UPLINK = Map.of("lo", "netc-sandbox:t1", "uplink", "netc-sandbox:t1:uplink");

  private static final Runner.Target T = Kernel.target(Kernel.compile("examples/webshop.netc"), "t1");
  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());

  @AfterEach
  void close() throws Exception {
    fs.close();
  }

  /** Everything of the web shop there as desired (veth ends paired), with {@code spoil} applied to the links. */
  private static LiveState live(Map<ObjectId, UnaryOperator<LiveLink>> spoil) {
    Set<ObjectId> owned = new HashSet<>();
    Map<String, String> sysctls = new HashMap<>();
    Map<ObjectId, String> files = new HashMap<>();
    Map<ObjectId, LiveLink> links = new HashMap<>();
    Map<ObjectId, String> aliases = new HashMap<>();
    Map<Link.Ref, Integer> index = new HashMap<>();
    List<Link> all = T.host().links();
    for (int i = 0; i < all.size(); i++) {
      index.put(all.get(i).ref(), i + 2);
    }
    for (KernelObject o : T.host().objects()) {
      owned.add(o.id());
      if (o instanceof Sysctl s) {
        sysctls.put(LiveState.key(s.namespace(), s.key()), s.value());
      } else if (o instanceof NetnsFile f) {
        files.put(f.id(), f.content());
      } else if (o instanceof Link l) {
        LiveLink now = new LiveLink(Rebuild.kind(l.type()), l.type() == Link.Type.LOOPBACK ? 65536 : 1500, true,
            l.master().orElse(""), l.mac().orElse("02:00:00:00:00:01"), index.get(l.ref()), l.peer().map(index::get).orElse(-1));
        links.put(l.id(), spoil.getOrDefault(l.id(), x -> x).apply(now));
        aliases.put(l.id(), l.alias());
      }
    }
    return LiveState.builder().sandboxExists(true).outsideExists(true).sandboxMark("netc-sandbox:t1")
        .namespaces(Set.of("t1", "t1-outside")).owned(owned).sandboxLinks(UPLINK).tables(Set.of("inet netc_webshop"))
        .sysctls(sysctls).files(files).hostNamespaces(Set.of("t1")).aliases(aliases).links(links).build();
  }

  private List<String> plan(Map<ObjectId, UnaryOperator<LiveLink>> spoil) {
    Runner r = new Runner(new RecordingExecutor((a, in) -> new CommandExecutor.Result(0, "", "")),
        fs.getPath("/etc/netns"), fs.getPath("/run/netc"), Duration.ZERO);
    return r.diff(T, live(spoil)).changes().stream().filter(c -> c.id().kind() != ObjectId.Kind.TABLE)
        .map(Change::line).toList();
  }

  private static ObjectId link(String ns, String name) {
    return new ObjectId(ObjectId.Kind.LINK, ns, name);
  }

  @Test
  void inSyncLinksPlanNothing() {
    assertEquals(List.of(), plan(Map.of()));
  }

  @Test
  void anMtuAStateAndAMasterAreUpdatedInPlace() {
    assertEquals(List.of(
        "~ link:t1:br-front  (mtu 1400 -> 1500)",
        "~ link:t1:ve-web-0  (master none -> br-front, state down -> up)",
        "~ link:t1-db:lo  (state down -> up)"),
        plan(Map.of(
            link("t1", "br-front"), l -> new LiveLink(l.kind(), 1400, l.up(), l.master(), l.mac(), l.ifindex(), l.peer()),
            link("t1", "ve-web-0"), l -> new LiveLink(l.kind(), l.mtu(), false, "", l.mac(), l.ifindex(), l.peer()),
            link("t1-db", "lo"), l -> new LiveLink(l.kind(), l.mtu(), false, "", l.mac(), l.ifindex(), l.peer()))));
  }

  @Test
  void aLinkOfAnotherKindIsReplacedWithItsPairAndWhatGoesWithIt() {
    assertEquals(List.of(
        "-/+ link:t1:ve-db-0  (forces replacement: kind)",
        "-/+ link:t1-db:eth0  (forces replacement: kind)",
        "+ address:t1-db:eth0/10.20.0.5/24  (again, with replaced link:t1-db:eth0)",
        // the new interface is made with IPv6 on: off again before it comes up
        "~ sysctl:t1-db:net.ipv6.conf.eth0.disable_ipv6  (1 again, with replaced link:t1-db:eth0)"),
        plan(Map.of(link("t1", "ve-db-0"), l -> new LiveLink("other", l.mtu(), l.up(), l.master(), l.mac(), l.ifindex(), -1))));
  }

  @Test
  void aReplacedBridgeTakesItsPortsAddressAndSysctlAlong() {
    assertEquals(List.of(
        "-/+ link:t1:br-front  (forces replacement: kind)",
        "~ link:t1:ve-web-0  (master br-front again, with replaced link:t1:br-front)",
        "+ address:t1:br-front/10.10.0.1/24  (again, with replaced link:t1:br-front)",
        "~ sysctl:t1:net.ipv4.conf.br-front.route_localnet  (1 again, with replaced link:t1:br-front)"),
        plan(Map.of(link("t1", "br-front"), l -> new LiveLink("veth", l.mtu(), l.up(), l.master(), l.mac(), l.ifindex(), 99))));
  }

  @Test
  void aVethWhosePeerIsElsewhereIsReplacedAndThePeerCreated() {
    // eth0 of web moved out of t1-web by hand: its host end is still in t1, paired with it elsewhere
    LiveState moved = live(Map.of());
    Map<ObjectId, LiveLink> links = new HashMap<>(moved.links());
    links.remove(link("t1-web", "eth0"));
    Set<ObjectId> owned = new HashSet<>(moved.owned());
    owned.remove(link("t1-web", "eth0"));
    owned.removeIf(i -> i.namespace().equals("t1-web") && i.name().startsWith("eth0/"));
    owned.removeIf(i -> i.namespace().equals("t1-web") && i.kind() == ObjectId.Kind.ROUTE);
    LiveState l = LiveState.builder().sandboxExists(true).outsideExists(true).sandboxMark(moved.sandboxMark())
        .namespaces(moved.namespaces()).owned(owned).sandboxLinks(UPLINK).tables(moved.tables())
        .sysctls(moved.sysctls()).files(moved.files()).hostNamespaces(moved.hostNamespaces()).aliases(moved.aliases())
        .links(links).build();
    Runner r = new Runner(new RecordingExecutor((a, in) -> new CommandExecutor.Result(0, "", "")),
        fs.getPath("/etc/netns"), fs.getPath("/run/netc"), Duration.ZERO);
    assertEquals(List.of(
        "-/+ link:t1:ve-web-0  (forces replacement: peer)",
        "+ link:t1-web:eth0",
        "+ address:t1-web:eth0/10.10.0.10/24",
        "+ route:t1-web:0.0.0.0/0"),
        r.diff(T, l).changes().stream().filter(c -> c.id().kind() != ObjectId.Kind.TABLE).map(Change::line).toList());
  }

  @Test
  void settingsSetEveryDesiredAttributeAndRestoreGivesTheOldOnesBack() {
    Link veth = T.host().links().stream().filter(l -> l.name().equals("ve-web-0")).findFirst().orElseThrow();
    assertEquals(List.of("link set dev ve-web-0 mtu 1500", "link set dev ve-web-0 master br-front",
        "link set dev ve-web-0 type bridge_slave hairpin off", "link set dev ve-web-0 up"), Runner.linkSettings(veth));
    // from under IPv6's minimum MTU: the port is down while the kernel makes its IPv6 state anew
    assertEquals(List.of("link set dev ve-web-0 down", "link set dev ve-web-0 mtu 1500", "link set dev ve-web-0 addrgenmode none",
        "link set dev ve-web-0 master br-front", "link set dev ve-web-0 type bridge_slave hairpin off", "link set dev ve-web-0 up"),
        Runner.linkSettings(veth, java.util.Optional.of(new LiveLink("veth", 1200, true, "br-front", "x", 3, 2))));
    assertEquals(Runner.linkSettings(veth), Runner.linkSettings(veth, java.util.Optional.of(new LiveLink("veth", 1280, true, "br-front", "x", 3, 2))));
    assertEquals(List.of("link set dev ve-web-0 mtu 1400", "link set dev ve-web-0 nomaster",
        "link set dev ve-web-0 down"), Runner.linkRestore(veth, new LiveLink("veth", 1400, false, "", "x", 3, 2)));
    assertEquals(List.of("link set dev ve-web-0 mtu 1500", "link set dev ve-web-0 master br-back",
        "link set dev ve-web-0 type bridge_slave hairpin on", "link set dev ve-web-0 up"),
        Runner.linkRestore(veth, new LiveLink("veth", 1500, true, "br-back", "x", 3, 2, "", true)));
    assertEquals(List.of("hairpin on -> off"),
        Runner.attributeChanges(veth, new LiveLink("veth", 1500, true, "br-front", "x", 3, 2, "", true)));
  }

  @Test
  void theReaderTakesKindMtuStateMasterAndPeerFromIpJson() throws Exception {
    ObjectMapper json = new ObjectMapper();
    LiveLink veth = LiveReader.link(json.readTree("{\"ifindex\":7,\"link_index\":2,\"ifname\":\"ve-web-0\","
        + "\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\",\"LOWER_UP\"],\"mtu\":1400,\"master\":\"br-front\","
        + "\"link_type\":\"ether\",\"address\":\"ce:be:8f:4f:72:d4\",\"link_netnsid\":0}"), Set.of("br-front"));
    assertEquals(new LiveLink("veth", 1400, true, "br-front", "ce:be:8f:4f:72:d4", 7, 2), veth);
    LiveLink bridge = LiveReader.link(json.readTree("{\"ifindex\":3,\"ifname\":\"br-front\",\"flags\":[\"BROADCAST\"],"
        + "\"mtu\":1500,\"link_type\":\"ether\",\"address\":\"02:00:00:00:00:02\"}"), Set.of("br-front"));
    assertEquals(new LiveLink("bridge", 1500, false, "", "02:00:00:00:00:02", 3, -1), bridge);
    LiveLink dummy = LiveReader.link(json.readTree("{\"ifindex\":4,\"ifname\":\"d0\",\"flags\":[\"UP\"],\"mtu\":1500,"
        + "\"link_type\":\"ether\"}"), Set.of());
    assertEquals("other", dummy.kind());
    assertEquals("loopback", LiveReader.link(json.readTree("{\"ifindex\":1,\"ifname\":\"lo\",\"link_type\":\"loopback\"}"),
        Set.of()).kind());
  }

  @Test
  void withDetailsTheReaderTakesTheKindsOfTunnelsAndSubInterfacesAndWhatTheyAreMadeOf() throws Exception {
    ObjectMapper json = new ObjectMapper();
    LiveLink vxlan = LiveReader.link(json.readTree("{\"ifindex\":5,\"ifname\":\"vx-mesh\",\"flags\":[\"UP\"],"
        + "\"mtu\":1450,\"master\":\"br-mesh\",\"address\":\"02:00:00:00:00:05\",\"linkinfo\":{\"info_kind\":\"vxlan\","
        + "\"info_data\":{\"id\":42,\"local\":\"192.168.56.11\",\"port\":4789,\"learning\":false}}}"), Set.of());
    assertEquals(new LiveLink("vxlan", 1450, true, "br-mesh", "02:00:00:00:00:05", 5, -1,
        "id=42 port=4789 local=192.168.56.11"), vxlan);
    LiveLink macvlan = LiveReader.link(json.readTree("{\"ifindex\":2,\"ifname\":\"eth0\",\"flags\":[\"UP\"],"
        + "\"mtu\":9000,\"link_index\":3,\"link_netnsid\":0,\"address\":\"02:42:c0:a8:3c:0a\","
        + "\"linkinfo\":{\"info_kind\":\"macvlan\",\"info_data\":{\"mode\":\"private\"}}}"), Set.of());
    assertEquals("macvlan", macvlan.kind());
    assertEquals("mode=private", macvlan.params());
    // a veth pair within one namespace (a sandbox's macvlan parent) names its peer instead of indexing it
    LiveLink parent = LiveReader.link(json.readTree("{\"ifindex\":7,\"ifname\":\"eth0\",\"link\":\"pp-eth0\","
        + "\"mtu\":1500,\"linkinfo\":{\"info_kind\":\"veth\"}}"), Set.of(), Map.of("pp-eth0", 8));
    assertEquals(8, parent.peer());
  }

  @Test
  void aMacvlanOfAnotherModeIsReplacedItsInheritedMtuIsNotComparedAndASubInterfaceGoesWithItsParent() {
    Runner.Target m = Kernel.target(Kernel.compile("examples/macvlan.netc"), "t1");
    Link sub = m.host().links().stream().filter(l -> l.type() == Link.Type.MACVLAN).findFirst().orElseThrow();
    Link.Macvlan p = (Link.Macvlan) sub.params().orElseThrow();
    LiveLink same = new LiveLink("macvlan", 9000, true, "", sub.mac().orElseThrow(), 2, 3, "mode=" + p.mode().label());
    assertEquals(List.of(), Runner.attributeChanges(sub, same), "the parent's MTU, inherited: not drift");
    String other = p.mode() == dev.netc.compiler.ir.MacvlanMode.PRIVATE ? "bridge" : "private";
    assertEquals(java.util.Optional.of("macvlan mode"), Rebuild.paramsChange(sub,
        new LiveLink("macvlan", 1500, true, "", sub.mac().get(), 2, 3, "mode=" + other)));
    assertEquals(java.util.Optional.empty(), Rebuild.paramsChange(sub, same));

    // the parent veth of the sandbox stands replaced (of another kind): the sub-interface goes with it
    Map<ObjectId, LiveLink> links = new HashMap<>();
    Map<Link.Ref, Integer> index = new HashMap<>();
    List<Link> all = m.host().links();
    for (int i = 0; i < all.size(); i++) {
      index.put(all.get(i).ref(), i + 2);
    }
    Set<ObjectId> owned = new HashSet<>();
    for (Link l : all) {
      owned.add(l.id());
      links.put(l.id(), new LiveLink(Rebuild.kind(l.type()), 1500, true, l.master().orElse(""),
          l.mac().orElse("02:00:00:00:00:01"), index.get(l.ref()), l.peer().map(index::get).orElse(-1), Rebuild.params(l)));
    }
    ObjectId parentId = new ObjectId(ObjectId.Kind.LINK, p.hostNamespace(), p.parent());
    links.put(parentId, new LiveLink("other", 1500, true, "", "x", 99, -1));
    LiveState live = LiveState.builder().sandboxExists(true).outsideExists(true).owned(owned)
        .hostNamespaces(Set.of("t1")).links(links).build();
    Rebuild r = Rebuild.of(m.host(), live);
    assertEquals("kind", r.replace().get(parentId));
    assertEquals("parent " + p.parent(), r.replace().get(sub.id()));
  }

  @Test
  void aRouteIsMadeAgainAsTheReadHasIt() {
    assertEquals("route add default via 10.1.0.1 dev eth0", Runner.routeLine("add", "default", "via 10.1.0.1 dev eth0"));
    assertEquals("route add 10.99.0.0/16 dev eth0", Runner.routeLine("add", "10.99.0.0/16", "dev eth0"));
    assertEquals("route replace blackhole 10.21.0.0/25", Runner.routeLine("replace", "10.21.0.0/25", "blackhole"));
    assertEquals("route add 0.0.0.0/0 table 100 via 10.1.0.99 dev eth0",
        Runner.routeLine("add", "0.0.0.0/0 table 100", "via 10.1.0.99 dev eth0"));
    assertEquals("route add blackhole 0.0.0.0/0 metric 5", Runner.routeLine("add", "0.0.0.0/0 metric 5", "blackhole"));
    assertEquals("route add local 10.9.0.1/32 table 100 dev eth0", Runner.routeLine("add", "10.9.0.1/32 table 100", "local dev eth0"));
    assertEquals("route replace 0.0.0.0/0 nexthop via 10.1.0.1 dev eth0 nexthop weight 2 via 10.2.0.1 dev eth1",
        Runner.routeLine("replace", "0.0.0.0/0", "nexthop via 10.1.0.1 dev eth0 nexthop weight 2 via 10.2.0.1 dev eth1"));
  }

  @Test
  void aRouteOrRuleIsDeletedByItsWordsAlone() {
    java.util.function.Function<String, ObjectId> route = n -> new ObjectId(ObjectId.Kind.ROUTE, "t1-a", n);
    assertEquals("route del 10.1.0.0/24 metric 50", Runner.routeDeletion(route.apply("10.1.0.0/24 metric 50")));
    assertEquals("route del 0.0.0.0/0", Runner.routeDeletion(route.apply("0.0.0.0/0")));
    // IPv6 without a metric: ip's 1024, not the first route of the destination whatever its metric
    assertEquals("route del fd00:9::/48 metric 1024", Runner.routeDeletion(route.apply("fd00:9::/48")));
    assertEquals("route del ::/0 table 200 metric 1024", Runner.routeDeletion(route.apply("::/0 table 200")));
    assertEquals("route del ::/0 metric 5", Runner.routeDeletion(route.apply("::/0 metric 5")));
    assertEquals("rule del pref 32765 from 10.0.0.0/8 lookup 100",
        Runner.ruleLine("del", new ObjectId(ObjectId.Kind.RULE, "t1-a", "pref 32765 from 10.0.0.0/8 lookup 100")));
    // (an IPv6 rule's batch runs with ip -6)
    assertEquals("rule add pref 300 from all lookup 200",
        Runner.ruleLine("add", new ObjectId(ObjectId.Kind.RULE, "t1-a", "-6 pref 300 from all lookup 200")));
    assertEquals(List.of("ip", "-6", "-force", "-n", "t1-a", "-batch", "-"),
        new Sandbox.Run("t1-a", List.of("rule del pref 300 from all lookup 200"), true, true).argv());
  }

  @Test
  void aMacvlanOnAnotherParentThanItsNetworksIsReplaced() {
    Runner.Target m = Kernel.target(Kernel.compile("examples/macvlan.netc"), "t1");
    Link sub = m.host().links().stream().filter(l -> l.type() == Link.Type.MACVLAN).findFirst().orElseThrow();
    Link.Macvlan p = (Link.Macvlan) sub.params().orElseThrow();
    ObjectId parentId = new ObjectId(ObjectId.Kind.LINK, p.hostNamespace(), p.parent());
    Set<ObjectId> desired = new HashSet<>();
    m.host().links().forEach(l -> desired.add(l.id()));
    LiveLink parent = new LiveLink("veth", 1500, true, "", "02:00:00:00:00:07", 7, 8);
    LiveState live = LiveState.builder().sandboxExists(true).outsideExists(true).owned(Set.of(parentId))
        .hostNamespaces(Set.of("t1")).links(Map.of(parentId, parent)).build();
    String mode = "mode=" + p.mode().label();
    // on its parent (index 7 in the host namespace); on another link; the parent not there yet
    assertEquals(java.util.Optional.empty(), Rebuild.parentChange(sub,
        new LiveLink("macvlan", 1500, true, "", sub.mac().get(), 2, 7, mode), live, desired));
    assertEquals(java.util.Optional.of("macvlan parent"), Rebuild.parentChange(sub,
        new LiveLink("macvlan", 1500, true, "", sub.mac().get(), 2, 9, mode), live, desired));
    LiveState noParent = LiveState.builder().sandboxExists(true).outsideExists(true).hostNamespaces(Set.of("t1"))
        .build();
    assertEquals(java.util.Optional.of("macvlan parent"), Rebuild.parentChange(sub,
        new LiveLink("macvlan", 1500, true, "", sub.mac().get(), 2, 7, mode), noParent, desired));
    // a NIC of the host (host mode: not the topology's) is compared by the name the read found, if any
    assertEquals(java.util.Optional.empty(), Rebuild.parentChange(sub,
        new LiveLink("macvlan", 1500, true, "", sub.mac().get(), 2, 9, mode), live, Set.of(sub.id())));
    assertEquals(java.util.Optional.empty(), Rebuild.parentChange(sub,
        new LiveLink("macvlan", 1500, true, "", sub.mac().get(), 2, 9, mode + " parent=" + p.parent()), live, Set.of(sub.id())));
    assertEquals(java.util.Optional.of("macvlan parent"), Rebuild.parentChange(sub,
        new LiveLink("macvlan", 1500, true, "", sub.mac().get(), 2, 9, mode + " parent=eno9"), live, Set.of(sub.id())));
    assertEquals(java.util.Optional.empty(), Rebuild.paramsChange(sub,
        new LiveLink("macvlan", 1500, true, "", sub.mac().get(), 2, 9, mode + " parent=eno9")), "the mode is as desired");
  }

  @Test
  void theReadNamesAMacvlansParentWhenThereIsOneHostNamespace() {
    ObjectId member = new ObjectId(ObjectId.Kind.LINK, "netc-t-a", "eth0");
    ObjectId veth = new ObjectId(ObjectId.Kind.LINK, "netc-t-b", "eth0");
    Map<ObjectId, LiveLink> links = new HashMap<>(Map.of(
        member, new LiveLink("macvlan", 1500, true, "", "02:00:00:00:00:01", 2, 3, "mode=bridge"),
        veth, new LiveLink("veth", 1500, true, "", "02:00:00:00:00:02", 2, 3)));
    Map<String, Map<String, Integer>> one = Map.of("", Map.of("lo", 1, "eno1", 2, "eno2", 3));
    Map<ObjectId, LiveLink> named = new HashMap<>(links);
    LiveReader.withParents(named, one);
    assertEquals("mode=bridge parent=eno2", named.get(member).params());
    assertEquals(links.get(veth), named.get(veth));
    // two host namespaces: an index names no link
    Map<ObjectId, LiveLink> two = new HashMap<>(links);
    LiveReader.withParents(two, Map.of("s-host_h1", Map.of("eth0", 3), "s-host_h2", Map.of("eth1", 3)));
    assertEquals(links, two);
  }
}
