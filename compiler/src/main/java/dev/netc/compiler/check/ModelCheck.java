package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.model.Reachability;

/**
 * An invariant about what the network admits, checked against the reachability model (after
 * addresses are assigned, so that address-block peers are decided on real addresses).
 */
public interface ModelCheck {
  Code code();

  void check(Reachability model, Diagnostics out);
}
