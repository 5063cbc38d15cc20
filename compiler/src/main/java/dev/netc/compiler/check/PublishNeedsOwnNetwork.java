package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Topology;
import java.util.HashSet;
import java.util.Set;

/**
 * Published ports belong to endpoints with a network of their own: in {@code host} mode the
 * process already listens on the host, in {@code none} mode nothing can reach it. Docker
 * ignores them with a warning; so does netc.
 */
final class PublishNeedsOwnNetwork implements Check {
  @Override
  public Code code() {
    return Code.NETC221;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    Set<Publish> seen = new HashSet<>();
    for (Endpoint e : t.endpoints()) {
      if (e.mode() == NetMode.BRIDGE) {
        continue;
      }
      for (Publish p : e.publishes()) {
        if (!seen.add(p)) {
          continue; // one report for all replicas
        }
        String why = e.mode() == NetMode.HOST
            ? "a `host` mode endpoint listens on the host's own ports already"
            : "a `none` mode endpoint has only loopback, so nothing can reach it";
        out.add(Diagnostic.of(Code.NETC221, p.span(), "this published port of `"
                + e.replicaOf().orElse(e.name()) + "` is ignored: " + why)
            .withHint("remove the `publish`, or drop `mode " + e.mode().label() + "`"));
      }
    }
  }
}
