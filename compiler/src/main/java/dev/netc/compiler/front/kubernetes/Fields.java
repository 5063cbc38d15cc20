package dev.netc.compiler.front.kubernetes;

import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.diag.Spelling;
import dev.netc.compiler.front.Yaml;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.CollectionNode;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Typed access to the fields of one Kubernetes object, reporting a positioned diagnostic for each
 * value of the wrong type (NETC020), each required field that is missing (NETC021) and each field
 * netc does not read (NETC023). A YAML {@code null} (an empty value, {@code ~}) counts as absent,
 * as it does for the Kubernetes API. Every method returns empty after reporting.
 */
final class Fields {
  private static final List<String> TRUE =
      List.of("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y");
  private static final List<String> FALSE =
      List.of("false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N");

  private final Yaml yaml;
  private final Diagnostics diags;
  private final String owner;

  Fields(Yaml yaml, Diagnostics diags, String owner) {
    this.yaml = yaml;
    this.diags = diags;
    this.owner = owner;
  }

  /** The same accessors for another object, named in messages as {@code owner}. */
  Fields forObject(String owner) {
    return new Fields(yaml, diags, owner);
  }

  Yaml yaml() {
    return yaml;
  }

  Diagnostics diags() {
    return diags;
  }

  /** How messages name the object, such as {@code Service `web`}. */
  String owner() {
    return owner;
  }

  /** The whole document as the root of its fields. */
  At root(Node document) {
    return new At(document, "", head(document));
  }

  static boolean isNull(Node n) {
    return n instanceof ScalarNode s && s.getScalarStyle() == ScalarStyle.PLAIN
        && List.of("", "~", "null", "Null", "NULL").contains(s.getValue());
  }

  /** A mapping's entries by key, in order; a null is an empty mapping. */
  Optional<Map<String, At>> map(At at) {
    Map<String, At> out = new LinkedHashMap<>();
    if (isNull(at.node())) {
      return Optional.of(out);
    }
    if (!(at.node() instanceof MappingNode m)) {
      wrongType(at, "a mapping");
      return Optional.empty();
    }
    for (NodeTuple t : m.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k) {
        out.put(k.getValue(), new At(t.getValueNode(), at.child(k.getValue()), yaml.span(k)));
      } else {
        // a key that is a list or a mapping: the API's keys are strings (it refuses the object)
        diags.add(Diagnostic.of(Code.NETC020, yaml.span(t.getKeyNode()), "a key of `" + (at.path().isEmpty()
            ? "the object" : at.path()) + "` of " + owner + " is " + describe(t.getKeyNode()) + ", not a name"));
      }
    }
    return Optional.of(out);
  }

  /** A list's items; a null is an empty list. */
  List<At> list(At at) {
    List<At> out = new ArrayList<>();
    if (isNull(at.node())) {
      return out;
    }
    if (!(at.node() instanceof SequenceNode s)) {
      wrongType(at, "a list");
      return out;
    }
    for (int i = 0; i < s.getValue().size(); i++) {
      Node item = s.getValue().get(i);
      out.add(new At(item, at.item(i), head(item)));
    }
    return out;
  }

  /**
   * Where a list item is: a mapping item by its first entry ({@code port: 80} of {@code - port:
   * 80}), so that a caret stays on one line; any other item by itself.
   */
  private Span head(Node item) {
    if (item instanceof MappingNode m && !m.getValue().isEmpty()) {
      NodeTuple first = m.getValue().get(0);
      Span key = yaml.span(first.getKeyNode());
      return first.getValueNode() instanceof ScalarNode ? key.to(yaml.span(first.getValueNode())) : key;
    }
    return yaml.span(item);
  }

  /**
   * The whole of a node, from its start to the end of its last value, without the comments and
   * blank lines a block collection's end mark may take in: how a rule reads when it is quoted.
   */
  Span extent(Node n) {
    Span own = yaml.span(n);
    return new Span(own.file(), own.start(), Math.max(own.start(), lastEnd(n, own.start())));
  }

  private int lastEnd(Node n, int floor) {
    // a flow collection ends at its closing bracket, which its own end is just after (a block
    // one's end runs on over what follows it: the last child's end is its end)
    if (n instanceof CollectionNode<?> c && c.getFlowStyle() == FlowStyle.FLOW) {
      return yaml.span(n).end();
    }
    if (n instanceof MappingNode m) {
      int end = floor;
      for (NodeTuple t : m.getValue()) {
        end = Math.max(end, Math.max(lastEnd(t.getKeyNode(), floor), lastEnd(t.getValueNode(), floor)));
      }
      return end == floor ? yaml.span(n).end() : end;
    }
    if (n instanceof SequenceNode s) {
      int end = floor;
      for (Node item : s.getValue()) {
        end = Math.max(end, lastEnd(item, floor));
      }
      return end == floor ? yaml.span(n).end() : end;
    }
    return yaml.span(n).end();
  }

  /** A scalar as a word pointing at it; a null is absent. */
  Optional<Word> scalar(At at) {
    if (isNull(at.node())) {
      return Optional.empty();
    }
    if (!(at.node() instanceof ScalarNode)) {
      wrongType(at, "a single value");
      return Optional.empty();
    }
    return yaml.word(at.node());
  }

  /** The field {@code key}, absent when missing or null. */
  static Optional<At> get(Map<String, At> fields, String key) {
    At at = fields.get(key);
    return at == null || isNull(at.node()) ? Optional.empty() : Optional.of(at);
  }

  /** The scalar field {@code key} of {@code parent}, which must be there. */
  Optional<Word> required(Map<String, At> fields, String key, At parent) {
    Optional<At> at = get(fields, key);
    if (at.isEmpty()) {
      missing(parent, key);
      return Optional.empty();
    }
    return scalar(at.get());
  }

  /** Reports that {@code parent} lacks its required field {@code key}. */
  void missing(At parent, String key) {
    String where = parent.path().isEmpty() ? owner : "`" + parent.path() + "` of " + owner;
    diags.add(Diagnostic.of(Code.NETC021, parent.where(), where + " has no `" + key + "`")
        .withHint("Kubernetes requires `" + parent.child(key) + "`; add it"));
  }

  /** A whole number in {@code [min, max]}, described as {@code what} ("a replica count"). */
  OptionalInt integer(At at, int min, int max, String what) {
    Optional<Word> w = scalar(at);
    if (w.isEmpty()) {
      return OptionalInt.empty();
    }
    String t = w.get().text();
    if (!t.isEmpty() && t.length() <= 10 && t.chars().allMatch(Character::isDigit)) {
      long v = Long.parseLong(t);
      if (v >= min && v <= max) {
        return OptionalInt.of((int) v);
      }
    }
    diags.add(Diagnostic.of(Code.NETC206, w.get().span(), "expected " + what + " in " + min + "-"
        + max + " for `" + at.path() + "`, got `" + t + "`"));
    return OptionalInt.empty();
  }

  /**
   * A plain scalar that YAML takes for a number whichever version reads it (1.1, as the Kubernetes
   * tools read it, or 1.2): decimal, hexadecimal, a fraction or an exponent, infinity, not a number.
   */
  private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile(
      "[-+]?(0|[1-9][0-9]*|0x[0-9a-fA-F]+)|[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?"
          + "|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
  /** The plain scalars that YAML takes for a boolean whichever version reads it. */
  private static final List<String> BOOLEANS = List.of("true", "True", "TRUE", "false", "False", "FALSE");

  /**
   * A value the API takes as a string alone (a label's value, a selector's): a plain scalar that
   * YAML takes for a boolean or a number ({@code true}, {@code 2}, {@code 1.5}) is NETC020, as
   * the API server refuses it ("cannot unmarshal number into ... of type string"); quoted, it is
   * that string. (YAML 1.1's other words for booleans, {@code yes}, {@code on}, {@code y}, are
   * read as the words: whether the tools take them so depends on their YAML library.)
   */
  Optional<Word> string(At at) {
    Optional<Word> w = scalar(at);
    if (w.isPresent() && at.node() instanceof ScalarNode n && n.getScalarStyle() == ScalarStyle.PLAIN) {
      String t = n.getValue();
      String type = BOOLEANS.contains(t) ? "a boolean" : NUMBER.matcher(t).matches() ? "a number" : null;
      if (type != null) {
        diags.add(Diagnostic.of(Code.NETC020, w.get().span(), "`" + at.path() + "` of " + owner + " is " + type
                + ", `" + t + "`, where Kubernetes takes a string")
            .withHint("quote it: `\"" + t + "\"`"));
        return Optional.empty();
      }
    }
    return w;
  }

  /**
   * A boolean as Kubernetes reads YAML (YAML 1.1, where {@code yes}, {@code on} and {@code y} are
   * true too); absent is false.
   */
  boolean bool(At at) {
    Optional<Word> w = scalar(at);
    if (w.isEmpty()) {
      return false;
    }
    if (TRUE.contains(w.get().text()) || FALSE.contains(w.get().text())) {
      return TRUE.contains(w.get().text());
    }
    diags.add(Diagnostic.of(Code.NETC020, w.get().span(), "`" + at.path() + "` of " + owner
        + " must be `true` or `false`, got `" + w.get().text() + "`"));
    return false;
  }

  /** One of {@code choices} (Kubernetes enumerations are case-sensitive), else NETC105. */
  Optional<String> choice(Word w, String what, List<String> choices) {
    if (choices.contains(w.text())) {
      return Optional.of(w.text());
    }
    String hint = Spelling.suggest(w.text(), choices).map(s -> "did you mean `" + s + "`? ").orElse("")
        + "expected one of: " + String.join(", ", choices.stream().map(c -> "`" + c + "`").toList());
    diags.add(Diagnostic.of(Code.NETC105, w.span(), "unknown " + what + " `" + w.text() + "`")
        .withHint(hint));
    return Optional.empty();
  }

  /** A structural error in the object: NETC020 at {@code at}. */
  void malformed(At at, String message, String hint) {
    Diagnostic d = Diagnostic.of(Code.NETC020, at.where(), message);
    diags.add(hint == null ? d : d.withHint(hint));
  }

  /** A field netc does not model: warning NETC023 at its key. */
  void unsupported(At at, String message, String hint) {
    Diagnostic d = Diagnostic.of(Code.NETC023, at.where(), message);
    diags.add(hint == null ? d : d.withHint(hint));
  }

  /**
   * Warns about every field of {@code fields} that is neither read nor known to be irrelevant
   * to the network: in network objects an unknown field is a misspelling or a feature netc lacks,
   * and either way the user must hear of it.
   */
  void unknownFields(Map<String, At> fields, Collection<String> read, Collection<String> quiet) {
    unknownFields(fields, read, quiet, "");
  }

  /**
   * As above, with {@code consequence} added to each message: what leaving the field out does to
   * what holds it (", and ... " or empty).
   */
  void unknownFields(Map<String, At> fields, Collection<String> read, Collection<String> quiet, String consequence) {
    List<String> all = new ArrayList<>(read);
    all.addAll(quiet);
    for (var e : fields.entrySet()) {
      if (all.contains(e.getKey())) {
        continue;
      }
      String hint = Spelling.suggest(e.getKey(), all).map(s -> "did you mean `" + s + "`?")
          .orElse("netc reads " + String.join(", ", read.stream().map(s -> "`" + s + "`").toList())
              + " here");
      unsupported(e.getValue(), "netc does not read `" + e.getValue().path() + "` of " + owner
          + ", so the model leaves it out" + consequence, hint);
    }
  }

  private void wrongType(At at, String expected) {
    var span = at.node() instanceof ScalarNode ? yaml.span(at.node()) : at.where();
    String what = at.path().isEmpty() ? owner : "`" + at.path() + "` of " + owner;
    Diagnostic d = Diagnostic.of(Code.NETC020, span, what + " must be " + expected + ", got "
        + describe(at.node()));
    diags.add(at.path().isEmpty()
        ? d.withHint("a Kubernetes object is a mapping with `apiVersion`, `kind` and `metadata`") : d);
  }

  private static String describe(Node n) {
    if (n instanceof MappingNode) {
      return "a mapping";
    }
    if (n instanceof SequenceNode) {
      return "a list";
    }
    String v = ((ScalarNode) n).getValue();
    return "`" + (v.length() > 40 ? v.substring(0, 37) + "..." : v) + "`";
  }
}
