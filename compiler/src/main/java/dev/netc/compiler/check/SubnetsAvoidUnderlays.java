package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Host;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.ir.Topology;
import java.util.List;
import java.util.Map;

/**
 * No network on a host contains the host's underlay address: packets to the other hosts would
 * be routed into the bridge instead of out of the host.
 */
final class SubnetsAvoidUnderlays implements Check {
  @Override
  public Code code() {
    return Code.NETC215;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    Map<String, List<Network>> byHost = Placement.networksByHost(t);
    for (Host h : t.hosts()) {
      if (h.underlay().isEmpty()) {
        continue;
      }
      for (Network n : byHost.getOrDefault(h.name(), List.of())) {
        for (Subnet s : n.subnets()) {
          if (s.cidr().contains(h.underlay().get())) {
            out.add(Diagnostic.of(Code.NETC215, n.span(), "subnet `" + s.cidr() + "` of network `"
                    + n.name() + "` contains the underlay address `" + h.underlay().get()
                    + "` of host `" + h.name() + "`")
                .withRelated(h.span(), "host `" + h.name() + "` is declared here")
                .withHint("choose a subnet that leaves the hosts' own network alone"));
          }
        }
      }
    }
  }
}
