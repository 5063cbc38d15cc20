package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netc.backends.compose.ComposeExport;
import dev.netc.backends.graph.GraphExport;
import dev.netc.backends.k8s.K8sExport;
import dev.netc.compiler.ir.Topology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The exports are what they claim to be: the Kubernetes and Compose output of every export case
 * parses as YAML (snakeyaml-engine) and holds the expected objects, the DOT output renders with
 * Graphviz's {@code dot -Tsvg}, and the Mermaid output keeps to the safe subset GitHub renders.
 */
class ExportFormatsTest {
  private static final Pattern ID = Pattern.compile("[a-z][a-z0-9]*");

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> yamlDocuments(String text) {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object o : new Load(LoadSettings.builder().build()).loadAllFromString(text)) {
      if (o != null) {
        docs.add((Map<String, Object>) o);
      }
    }
    return docs;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  @TestFactory
  Stream<DynamicTest> kubernetesOutputIsYamlOfKubernetesObjects() throws IOException {
    return ExportGoldenTest.cases().stream().filter(c -> c.backends().contains("k8s"))
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
          Topology t = ExportGoldenTest.compile(c);
          List<Map<String, Object>> docs = yamlDocuments(K8sExport.write(t).text());
          for (Map<String, Object> d : docs) {
            assertTrue(d.get("apiVersion") instanceof String, d::toString);
            assertTrue(List.of("Namespace", "Pod", "Deployment", "Service", "NetworkPolicy")
                .contains(d.get("kind")), d::toString);
            Map<String, Object> meta = map(d.get("metadata"));
            assertTrue(meta.get("name") instanceof String, d::toString);
            if (!d.get("kind").equals("Namespace")) {
              assertTrue(meta.get("namespace") instanceof String, d::toString);
            }
          }
          long namespaces = docs.stream().filter(d -> d.get("kind").equals("Namespace")).count();
          assertEquals(t.namespaces().size(), namespaces);
        }));
  }

  @TestFactory
  Stream<DynamicTest> composeOutputIsAComposeFile() throws IOException {
    return ExportGoldenTest.cases().stream().filter(c -> c.backends().contains("compose"))
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
          Topology t = ExportGoldenTest.compile(c);
          List<Map<String, Object>> docs = yamlDocuments(ComposeExport.write(t).text());
          assertEquals(1, docs.size());
          Map<String, Object> file = docs.get(0);
          assertEquals(t.name(), file.get("name"));
          Map<String, Object> services = map(file.get("services"));
          for (Object s : services.values()) {
            assertEquals(ComposeExport.IMAGE, map(s).get("image"));
          }
          long declared = t.networks().stream().filter(n -> !n.implicit()).count();
          assertEquals(declared, file.get("networks") == null ? 0 : map(file.get("networks")).size());
        }));
  }

  /** Every golden case and example that compiles exports YAML that parses, and DOT that renders. */
  @TestFactory
  Stream<DynamicTest> everyTopologyExports() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (GoldenTest.Case c : GoldenTest.cases()) {
      tests.add(DynamicTest.dynamicTest(c.name(), () -> {
        Optional<Topology> t = GoldenTest.compileCase(c);
        if (t.isEmpty()) {
          return; // an error case: nothing to export
        }
        for (Map<String, Object> d : yamlDocuments(K8sExport.write(t.get()).text())) {
          assertTrue(d.get("kind") instanceof String, d::toString);
        }
        assertEquals(1, yamlDocuments(ComposeExport.write(t.get()).text()).size());
        render(GraphExport.dot(t.get()));
        GraphExport.mermaid(t.get());
      }));
    }
    return tests.stream();
  }

  private static final Path DOT = Stream.of("/usr/bin/dot", "/usr/local/bin/dot").map(Path::of)
      .filter(Files::isExecutable).findFirst().orElse(null);

  /** Renders DOT source with Graphviz when it is installed; fails on any error or warning. */
  private static void render(String source) throws IOException, InterruptedException {
    if (DOT == null) {
      return;
    }
    Process p = new ProcessBuilder(DOT.toString(), "-Tsvg").start();
    p.getOutputStream().write(source.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    byte[] svg = p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), err);
    assertEquals("", err, "dot warned");
    assertTrue(new String(svg, StandardCharsets.UTF_8).contains("<svg"));
  }

  @Test
  void theKubernetesShopHasItsObjects() throws IOException {
    Topology t = ExportGoldenTest.compile(example("k8s-namespace"));
    List<Map<String, Object>> docs = yamlDocuments(K8sExport.write(t).text());
    List<String> objects = new ArrayList<>();
    docs.forEach(d -> objects.add(d.get("kind") + " " + map(d.get("metadata")).get("namespace")
        + "/" + map(d.get("metadata")).get("name")));
    assertEquals(List.of("Namespace null/kube-system", "Namespace null/monitoring",
        "Namespace null/shop", "Pod kube-system/coredns", "Pod monitoring/prometheus",
        "Deployment shop/frontend", "Deployment shop/checkout-stable", "Pod shop/checkout-canary",
        "Service shop/web", "Service shop/checkout", "NetworkPolicy shop/default-deny",
        "NetworkPolicy shop/frontend-traffic", "NetworkPolicy shop/checkout-traffic",
        "NetworkPolicy shop/dns"), objects);
    Map<String, Object> frontend = docs.get(11);
    Map<String, Object> spec = map(frontend.get("spec"));
    assertEquals(List.of("Ingress", "Egress"), spec.get("policyTypes"));
    // the @outside rule is left out (NETC502); the prometheus rule stays, with both selectors
    List<Object> ingress = list(spec.get("ingress"));
    assertEquals(1, ingress.size());
    Map<String, Object> peer = map(list(map(ingress.get(0)).get("from")).get(0));
    assertEquals(Map.of("matchLabels", Map.of("team", "ops")), peer.get("namespaceSelector"));
    assertEquals(Map.of("matchLabels", Map.of("app", "prometheus")), peer.get("podSelector"));
    Map<String, Object> web = map(docs.get(8).get("spec"));
    assertEquals("NodePort", web.get("type"));
    assertEquals("10.96.0.10", web.get("clusterIP"));
    assertEquals(30080, map(list(web.get("ports")).get(0)).get("nodePort"));
  }

  @Test
  void theComposeAppHasItsServicesAndNetworks() throws IOException {
    Topology t = ExportGoldenTest.compile(example("compose-app"));
    Map<String, Object> file = yamlDocuments(ComposeExport.write(t).text()).get(0);
    Map<String, Object> services = map(file.get("services"));
    assertEquals(List.of("proxy", "api", "db", "cache"), new ArrayList<>(services.keySet()));
    Map<String, Object> proxy = map(services.get("proxy"));
    assertEquals(List.of("0.0.0.0:443:8443/tcp", "127.0.0.1:8081:8081/tcp"), proxy.get("ports"));
    assertEquals(List.of("www", "edge"), map(map(proxy.get("networks")).get("frontend")).get("aliases"));
    Map<String, Object> db = map(map(map(services.get("db")).get("networks")).get("backend"));
    assertEquals("172.28.2.10", db.get("ipv4_address"));
    Map<String, Object> backend = map(map(file.get("networks")).get("backend"));
    assertEquals(true, backend.get("internal"));
    assertEquals("172.28.2.0/24",
        map(list(map(backend.get("ipam")).get("config")).get(0)).get("subnet"));
  }

  private static ExportGoldenTest.Case example(String name) throws IOException {
    return ExportGoldenTest.cases().stream().filter(c -> c.name().equals("examples/" + name))
        .findFirst().orElseThrow();
  }

  // ------------------------------------------------------------------ graphs

  @TestFactory
  Stream<DynamicTest> dotRendersWithGraphviz() throws IOException {
    return ExportGoldenTest.cases().stream().filter(c -> c.backends().contains("graph"))
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
          if (DOT == null) {
            System.out.println("ExportFormatsTest: skipped: Graphviz `dot` is not installed"
                + " (scripts/test installs Debian's graphviz)");
          }
          assumeTrue(DOT != null, "Graphviz `dot` is not installed");
          render(GraphExport.dot(ExportGoldenTest.compile(c)));
        }));
  }

  @TestFactory
  Stream<DynamicTest> mermaidKeepsToWhatGithubRenders() throws IOException {
    return ExportGoldenTest.cases().stream().filter(c -> c.backends().contains("graph"))
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
          String m = GraphExport.mermaid(ExportGoldenTest.compile(c));
          List<String> lines = m.lines().toList();
          assertEquals("flowchart LR", lines.get(0), "a flowchart, nothing before it");
          int depth = 0;
          Pattern node = Pattern.compile("\\s*(\\w+)(\\(\\(|\\(\\[|\\[)\"([^\"]*)\"(\\)\\)|\\]\\)|\\])");
          Pattern subgraph = Pattern.compile("\\s*subgraph (\\w+)\\[\"([^\"]*)\"\\]");
          Pattern edge = Pattern.compile("\\s*(\\w+) (---|<?-->|<?-\\.->)(\\|\"([^\"|]*)\"\\|)? (\\w+)");
          for (String l : lines.subList(lines.indexOf("flowchart LR") + 1, lines.size())) {
            Matcher s = subgraph.matcher(l);
            Matcher n = node.matcher(l);
            Matcher e = edge.matcher(l);
            if (s.matches()) {
              depth++;
              assertTrue(ID.matcher(s.group(1)).matches(), l);
            } else if (l.strip().equals("end")) {
              depth--;
            } else if (n.matches()) {
              assertTrue(ID.matcher(n.group(1)).matches(), l);
            } else if (e.matches()) {
              assertTrue(ID.matcher(e.group(1)).matches() && ID.matcher(e.group(5)).matches(), l);
            } else if (!l.strip().startsWith("%% ")) {
              assertTrue(l.strip().startsWith("linkStyle "), "unexpected Mermaid line: " + l);
            }
            assertTrue(depth >= 0, m);
          }
          assertEquals(0, depth, "every subgraph ends");
          assertFalse(m.contains("<script"), m);
        }));
  }

  @Test
  void labelsAreEscapedForEachSyntax() {
    assertEquals("a \\\"b\\\" \\\\ c", dev.netc.backends.graph.GraphExportAccess.dot("a \"b\" \\ c"));
    assertEquals("'x' -› ‹y› ＃1 ＆ |",
        dev.netc.backends.graph.GraphExportAccess.mermaid("\"x\" -> <y> #1 & |"));
  }
}
