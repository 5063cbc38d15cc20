package dev.netc.compiler.front.compose;

import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.front.Yaml;
import dev.netc.compiler.source.Span;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Typed access to the YAML nodes of a Compose file: a mapping (with {@code <<} merge keys
 * applied), a list, a scalar (interpolated as Compose does with an empty environment) or a
 * boolean, each with a positioned NETC030 when the node has another type. An empty result
 * means the problem was reported.
 */
final class Nodes {
  private static final Set<String> NULLS = Set.of("", "~", "null", "Null", "NULL");

  private final Yaml yaml;
  private final Diagnostics diags;
  /** The scalars {@link #scalar} has read, by identity. */
  private final Set<Node> read = Collections.newSetFromMap(new IdentityHashMap<>());

  Nodes(Yaml yaml, Diagnostics diags) {
    this.yaml = yaml;
    this.diags = diags;
  }

  Diagnostics diags() {
    return diags;
  }

  /**
   * The node's span, without the line ends, blank lines and comment lines that a block node's end
   * mark takes in (it is where the next token starts), so that LF and CRLF files give one span.
   */
  Span span(Node n) {
    Span s = yaml.span(n);
    String text = s.file().text();
    int end = s.end();
    while (true) {
      while (end > s.start() && Character.isWhitespace(text.charAt(end - 1))) {
        end--;
      }
      // (back to the line's start only: lastIndexOf('\r') ran to the file's start in a file without
      // one, for every value, which made a large file quadratic)
      int lineStart = end;
      while (lineStart > 0 && text.charAt(lineStart - 1) != '\n' && text.charAt(lineStart - 1) != '\r') {
        lineStart--;
      }
      if (end > s.start() && lineStart > s.start() && text.substring(lineStart, end).strip().startsWith("#")) {
        end = lineStart;
        continue;
      }
      return new Span(s.file(), s.start(), end);
    }
  }

  /** A mapping key as a word (the key of every entry {@link #map} returns is a scalar). */
  Word key(NodeTuple t) {
    return yaml.word(t.getKeyNode()).orElseThrow();
  }

  /** The span of a whole entry, from its key to the end of its value. */
  Span span(NodeTuple t) {
    return span(t.getKeyNode()).to(span(t.getValueNode()));
  }

  static boolean isNull(Node n) {
    return n instanceof ScalarNode s && (s.getTag().equals(Tag.NULL)
        || (s.isPlain() && NULLS.contains(s.getValue())));
  }

  /** A mapping's entries by key, merge keys applied; an empty value ({@code key:}) is empty. */
  Optional<Map<String, NodeTuple>> map(Node n, String what) {
    if (isNull(n)) {
      return Optional.of(Map.of());
    }
    if (!(n instanceof MappingNode)) {
      wrongType(n, "a mapping", what);
      return Optional.empty();
    }
    Map<String, NodeTuple> out = new LinkedHashMap<>();
    merge(n, out, 0);
    return Optional.of(out);
  }

  /** Explicit keys first, then those a {@code <<: *anchor} (or a list of them) brings in. */
  private void merge(Node n, Map<String, NodeTuple> out, int depth) {
    if (n instanceof MappingNode m) {
      // a key that is a list or a mapping: Compose's keys are names (it refuses the file)
      m.getValue().stream().filter(t -> !(t.getKeyNode() instanceof ScalarNode))
          .forEach(t -> wrongType(t.getKeyNode(), "a name", "a key"));
    }
    Map<String, NodeTuple> own = yaml.entries(n);
    own.forEach((k, t) -> {
      if (!k.equals("<<")) {
        out.putIfAbsent(k, t);
      }
    });
    NodeTuple merged = own.get("<<");
    if (merged == null || depth > 20) {
      return;
    }
    Node v = merged.getValueNode();
    List<Node> sources = v instanceof SequenceNode s ? s.getValue() : List.of(v);
    for (Node source : sources) {
      if (source instanceof MappingNode) {
        merge(source, out, depth + 1);
      } else {
        wrongType(source, "a mapping to merge", "`<<`");
      }
    }
  }

  /** A sequence's items; an empty value is an empty list. */
  Optional<List<Node>> list(Node n, String what) {
    if (isNull(n)) {
      return Optional.of(List.of());
    }
    if (!(n instanceof SequenceNode s)) {
      wrongType(n, "a list", what);
      return Optional.empty();
    }
    return Optional.of(s.getValue());
  }

  /**
   * A scalar as a word, interpolated: {@code ${VAR:-default}} gives its default, a variable
   * without one is read as empty (as Compose does when the variable is not set), with a NETC032;
   * an invalid template, or a required variable ({@code ${VAR:?message}}, which no variable of
   * the empty environment has), is a NETC034 (the first in the value), and no word.
   * The word's span is the scalar's, without its quotes when it is quoted. The node is noted as
   * read, so that {@link UnreadTemplates} does not tell its NETC034 again.
   */
  Optional<Word> scalar(Node n, String what) {
    return scalar(n, what, "8080");
  }

  /** The same; {@code example}: the default NETC032's hint shows ({@code false} for a switch). */
  private Optional<Word> scalar(Node n, String what, String example) {
    if (!(n instanceof ScalarNode s)) {
      wrongType(n, "a single value", what);
      return Optional.empty();
    }
    read.add(n);
    Span span = valueSpan(s);
    Interpolation.Result r = Interpolation.apply(s.getValue());
    if (refused(s, span, r, what)) {
      return Optional.empty();
    }
    for (String v : r.unset()) {
      diags.add(Diagnostic.of(Code.NETC032, span, "netc reads no environment: variable `" + v
              + "` in " + what + " is read as empty, as Compose reads a variable that is not set")
          .withHint("give it a default, as in `${" + v + ":-" + example + "}`, or write the value itself"));
    }
    return Optional.of(new Word(r.text(), span));
  }

  /** Whether {@link #scalar} has read the node (and told what its interpolation gives). */
  boolean wasRead(Node n) {
    return read.contains(n);
  }

  /** A scalar's span, without its quotes when it is quoted (a block scalar has none). */
  Span valueSpan(ScalarNode s) {
    Span span = span(s);
    boolean quoted = s.getScalarStyle() == ScalarStyle.DOUBLE_QUOTED
        || s.getScalarStyle() == ScalarStyle.SINGLE_QUOTED;
    if (quoted && span.end() - span.start() >= 2) {
      span = new Span(span.file(), span.start() + 1, Math.max(span.start() + 1, span.end() - 1));
    }
    return span;
  }

  /**
   * Reports the NETC034 of a scalar whose value spans {@code span} and interpolates to
   * {@code r}, if its template is invalid or has a required variable: the first of them in the
   * value, as Compose stops there and refuses the file. Whether it reported one.
   */
  boolean refused(ScalarNode s, Span span, Interpolation.Result r, String what) {
    return refused(s, span, r, what, true);
  }

  /**
   * The same; with {@code requiredToo} false, only an invalid template (a value netc does not
   * read: a required variable there holds up nothing netc models, and is set where the file is
   * deployed, an environment netc does not read).
   */
  boolean refused(ScalarNode s, Span span, Interpolation.Result r, String what, boolean requiredToo) {
    Optional<Interpolation.Invalid> invalid = r.invalid();
    Optional<Interpolation.Required> required = requiredToo ? r.required().stream().findFirst() : Optional.empty();
    if (invalid.isPresent() && (required.isEmpty() || invalid.get().start() <= required.get().start())) {
      Interpolation.Invalid q = invalid.get();
      diags.add(Diagnostic.of(Code.NETC034, at(s, span, q.start(), q.end()), "invalid interpolation"
              + " format in " + what + ": " + q.reason())
          .withHint("write a variable as `${NAME}` or `${NAME:-default}`, with its closing `}`, and a"
              + " `$` that is no variable as `$$`"));
      return true;
    }
    if (required.isPresent()) {
      Interpolation.Required q = required.get();
      diags.add(Diagnostic.of(Code.NETC034, at(s, span, q.start(), q.end()), "required variable `"
              + q.name() + "` is missing a value in " + what
              + (q.message().isEmpty() ? "" : ": " + q.message()))
          .withHint("netc reads no environment, so no variable is set: give `" + q.name()
              + "` a default, as in `${" + q.name() + ":-default}`, or set it and lint what"
              + " `docker compose config` prints"));
      return true;
    }
    return false;
  }

  /**
   * Where the expression {@code [start, end)} of a scalar's value stands, the value spanning
   * {@code span}: exactly, when the file writes the expression as the value has it (the value as
   * written, or, in a block or escaped scalar, an expression the text has as often as the value);
   * else the whole value.
   */
  private static Span at(ScalarNode s, Span span, int start, int end) {
    String value = s.getValue();
    if (span.text().equals(value)) {
      return new Span(span.file(), span.start() + start, span.start() + end);
    }
    String expression = value.substring(start, end);
    String text = span.text();
    int before = occurrences(value.substring(0, start), expression);
    if (occurrences(text, expression) == occurrences(value, expression)) {
      int i = text.indexOf(expression);
      for (int k = 0; k < before; k++) {
        i = text.indexOf(expression, i + expression.length());
      }
      return new Span(span.file(), span.start() + i, span.start() + i + expression.length());
    }
    return span;
  }

  /** How many times {@code part} stands in {@code s}, without overlapping. */
  private static int occurrences(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) {
      n++;
    }
    return n;
  }

  /**
   * {@code true} or {@code false}, interpolated first, as Compose interpolates a switch's value
   * and then casts it ({@code internal: ${INTERNAL:-false}}); YAML 1.1's words for them
   * ({@link #yaml11Switch}) with a NETC035, as Compose warns; any other text is a NETC030, the
   * empty one a variable without a default gives included (Compose: "invalid boolean"). A
   * required variable or an invalid template is a NETC034 only ({@link #scalar}).
   */
  Optional<Boolean> bool(Node n, String what) {
    if (n instanceof ScalarNode s && !isNull(n)) {
      Optional<Word> w = scalar(n, what, "false");
      if (w.isEmpty()) {
        return Optional.empty();
      }
      String v = w.get().text();
      if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
        return Optional.of(v.equalsIgnoreCase("true"));
      }
      Optional<Boolean> yaml11 = yaml11Switch(v);
      if (yaml11.isPresent()) {
        // as Compose casts a switch: YAML 1.1's words too, each with a warning
        String b = yaml11.get().toString();
        boolean interpolated = !v.equals(s.getValue());
        diags.add(Diagnostic.of(Code.NETC035, span(n), "`" + v + "` for " + what + " is YAML 1.1's spelling of `" + b + "`"
                + (interpolated ? " (what `" + s.getValue() + "` gives, netc reading no environment)" : "")
                + ": netc reads it as `" + b + "`, as Compose does, with a warning")
            .withHint(interpolated ? "give `" + b + "` in its place: YAML 1.2 reads `" + v + "` as text"
                : "write `" + b + "`: YAML 1.2, which Compose files follow, reads `" + v + "` as text"));
        return yaml11;
      }
      if (!v.equals(s.getValue())) {
        List<String> unset = Interpolation.apply(s.getValue()).unset();
        diags.add(Diagnostic.of(Code.NETC030, span(n), "expected `true` or `false` for " + what
                + ", got " + (v.isEmpty() ? "an empty value" : "`" + v + "`") + " (what `"
                + s.getValue() + "` gives, netc reading no environment)")
            .withHint(unset.isEmpty() ? "see docs/compose.md for the shape netc reads"
                : "give `" + unset.get(0) + "` a default, as in `${" + unset.get(0) + ":-false}`"));
        return Optional.empty();
      }
    }
    wrongType(n, "`true` or `false`", what);
    return Optional.empty();
  }

  /**
   * The switch a word of YAML 1.1 stands for, any case ({@code y}, {@code yes}, {@code on};
   * {@code n}, {@code no}, {@code off}): Compose casts a switch's text so, warning that YAML 1.2
   * does not. Empty for any other word.
   */
  static Optional<Boolean> yaml11Switch(String v) {
    switch (v.toLowerCase(java.util.Locale.ROOT)) {
      case "y", "yes", "on":
        return Optional.of(true);
      case "n", "no", "off":
        return Optional.of(false);
      default:
        return Optional.empty();
    }
  }

  /**
   * The part {@code [from, to)} of a scalar word's text, spanning exactly that part when the
   * text stands in the file as written (no escapes or interpolation), else the whole scalar.
   */
  static Word sub(Word w, int from, int to) {
    String text = w.text().substring(from, to);
    Span s = w.span();
    if (s.text().equals(w.text())) {
      s = new Span(s.file(), s.start() + from, s.start() + to);
    }
    return new Word(text, s);
  }

  void wrongType(Node n, String expected, String what) {
    diags.add(Diagnostic.of(Code.NETC030, span(n), "expected " + expected + " for " + what
            + ", got " + describe(n))
        .withHint("see docs/compose.md for the shape netc reads"));
  }

  private static String describe(Node n) {
    if (n instanceof MappingNode) {
      return "a mapping";
    }
    if (n instanceof SequenceNode) {
      return "a list";
    }
    String v = ((ScalarNode) n).getValue();
    return isNull(n) ? "nothing" : "`" + (v.length() > 40 ? v.substring(0, 40) + "..." : v) + "`";
  }
}
