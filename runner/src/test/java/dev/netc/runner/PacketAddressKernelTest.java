package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Matrix;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import dev.netc.runner.probe.ProbeResult;
import dev.netc.runner.probe.Prober;
import dev.netc.runner.probe.Verification;
import dev.netc.runner.probe.Verifier;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code cidr} peers are decided on the address the packet carries, in the model and in the
 * kernel alike (root): the golden case {@code ok/cidr-packet-address}, applied in a sandbox,
 * probes to the model's matrix, including the cells where a multi-homed endpoint's other address
 * would have changed the answer; and the container behind a published port sees the source
 * address the model decides on: the client's own from another network or from outside (DNAT
 * keeps it), the bridge's from the host's 127.0.0.1 (masqueraded).
 */
@Timeout(180)
class PacketAddressKernelTest extends ProbeSandboxTest {
  private static final String CASE = "golden-tests/ok/cidr-packet-address/input.netc";
  private static final PortSpec TCP_80 = new PortSpec(PortRange.of(80), Protocol.TCP);
  private static final PortSpec TCP_873 = new PortSpec(PortRange.of(873), Protocol.TCP);
  private static final PortSpec TCP_5432 = new PortSpec(PortRange.of(5432), Protocol.TCP);

  @Test
  void theKernelMatchesCidrPeersOnThePacketsAddressAsTheModelDoes() {
    Topology t = Kernel.compile(CASE);
    Runner.Target target = Kernel.target(t, s);
    runner.apply(target);
    Reachability model = new Reachability(t);
    List<PortSpec> ports = List.of(TCP_80, TCP_873, TCP_5432);
    Verification v = new Verifier(runner, namespaces, Prober.Options.DEFAULT).verify(target, model, ports,
        Prober.Progress.NONE);
    System.out.println(CASE + ": " + v.summary());
    assertTrue(v.equal(), v::text);
    assertEquals(0, v.skippedCells(), v::text);
    ProbeResult p = v.probe();
    assertEquals(Matrix.compute(model, ports), p.matrix());

    Map<String, Boolean> kernel = new LinkedHashMap<>();
    p.cells().forEach(c -> kernel.put(c.from().name() + " -> " + c.to().name() + " " + c.port(), c.allowed()));
    // admin shares only `app` with db: its packets come from its `app` address, outside db's
    // block 10.30.0.0/24, though its `mgmt` address is in it
    assertFalse(kernel.get("admin -> db 5432/tcp"));
    // admin reaches backup over `mgmt`, at backup's `mgmt` address, outside its egress block
    // 10.50.0.0/24, though backup's `store` address is in it; backup itself admits admin
    assertFalse(kernel.get("admin -> backup 873/tcp"));
    // admin reaches web, not over `app` (refused: from 10.40.0.2), but through web's published
    // port at the host's address on `mgmt`, from its `mgmt` address
    assertTrue(kernel.get("admin -> web 80/tcp"));
    assertTrue(kernel.get("backup -> web 80/tcp"));
    assertFalse(kernel.get("db -> web 80/tcp"));
    // @outside keeps its address through DNAT: web's `cidr 198.18.0.0/15` admits it
    assertTrue(kernel.get("@outside -> web 80/tcp"));
    assertFalse(kernel.get("@outside -> db 5432/tcp"));
  }

  /**
   * The golden case {@code ok/cidr-families}: IPv4 blocks do not match IPv6 packets, which leave
   * by the first network with an IPv6 address; @outside keeps its address through DNAT.
   */
  @Test
  void anIpv4BlockLetsIpv6PacketsPassInTheKernelAsInTheModel() {
    Topology t = Kernel.compile("golden-tests/ok/cidr-families/input.netc");
    Runner.Target target = Kernel.target(t, s);
    runner.apply(target);
    Reachability model = new Reachability(t);
    Verification v = new Verifier(runner, namespaces, Prober.Options.DEFAULT).verify(target, model, List.of(TCP_80),
        Prober.Progress.NONE);
    System.out.println("ok/cidr-families: " + v.summary());
    assertTrue(v.equal(), v::text);
    Map<String, ProbeResult.Cell> kernel = new LinkedHashMap<>();
    v.probe().cells().forEach(c -> kernel.put(c.from().name() + " -> " + c.to().name(), c));
    // edge denies 10.1.0.0/16: client's IPv4 packets over front are dropped, its IPv6 ones pass
    assertTrue(kernel.get("client -> edge").allowed());
    assertTrue(kernel.get("client -> edge").detail().contains("fd00:1::"), kernel.get("client -> edge").detail());
    // client denies 198.18.0.0/15 as a destination: it reaches the outside over IPv6 only
    assertTrue(kernel.get("client -> @outside").allowed());
    assertTrue(kernel.get("client -> @outside").detail().contains("2001:2::2"), kernel.get("client -> @outside").detail());
    assertTrue(kernel.get("@outside -> web").allowed());
    assertTrue(kernel.get("client -> web").allowed());
  }

  @Test
  void theContainerBehindAPublishedPortSeesTheSourceTheModelDecidesOn() throws Exception {
    Topology t = Kernel.compile(CASE);
    Runner.Target target = Kernel.target(t, s);
    runner.apply(target);
    Reachability model = new Reachability(t);
    String web = namespace(target, model, "web");
    String admin = namespace(target, model, "admin");
    String outside = namespace(target, model, Node.OUTSIDE);
    String host = namespace(target, model, Node.HOST);
    IpAddress adminMgmt = address(t, "admin", "mgmt");
    IpAddress adminApp = address(t, "admin", "app");
    IpAddress mgmtGateway = gateway(t, "mgmt");
    IpAddress appGateway = gateway(t, "app");
    try (ServerSocketChannel server = namespaces.call(web, () -> {
      ServerSocketChannel c = ServerSocketChannel.open();
      c.bind(new InetSocketAddress(80));
      return c;
    })) {
      server.socket().setSoTimeout(3000);
      // from another network, through the host's address there: the client's own address
      assertEquals(adminMgmt.toString(), peer(server, admin, mgmtGateway.toString(), 8080));
      assertEquals(Reachability.OUTSIDE_V4.toString(), peer(server, outside, "198.18.0.1", 8080));
      // the host's own 127.0.0.1 leaves for the bridge masqueraded to the bridge's address
      assertEquals(appGateway.toString(), peer(server, host, "127.0.0.1", 8080));
      // over `app` itself, admin's packets carry its `app` address: web's policy drops them,
      // directly and through the published port at the host's address on `app`
      assertEquals("", peer(server, admin, address(t, "web", "app").toString(), 80));
      assertEquals("", peer(server, admin, appGateway.toString(), 8080));
      assertFalse(adminApp.equals(adminMgmt));
    }
  }

  private String namespace(Runner.Target target, Reachability model, String node) {
    return Prober.namespace(target, model, model.node(node).orElseThrow()).orElseThrow();
  }

  /**
   * The source address a connection from namespace {@code from} to {@code to:port} arrives with
   * at {@code server}, or "" when it does not arrive.
   */
  private String peer(ServerSocketChannel server, String from, String to, int port) throws Exception {
    try (SocketChannel client = namespaces.call(from, SocketChannel::open)) {
      try {
        client.socket().connect(new InetSocketAddress(to, port), 1500);
      } catch (java.io.IOException e) {
        return "";
      }
      try (Socket accepted = server.socket().accept()) {
        return ((InetSocketAddress) accepted.getRemoteSocketAddress()).getAddress().getHostAddress();
      } catch (SocketTimeoutException e) {
        return "";
      }
    }
  }

  private static IpAddress address(Topology t, String endpoint, String network) {
    Endpoint e = t.endpoints().stream().filter(x -> x.name().equals(endpoint)).findFirst().orElseThrow();
    Attachment a = e.attachments().stream().filter(x -> x.network().equals(network)).findFirst().orElseThrow();
    return a.addresses().stream().filter(IpAddress::isV4).findFirst().orElseThrow();
  }

  private static IpAddress gateway(Topology t, String network) {
    Network n = t.networks().stream().filter(x -> x.name().equals(network)).findFirst().orElseThrow();
    return n.subnets().get(0).gateway();
  }
}
