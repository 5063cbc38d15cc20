package dev.netc.compiler.ir;

import dev.netc.compiler.source.Span;
import java.util.List;
import java.util.Set;

/**
 * A network policy with Kubernetes semantics: it selects endpoints of its namespace; for each
 * direction in {@code isolates} they admit only what some allow rule admits; deny rules win over
 * every allow.
 *
 * @param isolates the directions named by {@code isolate} or by an allow rule
 */
public record Policy(
    String name, String namespace, Selector selector, Set<Direction> isolates, List<Rule> rules,
    Span span) {

  public Policy {
    isolates = Set.copyOf(isolates);
    rules = List.copyOf(rules);
  }

  /** One allow or deny rule; no peers means every peer, no ports means every port. */
  public record Rule(
      Action action, Direction direction, List<Peer> peers, List<PortSpec> ports, Span span) {
    public Rule {
      peers = List.copyOf(peers);
      ports = List.copyOf(ports);
    }
  }

  /** What a rule does with the traffic it matches. */
  public enum Action {
    ALLOW,
    DENY
  }
}
