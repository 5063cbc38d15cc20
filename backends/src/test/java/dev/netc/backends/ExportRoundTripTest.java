package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.netc.backends.compose.ComposeExport;
import dev.netc.backends.json.IrJson;
import dev.netc.backends.k8s.K8sExport;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.front.Frontend;
import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Round trips through the exports and the YAML front ends: a topology emitted as Kubernetes (or
 * Compose) YAML and read back by that front end gives a topology that, emitted and read again,
 * gives the same IR (source positions aside): import, emit, import is a fixed point. And for the
 * examples that the target can express (but for {@code @outside} peers), the endpoints both
 * topologies know by the same name reach each other alike on the topology's ports, so the
 * exported policies and networks mean what the originals meant.
 *
 * <p>Skipped, with the reason, while {@link Frontends#ALL} has no front end of that name.
 */
class ExportRoundTripTest {

  @TestFactory
  Stream<DynamicTest> kubernetes() {
    // the web shop and the Compose app have several networks, which Kubernetes flattens (NETC503)
    return Stream.of("k8s-namespace", "webshop", "compose-app").map(example ->
        DynamicTest.dynamicTest(example, () -> roundTrip("examples/" + example, "kubernetes", "k8s.yaml",
            t -> K8sExport.write(t).text(), example.equals("k8s-namespace"))));
  }

  /** Export cases of constructs that Kubernetes writes otherwise than netc, with the same meaning. */
  @TestFactory
  Stream<DynamicTest> kubernetesCases() {
    return Stream.of("selector-key-twice", "pod-expose-member", "service-ip-families").map(name ->
        DynamicTest.dynamicTest(name, () -> roundTrip("exports/k8s/" + name, "kubernetes", "k8s.yaml",
            t -> K8sExport.write(t).text(), true)));
  }

  @TestFactory
  Stream<DynamicTest> compose() {
    // the web shop's policies have no Compose equivalent (NETC511)
    return Stream.of("compose-app", "webshop", "overlay").map(example ->
        DynamicTest.dynamicTest(example, () -> roundTrip("examples/" + example, "compose", "compose.yaml",
            t -> ComposeExport.write(t).text(), example.equals("compose-app"))));
  }

  /**
   * Export cases of Compose: a pod's members (their services were `web-web`, `web-web-nginx`
   * after one trip, one prefix more on each: the member the front end makes of the pod's own
   * service is that service again, and a member named after the pod keeps its name).
   */
  @TestFactory
  Stream<DynamicTest> composeCases() {
    return Stream.of("netc512-pod-members").map(name ->
        DynamicTest.dynamicTest(name, () -> roundTrip("exports/compose/" + name, "compose", "compose.yaml",
            t -> ComposeExport.write(t).text(), true)));
  }

  /**
   * The suppressions carried by the exports: {@code netc lint} of the written YAML gives the
   * findings {@code netc lint} of the source gives, of every code the YAML has, each suppressed
   * for the same reason or not at all (the export's own findings aside: what it writes otherwise
   * than the source, a flat pod network, makes findings of its own).
   */
  @TestFactory
  Stream<DynamicTest> suppressions() {
    return Stream.of("k8s", "compose").map(backend -> DynamicTest.dynamicTest(backend, () -> {
      ExportGoldenTest.Case c = ExportGoldenTest.cases().stream()
          .filter(x -> x.name().equals("exports/" + backend + "/suppressions")).findFirst().orElseThrow();
      CompileResult r = ExportGoldenTest.compileResult(c);
      Export x = backend.equals("k8s") ? K8sExport.write(r.topology().get()) : ComposeExport.write(r.topology().get());
      String text = ExportGoldenTest.written(x, r, "input." + backend + ".yaml").getKey();
      List<Diagnostic> read = ExportGoldenTest.lint(text, "input." + backend + ".yaml");
      java.util.Set<Code> codes = new java.util.TreeSet<>();
      read.forEach(d -> codes.add(d.code()));
      assertEquals(findings(r.diagnostics(), codes), findings(read, codes), text);
      assertTrue(read.stream().anyMatch(d -> d.suppressed().isPresent()), "nothing is suppressed in\n" + text);
    }));
  }

  /** Code and reason of each finding of {@code codes}, a missing reason for one not suppressed. */
  private static List<String> findings(List<Diagnostic> ds, java.util.Set<Code> codes) {
    return ds.stream().filter(d -> codes.contains(d.code()))
        .map(d -> d.code() + " " + d.suppressed().map(x -> "suppressed: " + x).orElse("reported")).sorted().toList();
  }

  private void roundTrip(String name, String frontend, String file,
      Function<Topology, String> emit, boolean sameMeaning) throws Exception {
    Optional<Frontend> fe = Frontends.ALL.stream().filter(f -> f.name().equals(frontend)).findFirst();
    if (fe.isEmpty()) {
      System.out.println("ExportRoundTripTest: skipped " + name + ": Frontends.ALL has no `"
          + frontend + "` front end yet");
    }
    assumeTrue(fe.isPresent(), "Frontends.ALL has no `" + frontend + "` front end yet");
    ExportGoldenTest.Case c = ExportGoldenTest.cases().stream()
        .filter(x -> x.name().equals(name)).findFirst()
        .orElseGet(() -> new ExportGoldenTest.Case(name, GoldenTest.ROOT.resolve("examples"),
            name.replaceFirst("^examples/", "") + ".netc", null, java.util.Set.of()));
    Topology original = ExportGoldenTest.compile(c);
    Topology once = read(emit.apply(original), file);
    Topology twice = read(emit.apply(once), file);
    assertEquals(NetcPrinterTest.withoutSources(IrJson.write(once)),
        NetcPrinterTest.withoutSources(IrJson.write(twice)), "import, emit, import changed the IR");
    if (sameMeaning) {
      sameVerdicts(original, once);
    }
  }

  private static Topology read(String yaml, String file) throws Exception {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path p = fs.getPath("/work/" + file);
      Files.createDirectories(p.getParent());
      Files.writeString(p, yaml, StandardCharsets.UTF_8);
      CompileResult r = new Compiler().compile(p);
      assertTrue(r.topology().isPresent(), () -> "the front end does not compile what the export"
          + " wrote: " + r.diagnostics() + "\n" + yaml);
      return r.topology().get();
    }
  }

  /** Endpoint-to-endpoint verdicts of the endpoints both topologies name alike. */
  static void sameVerdicts(Topology a, Topology b) {
    Reachability ma = new Reachability(a);
    Reachability mb = new Reachability(b);
    List<PortSpec> ports = ma.defaultPorts();
    List<String> differ = new ArrayList<>();
    int compared = 0;
    for (Node x : ma.nodes()) {
      for (Node y : ma.nodes()) {
        Optional<Node> bx = mb.node(x.name());
        Optional<Node> by = mb.node(y.name());
        if (!x.isEndpoint() || !y.isEndpoint() || bx.isEmpty() || by.isEmpty()) {
          continue;
        }
        for (PortSpec p : ports) {
          compared++;
          if (ma.allowed(x, y, p) != mb.allowed(bx.get(), by.get(), p)) {
            differ.add(x.name() + " -> " + y.name() + " on " + p);
          }
        }
      }
    }
    System.out.println("ExportRoundTripTest: " + compared + " verdicts compared");
    assertTrue(differ.isEmpty(), "verdicts differ after the round trip: " + differ);
  }
}
