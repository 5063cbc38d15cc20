package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.netc.backends.json.IrJson;
import dev.netc.backends.report.DiagnosticReport;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.parse.Formatter;
import dev.netc.compiler.source.SourceFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Properties that hold for every input the project has (golden cases and examples):
 * compiling is deterministic, CRLF input means what LF input means, formatting is idempotent
 * and never changes the IR.
 */
class InvariantsTest {

  private record Compiled(String ir, String diagnostics) {}

  private static Compiled compile(GoldenTest.Case c, java.util.function.UnaryOperator<String> edit)
      throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(
        Configuration.unix().toBuilder().setWorkingDirectory("/case").build())) {
      try (Stream<Path> walk = Files.walk(c.inputDir())) {
        for (Path p : walk.filter(x -> x.toString().endsWith(".netc") || x.toString().endsWith(".yaml")).toList()) {
          Path target = fs.getPath("/case").resolve(c.inputDir().relativize(p).toString());
          Files.createDirectories(target.getParent());
          byte[] bytes = Files.readAllBytes(p);
          String text = new String(bytes, StandardCharsets.UTF_8);
          boolean utf8 = java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes);
          Files.write(target, utf8 ? edit.apply(text).getBytes(StandardCharsets.UTF_8) : bytes);
        }
      }
      CompileResult r = new Compiler().compile(fs.getPath(c.rootFile()));
      return new Compiled(r.topology().map(IrJson::write).orElse(""),
          DiagnosticReport.json(r.diagnostics()));
    }
  }

  @TestFactory
  Stream<DynamicTest> compilingIsDeterministic() throws IOException {
    return GoldenTest.cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () ->
        assertEquals(compile(c, s -> s), compile(c, s -> s))));
  }

  @TestFactory
  Stream<DynamicTest> crlfMeansWhatLfMeans() throws IOException {
    return GoldenTest.cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
      Compiled lf = compile(c, s -> s);
      Compiled crlf = compile(c, s -> s.replace("\r\n", "\n").replace("\n", "\r\n"));
      assertEquals(lf.ir(), crlf.ir());
      assertEquals(lf.diagnostics(), crlf.diagnostics());
    }));
  }

  @TestFactory
  Stream<DynamicTest> formattingIsIdempotentAndKeepsTheIr() throws IOException {
    // netc fmt formats .netc files; YAML input is the user's own layout
    return GoldenTest.cases().stream().filter(c -> c.rootFile().endsWith(".netc"))
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
      Compiled before = compile(c, s -> s);
      Compiled after = compile(c, s -> fmt(s).orElse(s));
      // source lines move when fmt changes layout; everything else must stay
      String sourceLine = "(?m)^\\s*\"source\": \".*\",?\\n";
      assertEquals(before.ir().replaceAll(sourceLine, ""), after.ir().replaceAll(sourceLine, ""),
          "fmt changed the IR of " + c.name());
      try (Stream<Path> walk = Files.walk(c.inputDir())) {
        for (Path p : walk.filter(x -> x.toString().endsWith(".netc")).toList()) {
          String text = Files.readString(p, StandardCharsets.ISO_8859_1);
          fmt(text).ifPresent(once -> assertEquals(once, fmt(once).orElseThrow(),
              "fmt of fmt differs for " + p));
        }
      }
    }));
  }

  private static java.util.Optional<String> fmt(String text) {
    List<Diagnostic> problems = new ArrayList<>();
    return Formatter.format(new SourceFile("x.netc", text), problems);
  }

  /** Examples are written in canonical form. */
  @Test
  void examplesAreFormatted() throws IOException {
    try (Stream<Path> walk = Files.walk(GoldenTest.ROOT.resolve("examples"))) {
      for (Path p : walk.filter(x -> x.toString().endsWith(".netc")).toList()) {
        String text = Files.readString(p);
        assertEquals(text, fmt(text).orElseThrow(), p + " is not formatted: run netc fmt");
      }
    }
  }

  /** ANTLR's types stay in the parse package; backends never see the parser (STYLE.md). */
  @Test
  void layering() throws IOException {
    List<String> offenders = new ArrayList<>();
    for (String module : List.of("compiler", "backends", "runner", "cli")) {
      Path src = GoldenTest.ROOT.resolve(module).resolve("src/main/java");
      if (!Files.isDirectory(src)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(src)) {
        for (Path p : walk.filter(x -> x.toString().endsWith(".java")).toList()) {
          String text = Files.readString(p);
          boolean parsePackage = p.toString().contains("/dev/netc/compiler/parse/");
          if (!parsePackage && (text.contains("import dev.netc.grammar") || text.contains("import org.antlr"))) {
            offenders.add(GoldenTest.ROOT.relativize(p).toString());
          }
          if (module.equals("compiler") && (text.contains("import dev.netc.backends")
              || text.contains("import dev.netc.runner") || text.contains("import dev.netc.cli"))) {
            offenders.add(GoldenTest.ROOT.relativize(p) + " (depends backwards)");
          }
          if (module.equals("backends") && (text.contains("import dev.netc.runner")
              || text.contains("import dev.netc.cli"))) {
            offenders.add(GoldenTest.ROOT.relativize(p) + " (depends backwards)");
          }
        }
      }
    }
    assertTrue(offenders.isEmpty(), "layering broken in " + offenders);
  }
}
