package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Direction;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import java.util.List;
import java.util.Optional;

/**
 * A deny rule that names an endpoint keeps it out: no connection it would drop gets through
 * another way. Through a port published on another host, or a node port there, policy sees the
 * two endpoints' hosts, so a deny rule about the endpoints has no say on that way (docs/model.md,
 * "A published port of another host"): a connection the rule drops on the direct ways, or that
 * has none, and that the model admits that way, is reported, once per rule (the first pair and
 * port found). Only topologies of several hosts have such ways; the pairs are endpoints of two
 * hosts whose destination publishes a port or is selected by a service.
 */
final class DenyRulesHoldAcrossHosts implements ModelCheck {
  @Override
  public Code code() {
    return Code.NETC308;
  }

  @Override
  public void check(Reachability m, Diagnostics out) {
    if (m.topology().hosts().size() < 2) {
      return;
    }
    for (Policy p : m.topology().policies()) {
      List<Node> selected = PolicyScope.selected(m, p);
      if (selected.isEmpty()) {
        continue; // NETC303 says so
      }
      for (Policy.Rule r : p.rules()) {
        if (r.action() != Policy.Action.DENY) {
          continue;
        }
        List<Node> peers = PolicyScope.peers(m, p, r).stream().filter(Node::isEndpoint).toList();
        if (!peers.isEmpty()) {
          bypass(m, p, r, selected, peers).ifPresent(out::add);
        }
      }
    }
  }

  /** The first connection the rule means to drop that gets through another host's port, told. */
  private static Optional<Diagnostic> bypass(Reachability m, Policy p, Policy.Rule r, List<Node> selected,
      List<Node> peers) {
    List<PortSpec> ports = PolicyScope.ports(m, r);
    boolean ingress = r.direction() == Direction.INGRESS;
    // for an ingress rule, the destination's side of the way is the source's host's own
    // connection: when that host may not connect, no endpoint of it gets through (decided once)
    java.util.Map<String, Boolean> hostAdmitted = new java.util.HashMap<>();
    for (Node s : selected) {
      for (Node peer : peers) {
        Node from = PolicyScope.from(r, s, peer);
        Node to = PolicyScope.to(r, s, peer);
        if (from.host().equals(to.host()) || !m.reachableOtherwise(to)) {
          continue; // no port of another host leads there
        }
        for (PortSpec port : ports) {
          if (ingress && !hostAdmitted.computeIfAbsent(to.name() + " " + from.host().get() + " " + port,
              k -> m.allowed(hostNode(m, from.host().get()), to, port))) {
            continue;
          }
          if (m.directAllowed(from, to, port)) {
            continue; // not dropped on the direct ways: not this rule's doing
          }
          Optional<String> way = m.admittingRemoteWay(from, to, port);
          if (way.isEmpty()) {
            continue;
          }
          Node seer = ingress ? to : from;
          Node hidden = ingress ? from : to;
          String other = hidden.host().get();
          return Optional.of(Diagnostic.of(Code.NETC308, r.span(), "this deny rule of policy `" + p.name()
                  + "` does not keep `" + from.name() + "` from `" + to.name() + "`: `" + from.name() + "` reaches `"
                  + to.name() + "` on " + port + " " + way.get() + ", where the policies of `" + seer.name()
                  + "` see host `" + other + "`, not `" + hidden.name() + "`")
              .withHint(ingress
                  ? "deny the source's host too (`@host`, or a `cidr` of its underlay address): through a port of"
                      + " another host, policy sees no more than that host"
                  : "deny the destination's host too, on " + m.admittingRemoteHostPort(from, to, port).orElseThrow()
                      + ", the port `" + from.name() + "` connects to there (`@host`, or a `cidr` of its underlay"
                      + " address): through a port of another host, policy sees no more than that host"));
        }
      }
    }
    return Optional.empty();
  }

  /** The node of a host of a topology of several hosts. */
  private static Node hostNode(Reachability m, String host) {
    return m.nodes().stream().filter(n -> n.kind() == Node.Kind.HOST && n.host().equals(Optional.of(host)))
        .findFirst().orElseThrow();
  }
}
