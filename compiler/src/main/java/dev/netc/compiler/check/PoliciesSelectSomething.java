package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.model.Reachability;

/** Every policy selects at least one endpoint: one that selects none has no effect at all. */
final class PoliciesSelectSomething implements ModelCheck {
  @Override
  public Code code() {
    return Code.NETC303;
  }

  @Override
  public void check(Reachability m, Diagnostics out) {
    for (Policy p : m.topology().policies()) {
      if (PolicyScope.selected(m, p).isEmpty()) {
        boolean hostOnly = m.topology().endpoints().stream().anyMatch(e -> e.namespace().equals(p.namespace())
            && e.mode() == dev.netc.compiler.ir.NetMode.HOST && p.selector().matches(e.labels()));
        out.add(Diagnostic.of(Code.NETC303, p.span(), "policy `" + p.name() + "` selects no endpoint"
                + (p.namespace().isEmpty() ? "" : " of namespace `" + p.namespace() + "`")
                + (hostOnly ? " that policies apply to: endpoints in `host` mode are outside policy" : ""))
            .withHint(hostOnly ? "isolate the host-mode endpoint by other means, or drop `mode host`"
                : "check its `select` labels against the endpoints' `labels`"));
      }
    }
  }
}
