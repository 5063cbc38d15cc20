package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.model.Reachability;
import java.util.Set;

/** An allow rule joins endpoints that have a path between them (see {@link AllowRulesTakeEffect}). */
final class AllowRulesHaveAPath implements ModelCheck {
  @Override
  public Code code() {
    return Code.NETC301;
  }

  @Override
  public void check(Reachability model, Diagnostics out) {
    AllowRulesTakeEffect.check(model, out, Set.of(Code.NETC301));
  }
}
