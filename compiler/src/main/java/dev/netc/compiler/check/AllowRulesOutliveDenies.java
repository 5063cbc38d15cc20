package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.model.Reachability;
import java.util.Set;

/** An allow rule admits something that no deny rule drops (see {@link AllowRulesTakeEffect}). */
final class AllowRulesOutliveDenies implements ModelCheck {
  @Override
  public Code code() {
    return Code.NETC305;
  }

  @Override
  public void check(Reachability model, Diagnostics out) {
    AllowRulesTakeEffect.check(model, out, Set.of(Code.NETC305));
  }
}
