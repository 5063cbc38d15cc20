package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container sends only as itself: forged frames from c (raw sockets, {@code spoof.py}) that
 * claim a's addresses are dropped on c's port as they enter the bridge. Four attacks, each
 * checked where it would land:
 *
 * <ul>
 *   <li>UDP from a's IPv4 and IPv6 address to b, which admits a and not c: b's kernel counts no
 *       datagram ({@code Udp: NoPorts}, {@code Udp6NoPorts}: nothing listens);
 *   <li>an ARP reply claiming a's IPv4 address, broadcast: b's and the host's neighbour entries
 *       for a keep a's MAC address;
 *   <li>neighbour advertisements claiming a's IPv6 address and its link-local one: b's entries
 *       keep a's MAC address;
 *   <li>a frame from a's MAC address: the bridge's forwarding entry for it stays on a's port.
 * </ul>
 *
 * <p>The same frames sent by a as itself do arrive, and with the port's chain flushed c's forged
 * ones arrive too and poison the caches, so the test's packets are real; apply then repairs the
 * flushed chain.
 */
@Timeout(120)
class AntiSpoofKernelTest extends SandboxTest {
  private static final String TOPOLOGY = "topology sp\n\nnetwork n {\n  subnet 10.79.0.0/24\n  subnet fd79::/64\n}\n\n"
      + "container a {\n  attach n\n  labels app=a\n}\n\n"
      + "container b {\n  attach n\n  labels app=b\n  expose 7000/udp\n}\n\n"
      + "container c {\n  attach n\n  labels app=c\n}\n\n"
      + "policy b-admits-a {\n  select app=b\n  allow ingress from app=a port 7000/udp\n}\n";
  private static final String A4 = "10.79.0.2";
  private static final String B4 = "10.79.0.3";
  private static final String A6 = "fd79::2";
  private static final String B6 = "fd79::3";
  private static final String C6 = "fd79::4";
  /** a's link-local address: EUI-64 of the MAC address the plan fixes, 02:42:0a:4f:00:02. */
  private static final String A_LL = "fe80::42:aff:fe4f:2";
  private static final String BROADCAST = "ff:ff:ff:ff:ff:ff";

  private Path script;

  @Test
  void forgedFramesFromAContainerAreDroppedOnItsPort(@TempDir Path dir) throws Exception {
    Runner.Target t = Kernel.target(dir, "sp.netc", TOPOLOGY, s);
    runner.apply(t);
    script = dir.resolve("spoof.py");
    try (var in = AntiSpoofKernelTest.class.getResourceAsStream("spoof.py")) {
      Files.copy(in, script);
    }
    String aMac = mac("a");
    String bMac = mac("b");
    String cMac = mac("c");
    // b and the host know a (IPv4 and IPv6): entries the attacks would overwrite
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-b", "ping", "-c1", "-W2", A4).ok());
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-b", "ping", "-6", "-c1", "-W3", A6).ok());
    assertTrue(Kernel.run("ip", "netns", "exec", s, "ping", "-c1", "-W2", A4).ok());
    assertTrue(Kernel.run("ip", "-n", s + "-a", "-6", "address", "show", "dev", "eth0", "scope", "link").out()
        .contains(A_LL + "/64"), "the link-local address the port filter expects");
    // b resolves a's link-local address (the ping itself is dropped: link-local is no address of the model)
    Kernel.run("ip", "netns", "exec", s + "-b", "ping", "-6", "-c1", "-W1", A_LL + "%eth0");
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-c", "ping", "-c1", "-W2", A4).ok(), "c's own traffic passes");
    Thread.sleep(1200); // past the neighbour tables' locktime (1 s), in which no update would be taken
    assertEquals(aMac, neighbour(s + "-b", A4));
    assertEquals(aMac, neighbour(s + "-b", A6));
    assertEquals(aMac, neighbour(s, A4));
    assertEquals(aMac, neighbour(s + "-b", A_LL));

    // as itself, a's datagrams arrive (the policy admits a): the filter is not too strict
    long[] before = udpNoPorts();
    send("a", "udp4", bMac, A4, B4, "7000");
    send("a", "udp6", bMac, A6, B6, "7000");
    awaitDatagrams(before, 3, 3);

    // c as a: nothing arrives, no cache changes; the forged ARP reply and advertisements sent
    // again past the neighbour tables' locktime, which may hold an entry that something else
    // updated a moment before (then even an unfiltered reply is not taken)
    before = udpNoPorts();
    attacks(bMac);
    Thread.sleep(1100);
    forgedNeighbours(bMac);
    Thread.sleep(500);
    assertEquals(before[0], udpNoPorts()[0], "c's datagrams from a's IPv4 address are dropped on c's port");
    assertEquals(before[1], udpNoPorts()[1], "c's datagrams from a's IPv6 address are dropped on c's port");
    assertEquals(aMac, neighbour(s + "-b", A4), "b's ARP entry for a");
    assertEquals(aMac, neighbour(s, A4), "the host's ARP entry for a");
    assertEquals(aMac, neighbour(s + "-b", A6), "b's neighbour entry for a");
    assertEquals(aMac, neighbour(s + "-b", A_LL), "b's neighbour entry for a's link-local address");
    assertEquals("ve-a-0", fdbPort(aMac), "the bridge still sends a's frames to a's port");

    // without the port's chain the same frames get through the policy and poison the caches
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "flush", "chain", "bridge", "netc_sp", "prerouting").ok());
    attacks(bMac);
    awaitDatagrams(before, 3, 3);
    // the same: a reply that met an entry within its locktime is sent again after it
    for (int round = 0; round < 4 && !poisoned(cMac); round++) {
      for (int i = 0; i < 20 && !poisoned(cMac); i++) {
        Thread.sleep(50);
      }
      if (!poisoned(cMac)) {
        Thread.sleep(1100);
        forgedNeighbours(bMac);
      }
    }
    assertEquals(cMac, neighbour(s + "-b", A4), "the test's ARP reply works");
    assertEquals(cMac, neighbour(s, A4), "the test's ARP reply works on the host too");
    assertEquals(cMac, neighbour(s + "-b", A6), "the test's neighbour advertisement works");
    assertEquals(cMac, neighbour(s + "-b", A_LL), "and for a link-local address");
    // (a's own frames, its answers to the poisoned neighbours, teach the bridge a's port again at
    // any moment, on a loaded machine even between the forged frame and the read: the frame is
    // sent again until the bridge is seen to have learnt it once, which is what this shows)
    String learnt = "";
    for (int i = 0; i < 10 && !learnt.equals("ve-c-0"); i++) {
      send("c", "mac", bMac, mac("a"), "10.79.0.4", B4, "7001");
      learnt = fdbPort(aMac);
    }
    assertEquals("ve-c-0", learnt, "the test's frame from a's MAC address works: a's frames go to c");

    // the flushed chain is drift that apply repairs
    assertTrue(runner.plan(t).changes().stream().anyMatch(c -> c.id().toString().equals("table:" + s + ":inet netc_sp")),
        () -> runner.plan(t).text());
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    before = udpNoPorts();
    send("c", "udp4", bMac, A4, B4, "7000");
    Thread.sleep(300);
    assertEquals(before[0], udpNoPorts()[0], "dropped again after the repair");
  }

  /**
   * A container whose MAC address is not the planned one (as after an upgrade from a netc that
   * left the kernel's random one, or a MAC changed by hand) is drift, repaired in place; the
   * kernel announces the new address, so the host's neighbour entry, stale with the old one,
   * takes it at once and traffic to the container flows right after the apply.
   */
  @Test
  void aMacAddressChangedInPlaceIsAnnouncedToTheHost(@TempDir Path dir) throws Exception {
    Runner.Target t = Kernel.target(dir, "sp.netc", TOPOLOGY, s);
    runner.apply(t);
    String planned = mac("a");
    assertEquals("02:42:0a:4f:00:02", planned);
    String old = "02:00:00:00:00:aa";
    assertTrue(Kernel.run("ip", "-n", s + "-a", "link", "set", "eth0", "address", old).ok());
    assertTrue(Kernel.run("ip", "-n", s, "neigh", "replace", A4, "lladdr", old, "dev", "br-n", "nud", "stale").ok());
    Thread.sleep(1200); // past the neighbour table's locktime
    Plan drift = runner.plan(t);
    assertTrue(drift.text().contains("~ link:" + s + "-a:eth0  (address " + old + " -> " + planned + ")"), drift.text());
    runner.apply(t);
    assertEquals(planned, mac("a"));
    for (int i = 0; i < 20 && !planned.equals(neighbour(s, A4)); i++) {
      Thread.sleep(50);
    }
    assertEquals(planned, neighbour(s, A4), "the host took the announced MAC address");
    assertTrue(Kernel.run("ip", "netns", "exec", s, "ping", "-c1", "-W1", A4).ok(), "at once, not after the entry expires");
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
  }

  /**
   * A container on two networks may send from its one address out of the other network's port:
   * web, on front and back, publishes 8080 -> 80; client, on back, connects to the host's address
   * on back. The DNAT sends the connection to web's front address, and web answers client
   * straight over back, from its front address (the host's conntrack turns it back into the
   * published address as the reply crosses the bridge).
   */
  @Test
  void aContainerOnTwoNetworksAnswersFromItsOtherAddress(@TempDir Path dir) throws Exception {
    Runner.Target t = Kernel.target(dir, "mh.netc", "topology mh\n\nnetwork front {\n  subnet 10.83.0.0/24\n}\n\n"
        + "network back {\n  subnet 10.84.0.0/24\n}\n\n"
        + "container web {\n  attach front\n  attach back\n  publish 8080 -> 80/tcp\n}\n\n"
        + "container client {\n  attach back\n}\n", s);
    runner.apply(t);
    assertEquals("02:42:0a:53:00:02", mac("web"), "the MAC address the plan fixes: 02:42 and web's IPv4 address");
    Process server = Kernel.listen(s + "-web", 80);
    try {
      assertTrue(Kernel.connectsWithin(s + "-client", "10.84.0.1", 8080, 3),
          "client reaches web through the port published on the host's back address");
    } finally {
      Kernel.stop(List.of(server));
    }
  }

  /** c claims a's addresses: UDP as a over IPv4 and IPv6, an ARP reply and a neighbour advertisement. */
  private void attacks(String bMac) {
    send("c", "udp4", bMac, A4, B4, "7000");
    send("c", "udp6", bMac, A6, B6, "7000");
    forgedNeighbours(bMac);
    // c's own address, a's MAC address: the bridge would learn a's MAC on c's port
    send("c", "mac", bMac, mac("a"), "10.79.0.4", B4, "7001");
  }

  /** c's forged ARP reply and neighbour advertisements for a's addresses (a part of {@link #attacks}). */
  private void forgedNeighbours(String bMac) {
    send("c", "arp", BROADCAST, A4, B4);
    send("c", "na", bMac, C6, B6, A6);
    send("c", "na", bMac, C6, B6, A_LL);
  }

  /** Whether every neighbour entry the attacks aim at holds {@code mac}. */
  private boolean poisoned(String mac) {
    return mac.equals(neighbour(s + "-b", A4)) && mac.equals(neighbour(s, A4)) && mac.equals(neighbour(s + "-b", A6))
        && mac.equals(neighbour(s + "-b", A_LL));
  }

  /** The bridge port the sandbox's bridge sends frames for {@code mac} to, or "". */
  private String fdbPort(String mac) {
    Matcher m = Pattern.compile("^" + Pattern.quote(mac) + " dev (\\S+)", Pattern.MULTILINE)
        .matcher(Kernel.run("bridge", "-n", s, "fdb", "show").out());
    return m.find() ? m.group(1) : "";
  }

  private void send(String from, String mode, String... args) {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", s + "-" + from, "python3", script.toString(), mode, "eth0"));
    argv.addAll(List.of(args));
    CommandExecutor.Result r = Kernel.EXEC.run(argv, "");
    assertTrue(r.ok(), () -> String.join(" ", argv) + ": " + r.err());
  }

  /** Waits until b has counted {@code v4} and {@code v6} more datagrams than {@code before}. */
  private void awaitDatagrams(long[] before, int v4, int v6) throws InterruptedException {
    long[] now = udpNoPorts();
    for (int i = 0; i < 60 && (now[0] < before[0] + v4 || now[1] < before[1] + v6); i++) {
      Thread.sleep(50);
      now = udpNoPorts();
    }
    assertEquals(before[0] + v4, now[0], "IPv4 datagrams at b");
    assertEquals(before[1] + v6, now[1], "IPv6 datagrams at b");
  }

  /** b's {@code Udp: NoPorts} and {@code Udp6NoPorts}: datagrams that arrived with nothing listening. */
  private long[] udpNoPorts() {
    List<String> udp = Kernel.run("ip", "netns", "exec", s + "-b", "cat", "/proc/net/snmp").out().lines()
        .filter(l -> l.startsWith("Udp: ")).toList();
    List<String> names = List.of(udp.get(0).split(" "));
    long v4 = Long.parseLong(udp.get(1).split(" ")[names.indexOf("NoPorts")]);
    long v6 = Kernel.run("ip", "netns", "exec", s + "-b", "cat", "/proc/net/snmp6").out().lines()
        .filter(l -> l.startsWith("Udp6NoPorts")).mapToLong(l -> Long.parseLong(l.split("\\s+")[1])).findFirst().orElseThrow();
    return new long[] {v4, v6};
  }

  private String mac(String endpoint) {
    Matcher m = Pattern.compile("link/ether (\\S+)").matcher(
        Kernel.run("ip", "-n", s + "-" + endpoint, "link", "show", "eth0").out());
    assertTrue(m.find(), endpoint);
    return m.group(1);
  }

  /** The link-layer address {@code ns} holds for {@code address}, or "" when it has none. */
  private String neighbour(String ns, String address) {
    Matcher m = Pattern.compile("lladdr (\\S+)").matcher(Kernel.run("ip", "-n", ns, "neigh", "show", address).out());
    return m.find() ? m.group(1) : "";
  }
}
