package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netc.runner.netlink.IpLines;
import dev.netc.runner.netlink.NetlinkNamespaces;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lines of an endpoint's batch that netc sends as rtnetlink requests ({@link IpLines}) leave
 * a namespace exactly as {@code ip -batch} of the same lines does (links, addresses with their
 * flags, routes with their protocol, compared as {@code ip -j} shows them), and a batch stops at
 * the first line the kernel refuses, as {@code ip -batch} does.
 */
class NetlinkRequestsKernelTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> LINES = List.of(
      "link set lo alias netc:t:namespace:x",
      "link set lo up",
      "link set eth0 alias netc:t:eth:x:0",
      "link set eth0 up",
      "address add 10.64.0.7/16 dev eth0",
      "address add fd64::7/64 dev eth0 nodad",
      "link set eth1 alias netc:t:eth:x:1",
      "link set eth1 up",
      "address add 10.65.3.2/24 dev eth1",
      "route add default via 10.64.0.1 dev eth0",
      "route add ::/0 via fd64::1 dev eth0",
      "route add 172.16.0.0/12 via 10.65.3.1 dev eth1");
  private String a;
  private String b;

  @BeforeEach
  void namespaces() {
    Kernel.assumeKernel();
    String s = Kernel.sandboxName();
    a = s + "-a";
    b = s + "-b";
    for (String ns : List.of(a, b)) {
      assertTrue(Kernel.run("ip", "netns", "add", ns).ok());
      CommandExecutor.Result r = Kernel.EXEC.run(List.of("ip", "-n", ns, "-batch", "-"),
          "link add eth0 type veth peer name p0\nlink add eth1 type veth peer name p1\nlink set p0 up\nlink set p1 up\n");
      assertTrue(r.ok(), r.err());
    }
  }

  @AfterEach
  void remove() {
    for (String ns : new String[] {a, b}) {
      if (ns != null) {
        Kernel.run("ip", "netns", "del", ns);
      }
    }
  }

  @Test
  void requestsDoWhatIpDoes() throws Exception {
    IpLines lines = IpLines.parse(LINES).orElseThrow();
    assertEquals(LINES.size(), lines.size());
    NetlinkNamespaces.Outcome o = new NetlinkNamespaces(Path.of("/run/netns")).configure(Map.of(a, lines));
    assertEquals(Map.of(), o.failed());
    assertEquals(5, o.read().get(a).documents().size()); // ip -j -d's four and the rules
    CommandExecutor.Result r = Kernel.EXEC.run(List.of("ip", "-n", b, "-batch", "-"), String.join("\n", LINES) + "\n");
    assertTrue(r.ok(), r.err());
    assertEquals(routes(b), routes(a));
    assertEquals(addresses(b), addresses(a));
    assertEquals(links(b), links(a));
    assertTrue(routes(a).toString().contains("172.16.0.0/12"), routes(a).toString());
    assertTrue(addresses(a).toString().contains("\"nodad\""), addresses(a).toString());
  }

  @Test
  void stopsAtTheFirstRefusedLine() {
    List<String> lines = new ArrayList<>(LINES.subList(0, 6));
    lines.add(3, "address add 10.64.0.9/16 dev eth7"); // no such device
    NetlinkNamespaces.Outcome o = new NetlinkNamespaces(Path.of("/run/netns")).configure(Map.of(a, IpLines.parse(lines).orElseThrow()));
    assertEquals("Cannot find device \"eth7\" (line 4: address add 10.64.0.9/16 dev eth7)", o.failed().get(a));
    assertFalse(o.read().containsKey(a));
    // lines 1-3 were sent, the lines after the refused one were not
    String eth0 = Kernel.run("ip", "-d", "-n", a, "address", "show", "dev", "eth0").out();
    assertTrue(eth0.contains("netc:t:eth:x:0"), eth0);
    assertFalse(eth0.contains(",UP"), "line 5 (up) was sent: " + eth0);
    assertFalse(eth0.contains("10.64.0.7"), "line 6 (address) was sent: " + eth0);

    List<String> twice = List.of("link set eth0 up", "address add 10.64.0.7/16 dev eth0", "address add 10.64.0.7/16 dev eth0");
    o = new NetlinkNamespaces(Path.of("/run/netns")).configure(Map.of(a, IpLines.parse(twice).orElseThrow()));
    assertEquals("RTNETLINK answers: File exists (line 3: address add 10.64.0.7/16 dev eth0)", o.failed().get(a));
  }

  @Test
  void takesOnlyTheLinesItKnows() {
    assertTrue(IpLines.parse(List.of("link add x type dummy")).isEmpty());
    assertTrue(IpLines.parse(List.of("link set eth0 up", "route add default via fd64::1 dev eth0")).isPresent());
    assertTrue(IpLines.parse(List.of("route replace default via 10.1.0.254 dev eth0", "route replace ::/0 via fd64::1 dev eth0")).isPresent());
    assertTrue(IpLines.parse(List.of("route add 10.0.0.0/8 via fd64::1 dev eth0")).isEmpty(), "families differ");
    assertTrue(IpLines.parse(List.of("address add 10.0.0.1/33 dev eth0")).isEmpty());
    assertTrue(IpLines.parse(List.of("address add host.example/24 dev eth0")).isEmpty());
    assertTrue(IpLines.parse(List.of("link set eth0 mtu 1400")).isEmpty());
  }

  /** Every route, sorted (the kernel adds the link-local ones when each link comes up, in its own order). */
  private static List<String> routes(String ns) throws Exception {
    List<String> out = new ArrayList<>();
    JSON.readTree(Kernel.run("ip", "-j", "-n", ns, "route", "show", "table", "all").out()).forEach(r -> out.add(r.toString()));
    out.sort(null);
    return out;
  }

  /** Addresses without what the kernel chooses itself (lifetimes, link-local addresses). */
  private static List<String> addresses(String ns) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode l : JSON.readTree(Kernel.run("ip", "-j", "-n", ns, "address", "show").out())) {
      for (JsonNode ai : l.path("addr_info")) {
        if (ai.path("scope").asText().equals("link")) {
          continue;
        }
        ObjectNode o = ((ObjectNode) ai.deepCopy());
        o.remove(List.of("valid_life_time", "preferred_life_time"));
        out.add(l.path("ifname").asText() + " " + o);
      }
    }
    return out;
  }

  /** Links by name, alias and flags. */
  private static List<String> links(String ns) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode l : JSON.readTree(Kernel.run("ip", "-j", "-n", ns, "link", "show").out())) {
      out.add(l.path("ifname").asText() + " " + l.path("ifalias").asText() + " " + l.path("flags") + " " + l.path("operstate").asText());
    }
    return out;
  }
}
