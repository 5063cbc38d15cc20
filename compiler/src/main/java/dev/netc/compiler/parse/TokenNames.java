package dev.netc.compiler.parse;

import dev.netc.grammar.NetcLexer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/** Human names for token types, for syntax error messages. */
final class TokenNames {
  private TokenNames() {}

  static String describe(int type) {
    switch (type) {
      case Token.EOF:
        return "end of file";
      case NetcLexer.NL:
        return "end of line";
      case NetcLexer.WORD:
        return "a name or value";
      case NetcLexer.STRING:
        return "a string";
      case NetcLexer.ENDPOINT_REF:
        return "`@outside` or `@host`";
      default:
        String literal = NetcLexer.VOCABULARY.getLiteralName(type);
        if (literal != null) {
          return "`" + literal.substring(1, literal.length() - 1) + "`";
        }
        return NetcLexer.VOCABULARY.getDisplayName(type);
    }
  }

  /** How the offending token reads in a message. */
  static String describe(Token t) {
    if (t.getType() == Token.EOF) {
      return "end of file";
    }
    if (t.getType() == NetcLexer.NL) {
      return "end of line";
    }
    String text = t.getText();
    if (text.length() > 40) {
      text = text.substring(0, 37) + "...";
    }
    return "`" + text + "`";
  }

  /** True for keyword tokens (their literal name is a lower-case word). */
  static boolean isKeyword(int type) {
    String literal = NetcLexer.VOCABULARY.getLiteralName(type);
    return literal != null && Character.isLetter(literal.charAt(1));
  }

  static String keywordText(int type) {
    String literal = NetcLexer.VOCABULARY.getLiteralName(type);
    return literal.substring(1, literal.length() - 1);
  }

  /** The keywords in an expected set, sorted. */
  static List<String> keywords(IntervalSet expected) {
    TreeSet<String> out = new TreeSet<>();
    for (int type : expected.toArray()) {
      if (isKeyword(type)) {
        out.add(keywordText(type));
      }
    }
    return new ArrayList<>(out);
  }

  /**
   * An expected set in words: "`}` or end of line". When the set holds every keyword (a name or
   * value), the keywords are folded into "a name or value".
   */
  static String describeExpected(IntervalSet expected) {
    boolean word = expected.contains(NetcLexer.WORD);
    // the keywords first, in alphabetical order (as "expected one of" lists them), then the rest
    List<String> parts = new ArrayList<>(word ? List.of() : keywords(expected).stream().map(k -> "`" + k + "`").toList());
    for (int type : expected.toArray()) {
      if (isKeyword(type)) {
        continue;
      }
      if (type == NetcLexer.SEMI && expected.contains(NetcLexer.NL)) {
        continue;
      }
      if (type == NetcLexer.STRING && word) {
        continue; // a quoted string is one way to write a name or value
      }
      parts.add(describe(type));
    }
    if (parts.size() > 8) {
      List<String> head = new ArrayList<>(parts.subList(0, 8));
      head.add("...");
      parts = head;
    }
    if (parts.size() <= 1) {
      return parts.isEmpty() ? "nothing" : parts.get(0);
    }
    return String.join(", ", parts.subList(0, parts.size() - 1)) + " or " + parts.get(parts.size() - 1);
  }
}
