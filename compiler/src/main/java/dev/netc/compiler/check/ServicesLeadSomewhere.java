package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Service;
import dev.netc.compiler.ir.Topology;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every service leads to some endpoint: its `select` matches an endpoint of its namespace that a
 * host balances its connections to ({@link Service#balancedBy}: in mode bridge, with an address
 * on a bridge or overlay network). One that selects nothing, as a policy that selects nothing
 * (NETC303), is nearly always a typo in a label, and its virtual address, in every hosts file,
 * leads nowhere. A service whose selected endpoints all have weight 0 ({@code backend ...
 * weight 0}) is drained on purpose and is not told. Judged after addresses are assigned.
 */
final class ServicesLeadSomewhere implements ModelCheck {
  @Override
  public Code code() {
    return Code.NETC232;
  }

  /** On the model, so after addresses are assigned (and never when a front end left out objects for errors). */
  @Override
  public void check(dev.netc.compiler.model.Reachability m, Diagnostics out) {
    Topology t = m.topology();
    Map<String, Network> networks = new HashMap<>();
    t.networks().forEach(n -> networks.put(n.name(), n));
    for (Service s : t.services()) {
      List<Endpoint> selected = t.endpoints().stream()
          .filter(e -> e.namespace().equals(s.namespace()) && s.selector().matches(e.labels())).toList();
      List<Endpoint> shared = selected.stream().filter(e -> s.balancesTo(e.labels())).toList();
      if (!selected.isEmpty() && shared.isEmpty()) {
        continue; // drained: every endpoint it selects has weight 0
      }
      if (shared.stream().anyMatch(e -> !s.balancedBy(e, networks).isEmpty())) {
        continue;
      }
      String where = s.namespace().isEmpty() ? "" : " of namespace `" + s.namespace() + "`";
      if (selected.isEmpty()) {
        out.add(Diagnostic.of(Code.NETC232, s.span(), "service `" + s.name() + "` selects no endpoint" + where
                + ": its address leads nowhere")
            .withHint("check its `select` labels against the endpoints' `labels`"));
      } else {
        Endpoint e = shared.get(0);
        String why = e.mode() != dev.netc.compiler.ir.NetMode.BRIDGE
            ? "in `" + e.mode().label() + "` mode, which a service does not balance to"
            : "without an address on a bridge or overlay network (a host does not reach its macvlan members)";
        out.add(Diagnostic.of(Code.NETC232, s.span(), "service `" + s.name() + "` leads nowhere: of the endpoints it"
                + " selects, none is one a host balances it to (`" + e.name() + "` is " + why + ")")
            .withHint("select endpoints attached to a bridge or overlay network, or reach these by their own addresses"));
      }
    }
  }
}
