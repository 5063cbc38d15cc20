package dev.netc.compiler.front.compose;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Compose's variable interpolation as it works with an empty environment and no {@code .env}
 * file, so that a file always reads the same: {@code ${VAR:-default}} and {@code ${VAR-default}}
 * give their default, {@code ${VAR:+alt}} gives nothing, {@code ${VAR}} and {@code $VAR} give
 * nothing and are listed as unset, {@code $$} is a {@code $}. {@code ${VAR:?message}} and
 * {@code ${VAR?message}} require the variable (set and not empty, or set), which no variable is:
 * Compose refuses the file ("required variable VAR is missing a value: message"). A {@code ${}
 * without its {@code }}, or braces around something else than a variable name and an operator
 * ({@code ${}}, {@code ${1}}, {@code ${VAR!x}}), is an invalid template, which Compose refuses
 * too ("invalid interpolation format").
 */
final class Interpolation {
  /**
   * The interpolated text, the variables that had no default (in order, once each), what makes
   * the text an invalid template, if anything, and the required variables, which are missing
   * (in order; then the text is not meant either).
   */
  record Result(String text, List<String> unset, Optional<Invalid> invalid, List<Required> required) {}

  /**
   * What makes a text an invalid template, and where the faulty expression stands in the text,
   * from its {@code $} to its {@code }} (or to the end of the text, white space aside, when it has
   * none), as indexes
   * {@code [start, end)}.
   */
  record Invalid(String reason, int start, int end) {}

  /**
   * A {@code ${NAME:?message}} or {@code ${NAME?message}}: the variable, the message as Compose
   * prints it (interpolated; empty when there is none), and where the expression stands in the
   * text, from its {@code $} to its {@code }}, as indexes {@code [start, end)}.
   */
  record Required(String name, String message, int start, int end) {}

  private Interpolation() {}

  static Result apply(String s) {
    if (s.indexOf('$') < 0) {
      return new Result(s, List.of(), Optional.empty(), List.of());
    }
    List<String> unset = new ArrayList<>();
    List<Invalid> invalid = new ArrayList<>();
    List<Required> required = new ArrayList<>();
    String text = expand(s, 0, unset, invalid, required, 0);
    return new Result(text, unset, invalid.stream().findFirst(), List.copyOf(required));
  }

  /** {@code s}, which stands at index {@code at} of the whole text, interpolated. */
  private static String expand(String s, int at, List<String> unset, List<Invalid> invalid,
      List<Required> required, int depth) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != '$' || i + 1 >= s.length() || depth > 10) {
        out.append(c);
        i++;
      } else if (s.charAt(i + 1) == '$') {
        out.append('$');
        i += 2;
      } else if (s.charAt(i + 1) == '{') {
        int close = closing(s, i + 2);
        if (close < 0) {
          // up to the end of the text, without the line end a block scalar gives it
          String rest = s.substring(i).stripTrailing();
          invalid.add(new Invalid("`" + rest + "` has no closing `}`", at + i, at + i + rest.length()));
          out.append(s, i, s.length());
          break;
        }
        out.append(braced(s.substring(i + 2, close), at + i, unset, invalid, required, depth));
        i = close + 1;
      } else if (Character.isLetter(s.charAt(i + 1)) || s.charAt(i + 1) == '_') {
        int end = i + 1;
        while (end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')) {
          end++;
        }
        note(unset, s.substring(i + 1, end));
        i = end;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /**
   * The body of {@code ${...}}, whose {@code $} is at index {@code at} of the whole text: a
   * name, then optionally an operator and a word.
   */
  private static String braced(String body, int at, List<String> unset, List<Invalid> invalid,
      List<Required> required, int depth) {
    int end = 0;
    while (end < body.length() && (Character.isLetterOrDigit(body.charAt(end)) || body.charAt(end) == '_')) {
      end++;
    }
    String name = body.substring(0, end);
    String rest = body.substring(end);
    String op = rest.startsWith(":") && rest.length() > 1 ? rest.substring(0, 2)
        : rest.isEmpty() ? "" : rest.substring(0, 1);
    String word = rest.substring(op.length());
    if (name.isEmpty() || Character.isDigit(name.charAt(0))
        || !List.of("", ":-", "-", ":+", "+", ":?", "?").contains(op)) {
      invalid.add(new Invalid("`${" + body + "}` is not a variable name, optionally followed by `:-`,"
          + " `-`, `:+`, `+`, `:?` or `?` and a word", at, at + body.length() + 3));
      return "";
    }
    switch (op) {
      case ":-", "-" -> {
        return expand(word, at + 2 + end + op.length(), unset, invalid, required, depth + 1);
      }
      case ":+", "+" -> {
        return "";
      }
      case ":?", "?" -> {
        // the message is interpolated too (`${VAR?$OTHER}`), with the same empty environment
        String message = expand(word, at + 2 + end + op.length(), new ArrayList<>(), invalid,
            new ArrayList<>(), depth + 1);
        required.add(new Required(name, message, at, at + body.length() + 3));
        return "";
      }
      default -> {
        note(unset, name);
        return "";
      }
    }
  }

  private static void note(List<String> unset, String name) {
    if (!unset.contains(name)) {
      unset.add(name);
    }
  }

  /** The index of the {@code }} that closes a {@code ${} opened before {@code from}. */
  private static int closing(String s, int from) {
    int depth = 1;
    for (int i = from; i < s.length(); i++) {
      if (s.charAt(i) == '{') {
        depth++;
      } else if (s.charAt(i) == '}' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }
}
