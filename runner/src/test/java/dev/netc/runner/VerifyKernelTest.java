package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Matrix;
import dev.netc.compiler.model.Reachability;
import dev.netc.runner.probe.ProbeResult;
import dev.netc.runner.probe.Prober;
import dev.netc.runner.probe.Verification;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Probe and verify against real sandboxes (root): every single-host example the runner
 * realises, applied, verifies without a difference (and the golden case {@code plan/sandboxed},
 * whose web port is published on a bridge's gateway, which {@code @outside} reaches through its
 * default route); a kernel changed by hand where drift cannot
 * see it shows exactly the cells that change (a set element added under an older netc's record,
 * a foreign table; IPv6 alone dropped in a dual-stack endpoint, found in that family though
 * IPv4 gets through); a set element added by hand is drift, and verify refuses; a sandbox not applied or not in sync is refused;
 * twenty endpoints on two ports (TCP and UDP) probe to the model's matrix.
 */
@Timeout(180)
class VerifyKernelTest extends ProbeSandboxTest {
  private static final PortSpec TCP_3000 = new PortSpec(PortRange.of(3000), Protocol.TCP);
  private static final PortSpec TCP_5432 = new PortSpec(PortRange.of(5432), Protocol.TCP);

  @ParameterizedTest
  @ValueSource(strings = {"examples/webshop.netc", "examples/compose-app.netc", "examples/dual-stack.netc",
      "examples/host-and-none.netc", "examples/k8s-namespace.netc", "examples/k8s/shop",
      "examples/compose/webapp.yaml", "golden-tests/plan/sandboxed/input.netc"})
  void appliedExampleVerifies(String example) {
    Topology t = Kernel.compile(example);
    runner.apply(Kernel.target(t, s));
    Verification v = verify(t, new Reachability(t).defaultPorts());
    System.out.println(example + ": " + v.summary());
    assertTrue(v.equal(), v::text);
    assertEquals(v.probe().cells().size(), v.compared() + v.skippedCells());
    assertEquals(new Reachability(t).nodes().size(), v.probe().nodes().size(), "every node is probed");
  }

  @Test
  void handMadeChangesShowAsExactlyTheCellsTheyChange() {
    Topology t = Kernel.compile("examples/webshop.netc");
    runner.apply(Kernel.target(t, s));
    Reachability model = new Reachability(t);
    // an element added to the allow set by hand: drift sees it (the elements' digest), so verify refuses
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "add", "element", "inet", "netc_webshop", "allow_in4",
        "{ 10.20.0.3 . 10.20.0.5 . tcp . 3000 }").ok());
    RunnerException refused = assertThrows(RunnerException.class, () -> verify(t, List.of(TCP_3000)));
    assertEquals("sandbox " + s + " is not in sync with topology webshop (0 missing, 1 changed, 0 unexpected;"
        + " `netc diff` lists them): run `netc apply` first", refused.getMessage());
    // under the record of an older netc (no elements' digest, no generation) drift cannot see it:
    // verify finds it by its traffic
    java.nio.file.Path record = stateDir.resolve(s + ".webshop.nft.sha256");
    try {
      java.nio.file.Files.writeString(record, java.nio.file.Files.readString(record)
          .replaceAll(" elements .*", "").replaceAll("generation .*\n", ""));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertTrue(runner.drift(Kernel.target(t, s)).inSync());
    Verification v = verify(t, List.of(TCP_3000, TCP_5432));
    assertEquals(List.of("api-1 -> db 3000/tcp model false kernel true"), lines(v), v::text);
    assertTrue(v.text().contains("api-1 -> db on 3000/tcp: model denies, kernel admits (via 10.20.0.5:3000)"), v::text);
    // cells differ, and every table of the namespaces is netc's: nothing else is named
    assertEquals(List.of(), v.notes(), v::text);

    // a table of someone else's in db's namespace drops what arrives on eth0 (foreign: drift does
    // not look at it): every cell to or from db that the model admits, but db itself, is lost
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-db", "nft", "add table inet foreign; add chain inet foreign in"
        + " { type filter hook input priority 0; policy accept; }; add rule inet foreign in iifname eth0 drop").ok());
    assertTrue(runner.drift(Kernel.target(t, s)).inSync());
    v = verify(t, List.of(TCP_5432));
    Set<String> expected = Matrix.compute(model, List.of(TCP_5432)).stream()
        .filter(c -> c.allowed() && (c.from().name().equals("db") ^ c.to().name().equals("db")))
        .map(c -> c.from().name() + " -> " + c.to().name() + " 5432/tcp model true kernel false")
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(Set.of("@host -> db 5432/tcp model true kernel false", "api-1 -> db 5432/tcp model true kernel false",
        "api-2 -> db 5432/tcp model true kernel false", "db -> @host 5432/tcp model true kernel false"), expected);
    assertEquals(expected, new TreeSet<>(lines(v)), v::text);
    assertTrue(v.text().contains("api-1 -> db on 5432/tcp: model admits, kernel denies (10.20.0.5:5432 "), v::text);
    assertTrue(v.text().contains("admitted by policy `api-to-db`: `allow ingress from app=api port 5432/tcp`"
        + " (" + Kernel.root().resolve("examples/webshop.netc") + ":51)"), v::text);
    // and the table is named as what else filters: its policy accepts, its rule drops
    assertEquals(List.of("namespace " + s + "-db holds nftables table inet foreign (not netc's) with base chain in"
        + " (input, policy accept): it also filters the traffic verify measured"), v.notes(), v::text);
  }

  /**
   * A table of someone else's in the sandbox's host namespace whose base chain drops what it
   * forwards (drift compares netc's objects only): verify names the table, its base chain, hook
   * and policy beside the cells that differ, in its text and its JSON; a table of someone else's
   * without a base chain (no hook calls it), and netc's own, are not named.
   */
  @Test
  void aForeignTableWithABaseChainIsNamedWhenCellsDiffer() {
    Topology t = Kernel.compile("examples/webshop.netc");
    runner.apply(Kernel.target(t, s));
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "add table inet mine; add chain inet mine fw"
        + " { type filter hook forward priority 0; policy drop; }; add table ip idle; add chain ip idle c").ok());
    assertTrue(runner.drift(Kernel.target(t, s)).inSync());
    Verification v = verify(t, new Reachability(t).defaultPorts());
    assertFalse(v.equal(), v::text);
    assertTrue(v.differences().stream().allMatch(d -> d.model() && !d.kernel()), v::text);
    String note = "namespace " + s + " holds nftables table inet mine (not netc's) with base chain fw (forward,"
        + " policy drop): it also filters the traffic verify measured";
    assertEquals(List.of(note), v.notes(), v::text);
    assertTrue(v.text().contains("\nnote: " + note + "\n\nDiffer: "), v::text);
    assertEquals(List.of(note), notes(v.json()), v::json);
  }

  /**
   * A kernel that drops one family alone: a table of someone else's in {@code db}'s namespace
   * drops the IPv6 that arrives on its {@code eth0}. Every cell stays admitted in IPv4, so the
   * cells as a whole agree with the model; verify compares each family apart and lists exactly
   * the cells with {@code db} at one end that the model admits in IPv6, "in IPv6", in its text
   * and its JSON.
   */
  @Test
  void oneFamilyDroppedShowsThoughTheOtherGetsThrough() throws Exception {
    Topology t = Kernel.compile("examples/dual-stack.netc");
    runner.apply(Kernel.target(t, s));
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-db", "nft", "add table ip6 foreign; add chain ip6 foreign in"
        + " { type filter hook input priority 0; policy accept; }; add rule ip6 foreign in iifname eth0 drop").ok());
    assertTrue(runner.drift(Kernel.target(t, s)).inSync());
    Reachability six = new Reachability(t).inFamily(dev.netc.compiler.ir.IpAddress.Family.V6);
    Set<String> expected = Matrix.compute(six, List.of(TCP_5432)).stream()
        .filter(c -> c.allowed() && (c.from().name().equals("db") ^ c.to().name().equals("db")))
        .map(c -> c.from().name() + " -> " + c.to().name() + " 5432/tcp in IPv6 model true kernel false")
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(Set.of("@host -> db 5432/tcp in IPv6 model true kernel false",
        "db -> @host 5432/tcp in IPv6 model true kernel false",
        "web -> db 5432/tcp in IPv6 model true kernel false"), expected);
    Verification v = verify(t, List.of(TCP_5432));
    assertEquals(expected, v.differences().stream().map(d -> d.from().name() + " -> " + d.to().name() + " " + d.port()
        + d.family().map(f -> " in " + f.label()).orElse("") + " model " + d.model() + " kernel " + d.kernel())
        .collect(Collectors.toCollection(TreeSet::new)), v::text);
    assertTrue(v.text().contains("web -> db on 5432/tcp in IPv6: model admits, kernel denies ([fd00:61::20]:5432 timed out)\n"
        + "  model: path: both on network `data`; "), v::text);
    com.fasterxml.jackson.databind.JsonNode web = java.util.stream.StreamSupport.stream(
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(v.json()).path("differences").spliterator(), false)
        .filter(d -> d.path("from").asText().equals("web")).findFirst().orElseThrow();
    assertEquals("ipv6", web.path("family").asText(), v::json);
    assertTrue(web.path("model").asBoolean() && !web.path("kernel").asBoolean(), v::json);
  }

  /**
   * A published port forwards to the endpoint's first network with a route out, whatever the
   * family; when that network has no IPv6 address, nothing is forwarded in IPv6, though the
   * endpoint has an IPv6 address on another network. The model of IPv6 alone once took the other
   * network for the first (its projection leaves the first out) and admitted what the kernel
   * never forwards: on one host 4 cells differed in IPv6, across two hosts on an IPv6 underlay
   * 3. Both golden cases now verify clean, in each family.
   */
  @ParameterizedTest
  @ValueSource(strings = {"plan/published-first-network-one-family", "plan/published-first-network-one-family-hosts"})
  void aPortForwardedToAFirstNetworkOfOneFamilyVerifiesInEachFamily(String golden) {
    Topology t = Kernel.compile("golden-tests/" + golden + "/input.netc");
    List<Runner.Target> ts = Kernel.targets(t, s);
    runner.apply(ts);
    Reachability model = new Reachability(t);
    Verification v = new dev.netc.runner.probe.Verifier(runner, namespaces, Prober.Options.DEFAULT)
        .verify(ts, model, model.defaultPorts(), Prober.Progress.NONE);
    System.out.println(golden + ": " + v.summary());
    assertTrue(v.equal(), v::text);
  }

  private static List<String> notes(String json) {
    try {
      List<String> out = new java.util.ArrayList<>();
      new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).path("notes").forEach(n -> out.add(n.asText()));
      return out;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> lines(Verification v) {
    return v.differences().stream().map(d -> d.from().name() + " -> " + d.to().name() + " " + d.port()
        + " model " + d.model() + " kernel " + d.kernel()).toList();
  }

  @Test
  void refusesASandboxNotAppliedOrNotInSync() {
    Topology t = Kernel.compile("examples/webshop.netc");
    RunnerException e = assertThrows(RunnerException.class, () -> verify(t, List.of(TCP_3000)));
    assertEquals("topology webshop is not applied in sandbox " + s + ": run `netc apply` first", e.getMessage());
    e = assertThrows(RunnerException.class, () -> new Prober(namespaces, Prober.Options.DEFAULT)
        .probe(Kernel.target(t, s), new Reachability(t), List.of(TCP_3000), Prober.Progress.NONE));
    assertEquals("namespace " + s + " does not exist: is topology webshop applied in sandbox " + s
        + "? (`netc apply`)", e.getMessage());

    runner.apply(Kernel.target(t, s));
    assertTrue(Kernel.run("ip", "-n", s, "link", "del", "ve-db-0").ok());
    e = assertThrows(RunnerException.class, () -> verify(t, List.of(TCP_3000)));
    assertEquals("sandbox " + s + " is not in sync with topology webshop (4 missing, 0 changed, 0 unexpected;"
        + " `netc diff` lists them): run `netc apply` first", e.getMessage());
  }

  @Test
  void aPortTakenInANamespaceIsAClearErrorAndNothingStaysOpen() throws Exception {
    Topology t = Kernel.compile("examples/webshop.netc");
    runner.apply(Kernel.target(t, s));
    // someone else's listener on 3000/tcp in api-2's namespace
    try (ServerSocketChannel taken = namespaces.call(s + "-api-2",
        () -> ServerSocketChannel.open().bind(new InetSocketAddress(3000)))) {
      RunnerException e = assertThrows(RunnerException.class, () -> verify(t, List.of(TCP_3000)));
      assertEquals("cannot listen on 3000/tcp in namespace " + s + "-api-2: Address already in use (a process of"
          + " its own listens there? stop it, or probe other ports with --port)", e.getMessage());
    }
    // the listeners of the failed probe are closed: the next probe binds the same ports
    assertTrue(verify(t, List.of(TCP_3000)).equal());
    assertEquals("", Kernel.run("ip", "netns", "exec", s + "-web", "ss", "-Htuln").out().strip());
  }

  /**
   * A router sends no neighbour solicitation for forwarded IPv6 without a usable link-local
   * address; the links of a sandbox netc made skip duplicate address detection, so none is
   * tentative right after apply, and a probe made at once, without verify's second look, measures
   * IPv6 through the host: @outside to web's 443, published only on [::]:8443.
   */
  @Test
  void aProbeRightAfterApplyMeasuresIpv6ThroughTheHost() {
    Topology t = Kernel.compile("golden-tests/plan/sandboxed/input.netc");
    runner.apply(Kernel.target(t, s));
    // at once, before anything waits: a probe would wait for tentative addresses itself
    assertEquals("", Kernel.run("ip", "-n", s, "-6", "address", "show", "tentative").out().strip());
    Reachability model = new Reachability(t);
    PortSpec https = new PortSpec(PortRange.of(443), Protocol.TCP);
    ProbeResult p = new Prober(namespaces, Prober.Options.DEFAULT).probe(Kernel.target(t, s), model, List.of(https),
        Prober.Progress.NONE);
    ProbeResult.Cell cell = p.cells().stream()
        .filter(c -> c.from().name().equals("@outside") && c.to().name().equals("web")).findFirst().orElseThrow();
    assertTrue(model.allowed(cell.from(), cell.to(), https));
    assertTrue(cell.allowed(), cell.detail());
    assertEquals("via [fd00:80::1]:8443", cell.detail(), "the first host address tried, a gateway");
  }

  @Test
  void macvlanCellsAreComparedNowThatMacvlanIsRealised() throws Exception {
    Path file = Files.createTempFile(stateDir, "lan", ".netc");
    Files.writeString(file, """
        topology lan
        network lan {
          driver macvlan
          parent eth0
          subnet 192.0.2.0/24
        }
        network apps { subnet 10.70.0.0/24 }
        container a { attach lan }
        container b { attach lan }
        container c { attach apps }
        """);
    CompileResult r = new Compiler().compile(file);
    Topology t = r.topology().orElseThrow(() -> new AssertionError(r.diagnostics().toString()));
    runner.apply(Kernel.target(t, s));
    Verification v = verify(t, new Reachability(t).defaultPorts());
    // a and b reach each other on their macvlan network (bridge mode), and not the host: every
    // cell is compared (before macvlan was realised, the two cells between a and b were skipped)
    assertTrue(v.equal(), v::text);
    assertEquals(java.util.Map.of(), v.skipped(), v::text);
  }

  /**
   * A published range is probed, by default, on its first and its last port (and the host ports
   * published to them): the last host port forwarded to the wrong container port, by someone
   * else's table (not drift) that DNATs it before netc's, is the one cell verify reports, which a
   * probe of the first port alone does not see.
   */
  @Test
  void theLastPortOfAPublishedRangeIsVerified() throws Exception {
    Path file = Files.createTempFile(stateDir, "ranges", ".netc");
    Files.writeString(file, """
        topology ranges
        network front { subnet 10.72.0.0/24 }
        container web {
          attach front { ip 10.72.0.10 }
          publish 8000-8002 -> 8000-8002/tcp
          publish 9000-9002 -> 80-82/udp
        }
        container client { attach front }
        """);
    CompileResult r = new Compiler().compile(file);
    Topology t = r.topology().orElseThrow(() -> new AssertionError(r.diagnostics().toString()));
    Reachability model = new Reachability(t);
    PortSpec first = new PortSpec(PortRange.of(8000), Protocol.TCP);
    PortSpec last = new PortSpec(PortRange.of(8002), Protocol.TCP);
    assertEquals(List.of(first, last, new PortSpec(PortRange.of(80), Protocol.UDP),
        new PortSpec(PortRange.of(82), Protocol.UDP)), model.defaultPorts());
    runner.apply(Kernel.target(t, s));
    Verification v = verify(t, model.defaultPorts());
    assertTrue(v.equal(), v::text);
    // 4 nodes, 4 ports; the host's own 8000 and 8002 are web's, a known difference
    assertEquals(4 * 4 * 4 - 2 * 4, v.compared(), v::text);
    assertEquals(2 * 4, v.skippedCells(), v::text);
    // @outside reaches web on both ends of both ranges through the host ports only
    for (String port : List.of("8000/tcp", "8002/tcp", "80/udp", "82/udp")) {
      ProbeResult.Cell c = v.probe().cells().stream().filter(x -> x.from().name().equals("@outside")
          && x.to().name().equals("web") && x.port().toString().equals(port)).findFirst().orElseThrow();
      assertTrue(c.allowed(), port + ": " + c.detail());
    }

    // host port 8002 forwarded to web's 8001 instead of 8002, before netc's DNAT
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "add table ip foreign; add chain ip foreign pre"
        + " { type nat hook prerouting priority -150; }; add rule ip foreign pre fib daddr type local"
        + " tcp dport 8002 dnat to 10.72.0.10:8001").ok());
    assertTrue(runner.drift(Kernel.target(t, s)).inSync());
    assertTrue(verify(t, List.of(first)).equal(), "the first port alone does not see it");
    v = verify(t, model.defaultPorts());
    assertEquals(List.of("@outside -> web 8002/tcp model true kernel false"), lines(v), v::text);
    // web's own address is not routed from outside; the host's two, on 8002, lead to nothing listening
    assertTrue(v.text().startsWith("@outside -> web on 8002/tcp: model admits, kernel denies (10.72.0.10:8002 timed"
        + " out, 10.72.0.1:8002 refused, 198.18.0.1:8002 refused)\n  model: path: through published port 8002/tcp;"),
        v::text);
  }

  /**
   * Twenty endpoints on two networks (one internal, dual-stack), isolation, allow and deny rules,
   * ports published on every host address (automatic ones, and 3000 itself, which takes the
   * host's own 3000/tcp: a known difference), probed on 3000/tcp and 5353/udp.
   */
  @Test
  void twentyEndpointsOnTwoPorts() throws Exception {
    StringBuilder src = new StringBuilder("""
        topology twenty
        network front { subnet 10.60.0.0/24 }
        network back { subnet 10.61.0.0/24
          subnet fd00:61::/64
          internal }
        container app { replicas 8
          labels app=app
          attach front
          attach back
          expose 3000/tcp
          publish 3000/tcp }
        container worker { replicas 8
          labels app=worker
          attach back
          expose 5353/udp }
        container dns { replicas 2
          labels app=dns
          attach back
          expose 5353/udp
          publish 5353/udp }
        container edge {
          labels app=edge
          attach front }
        container gw {
          labels app=gw
          attach front
          publish 3000 -> 3000/tcp }
        policy isolate { select app=worker app=dns
          isolate ingress }
        policy dns { select app=dns
          allow ingress from app=worker port 5353/udp }
        policy no-edge { select app=app
          deny ingress from app=edge port 3000/tcp }
        """);
    Path file = Files.createTempFile(stateDir, "twenty", ".netc");
    Files.writeString(file, src.toString());
    CompileResult r = new Compiler().compile(file);
    Topology t = r.topology().orElseThrow(() -> new AssertionError(r.diagnostics().toString()));
    assertEquals(22, new Reachability(t).nodes().size(), "20 endpoints, @host and @outside");
    runner.apply(Kernel.target(t, s));
    Reachability model = new Reachability(t);
    List<PortSpec> ports = List.of(TCP_3000, new PortSpec(PortRange.of(5353), Protocol.UDP));
    long start = System.nanoTime();
    Verification v = verify(t, ports);
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.printf("twenty endpoints, 2 ports: %d cells, %d connections, probe %d ms, verify %d ms: %s%n",
        v.probe().cells().size(), v.probe().connections(), v.probe().millis(), millis, v.summary());
    assertEquals(22 * 22 * 2, v.probe().cells().size());
    assertTrue(v.equal(), v::text);
    // the measured matrix is the model's, cell for cell, but the known differences
    ProbeResult p = v.probe();
    List<Matrix.Cell> want = Matrix.compute(model, ports);
    int known = 0;
    for (int i = 0; i < want.size(); i++) {
      if (p.cells().get(i).knownDifference()) {
        known++;
        continue;
      }
      assertEquals(want.get(i), p.matrix().get(i));
    }
    assertTrue(known > 0 && known < 22 * 2, "the host on 3000/tcp and 5353/udp... " + known);
    assertFalse(v.probe().cells().stream().filter(c -> !c.knownDifference()).allMatch(ProbeResult.Cell::allowed));
  }
}
