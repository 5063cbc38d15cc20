package dev.netc.compiler.check;

import dev.netc.compiler.ir.Direction;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import java.util.ArrayList;
import java.util.List;

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

  /** One port of each of the rule's port specs, or the topology's ports when it names none. */
  static List<PortSpec> ports(Reachability m, Policy.Rule r) {
    if (r.ports().isEmpty()) {
      return m.defaultPorts();
    }
    List<PortSpec> out = new ArrayList<>();
    r.ports().forEach(p -> out.add(new PortSpec(PortRange.of(p.range().first()), p.protocol())));
    return out;
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
