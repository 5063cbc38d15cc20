package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.backends.netc.ImportedSuppressions;
import dev.netc.backends.netc.NetcPrinter;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.front.Frontend;
import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.source.Manifests;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.SourceReader;
import dev.netc.compiler.source.Span;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link ImportedSuppressions}: for every golden case and example in YAML that has {@code #
 * netc:ignore} comments, the printed {@code .netc} with the suppressions carried compiles to the
 * same findings as the YAML (the front end's own aside: the printed source no longer has what
 * they are about), and what the YAML suppresses it suppresses for the same reason. A comment
 * that cannot cover its diagnostic alone in the printed source is left out, with a note.
 */
class ImportedSuppressionsTest {
  private static final Compiler COMPILER = new Compiler();

  /** What {@code netc import} does: the front end, the YAML compiled, printed, the suppressions carried. */
  private record Imported(List<Diagnostic> frontEnd, CompileResult yaml, ImportedSuppressions.Result carried) {}

  private static Imported importOf(Path root, Frontend frontend, List<Path> files,
      BiFunction<SourceFile, List<Diagnostic>, List<Diagnostic>> change) throws IOException {
    List<SourceFile> sources = new ArrayList<>();
    for (Path f : files) {
      sources.add(SourceReader.read(f, f.toString()).file().orElseThrow());
    }
    Diagnostics diags = new Diagnostics();
    List<Decl> decls = frontend.read(sources, diags);
    List<Diagnostic> frontEnd = diags.sorted();
    CompileResult yaml = COMPILER.compile(root, frontend, sources, decls, diags);
    String printed = NetcPrinter.print(decls, List.of("Imported by a test."));
    ImportedSuppressions.Result carried = ImportedSuppressions.carry(sources, decls, printed, yaml.diagnostics(),
        netc -> change.apply(netc, COMPILER.compile(root, netc).diagnostics()));
    return new Imported(frontEnd, yaml, carried);
  }

  @TestFactory
  Stream<DynamicTest> theImportOfEveryYamlCaseWithSuppressionsHasItsFindings() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (GoldenTest.Case c : GoldenTest.cases()) {
      Path root = c.inputDir().resolve(c.rootFile());
      List<Path> files = Files.isDirectory(root) ? Manifests.list(root, false)
          : root.toString().endsWith(".yaml") ? List.of(root) : List.of();
      boolean suppressions = false;
      for (Path f : files) {
        suppressions |= Files.readString(f).contains("netc:ignore");
      }
      // lint stops at errors (a broken suppression is one), and so does the import
      if (suppressions && !COMPILER.compile(root).hasErrors()) {
        tests.add(DynamicTest.dynamicTest(c.name(), () -> sameFindings(root, files)));
      }
    }
    assertTrue(tests.size() >= 4, "the suppression cases of k8s and compose, and the shop example: " + tests.size());
    return tests.stream();
  }

  private static void sameFindings(Path root, List<Path> files) throws IOException {
    SourceFile first = SourceReader.read(files.get(0), files.get(0).toString()).file().orElseThrow();
    Frontend frontend = Files.isDirectory(root) ? Frontends.KUBERNETES : Frontends.forFile(first).orElseThrow();
    Imported i = importOf(root, frontend, files, (netc, d) -> d);
    assertEquals(List.of(), i.carried().notes());
    CompileResult printed = COMPILER.compile(root, new SourceFile("imported.netc", i.carried().text()));
    Set<String> frontEnd = new HashSet<>();
    i.frontEnd().forEach(d -> frontEnd.add(finding(d)));
    List<String> yaml = i.yaml().diagnostics().stream().filter(d -> d.suppressed().isEmpty())
        .map(ImportedSuppressionsTest::finding).filter(f -> !frontEnd.contains(f)).sorted().toList();
    List<String> netc = printed.diagnostics().stream().filter(d -> d.suppressed().isEmpty())
        .map(ImportedSuppressionsTest::finding).sorted().toList();
    assertEquals(yaml, netc, i.carried().text());
    Set<String> reasons = new HashSet<>();
    printed.diagnostics().forEach(d -> d.suppressed().ifPresent(r -> reasons.add(finding(d) + " because " + r)));
    i.yaml().diagnostics().stream().filter(d -> d.suppressed().isPresent() && !frontEnd.contains(finding(d)))
        .forEach(d -> assertTrue(reasons.contains(finding(d) + " because " + d.suppressed().get()),
            finding(d) + " is suppressed in the .netc too:\n" + i.carried().text()));
  }

  /** A diagnostic without its place (and its suppression): severity, code, message. */
  private static String finding(Diagnostic d) {
    return d.severity() + " " + d.code() + " " + d.message();
  }

  @Test
  void aCommentThatWouldCoverMoreThanTheYamlsIsLeftOutWithANote() throws Exception {
    // The shop's database pod is an island, suppressed in the YAML. Here the printed source has
    // another island inside the pod, which the YAML has no twin of (the compile below adds it): a
    // comment above the pod would suppress it too, so the pod keeps no comment, and a note says why.
    Path root = GoldenTest.ROOT.resolve("examples/k8s/shop");
    List<Path> files = Manifests.list(root, false);
    Imported i = importOf(root, Frontends.KUBERNETES, files, (netc, plain) -> {
      int pod = netc.text().indexOf("pod postgres-1 {");
      assertTrue(pod > 0, netc.text());
      int inside = netc.text().indexOf("pod-network", pod);
      List<Diagnostic> more = new ArrayList<>(plain);
      more.add(Diagnostic.of(Code.NETC307, new Span(netc, inside, inside + 11), "an island the YAML does not have"));
      return more;
    });
    assertEquals(List.of("the suppression of NETC307 (\"the database answers; it opens no connection of its own\")"
        + " of the diagnostic at " + root.resolve("deployments.yaml") + ":58 is not carried: in the .netc, a comment"
        + " above the statement it is reported on would also cover a diagnostic that the YAML does not suppress for"
        + " that reason"), i.carried().notes());
    assertTrue(!i.carried().text().contains("netc:ignore"), i.carried().text());
  }
}
