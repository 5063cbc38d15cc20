package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.netc.backends.compose.ComposeExport;
import dev.netc.backends.json.IrJson;
import dev.netc.backends.k8s.K8sExport;
import dev.netc.backends.netc.NetcPrinter;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.front.Frontend;
import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.source.Manifests;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.SourceReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The two YAML examples of issue 5 (the Compose web app, and the Kubernetes shop, a folder of
 * four manifests) round-trip: {@code netc import} prints {@code .netc} that compiles to the same
 * IR as the YAML (source positions aside); the export to their own format, read back, admits
 * exactly what the original admits, and export, read, export, read is a fixed point. So does a
 * Compose file on the project's default network ({@code golden-tests/compose/default-network}).
 */
class YamlExamplesRoundTripTest {
  private static final Path EXAMPLES = GoldenTest.ROOT.resolve("examples");

  @Test
  void composeWebapp() throws Exception {
    Path file = EXAMPLES.resolve("compose/webapp.yaml");
    Topology yaml = compile(file);
    assertEquals(yaml.endpoints().size(), 5, "proxy, two API replicas, the database and the cache");
    Frontend compose = Frontends.ALL.stream().filter(f -> f.name().equals("compose")).findFirst().orElseThrow();
    importRoundTrip(yaml, compose, List.of(file), "webapp");
    exportRoundTrip(yaml, t -> ComposeExport.write(t).text(), "webapp.yaml");
  }

  /**
   * A Compose project's default network is written back under the key {@code default}: emitted
   * under its netc name {@code PROJECT-default}, it was read back as a second network of that name
   * (NETC102), so a Compose file on the default network did not survive read, emit, read.
   */
  @Test
  void composeDefaultNetwork() throws Exception {
    Topology yaml = compile(GoldenTest.GOLDEN.resolve("compose/default-network/input.yaml"));
    String emitted = ComposeExport.write(yaml).text();
    assertTrue(emitted.contains("\n  \"default\":\n"), emitted);
    exportRoundTrip(yaml, t -> ComposeExport.write(t).text(), "compose.yaml");
    assertEquals(emitted, ComposeExport.write(inJimfs("compose.yaml", emitted)).text(),
        "emit, read, emit is not a fixed point");
  }

  @Test
  void kubernetesShopFolder() throws Exception {
    Path dir = EXAMPLES.resolve("k8s/shop");
    Topology yaml = compile(dir);
    assertEquals(List.of("frontend", "backend", "data"),
        yaml.namespaces().stream().map(n -> n.name()).toList());
    importRoundTrip(yaml, Frontends.KUBERNETES, Manifests.list(dir, false), "shop");
    exportRoundTrip(yaml, t -> K8sExport.write(t).text(), "shop.yaml");
  }

  /**
   * Services that ask for IP families without a clusterIP: the printed `.netc` (`address ipv6`)
   * and the emitted manifests (`ipFamilies`) keep their families, IPv6 alone or first.
   */
  @Test
  void kubernetesIpFamilies() throws Exception {
    Path file = GoldenTest.GOLDEN.resolve("k8s/service-ip-families/input.yaml");
    Topology yaml = compile(file);
    assertEquals("[fd00:10:96::1]", addresses(yaml, "default/web-v6"));
    // SingleStack without ipFamilies: the primary family alone, although the pod has both
    assertEquals("[10.96.0.6]", addresses(yaml, "default/web-single"));
    importRoundTrip(yaml, Frontends.KUBERNETES, List.of(file), "input");
    exportRoundTrip(yaml, t -> K8sExport.write(t).text(), "input.yaml");
    String emitted = K8sExport.write(yaml).text();
    assertTrue(emitted.contains("  name: \"web-v6-first\"\n  namespace: \"default\"\nspec:\n"
        + "  type: \"ClusterIP\"\n  ipFamilies: [\"IPv6\", \"IPv4\"]\n  ipFamilyPolicy: \"RequireDualStack\"\n"), emitted);
  }

  /**
   * A policy without {@code ipFamilies} gives the cluster's families, IPv4 first, whatever the
   * pods have: a dual-stack policy both, although the pod has IPv4 alone, {@code SingleStack} IPv4
   * alone. The printed {@code .netc} ({@code address ipv4 ipv6}) and the emitted manifests
   * ({@code ipFamilies}) keep them.
   */
  @Test
  void kubernetesIpFamilyPolicy() throws Exception {
    Path file = GoldenTest.GOLDEN.resolve("k8s/service-ip-family-policy/input.yaml");
    Topology yaml = compile(file);
    assertEquals("[10.96.0.1, fd00:10:96::1]", addresses(yaml, "default/api-require"));
    assertEquals("[10.96.0.2, fd00:10:96::2]", addresses(yaml, "default/api-prefer"));
    assertEquals("[10.96.0.3]", addresses(yaml, "default/api-single"));
    assertEquals("[10.96.0.40, fd00:10:96::3]", addresses(yaml, "default/api-given"));
    importRoundTrip(yaml, Frontends.KUBERNETES, List.of(file), "input");
    exportRoundTrip(yaml, t -> K8sExport.write(t).text(), "input.yaml");
    String emitted = K8sExport.write(yaml).text();
    assertTrue(emitted.contains("  name: \"api-prefer\"\n  namespace: \"default\"\nspec:\n"
        + "  type: \"ClusterIP\"\n  ipFamilies: [\"IPv4\", \"IPv6\"]\n  ipFamilyPolicy: \"RequireDualStack\"\n"), emitted);
    assertTrue(emitted.contains("  name: \"api-single\"\n  namespace: \"default\"\nspec:\n"
        + "  type: \"ClusterIP\"\n  ipFamilies: [\"IPv4\"]\n  ipFamilyPolicy: \"SingleStack\"\n"), emitted);
  }

  private static String addresses(Topology t, String service) {
    return t.services().stream().filter(s -> s.name().equals(service)).findFirst().orElseThrow()
        .addresses().toString();
  }

  private static Topology compile(Path p) throws Exception {
    CompileResult r = new Compiler().compile(p);
    assertFalse(r.hasErrors(), () -> r.diagnostics().toString());
    return r.topology().orElseThrow();
  }

  /** What {@code netc import} prints compiles to the YAML's IR. */
  private static void importRoundTrip(Topology yaml, Frontend frontend, List<Path> files, String name)
      throws Exception {
    List<SourceFile> sources = new ArrayList<>();
    for (Path f : files) {
      sources.add(SourceReader.read(f, f.toString()).file().orElseThrow());
    }
    Diagnostics diags = new Diagnostics();
    List<Decl> decls = frontend.read(sources, diags);
    assertFalse(diags.hasErrors(), () -> diags.sorted().toString());
    String netc = NetcPrinter.print(decls, List.of("Imported by a test."));
    Topology imported = inJimfs(name + ".netc", netc);
    assertEquals(NetcPrinterTest.withoutSources(IrJson.write(yaml)),
        NetcPrinterTest.withoutSources(IrJson.write(imported)), "import changed the IR:\n" + netc);
  }

  /** Emitted and read back, the topology admits what it admitted; again, it does not change. */
  private static void exportRoundTrip(Topology yaml, Function<Topology, String> emit, String file)
      throws Exception {
    Topology once = inJimfs(file, emit.apply(yaml));
    Topology twice = inJimfs(file, emit.apply(once));
    assertEquals(NetcPrinterTest.withoutSources(IrJson.write(once)),
        NetcPrinterTest.withoutSources(IrJson.write(twice)), "emit, read, emit, read changed the IR");
    ExportRoundTripTest.sameVerdicts(yaml, once);
  }

  private static Topology inJimfs(String file, String text) throws Exception {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path p = fs.getPath("/work/" + file);
      Files.createDirectories(p.getParent());
      Files.writeString(p, text, StandardCharsets.UTF_8);
      CompileResult r = new Compiler().compile(p);
      assertTrue(r.topology().isPresent(), () -> file + " does not compile: " + r.diagnostics() + "\n" + text);
      return r.topology().get();
    }
  }
}
