package dev.netc.compiler.parse;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.source.SourceFile;
import dev.netc.grammar.NetcLexer;
import dev.netc.grammar.NetcParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;
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

  /**
   * A statement of an inner block (an attachment's {@code ip}, a service's {@code select}) written
   * in the enclosing block instead, on a line of its own: before the inner block's first line,
   * after its last, and at the end of the enclosing block. When the inner block is left empty, its braces go too ({@code attach front}
   * then {@code ip 10.0.0.5} on the next line: nothing tells it from an attachment whose
   * {@code {} is lost but the spare {@code }} that would close it). Exactly one error, on the
   * moved line; none when the statement is one of the enclosing block too ({@code labels} out of
   * a pod into its namespace). Only statements on one line are moved.
   */
  @Test
  void aStatementMovedOutOfItsBlockIsOneErrorOnItsLine() throws IOException {
    List<String> failures = new ArrayList<>();
    int inputs = 0;
    for (Path example : examples()) {
      String text = Files.readString(example);
      SourceFile source = new SourceFile(example.getFileName().toString(), text);
      List<Token> all = Parse.lex(source, new ArrayList<>()).getTokens().stream()
          .filter(t -> t.getChannel() == Token.DEFAULT_CHANNEL).toList();
      List<Integer> open = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        int type = all.get(i).getType();
        if (type == NetcLexer.LBRACE) {
          open.add(i);
        } else if (type == NetcLexer.RBRACE && !open.isEmpty()) {
          int lbrace = open.remove(open.size() - 1);
          if (!open.isEmpty()) {
            for (Mutation m : movedOut(source, all, open.get(open.size() - 1), lbrace, i)) {
              List<Diagnostic> errors = Parse.file(new SourceFile("t.netc", m.input())).diagnostics().stream()
                  .filter(d -> SYNTAX.contains(d.code())).toList();
              inputs++;
              boolean bad = m.valid()
                  ? !errors.isEmpty()
                  : errors.size() != 1 || errors.get(0).span().line() != m.line();
              if (bad) {
                StringBuilder b = new StringBuilder(example.getFileName() + ": `" + m.statement() + "` moved "
                    + m.where() + " (line " + m.line() + (m.valid() ? ", no error" : "") + "):");
                errors.forEach(d -> b.append("\n  ").append(d.span().line()).append(':').append(d.span().column())
                    .append(' ').append(d.message()));
                failures.add(b.toString());
              }
            }
          }
        }
      }
    }
    assertTrue(inputs > 50, "only " + inputs + " inputs: are the examples there?");
    assertTrue(failures.isEmpty(), failures.size() + " of " + inputs + " inputs:\n" + String.join("\n", failures));
  }

  /**
   * An input with one statement moved out of an inner block: the text, the statement, where it
   * went, its line, and whether the enclosing block takes it (then the input has no error).
   */
  private record Mutation(String input, String statement, String where, int line, boolean valid) {}

  /** The statements of the block from {@code all[lbrace]} to {@code all[rbrace]}, each moved out of it, twice. */
  private static List<Mutation> movedOut(SourceFile source, List<Token> all, int outer, int lbrace, int rbrace) {
    String text = source.text();
    List<int[]> statements = new ArrayList<>();
    int first = -1;
    int depth = 0;
    for (int i = lbrace + 1; i < rbrace; i++) {
      int type = all.get(i).getType();
      if (depth == 0 && (type == NetcLexer.NL || type == NetcLexer.SEMI)) {
        if (first >= 0) {
          statements.add(new int[] {first, i - 1});
        }
        first = -1;
        continue;
      }
      depth += type == NetcLexer.LBRACE ? 1 : type == NetcLexer.RBRACE ? -1 : 0;
      first = first < 0 ? i : first;
    }
    if (first >= 0) {
      statements.add(new int[] {first, rbrace - 1});
    }
    int header = lbrace;
    while (header > 0 && !separates(all.get(header - 1).getType())) {
      header--;
    }
    IntervalSet outerStatements = statementsOf(all, outer);
    int outerClose = rbrace + 1;
    for (int d = 0; all.get(outerClose).getType() != NetcLexer.RBRACE || d > 0; outerClose++) {
      d += all.get(outerClose).getType() == NetcLexer.LBRACE ? 1 : all.get(outerClose).getType() == NetcLexer.RBRACE ? -1 : 0;
    }
    int headerStart = offset(source, all.get(header).getStartIndex());
    int lineStart = text.lastIndexOf('\n', headerStart - 1) + 1;
    String indent = text.substring(lineStart, headerStart).isBlank() ? text.substring(lineStart, headerStart) : "";
    List<Mutation> out = new ArrayList<>();
    for (int[] st : statements) {
      Token from = all.get(st[0]);
      Token to = all.get(st[1]);
      int start = offset(source, from.getStartIndex());
      int end = offset(source, to.getStopIndex() + 1);
      if (text.substring(start, end).contains("\n")) {
        continue; // a statement on more than one line
      }
      String statement = text.substring(start, end);
      // what goes: the block, when the statement was its only one; else the statement, with the separator before it
      int cutStart;
      int cutEnd;
      int after;
      if (statements.size() == 1) {
        cutStart = offset(source, all.get(lbrace - 1).getStopIndex() + 1);
        cutEnd = offset(source, all.get(rbrace).getStopIndex() + 1);
        after = cutStart;
      } else {
        Token before = all.get(st[0] - 1);
        cutStart = offset(source, before.getType() == NetcLexer.LBRACE ? before.getStopIndex() + 1 : before.getStartIndex());
        cutEnd = end;
        after = offset(source, all.get(rbrace).getStopIndex() + 1);
      }
      boolean valid = outerStatements.contains(from.getType());
      String rest = text.substring(0, cutStart) + text.substring(cutEnd);
      String inserted = "\n" + indent + statement;
      int at = after > cutStart ? after - (cutEnd - cutStart) : after;
      String input = rest.substring(0, at) + inserted + rest.substring(at);
      out.add(new Mutation(input, statement, "after the block", lineOf(input, at + 1), valid));
      inserted = statement + "\n" + indent;
      input = rest.substring(0, headerStart) + inserted + rest.substring(headerStart);
      out.add(new Mutation(input, statement, "before the block", lineOf(input, headerStart), valid));
      int close = offset(source, all.get(outerClose).getStartIndex());
      int closeLine = text.lastIndexOf('\n', close - 1) + 1;
      boolean alone = text.substring(closeLine, close).isBlank();
      at = (alone ? closeLine : close) - (cutEnd - cutStart);
      inserted = (alone ? "" : "\n") + indent + statement + "\n";
      input = rest.substring(0, at) + inserted + rest.substring(at);
      out.add(new Mutation(input, statement, "to the end of the enclosing block",
          lineOf(input, at + (alone ? 0 : 1)), valid));
    }
    return out;
  }

  /** The tokens that start a statement of the block that opens at {@code all[lbrace]}. */
  private static IntervalSet statementsOf(List<Token> all, int lbrace) {
    int header = lbrace;
    while (header > 0 && !separates(all.get(header - 1).getType())) {
      header--;
    }
    int rule = switch (all.get(header).getType()) {
      case NetcLexer.HOST -> NetcParser.RULE_hostStmt;
      case NetcLexer.NETWORK -> NetcParser.RULE_networkStmt;
      case NetcLexer.NAMESPACE -> NetcParser.RULE_namespaceStmt;
      case NetcLexer.CONTAINER -> NetcParser.RULE_containerStmt;
      case NetcLexer.POD -> NetcParser.RULE_podStmt;
      case NetcLexer.SERVICE -> NetcParser.RULE_serviceStmt;
      case NetcLexer.POLICY -> NetcParser.RULE_policyStmt;
      case NetcLexer.ATTACH -> NetcParser.RULE_attachStmt;
      default -> throw new IllegalStateException("a block opened by " + all.get(header).getText());
    };
    return NetcParser._ATN.nextTokens(NetcParser._ATN.ruleToStartState[rule]);
  }

  private static boolean separates(int type) {
    return type == NetcLexer.NL || type == NetcLexer.SEMI || type == NetcLexer.LBRACE;
  }

  private static int offset(SourceFile source, int codePoint) {
    return source.offsetOfCodePoint(codePoint);
  }

  private static int lineOf(String text, int offset) {
    return 1 + (int) text.substring(0, offset).chars().filter(c -> c == '\n').count();
  }

  private static List<Path> examples() throws IOException {
    Path root = Path.of(System.getProperty("netc.root", "..")).resolve("examples");
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.toString().endsWith(".netc") && Files.isRegularFile(f)).sorted().toList();
    }
  }
}
