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
    if (skipTopLevelJunk(recognizer)) {
      return;
    }
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
   * After an error inside the statement ({@code from pods pods app=x}), the rest of the line is
   * skipped untold: left to ANTLR, the loop's recovery ended the block there too.
   */
  private boolean skipRestOfStatement(Parser parser) {
    ParserRuleContext ctx = parser.getContext();
    int type = parser.getATN().states.get(parser.getState()).getStateType();
    if (type != org.antlr.v4.runtime.atn.ATNState.STAR_LOOP_ENTRY && type != org.antlr.v4.runtime.atn.ATNState.STAR_LOOP_BACK
        || !STATEMENTS.containsKey(ctx.getClass()) || blockOf(ctx).isEmpty()) {
      return false;
    }
    IntervalSet next = parser.getATN().nextTokens(parser.getATN().states.get(parser.getState()));
    Token token = parser.getCurrentToken();
    if (next.contains(token.getType()) || next.contains(Token.EPSILON) || startsStatement(parser, token)) {
      return false;
    }
    reportUnwantedToken(parser); // unless in recovery: then the statement's error was told
    skipLine(parser);
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

  /**
   * At the top level, a token that starts no declaration ({@code frontend {} after a lost
   * {@code network}, or the statements of a block whose {@code {} is lost): reported, and
   * skipped with every line after it up to the next line that starts with a declaration keyword,
   * the blocks these lines open and a {@code }} that closes nothing included. Left to ANTLR, each
   * of those lines was an error of its own ("`subnet` does not start a declaration", then
   * "unexpected `}`"), all from one mistake. A {@code }} that starts the junk, and a declaration
   * keyword in the middle of a line, are left to ANTLR as before.
   */
  private boolean skipTopLevelJunk(Parser parser) {
    if (!(parser.getContext() instanceof NetcParser.FileContext)) {
      return false;
    }
    org.antlr.v4.runtime.TokenStream in = parser.getInputStream();
    Token token = parser.getCurrentToken();
    int type = token.getType();
    if (type == Token.EOF || type == NetcLexer.NL || type == NetcLexer.SEMI || type == NetcLexer.RBRACE
        || TOP_LEVEL.contains(type)) {
      return false;
    }
    if (!inErrorRecoveryMode(parser)) {
      beginErrorCondition(parser);
      boolean spare = closersAhead(parser, token) > 0;
      report(parser, token, parser.getExpectedTokens(), null,
          lostBrace(parser, token).map(st -> lostBraceHint(parser, token, st, spare)).orElse(null));
    }
    int depth = 0;
    for (int t = in.LA(1); t != Token.EOF; t = in.LA(1)) {
      if (depth == 0 && t == NetcLexer.NL) {
        int i = 2;
        while (in.LA(i) == NetcLexer.NL || in.LA(i) == NetcLexer.SEMI) {
          i++;
        }
        if (TOP_LEVEL.contains(in.LA(i)) || in.LA(i) == Token.EOF) {
          break;
        }
      }
      if (t == NetcLexer.RBRACE && depth == 0 && closedByRecovery > 0) {
        closedByRecovery--; // the `}` of a block that recovery ended: skipped here, not left for report
      }
      depth += t == NetcLexer.LBRACE ? 1 : t == NetcLexer.RBRACE && depth > 0 ? -1 : 0;
      parser.consume();
    }
    return true;
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
   * unless it is a statement meant, as {@link #statementMeant} tells, or stands alone on its line
   * ({@link #bare}): with no name, it declares nothing, and the block goes on after it.
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
        || TOP_LEVEL.contains(token.getType()) && !statementMeant(parser, token, ctx) && !bare(parser, token)) {
      return false;
    }
    IntervalSet expected = new IntervalSet(first);
    expected.add(NetcLexer.RBRACE);
    beginErrorCondition(parser);
    if (ctx instanceof NetcParser.CtrAttachContext && startsStatementOf(parser, token, outerBlock(ctx))
        && closersAhead(parser, token) < depth(ctx)) {
      // the attachment's `}` is lost: told here, and ANTLR's recovery at the loop over its
      // statements ends the attachment, so that this line and the next are the container's
      report(parser, token, expected, "unclosed");
      return false;
    }
    Optional<String> lost = lostBrace(parser, token);
    // a `}` to spare: the lost block's own, after its statements; none: this block's is the next
    boolean spare = closersAhead(parser, token) > depth(ctx);
    report(parser, token, expected, null, lost.map(st -> lostBraceHint(parser, token, st, spare)).orElse(null));
    for (int j = 1; j < i; j++) {
      parser.consume();
    }
    if (token.getType() == NetcLexer.LBRACE) {
      // a `{` too many (`network a { {`): it opens no block of its own, or the block's `}` would close it
      parser.consume();
    }
    skipLine(parser);
    if (lost.isPresent()) {
      // the other statements of the block whose `{` is lost, and its `}` when there is one to
      // spare, are that one mistake (with none, the `}` closes this block: no block was opened)
      for (int j = 1; ; j = 1) {
        while (in.LA(j) == NetcLexer.NL || in.LA(j) == NetcLexer.SEMI) {
          j++;
        }
        int t = in.LA(j);
        if (t == Token.EOF || first.contains(t) || TOP_LEVEL.contains(t)) {
          break;
        }
        for (; j > 1; j--) {
          parser.consume();
        }
        if (t == NetcLexer.RBRACE) {
          if (spare) {
            parser.consume();
          }
          break;
        }
        skipLine(parser);
      }
    }
    return true;
  }

  /** The declaration around {@code ctx} whose block has statements, or null. */
  private static ParserRuleContext outerBlock(ParserRuleContext ctx) {
    ParserRuleContext c = ctx.getParent();
    while (c != null && !STATEMENTS.containsKey(c.getClass())) {
      c = c.getParent();
    }
    return c;
  }

  /** Whether {@code token} starts a statement of the block {@code block} opens. */
  private static boolean startsStatementOf(Parser parser, Token token, ParserRuleContext block) {
    Integer rule = block == null ? null : STATEMENTS.get(block.getClass());
    return rule != null && parser.getATN().nextTokens(parser.getATN().ruleToStartState[rule]).contains(token.getType());
  }

  /** How many {@code }} from {@code token} to the end of the file close no block opened after it. */
  private static int closersAhead(Parser parser, Token token) {
    org.antlr.v4.runtime.BufferedTokenStream ts = (org.antlr.v4.runtime.BufferedTokenStream) parser.getInputStream();
    int depth = 0;
    int closers = 0;
    for (int i = token.getTokenIndex(); i < ts.size(); i++) {
      int t = ts.get(i).getType();
      if (t == NetcLexer.LBRACE) {
        depth++;
      } else if (t == NetcLexer.RBRACE && depth > 0) {
        depth--;
      } else if (t == NetcLexer.RBRACE) {
        closers++;
      }
    }
    return closers;
  }

  /**
   * The statement before the line {@code token} starts, when it declares something that could
   * have a block ({@code service checkout}, {@code attach front}) and has none, and {@code token}
   * starts a statement of that block: the line is then most likely the first statement of that
   * block, its {@code {} lost.
   */
  private Optional<String> lostBrace(Parser parser, Token token) {
    if (!(parser.getInputStream() instanceof org.antlr.v4.runtime.BufferedTokenStream ts) || token.getTokenIndex() < 0
        || token.getType() != NetcLexer.WORD && (!TokenNames.isKeyword(token.getType()) || TOP_LEVEL.contains(token.getType()))) {
      return Optional.empty();
    }
    int i = token.getTokenIndex() - 1;
    boolean line = false;
    for (; i >= 0 && (ts.get(i).getChannel() != Token.DEFAULT_CHANNEL
        || ts.get(i).getType() == NetcLexer.NL || ts.get(i).getType() == NetcLexer.SEMI); i--) {
      line |= ts.get(i).getType() == NetcLexer.NL;
    }
    if (i < 0 || !line || i + 1 >= ts.size()) {
      return Optional.empty();
    }
    Token end = ts.get(i);
    Token first = statementStart(parser, ts.get(i + 1));
    Integer rule = first == null ? null : OPENS_BLOCK.get(first.getType());
    if (rule == null || end.getType() == NetcLexer.RBRACE || end.getType() == NetcLexer.LBRACE || first == end
        || !parser.getATN().nextTokens(parser.getATN().ruleToStartState[rule]).contains(token.getType())) {
      return Optional.empty();
    }
    return Optional.of(textOf(first, end));
  }

  /**
   * The hint for the line {@code token} starts, a statement of the block {@code statement} would
   * open. With a {@code }} to spare in the file, that block's {@code {} is lost; with none, the
   * {@code }} after these lines closes the block they stand in, and no block was opened: the line
   * was written in the wrong block ({@code ip} in a container, after {@code attach front}).
   */
  private String lostBraceHint(Parser parser, Token token, String statement, boolean spare) {
    if (spare) {
      return "did you forget `{` after `" + statement + "`?";
    }
    String keyword = statement.split("\\s", 2)[0];
    return "`" + token.getText() + "` belongs in " + (keyword.startsWith("a") ? "an" : "a") + " `" + keyword
        + "` block: `" + statement + " { " + textOf(token, lastOnLine(parser, token)) + " }`";
  }

  /** The keywords of what can have a block of its own, with the rule of one statement of that block. */
  private static final java.util.Map<Integer, Integer> OPENS_BLOCK = java.util.Map.of(
      NetcLexer.HOST, NetcParser.RULE_hostStmt,
      NetcLexer.NETWORK, NetcParser.RULE_networkStmt,
      NetcLexer.NAMESPACE, NetcParser.RULE_namespaceStmt,
      NetcLexer.CONTAINER, NetcParser.RULE_containerStmt,
      NetcLexer.POD, NetcParser.RULE_podStmt,
      NetcLexer.SERVICE, NetcParser.RULE_serviceStmt,
      NetcLexer.POLICY, NetcParser.RULE_policyStmt,
      NetcLexer.ATTACH, NetcParser.RULE_attachStmt);

  /**
   * Consumes the rest of the line, a block it opens included ({@code attach x y { ... }}: the
   * block's {@code }} is not the one of the block the line stands in), up to the line break,
   * {@code ;} or {@code }} after it.
   */
  private static void skipLine(Parser parser) {
    org.antlr.v4.runtime.TokenStream in = parser.getInputStream();
    int depth = 0;
    for (int t = in.LA(1); t != Token.EOF; t = in.LA(1)) {
      if (depth == 0 && (t == NetcLexer.NL || t == NetcLexer.SEMI || t == NetcLexer.RBRACE)) {
        break;
      }
      depth += t == NetcLexer.LBRACE ? 1 : t == NetcLexer.RBRACE ? -1 : 0;
      parser.consume();
    }
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

  /**
   * Whether a declaration keyword stands alone on its line, with no name: it cannot declare
   * anything, so it ends no block ({@code container} on a line of a network's block).
   */
  private static boolean bare(Parser parser, Token token) {
    Token after = next(parser, token);
    return TOP_LEVEL.contains(token.getType()) && startsStatement(parser, token) && after != null
        && (after.getType() == NetcLexer.NL || after.getType() == NetcLexer.SEMI
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

  /**
   * A statement cut short at the end of its line in a block, its value missing ({@code labels
   * pod=}, {@code on}). ANTLR deletes the line break when the next line's first word could be
   * that value, and joins the lines: {@code labels pod=} then took {@code attach} as the label's
   * value and {@code front} as a label with no {@code =}, a second error about a line with none.
   * Here a line break is deleted only when the next line cannot stand on its own, so that it is
   * the rest of the statement, split ({@code on} then {@code h1}): one error, with the statement
   * on one line as the hint. When the next line starts a statement of the block, or ends it, the
   * line break ends this statement, which is told with its value missing, and the next line is
   * parsed as it stands. {@code host NAME} on the line after {@code on}, and {@code network NAME}
   * after {@code attach}, are the value meant ({@code on NAME}): both words are deleted. A
   * {@code ;} is never deleted: it ends a statement on purpose. Nor is a brace: deleted, the
   * {@code {} of {@code attach { alias x }} left its {@code }} to end the container's block.
   */
  @Override
  protected Token singleTokenDeletion(Parser recognizer) {
    org.antlr.v4.runtime.TokenStream in = recognizer.getInputStream();
    Token brk = recognizer.getCurrentToken();
    if (brk.getType() == NetcLexer.LBRACE || brk.getType() == NetcLexer.RBRACE) {
      return null;
    }
    Optional<Block> block = enclosingBlock(recognizer.getContext());
    if (brk.getType() != NetcLexer.NL && brk.getType() != NetcLexer.SEMI || block.isEmpty()) {
      return super.singleTokenDeletion(recognizer);
    }
    if (brk.getType() == NetcLexer.SEMI || inErrorRecoveryMode(recognizer)) {
      return null;
    }
    Token next = in.LT(2);
    Token first = statementStart(recognizer, brk);
    boolean meant = first != null && statementMeant(recognizer, next, block.get().context())
        && (first.getType() == NetcLexer.ON && next.getType() == NetcLexer.HOST
            || first.getType() == NetcLexer.ATTACH && next.getType() == NetcLexer.NETWORK);
    if (!meant && (first == null || standsAlone(recognizer, next, block.get())
        || !getExpectedTokens(recognizer).contains(next.getType()))) {
      return null;
    }
    Token rest = meant ? next(recognizer, next) : next;
    Token before = previousOnLine(recognizer, brk);
    String joined = textOf(first, before) + (before.getType() == NetcLexer.EQ || before.getType() == NetcLexer.NEQ ? "" : " ")
        + textOf(rest, lastOnLine(recognizer, rest));
    beginErrorCondition(recognizer);
    String hint = meant
        ? "did you mean `" + joined + "`? a statement ends at the end of its line, and a `"
            + next.getText() + "` is declared at the top level"
        : "a statement ends at the end of its line: write `" + joined + "` on one line";
    report(recognizer, brk, getExpectedTokens(recognizer), null, hint);
    recognizer.consume();
    if (meant) {
      recognizer.consume();
    }
    Token matched = recognizer.getCurrentToken();
    reportMatch(recognizer);
    return matched;
  }

  /**
   * Whether the line that {@code token} starts stands on its own in {@code block}: it starts a
   * statement of the block, ends the block or the file, or is a declaration.
   */
  private boolean standsAlone(Parser parser, Token token, Block block) {
    int type = token.getType();
    if (type == Token.EOF || type == NetcLexer.RBRACE || type == NetcLexer.NL || type == NetcLexer.SEMI) {
      return true;
    }
    Integer rule = STATEMENTS.get(block.context().getClass());
    return rule != null && parser.getATN().nextTokens(parser.getATN().ruleToStartState[rule]).contains(type)
        || TOP_LEVEL.contains(type);
  }

  /** The first token of the statement that {@code token} ends: after the last line break, `;` or `{` before it. */
  private static Token statementStart(Parser parser, Token token) {
    if (!(parser.getInputStream() instanceof org.antlr.v4.runtime.BufferedTokenStream ts) || token.getTokenIndex() < 0) {
      return null;
    }
    Token first = null;
    for (int i = token.getTokenIndex() - 1; i >= 0; i--) {
      Token t = ts.get(i);
      if (t.getChannel() != Token.DEFAULT_CHANNEL) {
        continue;
      }
      if (t.getType() == NetcLexer.NL || t.getType() == NetcLexer.SEMI || t.getType() == NetcLexer.LBRACE) {
        break;
      }
      first = t;
    }
    return first;
  }

  /** The token before {@code token} on the parser's channel. */
  private static Token previousOnLine(Parser parser, Token token) {
    org.antlr.v4.runtime.BufferedTokenStream ts = (org.antlr.v4.runtime.BufferedTokenStream) parser.getInputStream();
    for (int i = token.getTokenIndex() - 1; i >= 0; i--) {
      if (ts.get(i).getChannel() == Token.DEFAULT_CHANNEL) {
        return ts.get(i);
      }
    }
    return token;
  }

  /** The last token of the line {@code token} stands on, before its line break, `;` or the block's `}`. */
  private static Token lastOnLine(Parser parser, Token token) {
    Token last = token;
    for (Token t = next(parser, token); t != null && t.getType() != Token.EOF && t.getType() != NetcLexer.NL
        && t.getType() != NetcLexer.SEMI && t.getType() != NetcLexer.RBRACE && t.getType() != NetcLexer.LBRACE;
        t = next(parser, t)) {
      last = t;
    }
    return last;
  }

  /** The source text from {@code first} to {@code last}, as written. */
  private String textOf(Token first, Token last) {
    return source.spanOfCodePoints(first.getStartIndex(), last.getStopIndex() + 1).text();
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
    report(parser, token, expected, kind, null);
  }

  /** Reports a syntax error at {@code token}; {@code given}, when not null, is its hint. */
  private void report(Parser parser, Token token, IntervalSet expected, String kind, String given) {
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
    Optional<String> label = labelWithoutValue(parser, token, expected);
    if ("unclosed".equals(kind) && block.isPresent()) {
      message = "the block of " + block.get().description() + " is never closed";
      hint = "add `}` before this line to close it: `" + token.getText() + "` is a statement of the "
          + Optional.ofNullable(outerBlock(block.get().context())).flatMap(this::blockOf).map(Block::description)
              .orElse("block") + " around it";
    } else if (label.isPresent()) {
      message = "label `" + label.get() + "` has no value" + where;
      hint = "write its value after `=` on the same line, as in `" + label.get() + "=web`";
    } else if (token.getType() == NetcLexer.RBRACE && block.isEmpty()) {
      message = "unexpected `}`: no block is open here";
      hint = "remove it, or look for a block closed too early above";
    } else if (declaration && block.isPresent() && bare(parser, token)) {
      // a keyword alone: skipUnknownStatement skips its line, and the parse goes on in the block
      message = "`" + token.getText() + "` declares at the top level, not" + where;
      boolean endpoint = block.get().context() instanceof NetcParser.ContainerDeclContext
          || block.get().context() instanceof NetcParser.PodDeclContext;
      if (endpoint && token.getType() == NetcLexer.HOST) {
        hint = "to run it on a host, write `on NAME` in its block; a `host` is declared at the top level";
      } else if (endpoint && token.getType() == NetcLexer.NETWORK) {
        hint = "to attach it to a network, write `attach NAME`; a `network` is declared at the top level";
      } else {
        hint = "declare it at the top level, " + (token.getType() == NetcLexer.IMPORT
            ? "with a file (`import \"FILE\"`)" : "with a name (`" + token.getText() + " NAME`)") + ", after the block's `}`";
      }
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
    if (given != null) {
      hint = given;
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

  /**
   * The key of the label being parsed when the line, the block or the file ends where its
   * {@code =} or its value should stand ({@code labels pod=}).
   */
  private static Optional<String> labelWithoutValue(Parser parser, Token token, IntervalSet expected) {
    int type = token.getType();
    if (type != NetcLexer.NL && type != NetcLexer.SEMI && type != NetcLexer.RBRACE && type != Token.EOF) {
      return Optional.empty();
    }
    ParserRuleContext ctx = parser.getContext();
    if (ctx instanceof NetcParser.ValueContext && ctx.getParent() instanceof NetcParser.LabelContext) {
      ctx = ctx.getParent();
    } else if (!(ctx instanceof NetcParser.LabelContext) || !expected.contains(NetcLexer.EQ)) {
      return Optional.empty();
    }
    NetcParser.LabelKeyContext key = ((NetcParser.LabelContext) ctx).labelKey();
    return key == null || key.getStart() == null ? Optional.empty() : Optional.of(key.getText());
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
