package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.source.Span;
import java.util.HashSet;
import java.util.Set;

/**
 * No endpoint sits on the {@code default} network, which an endpoint with no {@code attach}
 * joins: like Docker's default bridge it has no name resolution, and it puts every such endpoint
 * of the host on one network, whether they need each other or not. Reported once per
 * declaration, at its name (or at its {@code attach default}); in a Compose file, at its {@code
 * network_mode: bridge}, in Compose's words.
 */
final class EndpointsAvoidTheDefaultNetwork implements Check {
  @Override
  public Code code() {
    return Code.NETC405;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    Set<Span> seen = new HashSet<>();
    for (Endpoint e : t.endpoints()) {
      for (Attachment a : e.attachments()) {
        if (!a.network().equals(Network.DEFAULT) || !seen.add(a.span())) {
          continue;
        }
        if (Names.input(a.span()) == Frontends.Input.COMPOSE) {
          // `network_mode: bridge` (or a network that is Docker's `bridge`): a service without
          // `networks` is on the project's default network, which is not this one
          out.add(Diagnostic.of(Code.NETC405, a.span(), Names.kind(e) + " `" + Names.declared(e)
                  + "` is on Docker's default bridge network: names do not resolve there,"
                  + " and every container on it shares it")
              .withHint("declare a network for the services that talk to each other under the"
                  + " top-level `networks`, and list it in their `networks` instead"));
          continue;
        }
        // the implicit attachment's span is the endpoint's name; an explicit one starts `attach `
        boolean explicit = a.span().text().matches("(?s)attach\\s.*");
        String how = explicit ? " is attached to" : " has no `attach`, so it joins";
        out.add(Diagnostic.of(Code.NETC405, a.span(), Names.kind(e) + " `" + Names.declared(e)
                + "`" + how + " the `default` network: names do not resolve there,"
                + " and every endpoint without an `attach` shares it")
            .withHint("declare a network for the endpoints that talk to each other, and"
                + " `attach` to it"));
      }
    }
  }
}
