package dev.netc.compiler.model;

import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.source.Span;
import java.util.List;
import java.util.Optional;

/**
 * Whether {@code from} can open a connection to {@code to} on {@code port}, and why: the path
 * the traffic takes and the rules that decided, each with its source position.
 *
 * @param path how traffic gets there ("both on network `back`"), empty when there is no path
 * @param steps the decision in order: path, deny rules, ingress isolation, egress isolation
 * @param deciding the rule that decided (the deny that dropped it, or an allow that admitted it)
 */
public record Verdict(
    Node from, Node to, PortSpec port, boolean allowed, Optional<String> path, List<Step> steps,
    Optional<Policy.Rule> deciding) {

  public Verdict {
    steps = List.copyOf(steps);
  }

  /** One sentence of an explanation, with the place in the source it refers to. */
  public record Step(String text, Optional<Span> where) {}
}
