package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.netc.backends.json.IrJson;
import dev.netc.backends.netc.NetcPrinter;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.SelectorAst;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.parse.Formatter;
import dev.netc.compiler.parse.Parse;
import dev.netc.compiler.parse.ParsedFile;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.Span;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The {@code .netc} printer: every golden input and every example, parsed and printed again,
 * compiles to the same IR (source positions aside) and is already in canonical form.
 */
class NetcPrinterTest {

  @TestFactory
  Stream<DynamicTest> printedSourceCompilesToTheSameIr() throws IOException {
    List<GoldenTest.Case> cases = new ArrayList<>(GoldenTest.cases().stream()
        .filter(c -> c.rootFile().endsWith(".netc")).toList()); // YAML inputs: ExportRoundTripTest
    try (Stream<Path> walk = Files.walk(GoldenTest.GOLDEN.resolve("conformance"))) {
      walk.filter(p -> p.getFileName().toString().equals("input.netc")).sorted().forEach(p ->
          cases.add(new GoldenTest.Case("conformance/" + p.getParent().getFileName(), p.getParent(),
              "input.netc", p.getParent(), false)));
    }
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> roundTrip(c)));
  }

  private void roundTrip(GoldenTest.Case c) throws IOException {
    try (FileSystem original = Jimfs.newFileSystem(Configuration.unix().toBuilder()
            .setWorkingDirectory("/case").build());
        FileSystem printed = Jimfs.newFileSystem(Configuration.unix().toBuilder()
            .setWorkingDirectory("/case").build())) {
      copy(c.inputDir(), original.getPath("/case"), false);
      copy(c.inputDir(), printed.getPath("/case"), true);
      boolean locked = Files.exists(c.inputDir().resolve("locked"));
      CompileResult before = new Compiler(Set.of(), locked).compile(original.getPath(c.rootFile()));
      CompileResult after = new Compiler(Set.of(), locked).compile(printed.getPath(c.rootFile()));
      if (before.topology().isPresent()) {
        assertTrue(after.topology().isPresent(), () -> "the printed source does not compile: "
            + after.diagnostics());
        assertEquals(withoutSources(IrJson.write(before.topology().get())),
            withoutSources(IrJson.write(after.topology().get())));
      }
    }
  }

  /** Copies a case; with {@code print}, every {@code .netc} file that parses is printed anew. */
  private static void copy(Path from, Path to, boolean print) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
          continue;
        }
        String name = p.getFileName().toString();
        if (!name.endsWith(".netc") && !name.endsWith(".lock")) {
          continue;
        }
        byte[] bytes = Files.readAllBytes(p);
        if (print && name.endsWith(".netc")) {
          bytes = reprint(p, bytes);
        }
        Files.createDirectories(target.getParent());
        Files.write(target, bytes);
      }
    }
  }

  private static byte[] reprint(Path p, byte[] bytes) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return bytes; // the NETC004 case: nothing to print
    }
    ParsedFile parsed = Parse.file(new SourceFile(p.toString(), text));
    if (parsed.hasSyntaxErrors()) {
      return bytes;
    }
    String out = NetcPrinter.print(parsed.decls());
    List<Diagnostic> problems = new ArrayList<>();
    assertEquals(Optional.of(out), Formatter.format(new SourceFile("printed", out), problems),
        p + ": the printed text is not in canonical form");
    assertEquals(parsed.decls().size(), Parse.file(new SourceFile("printed", out)).decls().size());
    return out.getBytes(StandardCharsets.UTF_8);
  }

  static String withoutSources(String json) {
    return json.replaceAll("(?m)^\\s*\"source\" ?: ?\"[^\"]*\",?\\n", "");
  }

  // ------------------------------------------------------------------ constructs one by one

  private static final SourceFile SRC = new SourceFile("t", "");
  private static final Span AT = Span.at(SRC, 0);

  private static Word w(String s) {
    return new Word(s, AT);
  }

  @Test
  void quotesWhatTheLexerWouldNotReadAsOneWord() {
    String out = NetcPrinter.print(List.of(
        new Decl.Topology(w("t"), AT),
        new Decl.Container(false, w("web"),
            List.of(new dev.netc.compiler.ast.Label(w("app"), w(""), AT),
                new dev.netc.compiler.ast.Label(w("service"), w("pod"), AT),
                new dev.netc.compiler.ast.Label(w("note"), w("a \"b\" c\\d"), AT)),
            List.of(), List.of(), List.of(), List.of(), List.of(), AT)));
    assertEquals("topology t\n\ncontainer web { labels app=\"\" \"service\"=pod note=\"a \\\"b\\\" c\\\\d\" }\n",
        out);
    ParsedFile back = Parse.file(new SourceFile("p", out));
    assertFalse(back.hasSyntaxErrors(), back.diagnostics()::toString);
    Decl.Container c = (Decl.Container) back.decls().get(1);
    assertEquals("a \"b\" c\\d", c.labels().get(2).value().text());
    assertEquals("", c.labels().get(0).value().text());
  }

  @Test
  void anEmptyPodsSelectorIsPodsAllAndAHeaderIsAComment() {
    Decl.PeerAst podsAll = new Decl.PeerAst(Decl.PeerKind.SELECTOR, Optional.empty(),
        Optional.of(new SelectorAst(true, List.of(), AT)), Optional.empty(), List.of(),
        Optional.empty(), AT);
    Decl.PeerAst cidr = new Decl.PeerAst(Decl.PeerKind.CIDR, Optional.empty(), Optional.empty(),
        Optional.of(w("10.0.0.0/8")), List.of(w("10.1.0.0/16")), Optional.empty(), AT);
    Decl.Rule rule = new Decl.Rule(w("allow"), w("egress"), Optional.empty(), List.of(podsAll, cidr),
        List.of(w("53/udp")), AT);
    Decl.Policy p = new Decl.Policy(w("p"), List.of(new SelectorAst(true, List.of(), AT)),
        List.of(), List.of(rule), AT);
    assertEquals("""
        # imported from x.yaml

        policy p {
          select all
          allow egress to pods all, cidr 10.0.0.0/8 except 10.1.0.0/16 port 53/udp
        }
        """, NetcPrinter.print(List.of(p), List.of("imported from x.yaml")));
  }
}
