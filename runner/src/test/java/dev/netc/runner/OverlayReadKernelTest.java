package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.backends.plan.IpsecKeys;
import dev.netc.backends.plan.ObjectId;
import dev.netc.runner.netlink.NetlinkNamespaces;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The live state of an overlay's host namespaces as root reads it without a process: the
 * forwarding entries of its VXLAN devices over netlink ({@code RTM_GETNEIGH}, {@code AF_BRIDGE})
 * give the same objects as {@code bridge -j fdb show dev VX}, with entries made by hand (another
 * remote of an entry, another MAC, an IPv6 remote), and its IPsec objects ({@code NETLINK_XFRM}
 * dumps) the same as {@code ip xfrm state list} and {@code ip xfrm policy list} (larval ESP
 * states, IPv4 and IPv6, policies in and out; and others, not the topology's); a no-op apply of
 * examples/overlay.netc runs no process, and an entry deleted by hand is still drift.
 */
class OverlayReadKernelTest extends SandboxTest {
  private static final Path RUN_NETNS = Path.of("/run/netns");

  @Test
  void theForwardingEntriesAndIpsecObjectsReadOverNetlinkAreThoseBridgeAndIpList() throws Exception {
    List<Runner.Target> ts = Kernel.targets(Kernel.compile("examples/overlay.netc"), s);
    runner.apply(ts);
    String h1 = s + "-host_h1";
    String topology = ts.get(0).topology();
    // by hand: a second remote of the flooding entry, an entry of another MAC, and a VXLAN device
    // of the topology's (its alias) over IPv6 with an IPv6 remote
    for (String c : List.of("bridge -n " + h1 + " fdb append 00:00:00:00:00:00 dev vx-mesh dst 192.168.56.99",
        "bridge -n " + h1 + " fdb add 02:00:00:00:00:01 dev vx-mesh dst 192.168.56.12",
        "ip -n " + h1 + " link add vx-six type vxlan id 4200 local fd00:56::11 dstport 4789",
        "ip -n " + h1 + " link set vx-six alias netc:" + topology + ":vxlan:six",
        "bridge -n " + h1 + " fdb add 00:00:00:00:00:00 dev vx-six dst fd00:56:0:0::12",
        "bridge -n " + h1 + " fdb add 02:00:00:00:00:02 dev vx-six dst fd00:56::13")) {
      CommandExecutor.Result r = Kernel.run(c.split(" "));
      assertTrue(r.ok(), () -> c + ": " + r.err());
    }
    // IPsec objects of the topology's reqid (this kernel may have no ESP: larval states of an
    // SPI, which live as long as net.core.xfrm_acq_expires says), and others
    long reqid = IpsecKeys.reqid(topology);
    String tmpl = " tmpl proto esp reqid " + reqid + " mode transport";
    for (String c : List.of("ip netns exec " + h1 + " sysctl -qw net.core.xfrm_acq_expires=600",
        "ip -n " + h1 + " xfrm state allocspi src 192.168.56.11 dst 192.168.56.12 proto esp reqid " + reqid + " mode transport min 0x1234 max 0x1234",
        "ip -n " + h1 + " xfrm state allocspi src fd00:56::11 dst fd00:56::12 proto esp reqid " + reqid + " mode transport min 0xfedcba98 max 0xfedcba98",
        "ip -n " + h1 + " xfrm state allocspi src 192.168.56.11 dst 192.168.56.13 proto esp reqid " + (reqid + 1) + " mode transport",
        "ip -n " + h1 + " xfrm policy add src 192.168.56.11/32 dst 192.168.56.12/32 proto udp dport 4789 dir out" + tmpl,
        "ip -n " + h1 + " xfrm policy add src fd00:56::12/128 dst fd00:56::11/128 proto udp dport 4789 dir in" + tmpl,
        "ip -n " + h1 + " xfrm policy add src 192.168.56.11/32 dst 192.168.56.14/32 proto tcp dport 4789 dir out" + tmpl,
        "ip -n " + h1 + " xfrm policy add src 192.168.56.11/32 dst 192.168.56.15/32 proto udp dport 4789 dir out tmpl proto esp reqid "
            + (reqid + 1) + " mode transport")) {
      CommandExecutor.Result r = Kernel.run(c.split(" "));
      assertTrue(r.ok(), () -> c + ": " + r.err());
    }
    Map<String, List<String>> sysctls = new LinkedHashMap<>();
    ts.forEach(x -> sysctls.put(x.hostNs(), x.sysctlKeys()));
    RecordingExecutor recorded = RecordingExecutor.around(Kernel.EXEC);
    LiveReader processes = new LiveReader(Kernel.EXEC, Runner.ETC_NETNS, stateDir);
    LiveReader netlink = new LiveReader(recorded, Runner.ETC_NETNS, stateDir, new NetlinkNamespaces(RUN_NETNS));
    Sandbox sb = ts.get(0).sandbox();
    LiveState a = processes.read(sb, topology, sysctls);
    LiveState b = netlink.read(sb, topology, sysctls);
    String h2 = s + "-host_h2";
    assertEquals(Set.of(h1 + ":vx-mesh/00:00:00:00:00:00/192.168.56.12", h1 + ":vx-mesh/00:00:00:00:00:00/192.168.56.99",
        h1 + ":vx-mesh/02:00:00:00:00:01/192.168.56.12", h1 + ":vx-six/00:00:00:00:00:00/fd00:56::12",
        h1 + ":vx-six/02:00:00:00:00:02/fd00:56::13", h2 + ":vx-mesh/00:00:00:00:00:00/192.168.56.11"),
        fdb(b));
    assertEquals(fdb(a), fdb(b));
    assertEquals(Set.of(h1 + ":state 192.168.56.11>192.168.56.12 spi 0x00001234", h1 + ":state fd00:56::11>fd00:56::12 spi 0xfedcba98",
        h1 + ":policy out 192.168.56.11>192.168.56.12 udp/4789", h1 + ":policy in fd00:56::12>fd00:56::11 udp/4789"), xfrm(b));
    assertEquals(xfrm(a), xfrm(b));
    assertEquals(a.owned(), b.owned());
    assertEquals(a, b.toBuilder().nftGenerations(Map.of()).build());
    // no process at all
    assertEquals(List.of(), recorded.calls());
    // (a reader without netlink runs them: per host, ip of the xfrm lists, bridge of each device)
    RecordingExecutor through = RecordingExecutor.around(Kernel.EXEC);
    new LiveReader(through, Runner.ETC_NETNS, stateDir).read(sb, topology, sysctls);
    assertEquals(3, through.calls().stream().filter(c -> c.argv().get(0).equals("bridge")).count(), through.calls()::toString);
    assertEquals(4, through.calls().stream().filter(c -> c.argv().contains("xfrm")).count(), through.calls()::toString);
    // where the threads cannot enter the namespaces (files that are no namespace: setns refuses
    // them), the same, read through bridge and ip
    Path fake = stateDir.resolve("not-netns");
    java.nio.file.Files.createDirectories(fake);
    for (String n : processes.namespaces()) {
      if (n.equals(s) || n.startsWith(s + "-")) {
        java.nio.file.Files.writeString(fake.resolve(n), "");
      }
    }
    RecordingExecutor fallen = RecordingExecutor.around(Kernel.EXEC);
    assertEquals(a, new LiveReader(fallen, Runner.ETC_NETNS, stateDir, new NetlinkNamespaces(fake)).read(sb, topology, sysctls));
    assertEquals(3, fallen.calls().stream().filter(c -> c.argv().get(0).equals("bridge")).count(), fallen.calls()::toString);
    assertEquals(4, fallen.calls().stream().filter(c -> c.argv().contains("xfrm")).count(), fallen.calls()::toString);
  }

  @Test
  void aNoOpApplyOfTheOverlayRunsNoProcessAndAnEntryDeletedByHandIsDrift() {
    List<Runner.Target> ts = Kernel.targets(Kernel.compile("examples/overlay.netc"), s);
    RecordingExecutor recorded = RecordingExecutor.around(Kernel.EXEC);
    runner = new Runner(recorded, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    runner.apply(ts);
    int before = recorded.calls().size();
    Runner.Outcome second = runner.apply(ts);
    assertTrue(second.plan().empty(), () -> "second apply changed: " + second.plan().text());
    assertEquals(List.of(), recorded.calls().subList(before, recorded.calls().size()));
    assertEquals(0, second.processes());

    // h1's entry to h2 deleted by hand: missing, seen without a process, and made again by apply
    String h1 = s + "-host_h1";
    assertTrue(Kernel.run("bridge", "-n", h1, "fdb", "del", "00:00:00:00:00:00", "dev", "vx-mesh", "dst", "192.168.56.12").ok());
    int read = recorded.calls().size();
    Drift d = runner.drift(ts);
    assertEquals(List.of("missing     fdb:" + h1 + ":vx-mesh/00:00:00:00:00:00/192.168.56.12"),
        d.text().lines().filter(l -> l.startsWith("missing") || l.startsWith("changed") || l.startsWith("unexpected")).toList());
    assertEquals(List.of(), recorded.calls().subList(read, recorded.calls().size()));
    runner.apply(ts);
    assertTrue(runner.drift(ts).inSync());
    assertTrue(Kernel.run("bridge", "-n", h1, "fdb", "show", "dev", "vx-mesh").out().contains("00:00:00:00:00:00 dst 192.168.56.12"));
  }

  /**
   * Without netlink, the IPsec objects are read with {@code ip xfrm state list} and {@code ip xfrm
   * policy list}, a process each: the policies too (before, both went in one {@code ip -batch},
   * which exits after the first list: no policy was ever read, so that one deleted by hand was no
   * drift, and one of an encrypted overlay was missing after every apply).
   */
  @Test
  void theIpsecObjectsAreReadThroughIpStatesAndPolicies() {
    List<Runner.Target> ts = Kernel.targets(Kernel.compile("examples/overlay.netc"), s);
    runner.apply(ts);
    String h2 = s + "-host_h2";
    String topology = ts.get(0).topology();
    long reqid = IpsecKeys.reqid(topology);
    for (String c : List.of("ip netns exec " + h2 + " sysctl -qw net.core.xfrm_acq_expires=600",
        "ip -n " + h2 + " xfrm state allocspi src 192.168.56.12 dst 192.168.56.11 proto esp reqid " + reqid + " mode transport min 0x4321 max 0x4321",
        "ip -n " + h2 + " xfrm policy add src 192.168.56.11/32 dst 192.168.56.12/32 proto udp dport 4789 dir in tmpl proto esp reqid "
            + reqid + " mode transport")) {
      CommandExecutor.Result r = Kernel.run(c.split(" "));
      assertTrue(r.ok(), () -> c + ": " + r.err());
    }
    RecordingExecutor through = RecordingExecutor.around(Kernel.EXEC);
    LiveState live = new LiveReader(through, Runner.ETC_NETNS, stateDir).read(ts.get(0).sandbox(), topology, Map.of());
    assertEquals(Set.of(h2 + ":state 192.168.56.12>192.168.56.11 spi 0x00004321", h2 + ":policy in 192.168.56.11>192.168.56.12 udp/4789"),
        xfrm(live));
    assertEquals(List.of("ip -n " + s + "-host_h1 xfrm state list", "ip -n " + s + "-host_h1 xfrm policy list",
        "ip -n " + h2 + " xfrm state list", "ip -n " + h2 + " xfrm policy list"),
        through.calls().stream().map(RecordingExecutor.Call::line).filter(l -> l.contains("xfrm")).toList());
  }

  /** The IPsec objects of {@code live}: {@code NS:state ...}, {@code NS:policy ...}. */
  private static Set<String> xfrm(LiveState live) {
    Set<String> out = new TreeSet<>();
    live.owned(ObjectId.Kind.XFRM).forEach(i -> out.add(i.namespace() + ":" + i.name()));
    return out;
  }

  /** The forwarding entries of {@code live}: {@code NS:VX/MAC/DST}. */
  private static Set<String> fdb(LiveState live) {
    Set<String> out = new TreeSet<>();
    live.owned(ObjectId.Kind.FDB).forEach(i -> out.add(i.namespace() + ":" + i.name()));
    return out;
  }
}
