package dev.netc.compiler.parse;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.Span;
import dev.netc.grammar.NetcLexer;
import dev.netc.grammar.NetcParser;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;
import org.antlr.v4.runtime.tree.ErrorNode;
import org.antlr.v4.runtime.tree.ParseTreeListener;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Parses one {@code .netc} file in ANTLR's two stages: the fast SLL mode first, and the full LL
 * mode with error recovery only when SLL fails (which, for this grammar, happens only on syntax
 * errors; {@link #llFallbacks()} counts it so tests and benchmarks can prove it). The LL stage
 * resumes near the error, at a top-level item that SLL matched, rather than at the start.
 */
public final class Parse {
  private static final AtomicLong LL_FALLBACKS = new AtomicLong();

  private Parse() {}

  /** How many parses since start needed the LL stage. */
  public static long llFallbacks() {
    return LL_FALLBACKS.get();
  }

  /** Lexes {@code source} into a filled token stream, reporting lexical errors into {@code out}. */
  static CommonTokenStream lex(SourceFile source, List<Diagnostic> out) {
    NetcLexer lexer = new NetcLexer(CharStreams.fromString(source.text(), source.path()));
    lexer.removeErrorListeners();
    lexer.addErrorListener(
        new BaseErrorListener() {
          @Override
          public void syntaxError(
              Recognizer<?, ?> r, Object sym, int line, int col, String msg,
              RecognitionException e) {
            if (out.size() >= SyntaxErrorStrategy.LIMIT) {
              return;
            }
            int start = lexer._tokenStartCharIndex;
            Span span = source.spanOfCodePoints(start, start + 1);
            String text = span.text();
            String msgText =
                text.equals("-") || text.equals(">")
                    ? "unexpected `" + text + "`: write an arrow as `->` and a range as `N-M`"
                    : "unexpected character `" + text + "`";
            out.add(Diagnostic.of(Code.NETC002, span, msgText));
          }
        });
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    tokens.fill();
    int lexicalBefore = out.size();
    for (Token t : tokens.getTokens()) {
      if (t.getChannel() != 2 || out.size() >= SyntaxErrorStrategy.LIMIT) {
        continue;
      }
      Span span = source.spanOfCodePoints(t.getStartIndex(), t.getStopIndex() + 1);
      if (t.getType() == NetcLexer.UNTERMINATED_STRING) {
        out.add(
            Diagnostic.of(Code.NETC003, span, "this string has no closing `\"` on its line")
                .withHint("close the string with `\"`; a string cannot span lines"));
      } else {
        String text = t.getText();
        String shown = text.length() > 20 ? text.substring(0, 20) + "..." : text;
        out.add(
            Diagnostic.of(Code.NETC002, span, "unexpected character" + (text.codePointCount(0, text.length()) > 1 ? "s" : "")
                + " `" + shown + "`")
                .withHint("names and values use letters, digits and `_ . : / - [ ]`; quote anything else"));
      }
    }
    if (out.size() >= SyntaxErrorStrategy.LIMIT && lexicalBefore < SyntaxErrorStrategy.LIMIT + 1) {
      out.add(Diagnostic.of(Code.NETC005, out.get(out.size() - 1).span(),
              "too many errors: stopped after " + SyntaxErrorStrategy.LIMIT
                  + "; the rest of the file was not checked")
          .withHint("fix these first, then run netc again"));
    }
    return tokens;
  }

  /** Parses {@code source}; never throws for any input. */
  public static ParsedFile file(SourceFile source) {
    List<Diagnostic> diagnostics = new ArrayList<>();
    CommonTokenStream tokens = lex(source, diagnostics);
    List<Comment> comments = comments(source, tokens);
    NetcParser parser = new NetcParser(tokens);
    parser.removeErrorListeners();
    parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
    parser.setErrorHandler(new BailErrorStrategy());
    ItemByItem sllDecls = new ItemByItem(new AstBuilder(source));
    parser.addParseListener(sllDecls);
    NetcParser.FileContext tree = null;
    boolean ll = false;
    try {
      tree = parser.file();
    } catch (ParseCancellationException sllFailed) {
      ll = true;
      LL_FALLBACKS.incrementAndGet();
      parser.reset();
      parser.removeParseListeners();
      // Resume at the start of the next-to-last item SLL matched, not at the start of the file:
      // everything before it is error-free, so a large file is not parsed a second time. There
      // the LL parse is at the file rule's first item, and one item later in the loop over the
      // others, the state a parse from the start of the file would be in; so it reports and
      // recovers from the error that stopped SLL exactly as that parse would.
      tokens.seek(sllDecls.resumeAt());
      parser.getInterpreter().setPredictionMode(PredictionMode.LL);
      SyntaxErrorStrategy strategy = new SyntaxErrorStrategy(source);
      parser.setErrorHandler(strategy);
      try {
        tree = parser.file();
      } catch (ParseCancellationException tooMany) {
        tree = null;
      }
      // a syntax error on a line with a lexical error is nearly always its consequence
      java.util.Set<Integer> lexLines = new java.util.HashSet<>();
      diagnostics.forEach(d -> lexLines.add(d.span().line()));
      strategy.diagnostics().stream().filter(d -> !lexLines.contains(d.span().line()))
          .forEach(diagnostics::add);
      if (strategy.diagnostics().size() >= SyntaxErrorStrategy.LIMIT) {
        Span last = strategy.diagnostics().get(strategy.diagnostics().size() - 1).span();
        diagnostics.add(
            Diagnostic.of(Code.NETC005, last, "too many syntax errors: stopped after "
                    + SyntaxErrorStrategy.LIMIT + "; the rest of the file was not checked")
                .withHint("fix these first, then run netc again"));
      }
    }
    boolean errors = diagnostics.stream().anyMatch(Diagnostic::isError);
    if (tree == null || errors) {
      return new ParsedFile(source, List.of(), comments, diagnostics, ll);
    }
    List<Decl> decls = sllDecls.decls;
    if (ll) {
      // SLL failed where LL succeeds: the items before the resume point, then what LL parsed.
      decls = new ArrayList<>(sllDecls.decls.subList(0, sllDecls.decls.size() - sllDecls.reparsed()));
      decls.addAll(new AstBuilder(source).file(tree));
    }
    return new ParsedFile(source, decls, comments, diagnostics, ll);
  }

  /**
   * The file's {@code topology} line (its first), when the parser reads that line whole and no
   * error of the file starts before the line's end: a file with a syntax error further on (being
   * edited) still names its topology. {@link #file} keeps no declaration of a file with errors;
   * this takes the items the first parse built before it stopped, each matched whole, and the
   * errors' places from {@link #file}. Empty when the file has no such line that reads so.
   */
  public static java.util.Optional<Decl.Topology> topologyLine(SourceFile source) {
    ParsedFile parsed = file(source);
    java.util.OptionalInt firstError = parsed.diagnostics().stream().filter(Diagnostic::isError)
        .mapToInt(d -> d.span().start()).min();
    List<Decl> decls = parsed.decls();
    if (firstError.isPresent()) {
      NetcParser parser = new NetcParser(lex(source, new ArrayList<>()));
      parser.removeErrorListeners();
      parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
      parser.setErrorHandler(new BailErrorStrategy());
      ItemByItem items = new ItemByItem(new AstBuilder(source));
      parser.addParseListener(items);
      try {
        parser.file();
      } catch (ParseCancellationException e) {
        // stopped at the error (or where SLL cannot decide): the items before it are built
      }
      decls = items.decls;
    }
    java.util.Optional<Decl.Topology> line = decls.stream().filter(d -> d instanceof Decl.Topology)
        .map(d -> (Decl.Topology) d).findFirst();
    if (line.isEmpty() || firstError.isEmpty()) {
      return line;
    }
    int eol = source.text().indexOf('\n', line.get().span().end());
    int end = eol < 0 ? source.text().length() : eol;
    return firstError.getAsInt() > end ? line : java.util.Optional.empty();
  }

  /**
   * Builds the AST of each top-level item as soon as the SLL parse has matched it, and then drops
   * the item's parse tree. The tree of a large file is several times the size of its AST; kept
   * whole until the end of the parse, it made the garbage collector copy it again and again, so
   * parse time grew faster than the file (3.6 times for twice the containers).
   *
   * <p>ANTLR exits a rule in a {@code finally} block, so an item also "exits" while the bail
   * strategy's exception unwinds it; that strategy marks every open context with the exception
   * first, and such an item is skipped. After a syntax error these declarations are thrown away
   * with the rest of the SLL attempt.
   */
  private static final class ItemByItem implements ParseTreeListener {
    private final AstBuilder builder;
    final List<Decl> decls = new ArrayList<>();
    /** The token indexes where the last two items built start. */
    private int lastStart;
    private int previousStart;

    ItemByItem(AstBuilder builder) {
      this.builder = builder;
    }

    @Override
    public void exitEveryRule(ParserRuleContext ctx) {
      if (ctx instanceof NetcParser.TopItemContext item && item.exception == null) {
        decls.add(builder.topItem(item));
        previousStart = lastStart;
        lastStart = item.getStart().getTokenIndex();
        item.getParent().removeLastChild();
      }
    }

    /** Where the LL stage resumes: the start of the next-to-last item built, else of the file. */
    int resumeAt() {
      return decls.size() >= 2 ? previousStart : 0;
    }

    /** How many of the items built the LL stage parses again from {@link #resumeAt()}. */
    int reparsed() {
      return decls.size() >= 2 ? 2 : decls.size();
    }

    @Override
    public void enterEveryRule(ParserRuleContext ctx) {}

    @Override
    public void visitTerminal(TerminalNode node) {}

    @Override
    public void visitErrorNode(ErrorNode node) {}
  }

  private static List<Comment> comments(SourceFile source, CommonTokenStream tokens) {
    List<Comment> out = new ArrayList<>();
    Token lastCode = null;
    for (Token t : tokens.getTokens()) {
      if (t.getType() == NetcLexer.COMMENT) {
        Span span = source.spanOfCodePoints(t.getStartIndex(), t.getStopIndex() + 1);
        // The line of the code before is looked up only here: a lookup for every token was a
        // tenth of the parse time.
        boolean trailing = lastCode != null
            && source.line(source.offsetOfCodePoint(lastCode.getStartIndex())) == span.line();
        out.add(new Comment(span.text(), span, trailing));
      } else if (t.getChannel() == Token.DEFAULT_CHANNEL && t.getType() != NetcLexer.NL
          && t.getType() != Token.EOF) {
        lastCode = t;
      }
    }
    return out;
  }
}
