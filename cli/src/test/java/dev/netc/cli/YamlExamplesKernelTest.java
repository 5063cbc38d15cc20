package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.backends.plan.KernelNames;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The two YAML examples of issue 5, driven through the CLI into a real sandbox (root): the
 * Compose web app ({@code examples/compose/webapp.yaml}) and the Kubernetes shop, a folder of
 * four manifests ({@code examples/k8s/shop/}). Each lints clean, applies, carries real TCP
 * traffic (nc, 1 s timeouts) exactly as the model says for pairs that matter to its design,
 * passes {@code netc verify} (the whole matrix probed), applies a second time with no change,
 * and is destroyed without a trace. Each test has its own
 * sandbox, removed in {@code finally} also when it fails.
 */
@Timeout(180)
class YamlExamplesKernelTest {
  private static final Path ROOT = DiffKernelTest.ROOT;

  /** One pair to try: from a node, to a node (or the sandbox's outside), on a TCP port. */
  private record Pair(String from, String to, int port) {}

  @Test
  void composeWebappInASandbox() throws Exception {
    DiffKernelTest.assumeKernel();
    CliRunner cli = new CliRunner();
    cli.write("webapp.yaml", Files.readString(ROOT.resolve("examples/compose/webapp.yaml")));
    Topology t = compile(cli, "webapp.yaml");
    Reachability model = new Reachability(t);
    // the design: the proxy reaches the API but not the data stores; the API reaches both
    assertModel(model, new Pair("proxy", "api-1", 3000), true);
    assertModel(model, new Pair("proxy", "db", 5432), false);
    assertModel(model, new Pair("proxy", "cache", 6379), false);
    assertModel(model, new Pair("api-2", "db", 5432), true);
    assertModel(model, new Pair("api-1", "cache", 6379), true);
    assertModel(model, new Pair("db", "proxy", 8080), false);
    String s = sandbox();
    try {
      lintApply(cli, "webapp.yaml", s);
      List<Process> listeners = new ArrayList<>();
      try {
        listeners.add(listen(s + "-api-1", 3000));
        listeners.add(listen(s + "-db", 5432));
        listeners.add(listen(s + "-cache", 6379));
        listeners.add(listen(s + "-proxy", 8080));
        listeners.add(listen(s + "-proxy", 8081));
        for (Pair p : List.of(new Pair("proxy", "api-1", 3000), new Pair("proxy", "db", 5432),
            new Pair("proxy", "cache", 6379), new Pair("api-2", "db", 5432),
            new Pair("api-1", "cache", 6379), new Pair("db", "proxy", 8080))) {
          assertTraffic(t, model, s, p);
        }
        // published ports: 80 on every host address, 8081 on loopback only
        assertTrue(connects(s + "-outside", "198.18.0.1", 80), "outside -> host:80 reaches proxy:8080");
        assertTrue(!connects(s + "-outside", "198.18.0.1", 8081), "8081 is published on 127.0.0.1 only");
        assertTrue(connects(s, "127.0.0.1", 8081), "the host's 127.0.0.1:8081 reaches proxy:8081");
        assertTrue(output("ip", "netns", "exec", s + "-api-1", "getent", "hosts", "db").contains("172.28.2.10"),
            "the API resolves the database by its service name");
      } finally {
        listeners.forEach(Process::destroy);
        // gone before verify listens on the same ports (a destroy only sends the signal)
        for (Process p : listeners) {
          p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        }
      }
      verify(cli, "webapp.yaml", s);
      secondApplyAndDestroy(cli, "webapp.yaml", s, "webapp");
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }

  @Test
  void kubernetesShopFolderInASandbox() throws Exception {
    DiffKernelTest.assumeKernel();
    CliRunner cli = new CliRunner();
    try (Stream<Path> files = Files.list(ROOT.resolve("examples/k8s/shop"))) {
      for (Path f : files.toList()) {
        cli.write("shop/" + f.getFileName(), Files.readString(f));
      }
    }
    Topology t = compile(cli, "shop");
    Reachability model = new Reachability(t);
    // the design: web -> api -> postgres on their ports, nothing else inside; the API's
    // HTTPS to the internet through the ipBlock, and no one else's
    assertModel(model, new Pair("frontend/web-1", "backend/api-1", 3000), true);
    assertModel(model, new Pair("frontend/web-2", "data/postgres-1", 5432), false);
    assertModel(model, new Pair("backend/api-2", "data/postgres-1", 5432), true);
    assertModel(model, new Pair("data/postgres-1", "backend/api-1", 3000), false);
    assertModel(model, new Pair("backend/api-1", "frontend/web-1", 8080), false);
    assertModel(model, new Pair("backend/api-1", "@outside", 443), true);
    assertModel(model, new Pair("frontend/web-1", "@outside", 443), false);
    String s = sandbox();
    try {
      lintApply(cli, "shop", s);
      List<Process> listeners = new ArrayList<>();
      try {
        listeners.add(listen(ns(t, s, "backend/api-1"), 3000));
        listeners.add(listen(ns(t, s, "data/postgres-1"), 5432));
        listeners.add(listen(ns(t, s, "frontend/web-1"), 8080));
        listeners.add(listen(s + "-outside", 443));
        for (Pair p : List.of(new Pair("frontend/web-1", "backend/api-1", 3000),
            new Pair("frontend/web-2", "data/postgres-1", 5432),
            new Pair("backend/api-2", "data/postgres-1", 5432),
            new Pair("data/postgres-1", "backend/api-1", 3000),
            new Pair("backend/api-1", "frontend/web-1", 8080),
            new Pair("backend/api-1", "@outside", 443), new Pair("frontend/web-1", "@outside", 443))) {
          assertTraffic(t, model, s, p);
        }
        // the names cluster DNS gives a Service, from another namespace and from its own
        String api = t.services().stream().filter(v -> v.name().equals("backend/api")).findFirst().orElseThrow()
            .addresses().get(0).toString();
        for (String name : List.of("api.backend", "api.backend.svc", "api.backend.svc.cluster.local")) {
          assertTrue(output("ip", "netns", "exec", ns(t, s, "frontend/web-1"), "getent", "hosts", name).contains(api),
              name + " resolves to " + api + " in frontend/web-1");
        }
        assertTrue(output("ip", "netns", "exec", ns(t, s, "backend/api-2"), "getent", "hosts", "api").contains(api),
            "api resolves in its own namespace");
      } finally {
        listeners.forEach(Process::destroy);
      }
      verify(cli, "shop", s);
      secondApplyAndDestroy(cli, "shop", s, "shop");
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }

  private static String sandbox() {
    return String.format("ny%06x", new SecureRandom().nextInt(1 << 24));
  }

  private static Topology compile(CliRunner cli, String name) throws IOException {
    var r = new Compiler().compile(cli.fs.getPath(name));
    return r.topology().orElseThrow(() -> new AssertionError(name + " does not compile: " + r.diagnostics()));
  }

  private static void lintApply(CliRunner cli, String input, String s) {
    CliRunner.Result r = cli.run("lint", "--werror", input);
    assertEquals(0, r.status(), r.out() + r.err());
    r = cli.run("apply", input, "--sandbox", s);
    assertEquals(0, r.status(), r.out() + r.err());
    assertTrue(r.out().startsWith("Applied "), r.out());
  }

  /**
   * {@code netc verify}: every cell of the matrix on the topology's ports, probed with real
   * connections, equals the model's (cells through services, not realised yet, are skipped).
   */
  private static void verify(CliRunner cli, String input, String s) {
    CliRunner.Result r = cli.run("verify", input, "--sandbox", s);
    System.out.println(input + ": " + r.out().lines().reduce((a, b) -> b).orElse(""));
    assertEquals(0, r.status(), r.out() + r.err());
  }

  private static void secondApplyAndDestroy(CliRunner cli, String input, String s, String topology)
      throws IOException, InterruptedException {
    CliRunner.Result r = cli.run("apply", input, "--sandbox", s);
    assertEquals(0, r.status(), r.err());
    assertEquals("No changes: sandbox " + s + " matches topology " + topology + ".\n", r.out());
    r = cli.run("diff", input, "--sandbox", s);
    assertEquals(0, r.status(), r.out() + r.err());
    r = cli.run("destroy", input, "--sandbox", s);
    assertEquals(0, r.status(), r.out() + r.err());
    List<String> left = output("ip", "netns", "list").lines().map(l -> l.split(" ", 2)[0])
        .filter(n -> n.equals(s) || n.startsWith(s + "-")).toList();
    assertEquals(List.of(), left, "destroy leaves no namespace of the sandbox");
    assertTrue(!Files.exists(Path.of("/etc/netns").resolve(s + "-outside")));
  }

  private static void assertModel(Reachability model, Pair p, boolean admitted) {
    assertEquals(admitted, model.allowed(node(model, p.from()), node(model, p.to()), tcp(p.port())),
        "the model " + (admitted ? "admits " : "denies ") + p);
  }

  /** A real connection from {@code p.from} to {@code p.to} succeeds exactly when the model admits it. */
  private static void assertTraffic(Topology t, Reachability model, String s, Pair p) {
    boolean want = model.allowed(node(model, p.from()), node(model, p.to()), tcp(p.port()));
    String addr = p.to().equals("@outside") ? "198.18.0.2" : address(t, p.to());
    assertEquals(want, connects(ns(t, s, p.from()), addr, p.port()),
        p + " in the kernel (" + addr + ") against the model, which " + (want ? "admits" : "denies") + " it");
  }

  private static Node node(Reachability model, String name) {
    return model.node(name).orElseThrow(() -> new AssertionError("no node " + name));
  }

  private static PortSpec tcp(int port) {
    return new PortSpec(PortRange.of(port), Protocol.TCP);
  }

  private static String ns(Topology t, String s, String endpoint) {
    return KernelNames.endpointNamespace(t.name(), endpoint, s);
  }

  /** The endpoint's first IPv4 address (after IPAM). */
  private static String address(Topology t, String endpoint) {
    Endpoint e = t.endpoints().stream().filter(x -> x.name().equals(endpoint)).findFirst().orElseThrow();
    return e.attachments().stream().flatMap(a -> a.addresses().stream()).filter(a -> a.isV4())
        .findFirst().orElseThrow().toString();
  }

  private static boolean connects(String from, String addr, int port) {
    return DiffKernelTest.run("ip", "netns", "exec", from, "nc", "-z", "-w", "1", addr, Integer.toString(port)) == 0;
  }

  private static Process listen(String ns, int port) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("timeout", "60", "ip", "netns", "exec", ns, "nc", "-k", "-l", Integer.toString(port))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    for (int i = 0; i < 100; i++) {
      if (output("ip", "netns", "exec", ns, "ss", "-Hltn", "sport = :" + port).contains(":" + port)) {
        return p;
      }
      Thread.sleep(20);
    }
    p.destroyForcibly();
    p.waitFor(5, TimeUnit.SECONDS);
    throw new AssertionError("no listener on " + ns + ":" + port);
  }

  private static String output(String... argv) throws IOException, InterruptedException {
    return DiffKernelTest.output(argv);
  }
}
