package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Peer;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.model.Reachability;
import java.util.List;

/** Every endpoint peer of a rule matches at least one endpoint; otherwise it admits or denies nothing. */
final class PeersMatchSomething implements ModelCheck {
  @Override
  public Code code() {
    return Code.NETC304;
  }

  @Override
  public void check(Reachability m, Diagnostics out) {
    for (Policy p : m.topology().policies()) {
      for (Policy.Rule r : p.rules()) {
        for (Peer peer : r.peers()) {
          if (peer.kind() != Peer.Kind.ENDPOINTS) {
            continue;
          }
          boolean any = m.peerMatchesAnyEndpoint(peer, p);
          if (!any) {
            out.add(Diagnostic.of(Code.NETC304, r.span(), "a peer of this " + r.action().name().toLowerCase(java.util.Locale.ROOT)
                    + " rule of policy `" + p.name() + "` matches no endpoint"
                    + (peer.namespaces().isEmpty() && !p.namespace().isEmpty()
                        ? " of namespace `" + p.namespace() + "`" : ""))
                .withHint(peer.namespaces().isEmpty() && !p.namespace().isEmpty()
                    ? "a peer without `namespace` means the policy's own namespace; add `namespace ...` for others"
                    : "check the peer's labels against the endpoints' `labels`"));
          }
        }
      }
    }
  }
}
