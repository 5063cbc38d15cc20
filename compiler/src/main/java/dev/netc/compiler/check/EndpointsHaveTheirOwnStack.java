package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.source.Span;
import java.util.HashSet;
import java.util.Set;

/**
 * Every endpoint has a network stack of its own: one in {@code host} mode shares the host's whole
 * stack (its interfaces, addresses, ports and firewall), so nothing isolates it from the host and
 * no policy can apply to it. Reported once per declaration, not per replica.
 */
final class EndpointsHaveTheirOwnStack implements Check {
  @Override
  public Code code() {
    return Code.NETC401;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    Set<Span> seen = new HashSet<>();
    for (Endpoint e : t.endpoints()) {
      if (e.mode() != NetMode.HOST || !seen.add(e.span())) {
        continue;
      }
      Diagnostic d = Diagnostic.of(Code.NETC401, e.span(), Names.kind(e) + " `" + Names.declared(e)
          + "` runs in `host` mode: it shares the host's whole network stack, nothing isolates it"
          + " from the host, and no policy can apply to it");
      for (Policy p : t.policies()) {
        if (p.namespace().equals(e.namespace()) && p.selector().matches(e.labels())) {
          d = d.withRelated(p.span(), "policy `" + p.name() + "` selects it, but cannot apply");
        }
      }
      out.add(d.withHint(hint(Names.input(e.span()))));
    }
  }

  /** The way out, in the words of the input: its mode is {@code network_mode} in Compose, {@code hostNetwork} in Kubernetes. */
  private static String hint(Frontends.Input input) {
    return switch (input) {
      case NETC -> "attach it to a network and publish the ports it serves; if it must see"
          + " the host's interfaces, keep `mode host` and suppress this with the reason";
      case COMPOSE -> "give it a network of the project instead of `network_mode: host` (or of Docker's external"
          + " `host` network), and publish the ports it serves in its `ports`; if it must see the host's"
          + " interfaces, keep it in the host's stack and suppress this with the reason";
      // (said where: the finding is at the object's name, so a comment on the hostNetwork line misses it)
      case KUBERNETES -> "drop `hostNetwork: true` and reach it through a Service; if it must see the"
          + " node's interfaces, keep `hostNetwork: true` and suppress this with the reason, in a"
          + " `# netc:ignore NETC401 \"why\"` line above the object";
    };
  }
}
