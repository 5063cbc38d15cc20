package dev.netc.compiler.parse;

import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.source.SourceFile;
import dev.netc.grammar.NetcLexer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;

/**
 * The canonical layout of a {@code .netc} file, computed from its tokens: one statement a line,
 * two spaces of indent a block level, single spaces between words, none around {@code =} and
 * inside parentheses, comments kept where they were (own line or end of line; end-of-line
 * comments of neighbouring lines aligned two spaces after the longest of them), at most one blank
 * line in a row and none at the edges of a block, LF line ends and one final newline. A block
 * written on one line with at most one statement, no comment and no nested block stays on one
 * line. Formatting is idempotent and never changes the tokens, so the IR is unchanged.
 */
public final class Formatter {
  private static final String INDENT = "  ";

  private Formatter() {}

  /** The formatted text, or empty when the file has syntax errors (reported in {@code out}). */
  public static Optional<String> format(SourceFile source, List<Diagnostic> out) {
    ParsedFile parsed = Parse.file(source);
    if (parsed.hasSyntaxErrors()) {
      out.addAll(parsed.diagnostics());
      return Optional.empty();
    }
    List<Token> tokens = new ArrayList<>();
    CommonTokenStream stream = Parse.lex(source, new ArrayList<>());
    for (Token t : stream.getTokens()) {
      if (t.getType() == Token.EOF || t.getChannel() == 2) {
        continue;
      }
      tokens.add(t);
    }
    return Optional.of(new Printer(tokens).print());
  }

  /** One formatting pass over a token list. */
  private static final class Printer {
    private final List<Token> tokens;
    private final boolean[] inline;
    /** An output line: its code (with indent) and its end-of-line comment, or a blank line. */
    private record Line(String code, String comment, boolean blank) {}

    private final List<Line> out = new ArrayList<>();
    private final StringBuilder line = new StringBuilder();
    private String trailingComment;
    private int depth;
    private int inlineDepth;
    private boolean blankPending;
    private boolean lastLineOpenedBlock;
    private Token prev;
    /** The size of {@link #out} and the block depth when the current source line began. */
    private int sourceLineStart;
    private int sourceLineDepth;

    Printer(List<Token> tokens) {
      this.tokens = tokens;
      this.inline = new boolean[tokens.size()];
      markInlineBlocks();
    }

    /** Marks each `{` whose block stays on one line. */
    private void markInlineBlocks() {
      for (int i = 0; i < tokens.size(); i++) {
        if (tokens.get(i).getType() != NetcLexer.LBRACE) {
          continue;
        }
        int statements = 0;
        boolean inStatement = false;
        boolean ok = true;
        int j = i + 1;
        for (; j < tokens.size(); j++) {
          int type = tokens.get(j).getType();
          if (type == NetcLexer.RBRACE) {
            break;
          }
          if (type == NetcLexer.LBRACE || type == NetcLexer.NL || type == NetcLexer.COMMENT) {
            ok = false;
            break;
          }
          if (type == NetcLexer.SEMI) {
            inStatement = false;
          } else if (!inStatement) {
            inStatement = true;
            statements++;
          }
        }
        inline[i] = ok && j < tokens.size() && statements <= 1;
      }
    }

    String print() {
      for (int i = 0; i < tokens.size(); i++) {
        Token t = tokens.get(i);
        switch (t.getType()) {
          case NetcLexer.NL -> {
            int newlines = 1;
            while (i + 1 < tokens.size() && tokens.get(i + 1).getType() == NetcLexer.NL) {
              newlines++;
              i++;
            }
            endLine();
            sourceLineStart = out.size();
            sourceLineDepth = depth;
            if (newlines > 1 && !out.isEmpty() && !lastLineOpenedBlock) {
              blankPending = true;
            }
          }
          case NetcLexer.SEMI -> {
            if (inlineDepth > 0) {
              word(";", false);
              prev = t;
            } else {
              endLine();
            }
          }
          case NetcLexer.COMMENT -> {
            String text = t.getText().stripTrailing();
            // a source line spread over several lines: a whole one (a block written on one
            // line, statements joined by `;`) keeps its comment on the first of them, where a
            // suppression's diagnostic is; a `{` followed only by the comment keeps it
            int first = firstLineOfSourceLine();
            int at = first < 0 ? -1 : depth == sourceLineDepth ? first : line.length() == 0 ? out.size() - 1 : -1;
            if (at >= 0 && out.get(at).comment() == null) {
              Line l = out.get(at);
              out.set(at, new Line(l.code(), text, false));
            } else if (line.length() > 0) {
              trailingComment = text;
            } else {
              word(text, false);
            }
            endLine();
          }
          case NetcLexer.LBRACE -> {
            if (inline[i]) {
              boolean empty = tokens.get(i + 1).getType() == NetcLexer.RBRACE;
              word(empty ? "{}" : "{", true);
              if (empty) {
                i++;
              } else {
                inlineDepth++;
              }
              prev = t;
            } else {
              word("{", true);
              endLine();
              depth++;
              blankPending = false;
            }
          }
          case NetcLexer.RBRACE -> {
            if (inlineDepth > 0) {
              inlineDepth--;
              word("}", true);
              prev = t;
            } else {
              endLine();
              blankPending = false;
              depth = Math.max(0, depth - 1);
              word("}", true);
            }
          }
          default -> {
            word(t.getText(), spaceBefore(t));
            prev = t;
          }
        }
      }
      endLine();
      return render();
    }

    /**
     * Joins the lines. End-of-line comments of a run of neighbouring statement lines (same
     * indent, no blank line, no block edge or own-line comment between) start in one column.
     */
    private String render() {
      StringBuilder sb = new StringBuilder();
      int i = 0;
      while (i < out.size()) {
        Line l = out.get(i);
        if (l.blank() || l.comment() == null || !plain(l)) {
          emit(sb, l, l.code().length());
          i++;
          continue;
        }
        int indent = indent(l);
        int j = i;
        int width = 0;
        while (j < out.size() && !out.get(j).blank() && plain(out.get(j))
            && indent(out.get(j)) == indent) {
          if (out.get(j).comment() != null) {
            width = Math.max(width, out.get(j).code().length());
          }
          j++;
        }
        for (int k = i; k < j; k++) {
          emit(sb, out.get(k), width);
        }
        i = j;
      }
      return sb.toString();
    }

    private static void emit(StringBuilder sb, Line l, int commentColumn) {
      sb.append(l.code());
      if (l.comment() != null) {
        sb.append(" ".repeat(commentColumn - l.code().length() + 2)).append(l.comment());
      }
      sb.append('\n');
    }

    /** A statement line: not a block edge and not a comment of its own. */
    private static boolean plain(Line l) {
      String code = l.code().strip();
      return !code.startsWith("#") && !code.endsWith("{") && !code.equals("}");
    }

    private static int indent(Line l) {
      int n = 0;
      while (n < l.code().length() && l.code().charAt(n) == ' ') {
        n++;
      }
      return n;
    }

    private boolean spaceBefore(Token t) {
      if (prev == null || line.length() == 0) {
        return false;
      }
      int p = prev.getType();
      int c = t.getType();
      if (p == NetcLexer.LPAREN || p == NetcLexer.BANG || p == NetcLexer.EQ || p == NetcLexer.NEQ) {
        return false;
      }
      return c != NetcLexer.RPAREN && c != NetcLexer.COMMA && c != NetcLexer.EQ
          && c != NetcLexer.NEQ;
    }

    private void word(String text, boolean space) {
      if (line.length() == 0) {
        if (blankPending) {
          out.add(new Line("", null, true));
          blankPending = false;
        }
        line.append(INDENT.repeat(depth));
      } else if (space && !text.equals(";")) {
        line.append(' ');
      }
      line.append(text);
    }

    /** The index of the first line printed from the current source line so far; -1 when none is. */
    private int firstLineOfSourceLine() {
      for (int k = sourceLineStart; k < out.size(); k++) {
        if (!out.get(k).blank()) {
          return k;
        }
      }
      return -1;
    }

    private void endLine() {
      if (line.length() > 0) {
        lastLineOpenedBlock = line.charAt(line.length() - 1) == '{';
        out.add(new Line(line.toString(), trailingComment, false));
        line.setLength(0);
        trailingComment = null;
        prev = null;
      }
    }
  }
}
