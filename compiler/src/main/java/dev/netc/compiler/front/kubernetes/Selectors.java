package dev.netc.compiler.front.kubernetes;

import dev.netc.compiler.ast.Label;
import dev.netc.compiler.ast.SelectorAst;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.ir.Requirement;
import dev.netc.compiler.ir.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Labels and label selectors of Kubernetes objects, as the AST's labels and selectors: {@code
 * matchLabels} become {@code key=value} requirements, {@code matchExpressions} the operators
 * {@code In}, {@code NotIn}, {@code Exists} and {@code DoesNotExist}. An absent or empty selector
 * selects everything. Keys and values are validated later, by the resolver, as for {@code .netc}.
 */
final class Selectors {
  private static final List<String> OPERATORS = List.of("In", "NotIn", "Exists", "DoesNotExist");

  private final Fields f;

  Selectors(Fields f) {
    this.f = f;
  }

  /** A map of labels ({@code metadata.labels}); a null value is the empty value. */
  List<Label> labels(At at) {
    List<Label> out = new ArrayList<>();
    f.map(at).ifPresent(m -> m.forEach((key, value) -> {
      Word k = new Word(key, value.where());
      Word v = Fields.isNull(value.node()) ? new Word("", value.where())
          : f.string(value).orElse(null);
      if (v != null) {
        out.add(new Label(k, v, k.span().to(v.span())));
      }
    }));
    return out;
  }

  /** A Service's selector: a map of labels that must all be equal. */
  Optional<SelectorAst> labelMap(At at) {
    List<SelectorAst.Req> reqs = new ArrayList<>();
    for (Label l : labels(at)) {
      reqs.add(new SelectorAst.Req(l.key(), Requirement.Operator.EQUALS, List.of(l.value()), l.span()));
    }
    return Optional.of(new SelectorAst(reqs.isEmpty(), reqs, at.where()));
  }

  /** A LabelSelector; empty after an error was reported. */
  Optional<SelectorAst> labelSelector(At at) {
    Optional<Map<String, At>> fields = f.map(at);
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    // a misspelt `matchLabels` leaves the selector empty, and an empty selector selects everything
    // (as Kubernetes reads it when it drops unknown fields): the warning must say so
    boolean nothingElse = Fields.get(fields.get(), "matchLabels").isEmpty()
        && Fields.get(fields.get(), "matchExpressions").isEmpty();
    f.unknownFields(fields.get(), List.of("matchLabels", "matchExpressions"), List.of(), nothingElse
        ? ", and `" + at.path() + "`, left empty, selects every "
            + (at.path().endsWith("namespaceSelector") ? "namespace" : "pod") : "");
    List<SelectorAst.Req> reqs = new ArrayList<>();
    boolean ok = true;
    Optional<At> labels = Fields.get(fields.get(), "matchLabels");
    if (labels.isPresent()) {
      reqs.addAll(labelMap(labels.get()).get().requirements());
    }
    Optional<At> exprs = Fields.get(fields.get(), "matchExpressions");
    for (At e : exprs.map(f::list).orElse(List.of())) {
      Optional<SelectorAst.Req> r = expression(e);
      ok &= r.isPresent();
      r.ifPresent(reqs::add);
    }
    return ok ? Optional.of(new SelectorAst(reqs.isEmpty(), reqs, at.where())) : Optional.empty();
  }

  private Optional<SelectorAst.Req> expression(At e) {
    Optional<Map<String, At>> m = f.map(e);
    if (m.isEmpty()) {
      return Optional.empty();
    }
    f.unknownFields(m.get(), List.of("key", "operator", "values"), List.of());
    Optional<Word> key = f.required(m.get(), "key", e);
    Optional<Word> op = f.required(m.get(), "operator", e);
    Optional<String> operator = op.flatMap(o -> f.choice(o, "selector operator", OPERATORS));
    Optional<At> valuesAt = Fields.get(m.get(), "values");
    List<Word> values = new ArrayList<>();
    List<At> items = valuesAt.map(f::list).orElse(List.of());
    // (a null value is the empty one, as for a label)
    for (At item : items) {
      (Fields.isNull(item.node()) ? Optional.of(new Word("", item.where())) : f.string(item)).ifPresent(values::add);
    }
    if (key.isEmpty() || operator.isEmpty() || values.size() != items.size()) {
      return Optional.empty(); // (a value that is not one was told)
    }
    boolean set = operator.get().equals("In") || operator.get().equals("NotIn");
    if (set && values.isEmpty()) {
      f.malformed(valuesAt.orElse(e), "operator `" + operator.get() + "` needs a non-empty `values` list",
          "list the label values, as in `values: [web, api]`");
      return Optional.empty();
    }
    if (!set && !values.isEmpty()) {
      f.malformed(valuesAt.get(), "operator `" + operator.get() + "` takes no `values`",
          "remove `values`, or use `In` or `NotIn`");
      return Optional.empty();
    }
    Requirement.Operator irOp = switch (operator.get()) {
      case "In" -> Requirement.Operator.IN;
      case "NotIn" -> Requirement.Operator.NOT_IN;
      case "Exists" -> Requirement.Operator.EXISTS;
      default -> Requirement.Operator.DOES_NOT_EXIST;
    };
    return Optional.of(new SelectorAst.Req(key.get(), irOp, values, e.where()));
  }

  /** The selector as the model evaluates it, to find the pods it selects. */
  static Selector toIr(SelectorAst s) {
    if (s.all()) {
      return Selector.ALL;
    }
    List<Requirement> reqs = new ArrayList<>();
    for (SelectorAst.Req r : s.requirements()) {
      reqs.add(new Requirement(r.key().text(), r.operator(), r.values().stream().map(Word::text).toList()));
    }
    return new Selector(reqs);
  }
}
