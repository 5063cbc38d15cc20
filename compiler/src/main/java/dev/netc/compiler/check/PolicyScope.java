package dev.netc.compiler.check;

import dev.netc.compiler.ir.Direction;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What a policy rule is about: the nodes it selects, its peers, and the ports to try. */
final class PolicyScope {
  private PolicyScope() {}

  /** The endpoints a policy selects. */
  static List<Node> selected(Reachability m, Policy p) {
    return m.selectedBy(p);
  }

  /** Every node the rule's peers match. */
  static List<Node> peers(Reachability m, Policy p, Policy.Rule r) {
    return m.peersOf(p, r);
  }

  /**
   * The ports a rule is tried on: the ports the topology names ({@link Reachability#defaultPorts})
   * when it gives none; else the first port of each of its ranges, and every port the topology
   * names inside one, in that order (a rule on 80-90/tcp is about 85/tcp when that is the port an
   * endpoint publishes or exposes, though nothing listens on 80). NETC301, NETC302 and NETC305
   * ({@link AllowRulesTakeEffect}) and NETC308 ({@link DenyRulesHoldAcrossHosts}) try these.
   */
  static List<PortSpec> ports(Reachability m, Policy.Rule r) {
    if (r.ports().isEmpty()) {
      return m.defaultPorts();
    }
    Set<PortSpec> out = new LinkedHashSet<>();
    r.ports().forEach(p -> out.add(new PortSpec(PortRange.of(p.range().first()), p.protocol())));
    List<PortSpec> named = m.defaultPorts();
    for (PortSpec range : r.ports()) {
      for (PortSpec n : named) {
        int first = n.range().first();
        if (n.protocol() == range.protocol() && first >= range.range().first() && first <= range.range().last()) {
          out.add(new PortSpec(PortRange.of(first), n.protocol()));
        }
      }
    }
    return List.copyOf(out);
  }

  /** The (from, to) order of a rule's traffic: peers to selected for ingress, the reverse for egress. */
  static Node from(Policy.Rule r, Node selected, Node peer) {
    return r.direction() == Direction.INGRESS ? peer : selected;
  }

  static Node to(Policy.Rule r, Node selected, Node peer) {
    return r.direction() == Direction.INGRESS ? selected : peer;
  }

  static String where(Policy p, Policy.Rule r) {
    return "rule of policy `" + p.name() + "`";
  }
}
