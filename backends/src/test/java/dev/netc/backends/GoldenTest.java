package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.netc.backends.json.IrJson;
import dev.netc.backends.plan.Planner;
import dev.netc.backends.report.DiagnosticReport;
import dev.netc.backends.report.MatrixReport;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Matrix;
import dev.netc.compiler.model.Reachability;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.parse.Formatter;
import dev.netc.compiler.source.SourceReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden tests: every folder under {@code golden-tests/} with an {@code input.netc} (or an
 * {@code input.yaml}, read by the front end that accepts it, or a folder {@code input/} of
 * Kubernetes manifests, read as one set as {@code netc lint input/} reads it) is a case (but those under
 * {@code conformance/}, which {@link ConformanceTest} checks, and under {@code exports/graph/},
 * which {@link ExportGoldenTest} checks), and every example is one too (its expectations under
 * {@code golden-tests/examples/NAME/}; a YAML example {@code DIR/NAME.yaml}, or a folder of
 * manifests {@code DIR/NAME/}, under {@code golden-tests/examples/DIR/NAME/}).
 *
 * <p>A case folder may hold {@code input.lock} (the lock file the case compiles against) and an
 * empty file {@code locked} (compile as {@code --locked} does). A case's expected outputs: {@code diagnostics.txt} (the text rendering, always),
 * {@code ir.json} (the IR, when the input has no errors), {@code matrix.txt} (the reachability
 * matrix the model predicts on the topology's ports, likewise), {@code formatted.netc} (what
 * {@code netc fmt} makes of the input, for cases under {@code golden-tests/fmt/}), and the kernel
 * plans of a topology without errors: {@code plan-ip.txt} and {@code plan-nft.txt} (what {@code
 * netc emit --backend ip} and {@code nft} print) and {@code plan-diagnostics.txt} (what planning
 * reports, when it reports something; with an error, there are no plans). A case folder may hold
 * a file {@code sandbox} with a sandbox name: its plans are made for that sandbox, and a file
 * {@code file-name} with a file name: the input is compiled under that name (a topology named
 * after its file). A missing
 * expectation is written and the test fails; with {@code -Dgolden.update=true} every expectation
 * that differs is rewritten and the test still fails, so an update is always a reviewed diff.
 */
class GoldenTest {
  static final Path ROOT = Path.of(System.getProperty("netc.root", "..")).toAbsolutePath().normalize();
  static final Path GOLDEN = ROOT.resolve("golden-tests");
  static final boolean UPDATE = Boolean.getBoolean("golden.update");
  private static final Pattern CODE = Pattern.compile("\\[(NETC\\d+)]");
  /** The root file of a case: {@code .netc}, or YAML that a front end reads (Kubernetes, Compose). */
  static final Set<String> INPUTS = Set.of("input.netc", "input.yaml");
  /** The extensions of the files a case's input may have. */
  private static final List<String> INPUT_FILES = List.of(".netc", ".lock", ".yaml", ".yml");
  /** Every expectation a case may have. */
  static final Set<String> EXPECTATIONS = Set.of("diagnostics.txt", "ir.json", "matrix.txt",
      "formatted.netc", "plan-ip.txt", "plan-nft.txt", "plan-diagnostics.txt");

  /** One case: the folder whose files are copied into jimfs, the root file, the expectations. */
  record Case(String name, Path inputDir, String rootFile, Path expectDir, boolean fmt) {}

  static List<Case> cases() throws IOException {
    List<Case> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(GOLDEN)) {
      walk.filter(p -> INPUTS.contains(p.getFileName().toString())
              || p.getFileName().toString().equals("input") && Files.isDirectory(p))
          .sorted().forEach(p -> {
        Path dir = p.getParent();
        String name = GOLDEN.relativize(dir).toString();
        if (name.startsWith("conformance/")) {
          return; // ConformanceTest's cases: their expectation is a hand-written matrix
        }
        if (name.startsWith("exports/graph/")) {
          return; // ExportGoldenTest's big graph cases: their matrix would be megabytes
        }
        String file = p.getFileName().toString();
        out.add(new Case(name, dir, file, dir, name.startsWith("fmt/") && file.equals("input.netc")));
      });
    }
    Path examples = ROOT.resolve("examples");
    try (Stream<Path> walk = Files.walk(examples)) {
      walk.filter(p -> p.toString().endsWith(".netc") || p.toString().endsWith(".yaml")
          || Files.isDirectory(p) && isManifestFolder(p)).sorted().forEach(p -> {
        Path rel = examples.relativize(p);
        if (Files.isDirectory(p)) {
          out.add(new Case("examples/" + rel, p.getParent(), p.getFileName().toString(),
              GOLDEN.resolve("examples").resolve(rel.toString()), false));
          return;
        }
        if (p.toString().endsWith(".yaml") && rel.getNameCount() == 2) {
          String name = rel.toString().replaceAll("\\.yaml$", "");
          out.add(new Case("examples/" + name, p.getParent(), p.getFileName().toString(),
              GOLDEN.resolve("examples").resolve(name), false));
          return;
        }
        boolean top = rel.getNameCount() == 1;
        boolean main = rel.getNameCount() == 2 && rel.getFileName().toString().equals("main.netc");
        if (top || main) {
          String name = top ? rel.toString().replaceAll("\\.netc$", "") : rel.getName(0).toString();
          out.add(new Case("examples/" + name, p.getParent(), p.getFileName().toString(),
              GOLDEN.resolve("examples").resolve(name), false));
        }
      });
    }
    return out;
  }

  /** A folder of examples that is one set of Kubernetes manifests: YAML files and no .netc. */
  private static boolean isManifestFolder(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = files.map(f -> f.getFileName().toString()).toList();
      return names.stream().anyMatch(n -> n.endsWith(".yaml") || n.endsWith(".yml"))
          && names.stream().noneMatch(n -> n.endsWith(".netc"))
          && dir.getParent() != null && !dir.getParent().getFileName().toString().equals("examples");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @TestFactory
  Stream<DynamicTest> golden() throws IOException {
    return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> run(c)));
  }

  private void run(Case c) throws IOException {
    Map<String, String> actual = new LinkedHashMap<>();
    try (FileSystem fs = Jimfs.newFileSystem(
        Configuration.unix().toBuilder().setWorkingDirectory("/case").build())) {
      Path root = copyCase(c, fs);
      boolean locked = Files.exists(c.inputDir().resolve("locked"));
      CompileResult r = new Compiler(Set.of(), locked).compile(root);
      actual.put("diagnostics.txt", DiagnosticReport.text(r.diagnostics(), r.sources().size(), false));
      r.topology().ifPresent(t -> actual.put("ir.json", IrJson.write(t)));
      r.topology().ifPresent((Topology t) -> {
        Reachability model = new Reachability(t);
        List<PortSpec> ports = model.defaultPorts();
        actual.put("matrix.txt", MatrixReport.text(model.nodes(), ports, Matrix.compute(model, ports)));
        plans(c, t, model, r.sources().size(), actual);
      });
      if (c.fmt()) {
        List<Diagnostic> problems = new ArrayList<>();
        SourceReader.Read read = SourceReader.read(root, c.rootFile());
        Optional<String> formatted = read.file().flatMap(f -> Formatter.format(f, problems));
        actual.put("formatted.netc", formatted.orElse("(not formatted: syntax errors)\n"));
      }
    }
    List<String> problems = new ArrayList<>();
    for (var e : actual.entrySet()) {
      Path expected = c.expectDir().resolve(e.getKey());
      if (!Files.exists(expected)) {
        write(expected, e.getValue());
        problems.add("wrote missing expectation " + ROOT.relativize(expected));
        continue;
      }
      String want = Files.readString(expected, StandardCharsets.UTF_8);
      if (!want.equals(e.getValue())) {
        if (UPDATE) {
          write(expected, e.getValue());
          problems.add("updated " + ROOT.relativize(expected) + " (review the diff)");
        } else {
          assertEquals(want, e.getValue(), ROOT.relativize(expected)
              + " differs (rerun with -Dgolden.update=true to rewrite, then review the diff)");
        }
      }
    }
    try (Stream<Path> files = Files.list(c.expectDir())) {
      for (Path p : files.toList()) {
        String f = p.getFileName().toString();
        if (EXPECTATIONS.contains(f) && !actual.containsKey(f)) {
          problems.add("stale expectation " + ROOT.relativize(p) + " (the case no longer produces it)");
        }
      }
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n", problems));
    }
  }

  /** Compiles a case as {@link #run} does; empty when it has errors. */
  static Optional<dev.netc.compiler.ir.Topology> compileCase(Case c) throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(
        Configuration.unix().toBuilder().setWorkingDirectory("/case").build())) {
      Path root = copyCase(c, fs);
      boolean locked = Files.exists(c.inputDir().resolve("locked"));
      return new Compiler(Set.of(), locked).compile(root).topology();
    }
  }

  private static void plans(Case c, Topology t, Reachability model, int files, Map<String, String> actual) {
    String sandbox = "";
    try {
      Path file = c.inputDir().resolve("sandbox");
      if (Files.exists(file)) {
        sandbox = Files.readString(file, StandardCharsets.UTF_8).strip();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Planner.Result plan = Planner.plan(t, sandbox);
    if (!plan.diagnostics().isEmpty()) {
      actual.put("plan-diagnostics.txt", DiagnosticReport.text(plan.diagnostics(), files, false));
    }
    plan.state().ifPresent(s -> {
      actual.put("plan-ip.txt", KernelPlans.ip(s));
      actual.put("plan-nft.txt", KernelPlans.nft(s, model));
    });
  }

  /**
   * Copies a case's input into {@code /case} of {@code fs}, and returns its root file there: the
   * case's, or the name its file {@code file-name} gives (a topology named after its file).
   */
  private static Path copyCase(Case c, FileSystem fs) throws IOException {
    copyInto(c.inputDir(), fs.getPath("/case"));
    Path root = fs.getPath(c.rootFile());
    Path rename = c.inputDir().resolve("file-name");
    if (Files.exists(rename)) {
      root = Files.move(root, fs.getPath(Files.readString(rename, StandardCharsets.UTF_8).strip()));
    }
    return root;
  }

  private static void copyInto(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (INPUT_FILES.stream().anyMatch(p.toString()::endsWith)) {
          Files.createDirectories(target.getParent());
          Files.write(target, Files.readAllBytes(p));
        }
      }
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

  /** Every diagnostic code has at least one golden case that produces it. */
  @Test
  void everyCodeHasAGoldenCase() throws IOException {
    Set<Code> seen = EnumSet.noneOf(Code.class);
    try (Stream<Path> walk = Files.walk(GOLDEN)) {
      // diagnostics.txt of the compiler, k8s-diagnostics.txt and compose-diagnostics.txt of the exports
      for (Path p : walk.filter(x -> x.getFileName().toString().endsWith("diagnostics.txt")).toList()) {
        Matcher m = CODE.matcher(Files.readString(p));
        while (m.find()) {
          Code.parse(m.group(1)).ifPresent(seen::add);
        }
      }
    }
    Set<String> missing = new TreeSet<>();
    for (Code c : Code.values()) {
      if (!seen.contains(c)) {
        missing.add(c.name());
      }
    }
    assertTrue(missing.isEmpty(), "codes without a golden case: " + missing);
  }

  /** Every diagnostic code has a section in docs/diagnostics.md with a failing and a fixed example. */
  @Test
  void everyCodeIsDocumented() throws IOException {
    String doc = Files.readString(ROOT.resolve("docs/diagnostics.md"));
    Set<String> missing = new TreeSet<>();
    for (Code c : Code.values()) {
      int at = doc.indexOf("\n## " + c.name());
      if (at < 0) {
        missing.add(c.name() + " (no `## " + c.name() + "` heading)");
        continue;
      }
      int next = doc.indexOf("\n## ", at + 1);
      String section = doc.substring(at, next < 0 ? doc.length() : next);
      int examples = section.split("```netc", -1).length + section.split("```yaml", -1).length - 2;
      if (examples < 2) {
        missing.add(c.name() + " (needs a failing and a fixed ```netc or ```yaml example)");
      }
    }
    assertTrue(missing.isEmpty(), "undocumented codes: " + missing);
  }
}
