package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.source.Span;
import java.util.HashSet;
import java.util.Set;

/**
 * No published host port range is wider than {@value #MAX} ports: each port of it is open, and a
 * range that wide is nearly always broader than what the service listens on. One report per
 * declaration, not per replica. Publishes that host or none mode ignores are left to {@link
 * PublishNeedsOwnNetwork}.
 */
final class PublishedRangesAreNarrow implements Check {
  static final int MAX = 100;

  @Override
  public Code code() {
    return Code.NETC402;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    Set<Span> seen = new HashSet<>();
    for (Endpoint e : t.endpoints()) {
      if (e.mode() != NetMode.BRIDGE) {
        continue;
      }
      for (Publish p : e.publishes()) {
        if (p.hostPorts().isEmpty() || p.hostPorts().get().size() <= MAX || !seen.add(p.span())) {
          continue;
        }
        PortRange r = p.hostPorts().get();
        out.add(Diagnostic.of(Code.NETC402, p.span(), "`" + Names.declared(e) + "` publishes a"
                + " range of " + r.size() + " host ports (`" + r + "/" + p.protocol().label()
                + "`): every one is open, whether the service listens on it or not")
            .withHint("publish only the ports the service uses, at most " + MAX + " in one range"));
      }
    }
  }
}
