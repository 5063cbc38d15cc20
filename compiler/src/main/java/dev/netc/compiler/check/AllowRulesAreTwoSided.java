package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.model.Reachability;
import java.util.Set;

/**
 * An allow rule is matched on the other side: what an egress rule admits is not refused by the
 * destination's ingress isolation, and the reverse (see {@link AllowRulesTakeEffect}).
 */
final class AllowRulesAreTwoSided implements ModelCheck {
  @Override
  public Code code() {
    return Code.NETC302;
  }

  @Override
  public void check(Reachability model, Diagnostics out) {
    AllowRulesTakeEffect.check(model, out, Set.of(Code.NETC302));
  }
}
