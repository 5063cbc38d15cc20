package dev.netc.compiler.parse;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.source.SourceFile;
import dev.netc.grammar.NetcLexer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;
import org.junit.jupiter.api.Test;

/**
 * One mistake, one syntax error, where the mistake is: every token of every example under
 * {@code examples/} (recursively) is deleted, and then written twice, one at a time (some 2,750
 * inputs), and the syntax errors of each input (NETC001 to NETC003) are checked.
 *
 * <ul>
 *   <li>For a word, a keyword, a value or a line break: at most one error, on the line of the
 *       mistake (a doubled line break: that line or the next). A line break that ends a comment
 *       is left out: deleted, it makes the next line part of the comment.
 *   <li>For a brace: at most {@link #BRACE_ERRORS} errors. A lost or doubled brace shows only
 *       where the braces stop matching, often lines later, and some cannot be told apart from
 *       other mistakes: a pod in a namespace whose {@code {} is lost, with {@code labels} first,
 *       gives the namespace those labels, and the pod's next statements are errors of their own.
 *       A bound, lowered as recovery gets better (before it, one brace made up to 7).
 * </ul>
 *
 * {@code cli/.../LintFuzzTest} checks that lint survives far worse inputs; this test checks what
 * the errors say about one ordinary slip.
 */
class OneMistakeOneErrorTest {
  private static final int BRACE_ERRORS = 3;
  private static final Set<Code> SYNTAX = Set.of(Code.NETC001, Code.NETC002, Code.NETC003);

  @Test
  void oneDeletedOrDoubledTokenIsOneErrorOnItsLine() throws IOException {
    List<String> failures = new ArrayList<>();
    int inputs = 0;
    for (Path example : examples()) {
      String text = Files.readString(example);
      SourceFile source = new SourceFile(example.getFileName().toString(), text);
      CommonTokenStream tokens = Parse.lex(source, new ArrayList<>());
      List<Token> all = tokens.getTokens();
      for (int i = 0; i < all.size(); i++) {
        Token t = all.get(i);
        if (t.getChannel() != Token.DEFAULT_CHANNEL || t.getType() == Token.EOF
            || t.getType() == NetcLexer.NL && i > 0 && all.get(i - 1).getType() == NetcLexer.COMMENT) {
          continue;
        }
        int start = source.offsetOfCodePoint(t.getStartIndex());
        int end = source.offsetOfCodePoint(t.getStopIndex() + 1);
        boolean brace = t.getType() == NetcLexer.LBRACE || t.getType() == NetcLexer.RBRACE;
        boolean newline = t.getType() == NetcLexer.NL;
        int line = 1 + (int) text.substring(0, start).chars().filter(c -> c == '\n').count();
        for (boolean deleted : new boolean[] {true, false}) {
          String input = deleted
              ? text.substring(0, start) + text.substring(end)
              : text.substring(0, end) + (newline ? "" : " ") + text.substring(start);
          List<Diagnostic> errors = Parse.file(new SourceFile("t.netc", input)).diagnostics().stream()
              .filter(d -> SYNTAX.contains(d.code())).toList();
          inputs++;
          int lastLine = line + (!deleted && newline ? 1 : 0);
          boolean bad = brace
              ? errors.size() > BRACE_ERRORS
              : errors.size() > 1 || errors.stream().anyMatch(d -> d.span().line() < line || d.span().line() > lastLine);
          if (bad) {
            StringBuilder b = new StringBuilder(example.getFileName() + ": " + (deleted ? "deleted" : "doubled")
                + " `" + (newline ? "\\n" : t.getText()) + "` on line " + line + ":");
            errors.forEach(d -> b.append("\n  ").append(d.span().line()).append(':').append(d.span().column())
                .append(' ').append(d.message()));
            failures.add(b.toString());
          }
        }
      }
    }
    assertTrue(inputs > 2_000, "only " + inputs + " inputs: are the examples there?");
    assertTrue(failures.isEmpty(), failures.size() + " of " + inputs + " inputs:\n" + String.join("\n", failures));
  }

  private static List<Path> examples() throws IOException {
    Path root = Path.of(System.getProperty("netc.root", "..")).resolve("examples");
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.toString().endsWith(".netc") && Files.isRegularFile(f)).sorted().toList();
    }
  }
}
