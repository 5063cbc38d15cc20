package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Direction;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Notes each endpoint that is isolated in a direction with nothing admitted at all in it but
 * itself and its own host (which policy does not see): an island (it may be intended, hence a
 * note). An endpoint that publishes a port or that a service
 * leads to (it selects it and gives it a share: {@link dev.netc.compiler.ir.Service#balancesTo})
 * is not counted as an island for ingress: something is clearly meant to reach it. One
 * note per declaration (replicas share it).
 */
final class NoIslands implements ModelCheck {
  @Override
  public Code code() {
    return Code.NETC307;
  }

  @Override
  public void check(Reachability m, Diagnostics out) {
    Set<Object> seen = new HashSet<>();
    for (Node n : m.nodes()) {
      if (!n.isEndpoint()) {
        continue;
      }
      Endpoint e = n.endpoint().get();
      for (Direction d : Direction.values()) {
        Optional<Policy> isolating = m.isolatedBy(n, d);
        if (isolating.isEmpty() || !seen.add(java.util.List.of(e.span(), d))) {
          continue;
        }
        if (d == Direction.INGRESS && (!e.publishes().isEmpty() || served(m, e))) {
          continue;
        }
        // a peer counts unless it is the endpoint itself or its own host: traffic between an
        // endpoint and its own host is not subject to policy, so a rule about it admits nothing
        // (NETC301 says so of the rule; `allow ingress from @host` alone leaves an island)
        boolean admitsAny = m.policiesSelecting(n).stream().anyMatch(p -> p.rules().stream().anyMatch(
            r -> r.action() == Policy.Action.ALLOW && r.direction() == d
                && m.peersOf(p, r).stream().anyMatch(o -> !o.name().equals(n.name()) && !m.sameHostTraffic(n, o))));
        if (!admitsAny) {
          String name = e.replicaOf().map(r -> "the replicas of `" + r + "`").orElse("`" + e.name() + "`");
          out.add(Diagnostic.of(Code.NETC307, e.span(), name + (e.replicaOf().isPresent() ? " are" : " is")
                  + " isolated for " + d.label() + " and no rule admits any " + d.label() + " traffic: "
                  + (e.replicaOf().isPresent()
                      ? (d == Direction.INGRESS ? "nothing can connect to them" : "they can connect to nothing")
                      : (d == Direction.INGRESS ? "nothing can connect to it" : "it can connect to nothing"))
                  + (e.replicaOf().isPresent() ? " (their own host aside)" : " (its own host aside)"))
              .withRelated(isolating.get().span(), "isolated by this policy")
              .withHint("if that is intended, say so: `# netc:ignore NETC307 \"why\"`; otherwise add an "
                  + d.label() + " allow rule"));
        }
      }
    }
  }

  private static boolean served(Reachability m, Endpoint e) {
    return m.topology().services().stream()
        .anyMatch(s -> s.namespace().equals(e.namespace()) && s.balancesTo(e.labels()));
  }
}
