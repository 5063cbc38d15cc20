package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.ir.Direction;
import dev.netc.compiler.ir.Driver;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Peer;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A host cannot reach its own macvlan members, as Docker documents: the kernel passes no
 * traffic between a macvlan parent and its sub-interfaces. The model knows it; this check says
 * so where the topology relies on it: a port published by an endpoint that is on macvlan
 * networks only (the host has nothing to forward it to), and a policy rule that admits {@code
 * @host} to (or from) such endpoints.
 */
final class MacvlanMembersAreCutOffFromTheirHost implements ModelCheck {
  @Override
  public Code code() {
    return Code.NETC408;
  }

  @Override
  public void check(Reachability model, Diagnostics out) {
    Topology t = model.topology();
    Map<String, Network> networks = new HashMap<>();
    t.networks().forEach(n -> networks.put(n.name(), n));
    Set<Publish> seen = new HashSet<>();
    for (Endpoint e : t.endpoints()) {
      List<String> lans = macvlanOnly(e, networks);
      if (lans.isEmpty()) {
        continue;
      }
      for (Publish p : e.publishes()) {
        if (!seen.add(p)) {
          continue; // one report for all replicas
        }
        out.add(Diagnostic.of(Code.NETC408, p.span(), "`" + e.replicaOf().orElse(e.name()) + "` publishes a port,"
                + " but it is on macvlan network" + (lans.size() == 1 ? " " : "s ") + String.join(", ", lans)
                + " only: its host cannot reach it, so nothing forwards the port")
            .withHint("reach `" + e.replicaOf().orElse(e.name()) + "` at its own address from the other machines"
                + " of the network, or " + (Names.input(p.span()) == Frontends.Input.COMPOSE
                    ? "give it a bridge network as well, in its `networks`" : "attach it to a bridge network as well")));
      }
    }
    for (Policy p : t.policies()) {
      for (Policy.Rule r : p.rules()) {
        Set<String> cut = cutOff(model, p, r);
        if (cut.isEmpty()) {
          continue;
        }
        String way = r.direction() == Direction.INGRESS ? "from its host" : "to its host";
        out.add(Diagnostic.of(Code.NETC408, r.span(), "this rule of policy `" + p.name() + "` admits traffic " + way
                + ", but " + String.join(", ", cut) + (cut.size() == 1 ? " is" : " are")
                + " on macvlan networks only, which the host cannot reach")
            .withHint("attach " + String.join(", ", cut) + " to a bridge network as well to talk with the host,"
                + " or drop `@host` from the rule"));
      }
    }
  }

  /**
   * The endpoints a rule with an {@code @host} peer selects that are on macvlan networks only
   * (NETC301 leaves such a rule to this check, which says why it has no path).
   */
  static Set<String> cutOff(Reachability model, Policy p, Policy.Rule r) {
    Set<String> cut = new LinkedHashSet<>();
    if (r.action() != Policy.Action.ALLOW || r.peers().stream().noneMatch(MacvlanMembersAreCutOffFromTheirHost::isHost)) {
      return cut;
    }
    Map<String, Network> networks = new HashMap<>();
    model.topology().networks().forEach(n -> networks.put(n.name(), n));
    for (Node n : model.selectedBy(p)) {
      n.endpoint().filter(e -> !macvlanOnly(e, networks).isEmpty()).ifPresent(e -> cut.add("`" + e.name() + "`"));
    }
    return cut;
  }

  private static boolean isHost(Peer p) {
    return p.kind() == Peer.Kind.SPECIAL && !p.special().get().equals(Node.OUTSIDE);
  }

  /** The macvlan networks of an endpoint in {@code mode bridge} that is on no other network. */
  private static List<String> macvlanOnly(Endpoint e, Map<String, Network> networks) {
    if (e.mode() != NetMode.BRIDGE || e.attachments().isEmpty() || e.attachments().stream()
        .anyMatch(a -> networks.get(a.network()).driver() != Driver.MACVLAN)) {
      return List.of();
    }
    return e.attachments().stream().map(a -> "`" + a.network() + "`").toList();
  }
}
