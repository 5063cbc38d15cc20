package dev.netc.compiler.parse;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Spelling;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.Span;
import dev.netc.grammar.NetcLexer;
import dev.netc.grammar.NetcParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.FailedPredicateException;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * ANTLR's recovering error strategy, with messages a person can act on: what was expected, in
 * words; which block the error is in and where that block opened; "did you mean" for misspelt
 * statement keywords. Stops the parse after {@link #LIMIT} errors.
 */
final class SyntaxErrorStrategy extends DefaultErrorStrategy {
  static final int LIMIT = 50;

  private final SourceFile source;
  private final List<Diagnostic> out = new ArrayList<>();
  private int lastErrorLine = -1;
  /**
   * The blocks left open by a declaration keyword met inside them: recovery ends them there and
   * parses the declaration at the top level, so their own {@code }} comes later with no block
   * open. Those {@code }} are the first error's consequence, not errors of their own.
   */
  private int closedByRecovery;

  SyntaxErrorStrategy(SourceFile source) {
    this.source = source;
  }

  List<Diagnostic> diagnostics() {
    return out;
  }

  /**
   * Keeps the parse inside a block after an error in it. Left to ANTLR, an error at the loop over
   * a block's statements ends the block there (the loop can predict neither another statement nor
   * the block's end), and its {@code }} then comes with no block open, the statements before it
   * at the top level. Before ANTLR's own check, and again after any recovery: a line that starts
   * with a word no statement of the block starts with ({@link #skipUnknownStatement}), or words
   * after a statement ({@link #skipRestOfStatement}), are reported and skipped to the line's end.
   */
  @Override
  public void sync(Parser recognizer) throws RecognitionException {
    if (!skipUnknownStatements(recognizer) && !skipRestOfStatement(recognizer)) {
      super.sync(recognizer);
    }
    skipUnknownStatements(recognizer);
    // At the end of a line of a block after an error, the parse has recovered: an error on a
    // later line is an error of its own, to be told (one a line, as report keeps it), and not
    // swallowed as a consequence. (A declaration keyword there ends the block, see report; its
    // `}` is left untold only when the keyword itself was told.)
    int la = recognizer.getInputStream().LA(1);
    if ((la == NetcLexer.NL || la == NetcLexer.SEMI) && inErrorRecoveryMode(recognizer)
        && STATEMENTS.containsKey(recognizer.getContext().getClass()) && blockOf(recognizer.getContext()).isPresent()) {
      endErrorCondition(recognizer);
    }
  }

  /**
   * After a statement of a block, a token that neither ends the statement nor the block
   * ({@code on h1 "s"}): reported, and skipped with the rest of its line. ANTLR gives up after a
   * block's first statement instead (there the parser enters the loop over the others) and ends
   * the block, so that its {@code }} came with no block open; and after a later statement it
   * stopped at a declaration keyword ({@code attach lan network x}), which ended the block too.
   */
  private boolean skipRestOfStatement(Parser parser) {
    ParserRuleContext ctx = parser.getContext();
    int type = parser.getATN().states.get(parser.getState()).getStateType();
    if (type != org.antlr.v4.runtime.atn.ATNState.STAR_LOOP_ENTRY && type != org.antlr.v4.runtime.atn.ATNState.STAR_LOOP_BACK
        || inErrorRecoveryMode(parser) || !STATEMENTS.containsKey(ctx.getClass()) || blockOf(ctx).isEmpty()) {
      return false;
    }
    IntervalSet next = parser.getATN().nextTokens(parser.getATN().states.get(parser.getState()));
    Token token = parser.getCurrentToken();
    if (next.contains(token.getType()) || next.contains(Token.EPSILON) || startsStatement(parser, token)) {
      return false;
    }
    reportUnwantedToken(parser);
    for (int t = token.getType(); t != Token.EOF && t != NetcLexer.NL && t != NetcLexer.SEMI && t != NetcLexer.RBRACE;
        t = parser.getInputStream().LA(1)) {
      parser.consume();
    }
    return true;
  }

  /**
   * As ANTLR's, but in a block a declaration keyword ends the skip only where a statement starts.
   * In the middle of a line it is a word of the statement ({@code from namespace},
   * {@code select service}), and stopping there ended the block: the keyword was then read as a
   * declaration. (At the top level it still ends the skip: junk before a declaration on its line.)
   */
  @Override
  protected void consumeUntil(Parser recognizer, IntervalSet set) {
    boolean inBlock = enclosingBlock(recognizer.getContext()).isPresent();
    for (Token t = recognizer.getCurrentToken(); t.getType() != Token.EOF; t = recognizer.getCurrentToken()) {
      if (set.contains(t.getType())
          && (!inBlock || !TOP_LEVEL.contains(t.getType()) || startsStatement(recognizer, t))) {
        return;
      }
      recognizer.consume();
    }
  }

  /** {@link #skipUnknownStatement} for each line in a row that it applies to. */
  private boolean skipUnknownStatements(Parser parser) {
    boolean skipped = false;
    while (skipUnknownStatement(parser)) {
      skipped = true;
    }
    return skipped;
  }

  /**
   * When the parser stands in a block, before the line breaks that end a statement or at the
   * block's {@code {}, and the next statement starts with a token that starts no statement of the
   * block (nor ends it): reports that token and consumes the seps before it and the rest of its
   * line (a block it opens included), up to the line break, {@code ;} or {@code }} after it.
   * A declaration keyword is left to {@link #report}'s recovery (it ends the blocks open here),
   * unless it is a statement meant, as {@link #statementMeant} tells.
   */
  private boolean skipUnknownStatement(Parser parser) {
    ParserRuleContext ctx = parser.getContext();
    Integer rule = STATEMENTS.get(ctx.getClass());
    if (rule == null || blockOf(ctx).isEmpty()) {
      return false;
    }
    org.antlr.v4.runtime.TokenStream in = parser.getInputStream();
    int i = 1;
    while (in.LA(i) == NetcLexer.NL || in.LA(i) == NetcLexer.SEMI) {
      i++;
    }
    Token token = in.LT(i);
    IntervalSet first = parser.getATN().nextTokens(parser.getATN().ruleToStartState[rule]);
    if (token.getType() == Token.EOF || token.getType() == NetcLexer.RBRACE || first.contains(token.getType())
        || !startsStatement(parser, token)
        || TOP_LEVEL.contains(token.getType()) && !statementMeant(parser, token, ctx)) {
      return false;
    }
    IntervalSet expected = new IntervalSet(first);
    expected.add(NetcLexer.RBRACE);
    beginErrorCondition(parser);
    report(parser, token, expected, null);
    for (int j = 1; j < i; j++) {
      parser.consume();
    }
    int depth = 0;
    for (int t = in.LA(1); t != Token.EOF; t = in.LA(1)) {
      if (depth == 0 && (t == NetcLexer.NL || t == NetcLexer.SEMI || t == NetcLexer.RBRACE)) {
        break;
      }
      depth += t == NetcLexer.LBRACE ? 1 : t == NetcLexer.RBRACE ? -1 : 0;
      parser.consume();
    }
    return true;
  }

  /**
   * Whether a declaration keyword inside a block is a statement meant, written the way a
   * declaration reads: {@code host NAME} or {@code network NAME} alone on its line in a container
   * or pod (for {@code on NAME} or {@code attach NAME}). With a block of its own it is a
   * declaration, and the block it stands in was not closed.
   */
  private static boolean statementMeant(Parser parser, Token token, ParserRuleContext block) {
    if (token.getType() != NetcLexer.HOST && token.getType() != NetcLexer.NETWORK
        || !(block instanceof NetcParser.ContainerDeclContext || block instanceof NetcParser.PodDeclContext)) {
      return false;
    }
    Token name = next(parser, token);
    Token after = name == null ? null : next(parser, name);
    return name != null && (name.getType() == NetcLexer.WORD || name.getType() == NetcLexer.STRING
            || TokenNames.isKeyword(name.getType()))
        && after != null && (after.getType() == NetcLexer.NL || after.getType() == NetcLexer.SEMI
            || after.getType() == NetcLexer.RBRACE || after.getType() == Token.EOF);
  }

  /** The token after {@code token} on the parser's channel, or null. */
  private static Token next(Parser parser, Token token) {
    if (!(parser.getInputStream() instanceof org.antlr.v4.runtime.BufferedTokenStream ts) || token.getTokenIndex() < 0) {
      return null;
    }
    for (int i = token.getTokenIndex() + 1; i < ts.size(); i++) {
      Token t = ts.get(i);
      if (t.getChannel() == Token.DEFAULT_CHANNEL) {
        return t;
      }
    }
    return null;
  }

  @Override
  protected void reportNoViableAlternative(Parser recognizer, NoViableAltException e) {
    report(recognizer, e.getOffendingToken(), recognizer.getExpectedTokens(), null);
  }

  @Override
  protected void reportInputMismatch(Parser recognizer, InputMismatchException e) {
    report(recognizer, e.getOffendingToken(), e.getExpectedTokens(), null);
  }

  @Override
  protected void reportFailedPredicate(Parser recognizer, FailedPredicateException e) {
    report(recognizer, e.getOffendingToken(), recognizer.getExpectedTokens(), null);
  }

  /**
   * A token too many. When a rule could have gone on with it but ended before it (`allow ingress
   * form`: the rule ends after `ingress`, and the block's loop meets `form`), ANTLR keeps where
   * (the last {@link #sync} that allowed the rule's end): what the rule could still take there is
   * expected too (`from`, `to`, `port`, `ports`), not only what ends the statement.
   */
  @Override
  protected void reportUnwantedToken(Parser recognizer) {
    if (inErrorRecoveryMode(recognizer)) {
      return;
    }
    beginErrorCondition(recognizer);
    IntervalSet expected = getExpectedTokens(recognizer);
    if (nextTokensContext != null) {
      expected = expected.or(recognizer.getATN().getExpectedTokens(nextTokensState, nextTokensContext));
    }
    report(recognizer, recognizer.getCurrentToken(), expected, null);
  }

  @Override
  protected void reportMissingToken(Parser recognizer) {
    if (inErrorRecoveryMode(recognizer)) {
      return;
    }
    beginErrorCondition(recognizer);
    IntervalSet expected = getExpectedTokens(recognizer);
    report(recognizer, recognizer.getCurrentToken(), expected, "missing");
  }

  @Override
  public void reportError(Parser recognizer, RecognitionException e) {
    if (inErrorRecoveryMode(recognizer)) {
      return;
    }
    beginErrorCondition(recognizer);
    if (e instanceof NoViableAltException nva) {
      reportNoViableAlternative(recognizer, nva);
    } else if (e instanceof InputMismatchException ime) {
      reportInputMismatch(recognizer, ime);
    } else if (e instanceof FailedPredicateException fpe) {
      reportFailedPredicate(recognizer, fpe);
    } else {
      report(recognizer, e.getOffendingToken(), recognizer.getExpectedTokens(), null);
    }
  }

  private void report(Parser parser, Token token, IntervalSet expected, String kind) {
    int line = spanOf(token).line();
    // One error a line: the second on the same line is nearly always a consequence of the first.
    if (line == lastErrorLine && token.getType() != Token.EOF) {
      return;
    }
    lastErrorLine = line;
    Span span = spanOf(token);
    Optional<Block> block = enclosingBlock(parser.getContext());
    String where = block.map(b -> " in " + b.description()).orElse("");
    String message;
    String hint = null;
    List<String> keywords = TokenNames.keywords(expected);
    boolean statementStart =
        keywords.size() >= 2 && !expected.contains(NetcLexer.WORD)
            && (token.getType() == NetcLexer.WORD || TokenNames.isKeyword(token.getType()))
            && startsStatement(parser, token);
    boolean declaration = TOP_LEVEL.contains(token.getType()) && startsStatement(parser, token);
    if (token.getType() == NetcLexer.RBRACE && block.isEmpty() && closedByRecovery > 0) {
      closedByRecovery--;
      return;
    }
    if (token.getType() == NetcLexer.RBRACE && block.isEmpty()) {
      message = "unexpected `}`: no block is open here";
      hint = "remove it, or look for a block closed too early above";
    } else if (declaration && block.isPresent()
        && statementMeant(parser, token, block.get().context())) {
      // a statement meant: skipUnknownStatement skips its line, and the parse goes on in the block
      message = "`" + token.getText() + "` declares at the top level, not" + where;
      if (token.getType() == NetcLexer.HOST) {
        hint = "to run it on a host, write `on NAME` in its block; a `host` is declared at the top level";
      } else {
        String name = next(parser, token).getText();
        hint = "to attach it to network `" + unquoted(name) + "`, write `attach " + name
            + "`; a `network` is declared at the top level";
      }
    } else if (declaration && block.isPresent()) {
      // a declaration inside a block: recovery ends the blocks open here and parses it at the top level
      closedByRecovery += depth(parser.getContext());
      message = "`" + token.getText() + "` declares at the top level, not" + where;
      hint = "close the block of " + block.get().description() + " with `}` before it";
    } else if (token.getType() == Token.EOF && block.isPresent() && expected.contains(NetcLexer.RBRACE)) {
      message = "the block of " + block.get().description() + " is never closed";
      hint = "add `}` to close it";
    } else if (statementStart) {
      String got = token.getText();
      message = block.isPresent() ? "`" + got + "` is not a statement" + where
          : "`" + got + "` does not start a declaration";
      Optional<String> guess = Spelling.suggest(got, keywords);
      hint =
          guess.map(g -> "did you mean `" + g + "`? ").orElse("")
              + "expected one of: " + String.join(", ", keywords.stream().map(k -> "`" + k + "`").toList());
    } else if ("missing".equals(kind)) {
      message =
          "expected " + TokenNames.describeExpected(expected) + " before "
              + TokenNames.describe(token) + where;
    } else {
      message =
          "unexpected " + TokenNames.describe(token) + where + "; expected "
              + TokenNames.describeExpected(expected);
      if (token.getType() == NetcLexer.WORD && !expected.contains(NetcLexer.WORD)) {
        hint = Spelling.suggest(token.getText(), keywords).map(g -> "did you mean `" + g + "`?").orElse(null);
      }
    }
    Diagnostic d = Diagnostic.of(Code.NETC001, span, message);
    if (hint != null) {
      d = d.withHint(hint);
    }
    if (block.isPresent()) {
      d = d.withRelated(block.get().opened(), "the block of " + block.get().description() + " opens here");
    }
    out.add(d);
    if (out.size() >= LIMIT) {
      throw new ParseCancellationException("too many syntax errors");
    }
  }

  /** The keywords that start a top-level declaration. */
  private static final java.util.Set<Integer> TOP_LEVEL = java.util.Set.of(NetcLexer.TOPOLOGY, NetcLexer.IMPORT,
      NetcLexer.HOST, NetcLexer.NETWORK, NetcLexer.CONTAINER, NetcLexer.POD, NetcLexer.SERVICE, NetcLexer.POLICY,
      NetcLexer.NAMESPACE);

  /**
   * Whether {@code token} stands where a statement starts: after a line break, {@code ;} or
   * {@code {} (the keywords are words too, in names and labels).
   */
  private static boolean startsStatement(Parser parser, Token token) {
    if (!(parser.getInputStream() instanceof org.antlr.v4.runtime.BufferedTokenStream ts) || token.getTokenIndex() < 0) {
      return false;
    }
    for (int i = token.getTokenIndex() - 1; i >= 0; i--) {
      Token t = ts.get(i);
      if (t.getChannel() == Token.DEFAULT_CHANNEL) {
        return t.getType() == NetcLexer.NL || t.getType() == NetcLexer.SEMI || t.getType() == NetcLexer.LBRACE;
      }
    }
    return true;
  }

  /** How many blocks are open around {@code ctx}. */
  private int depth(ParserRuleContext ctx) {
    int n = 0;
    for (ParserRuleContext c = ctx; c != null; c = c.getParent()) {
      if (blockOf(c).isPresent()) {
        n++;
      }
    }
    return n;
  }

  private Span spanOf(Token token) {
    int len = source.text().length();
    if (token.getType() == Token.EOF || token.getStartIndex() < 0) {
      return Span.at(source, len);
    }
    Span span = source.spanOfCodePoints(token.getStartIndex(), token.getStopIndex() + 1);
    return token.getType() == NetcLexer.NL ? Span.at(source, span.start()) : span;
  }

  /** A block being parsed: its parser context, what it declares and where its `{` stands. */
  private record Block(ParserRuleContext context, String description, Span opened) {}

  private Optional<Block> enclosingBlock(ParserRuleContext ctx) {
    for (ParserRuleContext c = ctx; c != null; c = c.getParent()) {
      Optional<Block> b = blockOf(c);
      if (b.isPresent()) {
        return b;
      }
    }
    return Optional.empty();
  }

  /** The declarations and attachments that open a block, by their parser context, with their keyword. */
  private static final java.util.Map<Class<? extends ParserRuleContext>, String> BLOCKS = java.util.Map.of(
      NetcParser.HostDeclContext.class, "host",
      NetcParser.NetworkDeclContext.class, "network",
      NetcParser.NamespaceDeclContext.class, "namespace",
      NetcParser.ContainerDeclContext.class, "container",
      NetcParser.PodDeclContext.class, "pod",
      NetcParser.ServiceDeclContext.class, "service",
      NetcParser.PolicyDeclContext.class, "policy",
      NetcParser.CtrAttachContext.class, "attach");

  /** The statements of each block, by the block's parser context: the rule of one statement. */
  private static final java.util.Map<Class<? extends ParserRuleContext>, Integer> STATEMENTS = java.util.Map.of(
      NetcParser.HostDeclContext.class, NetcParser.RULE_hostStmt,
      NetcParser.NetworkDeclContext.class, NetcParser.RULE_networkStmt,
      NetcParser.NamespaceDeclContext.class, NetcParser.RULE_namespaceStmt,
      NetcParser.ContainerDeclContext.class, NetcParser.RULE_containerStmt,
      NetcParser.PodDeclContext.class, NetcParser.RULE_podStmt,
      NetcParser.ServiceDeclContext.class, NetcParser.RULE_serviceStmt,
      NetcParser.PolicyDeclContext.class, NetcParser.RULE_policyStmt,
      NetcParser.CtrAttachContext.class, NetcParser.RULE_attachStmt);

  /**
   * The block {@code c} opens, when it is a declaration or attachment with its `{` (read with
   * ANTLR's generic accessors, which the generated {@code LBRACE()} and {@code name()} call).
   */
  private Optional<Block> blockOf(ParserRuleContext c) {
    String what = BLOCKS.get(c.getClass());
    org.antlr.v4.runtime.tree.TerminalNode brace = what == null ? null : c.getToken(NetcParser.LBRACE, 0);
    if (brace == null) {
      return Optional.empty();
    }
    NetcParser.NameContext name = c.getRuleContext(NetcParser.NameContext.class, 0);
    String text = name == null || name.getStart() == null ? null : unquoted(name.getText());
    String label = text == null ? what : what + " `" + text + "`";
    return Optional.of(new Block(c, label, spanOf(brace.getSymbol())));
  }

  /** A name as a message shows it: without the quotes of a string. */
  private static String unquoted(String text) {
    return text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")
        ? text.substring(1, text.length() - 1) : text;
  }
}
