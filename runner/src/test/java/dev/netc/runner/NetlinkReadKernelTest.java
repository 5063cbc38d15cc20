package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.backends.plan.DesiredState;
import dev.netc.backends.plan.ObjectId;
import dev.netc.backends.plan.Planner;
import dev.netc.compiler.ir.Topology;
import dev.netc.runner.netlink.NetlinkNamespaces;
import dev.netc.runner.netlink.NftDump;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The in-JVM read of the namespaces (setns threads and rtnetlink, {@link NetlinkNamespaces}) sees
 * exactly what the read through {@code ip -j -d} processes sees: for examples with bridges,
 * veths, several hosts with VXLAN devices, macvlan sub-interfaces, IPv6 and services, applied
 * into a sandbox, the two readers' live states are equal (every owned and foreign object, link
 * kinds, MTUs, masters, MACs, peers by index, VXLAN ids, ports and local addresses, macvlan
 * modes, addresses, routes, sysctls), and so are the two readers' lists of namespaces, of the
 * nftables tables that have chains, their rule counts and the base chains of every table, with
 * their hooks and policies (netlink against {@code nft -j}).
 */
class NetlinkReadKernelTest extends SandboxTest {
  @ParameterizedTest
  @ValueSource(strings = {"examples/webshop.netc", "examples/overlay.netc", "examples/macvlan.netc",
      "examples/dual-stack.netc", "examples/services.netc"})
  void netlinkReadsWhatIpReads(String example) {
    Topology t = Kernel.compile(example);
    DesiredState state = Planner.plan(t, s).state().orElseThrow();
    List<Runner.Target> ts = state.hosts().stream().map(h -> Targets.of(t, state, h)).toList();
    runner.apply(ts);
    if (example.contains("dual-stack")) {
      // routes without a gateway made by hand in an endpoint: unexpected, read alike
      String ns = ts.get(0).host().namespaces().get(0).name();
      for (String r : List.of("blackhole 10.21.0.0/25", "10.99.0.0/16 dev eth0", "-6 prohibit fd00:9::/48", "unreachable default metric 7",
          "10.98.0.0/16 dev eth0 table 100", "-6 fd00:8::/48 dev eth0 metric 5 table 7", "blackhole 10.21.0.0/25 tos 0x10",
          "10.97.0.0/16 nexthop via 10.60.0.1 dev eth0 nexthop via 10.60.0.3 dev eth0 weight 3",
          // and with what else a route can be made of
          "10.95.0.0/16 via 10.60.0.1 dev eth0 onlink realms 3/7 mtu 1400 advmss 1300 rtt 10ms initcwnd 5 features ecn congctl cubic",
          "10.94.0.0/16 dev eth0 scope host", "-6 fd00:7::/48 dev eth0 mtu 1300 hoplimit 9 pref high")) {
        List<String> argv = new java.util.ArrayList<>(List.of("ip", "-n", ns));
        if (r.startsWith("-6 ")) {
          argv.add("-6");
          r = r.substring(3);
        }
        argv.addAll(List.of("route", "add"));
        argv.addAll(List.of(r.split(" ")));
        assertTrue(Kernel.run(argv.toArray(String[]::new)).ok(), argv::toString);
      }
    }
    Map<String, List<String>> sysctls = new LinkedHashMap<>();
    ts.forEach(x -> sysctls.put(x.hostNs(), x.sysctlKeys()));
    LiveReader processes = new LiveReader(Kernel.EXEC, Runner.ETC_NETNS, stateDir);
    LiveReader netlink = new LiveReader(Kernel.EXEC, Runner.ETC_NETNS, stateDir, new NetlinkNamespaces(Path.of("/run/netns")));
    Sandbox sb = ts.get(0).sandbox();
    LiveState a = processes.read(sb, ts.get(0).topology(), sysctls);
    LiveState b = netlink.read(sb, ts.get(0).topology(), sysctls);
    assertFalse(a.owned(ObjectId.Kind.LINK).isEmpty());
    if (!example.contains("macvlan")) { // its members are on the parent's subnet: no route, no forwarding
      assertFalse(a.owned(ObjectId.Kind.ROUTE).isEmpty(), "no route read: " + a.owned());
      assertFalse(a.sysctls().isEmpty());
    }
    assertEquals(a.owned(), b.owned());
    assertEquals(a.routes(), b.routes());
    // what else the routes are made of, alike
    assertEquals(a.attributes(), b.attributes());
    if (example.contains("dual-stack")) {
      String ns = ts.get(0).host().namespaces().get(0).name();
      assertEquals(java.util.Optional.of("blackhole"), b.route(new ObjectId(ObjectId.Kind.ROUTE, ns, "10.21.0.0/25")));
      assertEquals(java.util.Optional.of("dev eth0"), b.route(new ObjectId(ObjectId.Kind.ROUTE, ns, "10.99.0.0/16")));
      assertEquals(java.util.Optional.of("prohibit"), b.route(new ObjectId(ObjectId.Kind.ROUTE, ns, "fd00:9::/48")));
      // another metric, another table: routes of their own
      assertEquals(java.util.Optional.of("unreachable"), b.route(new ObjectId(ObjectId.Kind.ROUTE, ns, "0.0.0.0/0 metric 7")));
      assertEquals(java.util.Optional.of("dev eth0"), b.route(new ObjectId(ObjectId.Kind.ROUTE, ns, "10.98.0.0/16 table 100")));
      assertEquals(java.util.Optional.of("dev eth0"), b.route(new ObjectId(ObjectId.Kind.ROUTE, ns, "fd00:8::/48 table 7 metric 5")));
      // a multipath route, through its nexthops
      assertEquals(java.util.Optional.of("nexthop via 10.60.0.1 dev eth0 nexthop weight 3 via 10.60.0.3 dev eth0"),
          b.route(new ObjectId(ObjectId.Kind.ROUTE, ns, "10.97.0.0/16")));
      // another TOS: a route of its own
      assertEquals(java.util.Optional.of("blackhole"), b.route(new ObjectId(ObjectId.Kind.ROUTE, ns, "10.21.0.0/25 tos 0x10")));
      assertEquals(Map.of(new ObjectId(ObjectId.Kind.ROUTE, ns, "10.95.0.0/16"),
          "onlink realms 3/7 mtu 1400 rtt 10ms advmss 1300 initcwnd 5 features ecn congctl cubic",
          new ObjectId(ObjectId.Kind.ROUTE, ns, "10.94.0.0/16"), "scope host",
          new ObjectId(ObjectId.Kind.ROUTE, ns, "fd00:7::/48"), "mtu 1300 hoplimit 9 pref high"), b.attributes());
    }
    assertEquals(a.links(), b.links());
    assertEquals(a.sysctls(), b.sysctls());
    // the same state; as root over netlink, each host namespace's nftables generation as well
    assertEquals(Map.of(), a.nftGenerations());
    assertEquals(b.hostNamespaces(), b.nftGenerations().keySet());
    b.nftGenerations().values().forEach(g -> assertTrue(g.matches("\\d+ \\d+"), g));
    // the sandbox's own addresses and routes (its uplink at both ends, an underlay), read alike
    assertEquals(a.plumbing(), b.plumbing());
    // and as apply made them
    assertEquals(sb.plumbing(state.hosts().stream().flatMap(h -> h.underlay().stream()).toList(),
        java.util.Optional.ofNullable(b.plumbing().get(s + " underlay"))), b.plumbing());
    assertEquals(a, b.toBuilder().nftGenerations(Map.of()).kernelRulesMissing(Map.of()).build());
    // the networks of the host namespaces that are not the topology's: the sandbox's uplink here
    assertTrue(b.otherRoutes().get(s).contains("198.18.0.0/30 dev uplink (`netc-sandbox:" + s + ":uplink`)"), b.otherRoutes()::toString);
    // the sandbox's (other tests make and remove namespaces meanwhile)
    java.util.function.Predicate<String> ours = n -> n.equals(s) || n.startsWith(s + "-");
    assertEquals(processes.namespaces().stream().filter(ours).toList(), netlink.namespaces().stream().filter(ours).toList());
    assertTrue(netlink.namespaces().contains(s));

    // nftables: the tables with a chain and the rule count of the topology's, also beside a
    // foreign table of another family and one without chains
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "add table ip foreign; add chain ip foreign c { type filter hook output priority 0; };"
        + " add rule ip foreign c counter; add rule ip foreign c counter; add table bridge nochains").ok());
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "add table inet mine; add chain inet mine fw"
        + " { type nat hook postrouting priority 100; }; add chain inet mine in { type filter hook input priority 0; policy drop; };"
        + " add rule inet mine in accept").ok());
    for (String h : sysctls.keySet()) {
      assertEquals(processes.tablesWithChains(h), netlink.tablesWithChains(h), h);
      // the base chains, their hooks and policies, alike (nft 1.0.6 gives no devices: none here)
      assertEquals(processes.baseChains(h), netlink.baseChains(h), h);
      for (String table : processes.tablesWithChains(h)) {
        assertEquals(processes.tableRules(h, table).orElseThrow().count(), netlink.tableRules(h, table).orElseThrow().count(),
            h + " " + table);
        assertTrue(netlink.tableRules(h, table).orElseThrow().count() > 0, table);
        assertTrue(netlink.tableRules(h, table).orElseThrow().sha256().isPresent(), table);
      }
    }
    assertTrue(netlink.tablesWithChains(s).contains("ip foreign"));
    assertFalse(netlink.tablesWithChains(s).contains("bridge nochains"));
    assertEquals(List.of(new NftDump.BaseChain("ip", "foreign", "c", "output", List.of(), "accept"),
        new NftDump.BaseChain("inet", "mine", "fw", "postrouting", List.of(), "accept"),
        new NftDump.BaseChain("inet", "mine", "in", "input", List.of(), "drop")),
        netlink.baseChains(s).stream().filter(c -> !c.table().startsWith("netc_")).toList());
    // a chain of a device (which nft 1.0.6 does not list): its device read over netlink
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "add table netdev edge; add chain netdev edge i"
        + " { type filter hook ingress device uplink priority 0; policy drop; }").ok());
    assertEquals(List.of(new NftDump.BaseChain("netdev", "edge", "i", "ingress", List.of("uplink"), "drop")),
        netlink.baseChains(s).stream().filter(c -> c.family().equals("netdev")).toList());
    TableRules foreign = netlink.tableRules(s, "ip foreign").orElseThrow();
    assertEquals(2, foreign.count());
    // the digest: the same rules read again give the same; counters that counted packets do not
    // change it; a rule edited in place (same number) does
    assertTrue(Kernel.EXEC.run(List.of("ip", "netns", "exec", s, "ping", "-c", "1", "-W", "1", "127.0.0.1"), "").exit() >= 0);
    assertEquals(foreign, netlink.tableRules(s, "ip foreign").orElseThrow());
    String handle = Kernel.run("ip", "netns", "exec", s, "nft", "-a", "list", "chain", "ip", "foreign", "c").out()
        .lines().filter(l -> l.contains("counter")).findFirst().orElseThrow().replaceAll(".*# handle (\\d+).*", "$1");
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "replace rule ip foreign c handle " + handle + " ip saddr 10.9.9.9 counter").ok());
    TableRules edited = netlink.tableRules(s, "ip foreign").orElseThrow();
    assertEquals(2, edited.count());
    assertEquals(java.util.Optional.of("rules edited since apply"), foreign.differenceTo(edited));
  }

  /**
   * What {@code ip} would name from the files of {@code /etc/iproute2} (a TOS of {@code
   * rt_dsfield}, {@code AF11}; protocols of {@code rt_protos}, {@code dhcp}, {@code bird}) is read
   * as the netlink read gives it ({@code ip -N}, numbers, named as {@code RouteDump} names them):
   * routes made by hand in an endpoint with a TOS, in other tables and with other protocols give
   * both reads the same identities, routes and protocols, and the same live state.
   */
  @org.junit.jupiter.api.Test
  void routesIpWouldNameFromItsFilesAreReadAsOverNetlink() {
    Runner.Target target = Kernel.target(Kernel.compile("examples/webshop.netc"), s);
    runner.apply(target);
    String ns = target.host().namespaces().get(0).name();
    String gw = Kernel.run("ip", "-n", ns, "-j", "route", "show", "default").out().replaceAll("(?s).*\"gateway\":\"([^\"]*)\".*", "$1");
    assertTrue(gw.matches("[0-9.]+"), gw);
    for (String r : List.of("blackhole 10.21.0.0/25 tos 0x28", "10.97.0.0/16 dev eth0 proto bird",
        "10.98.0.0/16 dev eth0 table 100 proto dhcp", "unreachable 10.96.0.0/16 table local", "prohibit 10.94.0.0/16 table default",
        "10.95.0.0/16 via " + gw + " tos 0x28 table 100 proto zebra", "10.93.0.0/16 via " + gw + " proto 77")) {
      List<String> argv = new java.util.ArrayList<>(List.of("ip", "-n", ns, "route", "add"));
      argv.addAll(List.of(r.split(" ")));
      assertTrue(Kernel.run(argv.toArray(String[]::new)).ok(), argv::toString);
    }
    // as ip would name them without -N
    String named = Kernel.run("ip", "-n", ns, "route", "show", "table", "all").out();
    assertTrue(named.contains("10.21.0.0/25 tos AF11") && named.contains("proto dhcp") && named.contains("proto bird"), named);
    Map<String, List<String>> sysctls = Map.of(s, target.sysctlKeys());
    RecordingExecutor recorded = RecordingExecutor.around(Kernel.EXEC);
    LiveReader processes = new LiveReader(recorded, Runner.ETC_NETNS, stateDir);
    LiveReader netlink = new LiveReader(Kernel.EXEC, Runner.ETC_NETNS, stateDir, new NetlinkNamespaces(Path.of("/run/netns")));
    LiveState a = processes.read(target.sandbox(), target.topology(), sysctls);
    LiveState b = netlink.read(target.sandbox(), target.topology(), sysctls);
    assertTrue(recorded.calls().stream().anyMatch(c -> c.line().contains("ip -N -j -d") || c.stdin().contains(" ip -N -j -d ")),
        () -> recorded.calls().toString());
    java.util.function.Function<String, ObjectId> route = id -> new ObjectId(ObjectId.Kind.ROUTE, ns, id);
    Map<ObjectId, String> expected = new java.util.HashMap<>();
    expected.put(route.apply("10.21.0.0/25 tos 0x28"), "blackhole");
    expected.put(route.apply("10.97.0.0/16"), "dev eth0");
    expected.put(route.apply("10.98.0.0/16 table 100"), "dev eth0");
    expected.put(route.apply("10.96.0.0/16 table local"), "unreachable");
    expected.put(route.apply("10.94.0.0/16 table default"), "prohibit");
    expected.put(route.apply("10.95.0.0/16 tos 0x28 table 100"), "via " + gw + " dev eth0");
    expected.put(route.apply("10.93.0.0/16"), "via " + gw + " dev eth0");
    for (LiveState x : List.of(a, b)) {
      expected.forEach((id, via) -> assertEquals(java.util.Optional.of(via), x.route(id), id::toString));
      assertEquals("12", x.routeProtocols().get(route.apply("10.97.0.0/16")));
      assertEquals("16", x.routeProtocols().get(route.apply("10.98.0.0/16 table 100")));
      assertEquals("11", x.routeProtocols().get(route.apply("10.95.0.0/16 tos 0x28 table 100")));
      assertEquals("77", x.routeProtocols().get(route.apply("10.93.0.0/16")));
      assertEquals("boot", x.routeProtocols().get(route.apply("10.21.0.0/25 tos 0x28")));
    }
    assertEquals(a.owned(), b.owned());
    assertEquals(a.routes(), b.routes());
    assertEquals(a.routeProtocols(), b.routeProtocols());
    assertEquals(a.links(), b.links());
    assertEquals(a.plumbing(), b.plumbing());
    assertEquals(a.otherRoutes(), b.otherRoutes());
    assertEquals(a, b.toBuilder().nftGenerations(Map.of()).kernelRulesMissing(a.kernelRulesMissing()).attributes(Map.of())
        .build());
  }

  /**
   * The policy routing rules of an endpoint, read through {@code ip} ({@code rule show}, and
   * {@code ip -6} of it, beside the batch) as over netlink: rules made by hand with every
   * selector and action {@code ip rule} prints, in both families, give both reads the same
   * identities, and a kernel rule deleted by hand is missing in both.
   */
  @org.junit.jupiter.api.Test
  void rulesAreReadThroughIpAsOverNetlink() {
    Runner.Target target = Kernel.target(Kernel.compile("examples/webshop.netc"), s);
    runner.apply(target);
    String ns = target.host().namespaces().get(0).name();
    List<String> made = new java.util.ArrayList<>();
    for (String r : List.of("from 10.1.0.0/16 lookup 100 pref 100", "from 10.1.2.3 to 10.9.0.0/24 tos 0x10 lookup 7 pref 101",
        "not from 10.2.0.0/16 goto 32766 pref 102", "fwmark 0x10 lookup main pref 103", "fwmark 0x20/0xff lookup local pref 104",
        "iif lo oif lo ipproto tcp dport 80-90 sport 5 lookup 9 pref 105", "uidrange 1-100 blackhole pref 106",
        "unreachable pref 107", "prohibit pref 108", "nop pref 109", "lookup main suppress_prefixlength 0 pref 110",
        "lookup main suppress_ifgroup 3 pref 111", "realms 2/5 lookup 9 pref 112", "realms 5 lookup 9 pref 113",
        "tun_id 7 lookup 9 pref 114", "tos 0x08 lookup 4000000000 pref 115", "l3mdev pref 116",
        "-6 from fd00::/64 to fd01::/64 lookup local pref 300", "-6 from fd00::1 lookup 100 pref 301",
        "-6 fwmark 0x1/0x3 prohibit pref 302", "-6 not to fd02::/48 ipproto 17 dport 53 lookup 5 pref 303",
        // and what made them (not a selector: kept to make them again)
        "from 10.3.0.0/16 lookup 100 protocol 99 pref 117", "-6 from fd03::/64 lookup 100 protocol static pref 304")) {
      List<String> argv = new java.util.ArrayList<>(List.of("ip", "-n", ns));
      if (r.startsWith("-6 ")) {
        argv.add("-6");
        r = r.substring(3);
      }
      argv.addAll(List.of("rule", "add"));
      argv.addAll(List.of(r.split(" ")));
      CommandExecutor.Result x = Kernel.run(argv.toArray(String[]::new));
      assertTrue(x.ok() || r.startsWith("l3mdev"), () -> argv + ": " + x.err()); // (a kernel without VRF has no l3mdev)
      if (x.ok()) {
        made.add(r);
      }
    }
    // a kernel rule deleted by hand
    assertTrue(Kernel.run("ip", "-n", ns, "rule", "del", "pref", "32767").ok());
    Map<String, List<String>> sysctls = Map.of(s, target.sysctlKeys());
    LiveReader processes = new LiveReader(Kernel.EXEC, Runner.ETC_NETNS, stateDir);
    LiveReader netlink = new LiveReader(Kernel.EXEC, Runner.ETC_NETNS, stateDir, new NetlinkNamespaces(Path.of("/run/netns")));
    LiveState a = processes.read(target.sandbox(), target.topology(), sysctls);
    LiveState b = netlink.read(target.sandbox(), target.topology(), sysctls);
    java.util.function.Function<LiveState, List<String>> rules = x -> x.owned(ObjectId.Kind.RULE).stream()
        .map(ObjectId::toString).sorted().toList();
    assertEquals(made.size(), rules.apply(b).size(), rules.apply(b)::toString);
    assertEquals(rules.apply(b), rules.apply(a));
    assertEquals(Map.of(ns, List.of("pref 32767 from all lookup default")), b.kernelRulesMissing());
    assertEquals(b.kernelRulesMissing(), a.kernelRulesMissing());
    assertTrue(a.owned().contains(new ObjectId(ObjectId.Kind.RULE, ns, "pref 101 from 10.1.2.3/32 to 10.9.0.0/24 tos 0x10 lookup 7")),
        rules.apply(a)::toString);
    assertTrue(a.owned().contains(new ObjectId(ObjectId.Kind.RULE, ns, "-6 pref 300 from fd00::/64 to fd01::/64 lookup local")),
        rules.apply(a)::toString);
    assertEquals(a.owned(), b.owned());
    assertEquals(Map.of(new ObjectId(ObjectId.Kind.RULE, ns, "pref 117 from 10.3.0.0/16 lookup 100"), "protocol 99",
        new ObjectId(ObjectId.Kind.RULE, ns, "-6 pref 304 from fd03::/64 lookup 100"), "protocol 4"), b.attributes());
    assertEquals(b.attributes(), a.attributes());
    assertEquals(a, b.toBuilder().nftGenerations(Map.of()).build());
    // and each namespace read alone (`ip -n NS -batch -`, then `ip -6 -n NS -batch -` of its rules)
    RecordingExecutor alone = RecordingExecutor.around(Kernel.EXEC);
    assertEquals(a, new LiveReader(alone, Runner.ETC_NETNS).read(target.sandbox(), target.topology(), sysctls));
    assertTrue(alone.calls().stream().anyMatch(c -> c.line().equals("ip -6 -N -j -d -n " + ns + " -batch -")
        && c.stdin().equals("rule show\n")), () -> alone.calls().toString());
  }

  /**
   * The elements' witness: counted as nft counts them (an interval once, a rule's own set not
   * at all), the same when read again, after traffic counted in them, and after an element left
   * and came back (the kernel may list a hash set in another order then); changed by an element
   * added, deleted, or swapped for another.
   */
  @org.junit.jupiter.api.Test
  void theElementsWitnessSeesEveryElementChangeAndNothingElse() throws Exception {
    runner.apply(Kernel.target(Kernel.compile("examples/webshop.netc"), s)); // makes S
    LiveReader netlink = new LiveReader(Kernel.EXEC, Runner.ETC_NETNS, stateDir, new NetlinkNamespaces(Path.of("/run/netns")));
    StringBuilder hash = new StringBuilder();
    for (int i = 1; i <= 300; i++) {
      hash.append(i == 1 ? "" : ", ").append("10.1.").append(i / 250).append('.').append(i % 250 + 1);
    }
    CommandExecutor.Result r = Kernel.EXEC.run(List.of("ip", "netns", "exec", s, "nft", "-f", "-"), String.join("\n",
        "table inet w {",
        "  set h { type ipv4_addr; counter; elements = { 127.0.0.1, " + hash + " } }",
        "  set i { type ipv4_addr; flags interval; elements = { 10.2.0.0/16, 10.3.0.1-10.3.0.9 } }",
        "  set c { type ipv4_addr . inet_service; flags interval; elements = { 10.4.0.1-10.4.0.3 . 80-90 } }",
        "  map m { type inet_service : ipv4_addr; elements = { 53 : 10.5.0.1, 54 : 10.5.0.2 } }",
        "  chain out {", "    type filter hook output priority 0;", "    ip daddr @h counter", "    tcp dport { 1, 2, 3 } accept",
        "    ip daddr @i counter", "  }",
        "}", ""));
    assertTrue(r.ok(), r.err());
    TableRules.Elements was = netlink.tableRules(s, "inet w").orElseThrow().elements().orElseThrow();
    assertEquals(301 + 2 + 1 + 2, was.count());
    assertEquals(was, elements(netlink));
    // traffic through the counters of @h and @i: the same
    assertTrue(Kernel.run("ip", "-n", s, "link", "set", "lo", "up").ok());
    Kernel.EXEC.run(List.of("ip", "netns", "exec", s, "ping", "-c", "1", "-W", "1", "127.0.0.1"), "");
    String counted = Kernel.run("ip", "netns", "exec", s, "nft", "list", "set", "inet", "w", "h").out();
    assertTrue(counted.matches("(?s).*127\\.0\\.0\\.1 counter packets [1-9].*"), counted);
    assertEquals(was, elements(netlink));
    // 200 elements out and back in: the same set, however the kernel lists it now
    StringBuilder some = new StringBuilder();
    for (int i = 1; i <= 200; i++) {
      some.append(i == 1 ? "" : ", ").append("10.1.").append(i / 250).append('.').append(i % 250 + 1);
    }
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "delete element inet w h { " + some + " }").ok());
    assertEquals(was.count() - 200, elements(netlink).count());
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "add element inet w h { " + some + " }").ok());
    assertEquals(was, elements(netlink));
    // one element swapped for another: the count stays, the digest does not
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "delete element inet w m { 54 : 10.5.0.2 }; add element inet w m { 54 : 10.5.0.3 }").ok());
    TableRules.Elements swapped = elements(netlink);
    assertEquals(was.count(), swapped.count());
    assertFalse(was.equals(swapped));
    TableRules applied = new TableRules(3, java.util.Optional.empty(), java.util.Optional.of(was));
    assertEquals(java.util.Optional.of("set m: elements edited since apply"),
        applied.differenceTo(new TableRules(3, java.util.Optional.empty(), java.util.Optional.of(swapped))));
    // an interval added, and a set added by hand, even empty
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "add element inet w i { 10.6.0.0/24 }").ok());
    assertEquals(was.count() + 1, elements(netlink).count());
    TableRules.Elements more = elements(netlink);
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "add set inet w empty { type ipv4_addr; }").ok());
    assertEquals(more.count(), elements(netlink).count());
    assertFalse(more.equals(elements(netlink)));
    assertEquals(java.util.Optional.of("set i: 3 elements, applied with 2, set empty added since apply"),
        applied.differenceTo(new TableRules(3, java.util.Optional.empty(), java.util.Optional.of(elements(netlink)))).map(d -> d
            .replace("set m: elements edited since apply, ", "")));
    // by set, in the kernel's order, summing to the table's
    assertEquals(List.of("inet:h", "inet:i", "inet:c", "inet:m", "inet:empty"), List.copyOf(elements(netlink).sets().keySet()));
    assertEquals(elements(netlink).count(), elements(netlink).sets().values().stream().mapToInt(TableRules.SetElements::count).sum());
    // a set of more elements than a witness reads of one: its read stops there, it is left out
    // of the totals, and the other sets are still compared
    TableRules.Elements before = elements(netlink);
    StringBuilder big = new StringBuilder("add set inet w big { type ipv4_addr; elements = { ");
    for (int i = 0; i <= LiveReader.MAX_SET_ELEMENTS; i++) {
      big.append(i == 0 ? "" : ", ").append("10.7.").append(i / 250).append('.').append(i % 250 + 1);
    }
    r = Kernel.EXEC.run(List.of("ip", "netns", "exec", s, "nft", "-f", "-"), big.append(" }; }\n").toString());
    assertTrue(r.ok(), r.err());
    TableRules.Elements over = elements(netlink);
    assertFalse(over.complete());
    assertFalse(over.sets().get("inet:big").whole());
    assertTrue(over.sets().get("inet:big").count() > LiveReader.MAX_SET_ELEMENTS, over::toString);
    assertEquals(before.count(), over.count());
    assertEquals(before.digest(), over.digest());
    TableRules withBig = netlink.tableRules(s, "inet w").orElseThrow();
    assertTrue(withBig.text().endsWith(" inet:big=?"), withBig.text());
    assertEquals(withBig.text(), TableRules.parse(withBig.text()).orElseThrow().text());
    assertEquals(java.util.Optional.of("set big added since apply"),
        new TableRules(3, java.util.Optional.empty(), java.util.Optional.of(before)).differenceTo(withBig));
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "add element inet w i { 10.8.0.0/24 }").ok());
    assertEquals(java.util.Optional.of("set i: 4 elements, applied with 3"), withBig.differenceTo(netlink.tableRules(s, "inet w").orElseThrow()));
    // the big set changed: not seen (not read)
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "delete element inet w i { 10.8.0.0/24 }; delete element inet w big { 10.7.0.1 }").ok());
    assertEquals(java.util.Optional.empty(), withBig.differenceTo(netlink.tableRules(s, "inet w").orElseThrow()));
    // not asked for: not read
    assertEquals(java.util.Optional.empty(), netlink.tableRules(s, "inet w", false).orElseThrow().elements());
  }

  private TableRules.Elements elements(LiveReader netlink) {
    return netlink.tableRules(s, "inet w").orElseThrow().elements().orElseThrow();
  }

  /**
   * Namespaces netlink cannot enter (here: files under a folder that are no namespace, setns
   * refuses them) are read by the batched {@code ip} processes instead, and the live state is the
   * same.
   */
  @org.junit.jupiter.api.Test
  void namespacesNetlinkCannotEnterAreReadByIp() throws Exception {
    Topology t = Kernel.compile("examples/webshop.netc");
    Runner.Target target = Kernel.target(t, s);
    runner.apply(target);
    Path fake = stateDir.resolve("not-netns");
    java.nio.file.Files.createDirectories(fake);
    LiveReader processes = new LiveReader(Kernel.EXEC, Runner.ETC_NETNS, stateDir);
    for (String n : processes.namespaces()) {
      if (n.equals(s) || n.startsWith(s + "-")) {
        java.nio.file.Files.writeString(fake.resolve(n), "");
      }
    }
    RecordingExecutor recorded = RecordingExecutor.around(Kernel.EXEC);
    LiveReader broken = new LiveReader(recorded, Runner.ETC_NETNS, stateDir, new NetlinkNamespaces(fake));
    Map<String, List<String>> sysctls = Map.of(s, target.sysctlKeys());
    assertEquals(processes.read(target.sandbox(), target.topology(), sysctls),
        broken.read(target.sandbox(), target.topology(), sysctls));
    assertTrue(recorded.calls().stream().anyMatch(c -> c.argv().contains("nsenter")), () -> recorded.calls().toString());
  }
}
