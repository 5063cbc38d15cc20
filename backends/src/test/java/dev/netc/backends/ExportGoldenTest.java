package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.netc.backends.compose.ComposeExport;
import dev.netc.backends.graph.GraphExport;
import dev.netc.backends.k8s.K8sExport;
import dev.netc.backends.report.DiagnosticReport;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.source.SourceFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden tests of the exports: every folder under {@code golden-tests/exports/k8s/}, {@code
 * exports/compose/} and {@code exports/graph/} holds an {@code input.netc} and what that backend
 * makes of it ({@code k8s.yaml} and {@code k8s-diagnostics.txt}; {@code compose.yaml} and {@code
 * compose-diagnostics.txt}; {@code graph.dot} and {@code graph.mmd}), and a few examples have all
 * of them beside their other expectations under {@code golden-tests/examples/NAME/}. As in
 * {@link GoldenTest}: a missing expectation is written and the test fails; with {@code
 * -Dgolden.update=true} every expectation that differs is rewritten and the test still fails.
 */
class ExportGoldenTest {
  /** The examples whose exports are pinned. */
  static final List<String> EXAMPLES = List.of("webshop", "compose-app", "k8s-namespace", "overlay");

  /** One case: its input folder and root file, where its expectations are, which outputs. */
  record Case(String name, Path inputDir, String rootFile, Path expectDir, Set<String> backends) {}

  static List<Case> cases() throws IOException {
    List<Case> out = new ArrayList<>();
    Path exports = GoldenTest.GOLDEN.resolve("exports");
    try (Stream<Path> walk = Files.walk(exports)) {
      walk.filter(p -> p.getFileName().toString().equals("input.netc")).sorted().forEach(p -> {
        Path dir = p.getParent();
        String backend = exports.relativize(dir).getName(0).toString();
        out.add(new Case("exports/" + exports.relativize(dir), dir, "input.netc", dir, Set.of(backend)));
      });
    }
    for (String e : EXAMPLES) {
      out.add(new Case("examples/" + e, GoldenTest.ROOT.resolve("examples"), e + ".netc",
          GoldenTest.GOLDEN.resolve("examples").resolve(e), Set.of("k8s", "compose", "graph")));
    }
    return out;
  }

  /** Compiles a case (on jimfs) and returns its topology. */
  static Topology compile(Case c) throws IOException {
    return compileResult(c).topology().get();
  }

  /** Compiles a case (on jimfs): its topology and its diagnostics. */
  static CompileResult compileResult(Case c) throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(
        Configuration.unix().toBuilder().setWorkingDirectory("/case").build())) {
      Path root = fs.getPath("/case");
      Files.createDirectories(root);
      Files.write(root.resolve(c.rootFile()), Files.readAllBytes(c.inputDir().resolve(c.rootFile())));
      CompileResult r = new Compiler().compile(fs.getPath(c.rootFile()));
      assertTrue(r.topology().isPresent(), () -> c.name() + " does not compile: " + r.diagnostics());
      return r;
    }
  }

  /** The diagnostics of an export's text read back as file {@code file}, as {@code netc lint} gives them. */
  static List<Diagnostic> lint(String text, String file) {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path p = fs.getPath("/export/" + file);
      return new Compiler().compile(p, new SourceFile(p.toString(), text)).diagnostics();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A YAML export as {@code netc emit} writes it: with the source's suppressions carried
   * ({@link ExportedSuppressions}); its warnings, then its notes as stderr has them.
   */
  static Map.Entry<String, String> written(Export x, CompileResult r, String file) {
    ExportedSuppressions.Result carried = ExportedSuppressions.carry(x, r.diagnostics(), text -> lint(text, file));
    StringBuilder diags = new StringBuilder(DiagnosticReport.text(x.diagnostics(), 1, false));
    carried.notes().forEach(n -> diags.append("netc: ").append(n).append('\n'));
    return Map.entry(carried.text(), diags.toString());
  }

  /** What the case's backends make of it, by expectation file name. */
  static Map<String, String> outputs(Case c) throws IOException {
    CompileResult r = compileResult(c);
    Topology t = r.topology().get();
    Map<String, String> out = new LinkedHashMap<>();
    if (c.backends().contains("k8s")) {
      Map.Entry<String, String> k8s = written(K8sExport.write(t), r, "input.k8s.yaml");
      out.put("k8s.yaml", k8s.getKey());
      out.put("k8s-diagnostics.txt", k8s.getValue());
    }
    if (c.backends().contains("compose")) {
      Map.Entry<String, String> compose = written(ComposeExport.write(t), r, "input.compose.yaml");
      out.put("compose.yaml", compose.getKey());
      out.put("compose-diagnostics.txt", compose.getValue());
    }
    if (c.backends().contains("graph")) {
      out.put("graph.dot", GraphExport.dot(t));
      out.put("graph.mmd", GraphExport.mermaid(t));
    }
    return out;
  }

  @TestFactory
  Stream<DynamicTest> exports() throws IOException {
    return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> run(c)));
  }

  private void run(Case c) throws IOException {
    List<String> problems = new ArrayList<>();
    for (var e : outputs(c).entrySet()) {
      Path expected = c.expectDir().resolve(e.getKey());
      if (!Files.exists(expected)) {
        write(expected, e.getValue());
        problems.add("wrote missing expectation " + GoldenTest.ROOT.relativize(expected));
        continue;
      }
      String want = Files.readString(expected, StandardCharsets.UTF_8);
      if (!want.equals(e.getValue())) {
        if (GoldenTest.UPDATE) {
          write(expected, e.getValue());
          problems.add("updated " + GoldenTest.ROOT.relativize(expected) + " (review the diff)");
        } else {
          assertEquals(want, e.getValue(), GoldenTest.ROOT.relativize(expected)
              + " differs (rerun with -Dgolden.update=true to rewrite, then review the diff)");
        }
      }
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n", problems));
    }
  }

  private static void write(Path p, String text) {
    try {
      Files.createDirectories(p.getParent());
      Files.writeString(p, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
