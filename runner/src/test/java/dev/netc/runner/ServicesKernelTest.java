package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Reachability;
import dev.netc.runner.probe.Prober;
import dev.netc.runner.probe.SetnsNamespaces;
import dev.netc.runner.probe.Verification;
import dev.netc.runner.probe.Verifier;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Services and pods of {@code examples/services.netc} in a real sandbox: connections to a
 * service's name spread over its endpoints, a 90/10 split, a node port from outside, hairpin,
 * policies behind a service, IPv6 virtual addresses, a pod's members on localhost; a second
 * apply changes nothing and destroy removes everything. Each test has its own sandbox, removed
 * afterwards even on failure.
 */
@Timeout(180)
class ServicesKernelTest {
  private static final Topology SERVICES = Kernel.compile("examples/services.netc");
  private static final List<String> BACKENDS = List.of("backend-1", "backend-2", "backend-3");

  @TempDir Path stateDir;
  String s;
  Runner runner;
  Runner.Target target;
  final List<Process> servers = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    Kernel.assumeKernel();
    boolean socat = Kernel.run("socat", "-V").ok();
    if (!socat) {
      System.out.println("skipped: socat is not installed (apt-get install socat)");
    }
    assumeTrue(socat, "socat is not installed");
    s = Kernel.sandboxName();
    runner = new Runner(Kernel.EXEC, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    target = Kernel.target(SERVICES, s);
    runner.apply(target);
    for (String b : BACKENDS) {
      serve(b, 8080);
    }
    serve("checkout-stable", 8443);
    serve("checkout-canary", 8443);
  }

  /** Stops the servers, their children (ip netns exec, socat) first. */
  private void stopServers() throws InterruptedException {
    for (Process p : servers) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor();
    }
    servers.clear();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    stopServers();
    if (s != null) {
      Kernel.removeSandbox(s, stateDir);
    }
  }

  /** A server in the endpoint's namespace that answers every connection with the endpoint's name. */
  private void serve(String endpoint, int port) throws IOException, InterruptedException {
    String ns = s + "-" + endpoint;
    Process p = new ProcessBuilder("timeout", "150", "ip", "netns", "exec", ns, "socat",
        "TCP6-LISTEN:" + port + ",ipv6only=0,reuseaddr,fork", "EXEC:echo " + endpoint)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    servers.add(p);
    for (int i = 0; i < 100; i++) {
      if (Kernel.run("ip", "netns", "exec", ns, "ss", "-Hltn", "sport = :" + port).out().contains(":" + port)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no listener on " + ns + ":" + port);
  }

  /** {@code n} connections from namespace {@code ns} to {@code host:port}: answers by name, and {@code failed}. */
  static Map<String, Integer> connect(String ns, String host, int port, int n) throws Exception {
    return connect(ns, host, port, n, 2000);
  }

  static Map<String, Integer> connect(String ns, String host, int port, int n, int timeoutMillis) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classes = Path.of(ServiceClient.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    CommandExecutor.Result r = Kernel.EXEC.run(List.of("ip", "netns", "exec", ns, java, "-Xshare:auto",
        "-XX:TieredStopAtLevel=1", "-cp", classes, ServiceClient.class.getName(), host, Integer.toString(port),
        Integer.toString(n), Integer.toString(timeoutMillis)), "");
    assertTrue(r.ok(), () -> "client in " + ns + ": " + r.err());
    Map<String, Integer> out = new TreeMap<>();
    for (String line : r.out().lines().toList()) {
      String[] kv = line.strip().split(" ");
      out.put(kv[0], Integer.parseInt(kv[1]));
    }
    System.out.printf("%s -> %s:%d, %d connections: %s%n", ns, host, port, n, out);
    return out;
  }

  private void idempotentAndDestroyed() {
    Runner.Outcome second = runner.apply(target);
    assertTrue(second.plan().empty(), () -> "second apply changed: " + second.plan().text());
    runner.destroy(target);
    assertEquals(Set.of(), Kernel.namespacesOf(s), "destroy removes every namespace, the sandbox's too");
    assertFalse(java.nio.file.Files.exists(Runner.ETC_NETNS.resolve(s + "-client")));
  }

  @Test
  void threeEndpointsShare300ConnectionsAndIPv6() throws Exception {
    Map<String, Integer> got = connect(s + "-client", "api", 80, 300);
    assertEquals(0, got.getOrDefault("failed", -1), got::toString);
    for (String b : BACKENDS) {
      assertTrue(got.getOrDefault(b, 0) >= 60, () -> "each endpoint gets at least 60 of 300: " + got);
    }
    assertEquals(300, BACKENDS.stream().mapToInt(b -> got.getOrDefault(b, 0)).sum(), got::toString);
    assertTrue(Kernel.connectsWithin(s + "-client", "fd00:10:96::1", 80, 5), "IPv6 works (link-local DAD done)");
    Map<String, Integer> v6 = connect(s + "-client", "fd00:10:96::1", 80, 60);
    assertEquals(0, v6.getOrDefault("failed", -1), v6::toString);
    assertEquals(3, v6.keySet().stream().filter(BACKENDS::contains).count(), () -> "IPv6 reaches all three: " + v6);
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-client", "getent", "ahosts", "checkout").out().contains("10.96.0.2"),
        "the service's name resolves to its virtual address");
    idempotentAndDestroyed();
  }

  @Test
  void ninetyTenSplitOver500Connections() throws Exception {
    Map<String, Integer> got = connect(s + "-client", "checkout", 443, 500);
    assertEquals(0, got.getOrDefault("failed", -1), got::toString);
    int stable = got.getOrDefault("checkout-stable", 0);
    int canary = got.getOrDefault("checkout-canary", 0);
    assertEquals(500, stable + canary, got::toString);
    double share = stable / 500.0;
    System.out.printf("90/10 split: %.1f%% stable%n", share * 100);
    assertTrue(share >= 0.80 && share <= 0.97, () -> "the heavy side gets 80-97%: " + got);
    idempotentAndDestroyed();
  }

  @Test
  void nodePortFromOutsideHairpinAndPolicyBehindTheService() throws Exception {
    Map<String, Integer> v4 = connect(s + "-outside", Sandbox.HOST_V4.split("/")[0], 30080, 60);
    assertEquals(0, v4.getOrDefault("failed", -1), v4::toString);
    assertEquals(3, v4.keySet().stream().filter(BACKENDS::contains).count(), () -> "node port spreads: " + v4);
    assertTrue(Kernel.connectsWithin(s + "-outside", Sandbox.HOST_V6.split("/")[0], 30080, 5),
        "IPv6 works (link-local DAD done)");
    Map<String, Integer> v6 = connect(s + "-outside", Sandbox.HOST_V6.split("/")[0], 30080, 30);
    assertEquals(0, v6.getOrDefault("failed", -1), () -> "IPv6 node port: " + v6);

    // hairpin: backend-1 reaches the service, also when it balances to backend-1 itself
    Map<String, Integer> hairpin = connect(s + "-backend-1", "api", 80, 60);
    assertEquals(0, hairpin.getOrDefault("failed", -1), hairpin::toString);
    assertTrue(hairpin.getOrDefault("backend-1", 0) > 0, () -> "some land on backend-1 itself: " + hairpin);

    // the policy of the endpoints behind the service holds: checkout is not admitted
    Reachability model = new Reachability(SERVICES);
    PortSpec p8080 = new PortSpec(PortRange.of(8080), Protocol.TCP);
    assertFalse(model.allowed(model.node("checkout-stable").get(), model.node("backend-1").get(), p8080));
    assertTrue(model.allowed(model.node("client").get(), model.node("backend-1").get(), p8080));
    Map<String, Integer> denied = connect(s + "-checkout-stable", "api", 80, 5, 1000);
    assertEquals(Map.of("failed", 5), denied, "the backends' policy refuses checkout through the service");
    idempotentAndDestroyed();
  }

  @Test
  void verifyProbesServicesAndFindsNoDifference() throws Exception {
    stopServers(); // the probe listens on every probed port itself
    Reachability model = new Reachability(SERVICES);
    try (SetnsNamespaces ns = new SetnsNamespaces()) {
      Verification v = new Verifier(runner, ns, Prober.Options.DEFAULT).verify(target, model, model.defaultPorts(),
          Prober.Progress.NONE);
      System.out.println(v.summary());
      assertFalse(v.summary().contains("not compared"), v::summary);
      assertTrue(v.equal(), v::text);
      // the node port is the only way from outside to the backends, and the probe took it
      assertTrue(v.probe().cells().stream().anyMatch(c -> c.from().name().equals("@outside")
          && c.to().name().equals("backend-1") && c.allowed() && c.detail().contains(":30080")),
          () -> v.probe().cells().stream().filter(c -> c.from().name().equals("@outside")).map(Object::toString)
              .collect(Collectors.joining("\n")));
    }
    idempotentAndDestroyed();
  }

  @Test
  void podMembersTalkOverLocalhostAndThePodIsOneEndpoint() throws Exception {
    String pod = s + "-checkout-stable";
    // the `metrics` member listens on the pod's loopback; the `server` member reaches it by name
    Process metrics = Kernel.listen(pod, 9100);
    try {
      assertTrue(Kernel.run("ip", "netns", "exec", pod, "getent", "ahosts", "metrics").out().contains("127.0.0.1"),
          "a member's name resolves to the pod's loopback");
      assertTrue(Kernel.connects(pod, "metrics", 9100), "member to member over localhost");
      assertTrue(Kernel.connects(pod, "127.0.0.1", 9100));
      assertFalse(Kernel.connects(s + "-client", "metrics", 9100), "another endpoint has no member `metrics`");
    } finally {
      Kernel.stop(metrics);
    }
    // one endpoint to the rest: one namespace, one address, reached by its name
    assertTrue(Kernel.connects(s + "-client", "checkout-stable", 8443), "the pod by its name");
    assertEquals(List.of("eth0", "lo"), Kernel.run("ip", "-n", pod, "-o", "link", "show").out().lines()
        .map(l -> l.split(": ")[1].split("@")[0]).sorted().toList());
    idempotentAndDestroyed();
  }
}
