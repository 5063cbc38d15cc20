package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Topology;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Members of one pod share a network namespace, so no two of them may listen on one port. */
final class PodMembersUseDistinctPorts implements Check {
  @Override
  public Code code() {
    return Code.NETC222;
  }

  private record Use(Endpoint.Member member, PortSpec port) {}

  @Override
  public void check(Topology t, Diagnostics out) {
    Set<Object> seen = new HashSet<>();
    for (Endpoint e : t.endpoints()) {
      if (e.kind() != Endpoint.Kind.POD || !seen.add(e.span())) {
        continue; // one report for all replicas of a pod
      }
      List<Use> uses = new ArrayList<>();
      for (Endpoint.Member m : e.members()) {
        for (PortSpec p : m.exposes()) {
          for (Use u : uses) {
            if (u.member() != m && u.port().protocol() == p.protocol()
                && u.port().range().overlaps(p.range())) {
              out.add(Diagnostic.of(Code.NETC222, m.span(), "pod members `" + u.member().name()
                      + "` and `" + m.name() + "` of `" + e.replicaOf().orElse(e.name())
                      + "` both use port " + p + ", but they share one network namespace")
                  .withRelated(u.member().span(), "`" + u.member().name() + "` uses " + u.port() + " here")
                  .withHint("make one of them listen on another port"));
            }
          }
          uses.add(new Use(m, p));
        }
      }
    }
  }
}
