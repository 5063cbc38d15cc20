package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Reachability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dual-stack network in a real sandbox: IPv6 addresses from IPAM, an IPv6 policy that holds,
 * a port published on every address reached over IPv6 from outside, and IPv6 out to the outside
 * without NAT66 (the outside sees the endpoint's own address). Idempotent, destroyed cleanly.
 */
@Timeout(120)
class DualStackKernelTest {
  private static final String TOPOLOGY = """
      topology dual
      network edge {
        subnet 10.62.0.0/24
        subnet fd00:62::/64
      }
      container web {
        labels app=web
        attach edge
        publish 8080 -> 80/tcp
      }
      container db {
        labels app=db
        attach edge
      }
      policy db-in {
        select app=db
        allow ingress from app=web port 5432/tcp
      }
      """;

  @TempDir Path stateDir;
  @TempDir Path dir;
  String s;

  @BeforeEach
  void setUp() {
    Kernel.assumeKernel();
    boolean socat = Kernel.run("socat", "-V").ok();
    if (!socat) {
      System.out.println("skipped: socat is not installed (apt-get install socat)");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(socat, "socat is not installed");
    s = Kernel.sandboxName();
  }

  @AfterEach
  void tearDown() {
    if (s != null) {
      Kernel.removeSandbox(s, stateDir);
    }
  }

  /** A TCP listener on both families in {@code ns} (nc listens on IPv4 only). */
  private static Process listen6(String ns, int port) throws Exception {
    Process p = new ProcessBuilder("timeout", "60", "ip", "netns", "exec", ns, "socat",
        "TCP6-LISTEN:" + port + ",ipv6only=0,reuseaddr,fork", "EXEC:true")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    for (int i = 0; i < 100; i++) {
      if (Kernel.run("ip", "netns", "exec", ns, "ss", "-Hltn", "sport = :" + port).out().contains(":" + port)) {
        return p;
      }
      Thread.sleep(20);
    }
    p.destroyForcibly();
    throw new AssertionError("no listener on " + ns + ":" + port);
  }

  private static void stop(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  /**
   * The links netc makes in {@code S} skip duplicate address detection (the sandbox's default
   * {@code accept_dad=0}, set before its first link): right after apply, the bridge's link-local
   * address is usable, and IPv6 the host forwards gets through on the first try.
   */
  @Test
  void rightAfterApplyTheBridgeIsNotTentativeAndIpv6CrossesTheHostAtOnce() throws Exception {
    Topology t = topology();
    Runner runner = new Runner(Kernel.EXEC, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    runner.apply(Kernel.target(t, s));

    com.fasterxml.jackson.databind.JsonNode bridge = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(Kernel.run("ip", "-j", "-n", s, "address", "show", "dev", "br-edge").out()).get(0);
    java.util.List<com.fasterxml.jackson.databind.JsonNode> linkLocal = new java.util.ArrayList<>();
    bridge.path("addr_info").forEach(a -> {
      if (a.path("family").asText().equals("inet6") && a.path("scope").asText().equals("link")) {
        linkLocal.add(a);
      }
    });
    assertEquals(1, linkLocal.size(), bridge::toString);
    assertFalse(linkLocal.get(0).path("tentative").asBoolean(false), () -> "tentative: " + bridge);
    assertEquals("", Kernel.run("ip", "-n", s, "-6", "address", "show", "tentative").out().strip(),
        "no address of S is in duplicate address detection");
    assertEquals("0", Kernel.run("ip", "netns", "exec", s, "sysctl", "-n", "net.ipv6.conf.default.accept_dad").out().strip());

    Process web = listen6(s + "-web", 80);
    try {
      // DNATed and forwarded by S into the bridge: S solicits web's address from the bridge
      assertTrue(Kernel.connects(s + "-outside", "2001:2::1", 8080), "[2001:2::1]:8080 from outside, first try");
    } finally {
      stop(web);
    }
  }

  /**
   * In an {@code S} made by someone else, whose links run duplicate address detection (a new
   * namespace's default {@code accept_dad=1}, which netc does not change there), the links netc
   * makes there (the uplink, the bridges) skip it, each set before it gets the carrier that gives
   * it its link-local address: no address of {@code S} is tentative when apply returns, without
   * the one to two seconds of waiting that took, and IPv6 crosses the host at once there too.
   */
  @Test
  void inAnSMadeBySomeoneElseApplyReturnsOnceNothingIsTentative() throws Exception {
    assertTrue(Kernel.run("ip", "netns", "add", s).ok());
    assertEquals("1", Kernel.run("ip", "netns", "exec", s, "sysctl", "-n", "net.ipv6.conf.default.accept_dad").out().strip(),
        "a new namespace runs DAD");
    Runner runner = new Runner(Kernel.EXEC, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    Runner.Outcome o = runner.apply(Kernel.target(topology(), s));
    assertEquals(List.of(), o.notes().stream().filter(n -> n.contains("tentative")).toList());
    assertEquals("", Kernel.run("ip", "-n", s, "-6", "address", "show", "tentative").out().strip(),
        "no address of S is in duplicate address detection when apply returns");
    for (String link : List.of("uplink", "br-edge")) {
      assertEquals("0", Kernel.run("ip", "netns", "exec", s, "sysctl", "-n", "net.ipv6.conf." + link + ".accept_dad").out().strip(),
          link + " skips duplicate address detection");
    }
    assertEquals("1", Kernel.run("ip", "netns", "exec", s, "sysctl", "-n", "net.ipv6.conf.default.accept_dad").out().strip(),
        "S's own default is left as it was");
    Process web = listen6(s + "-web", 80);
    try {
      assertTrue(Kernel.connects(s + "-outside", "2001:2::1", 8080), "[2001:2::1]:8080 from outside, first try");
    } finally {
      stop(web);
    }
  }

  /**
   * An address that stays tentative on a link of someone else's in {@code S} (a veth up, its
   * peer down: no carrier) holds no apply up: apply waits only for the links that route IPv6 for
   * the topology, and says nothing of the others (before, it waited its 3 s and noted S's
   * addresses were still tentative).
   */
  @Test
  void aForeignTentativeAddressHoldsNoApplyUp() throws Exception {
    assertTrue(Kernel.run("ip", "netns", "add", s).ok());
    assertTrue(Kernel.run("ip", "-n", s, "link", "add", "theirs", "type", "veth", "peer", "name", "theirs-peer").ok());
    assertTrue(Kernel.run("ip", "-n", s, "address", "add", "fd00:99::1/64", "dev", "theirs").ok());
    assertTrue(Kernel.run("ip", "-n", s, "link", "set", "theirs", "up").ok());
    Runner runner = new Runner(Kernel.EXEC, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    Runner.Outcome o = runner.apply(Kernel.target(topology(), s));
    assertEquals(List.of(), o.notes().stream().filter(n -> n.contains("tentative")).toList());
    assertTrue(Kernel.run("ip", "-n", s, "-6", "address", "show", "tentative").out().contains("fd00:99::1/64"),
        "their address is tentative still, and theirs to deal with");
    assertEquals("", Kernel.run("ip", "-n", s, "-6", "address", "show", "tentative", "dev", "br-edge").out().strip());
  }

  /**
   * In an {@code S} whose new links have IPv6 off ({@code default.disable_ipv6 = 1}, as on a host
   * with IPv6 switched off by default), a bridge with an IPv6 gateway is switched on before its
   * address is added (the kernel refused it, and the apply rolled back), as Docker switches its
   * bridges on; S's default stays as it was.
   */
  @Test
  void aNewBridgeHasIpv6OnWhereNewLinksHaveItOff() throws Exception {
    assertTrue(Kernel.run("ip", "netns", "add", s).ok());
    assertTrue(Kernel.run("ip", "netns", "exec", s, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1").ok());
    Runner runner = new Runner(Kernel.EXEC, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    Runner.Target t = Kernel.target(topology(), s);
    runner.apply(t);
    assertTrue(Kernel.run("ip", "-n", s, "-6", "address", "show", "dev", "br-edge").out().contains("fd00:62::1/64"));
    assertEquals("1", Kernel.run("ip", "netns", "exec", s, "sysctl", "-n", "net.ipv6.conf.default.disable_ipv6").out().strip());
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    Process db = listen6(s + "-db", 5432);
    try {
      assertTrue(Kernel.connectsWithin(s + "-web", "fd00:62::3", 5432, 5), "web -> [db]:5432 over IPv6 through the bridge");
    } finally {
      stop(db);
    }
  }

  @Test
  void ipv6AddressesPolicyPublishedPortAndRoutingWithoutNat66() throws Exception {
    Topology t = topology();
    Runner runner = new Runner(Kernel.EXEC, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    Runner.Target target = Kernel.target(t, s);
    runner.apply(target);

    // IPAM gave both families; names resolve to both
    String web6 = "fd00:62::2";
    String db6 = "fd00:62::3";
    assertTrue(Kernel.run("ip", "-n", s + "-web", "-6", "address", "show", "dev", "eth0").out().contains(web6 + "/64"));
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-web", "getent", "ahosts", "db").out().contains(db6));

    Reachability model = new Reachability(t);
    PortSpec p5432 = new PortSpec(PortRange.of(5432), Protocol.TCP);
    PortSpec p80 = new PortSpec(PortRange.of(80), Protocol.TCP);
    Process db = listen6(s + "-db", 5432);
    Process web = listen6(s + "-web", 80);
    Process outside = listen6(s + "-outside", 9999);
    try {
      // the IPv6 policy: web reaches db on 5432, nothing else reaches db
      assertTrue(model.allowed(model.node("web").get(), model.node("db").get(), p5432));
      assertTrue(Kernel.connectsWithin(s + "-web", db6, 5432, 5), "web -> [db]:5432 over IPv6");
      assertTrue(Kernel.connects(s + "-web", "db", 5432), "by name");
      assertFalse(model.allowed(model.node("@outside").get(), model.node("db").get(), p5432));
      assertFalse(Kernel.connects(s + "-outside", db6, 5432), "the outside does not reach db's IPv6 address");
      assertFalse(Kernel.connects(s + "-db", db6.replace("::3", "::1"), 22), "nothing listens on the gateway");
      // the published port over IPv6, from outside
      assertTrue(model.allowed(model.node("@outside").get(), model.node("web").get(), p80));
      assertTrue(Kernel.connectsWithin(s + "-outside", "2001:2::1", 8080, 5), "[2001:2::1]:8080 from outside reaches web:80");
      assertFalse(Kernel.connects(s + "-outside", web6, 80), "but not web's own address: no path from outside");
    } finally {
      stop(db);
      stop(web);
      stop(outside);
    }
    // out to the outside without NAT66: the outside sees web's own IPv6 address
    Process seen = new ProcessBuilder("timeout", "20", "ip", "netns", "exec", s + "-outside", "socat", "-d", "-d", "-u",
        "TCP6-LISTEN:9998,reuseaddr", "OPEN:/dev/null").redirectErrorStream(true).start();
    Thread.sleep(300);
    assertTrue(Kernel.connectsWithin(s + "-web", "2001:2::2", 9998, 5), "web reaches the outside over IPv6");
    seen.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
    // socat -d -d logs "accepting connection from AF=10 [fd00:0062:...:0002]:PORT"
    String log = new String(seen.getInputStream().readAllBytes());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("connection from AF=10 \\[([0-9a-f:]+)\\]").matcher(log);
    assertTrue(m.find(), () -> "the outside logged no connection: " + log);
    assertEquals(web6, dev.netc.compiler.ir.IpAddress.parse(m.group(1)).get().toString(),
        "the outside sees web's own address, not the host's (no NAT66)");

    assertTrue(runner.apply(target).plan().empty(), "a second apply changes nothing");
    runner.destroy(target);
    assertEquals(Set.of(), Kernel.namespacesOf(s));
  }

  /** The dual-stack topology, compiled from a file (element comments name it). */
  private Topology topology() throws java.io.IOException {
    Path file = dir.resolve("dual.netc");
    Files.writeString(file, TOPOLOGY);
    return new dev.netc.compiler.Compiler().compile(file).topology().orElseThrow();
  }
}
