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

  /**
   * Whether a finding of this check says that nothing in the topology gives something (no
   * endpoint it selects serves a port, no policy isolates an endpoint): such a finding may be
   * untrue when a front end left out objects it reported errors in, so the check then does not
   * run. A check that finds what the topology holds (two endpoints with one address) runs.
   */
  default boolean needsEveryObject() {
    return false;
  }

  /** Reports every place where {@code topology} breaks the invariant. */
  void check(Topology topology, Diagnostics out);
}
