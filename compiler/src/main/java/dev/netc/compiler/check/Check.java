package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Topology;

/**
 * One invariant of a resolved topology, named after what it guarantees, with one stable code.
 * A check reads the IR and reports every violation; it never throws for user input.
 */
public interface Check {
  /** The code of every diagnostic this check reports. */
  Code code();

  /** Reports every place where {@code topology} breaks the invariant. */
  void check(Topology topology, Diagnostics out);
}
