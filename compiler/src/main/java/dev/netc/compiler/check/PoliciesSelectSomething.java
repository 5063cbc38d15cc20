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
        out.add(Diagnostic.of(Code.NETC303, p.span(), "policy `" + p.name() + "` selects no endpoint"
                + (p.namespace().isEmpty() ? "" : " of namespace `" + p.namespace() + "`"))
            .withHint("check its `select` labels against the endpoints' `labels`"));
      }
    }
  }
}
