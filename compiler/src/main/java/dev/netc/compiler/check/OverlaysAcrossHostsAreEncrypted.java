package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Driver;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Topology;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An overlay network whose members run on two or more hosts is {@code encrypted}: otherwise its
 * VXLAN packets, and every connection inside them, cross the underlay in clear, readable and
 * forgeable by anything on the path between the hosts.
 */
final class OverlaysAcrossHostsAreEncrypted implements Check {
  @Override
  public Code code() {
    return Code.NETC406;
  }

  private record Member(Endpoint endpoint, Attachment attachment) {}

  @Override
  public void check(Topology t, Diagnostics out) {
    for (Network n : t.networks()) {
      if (n.driver() != Driver.OVERLAY || n.overlay().map(o -> o.encrypted()).orElse(false)) {
        continue;
      }
      Map<String, Member> firstOnHost = new LinkedHashMap<>();
      for (Endpoint e : t.endpoints()) {
        for (Attachment a : e.attachments()) {
          if (a.network().equals(n.name())) {
            firstOnHost.putIfAbsent(e.host(), new Member(e, a));
          }
        }
      }
      if (firstOnHost.size() < 2) {
        continue;
      }
      List<String> hosts = firstOnHost.keySet().stream().map(h -> "`" + h + "`").toList();
      Diagnostic d = Diagnostic.of(Code.NETC406, n.span(), "overlay network `" + n.name()
          + "` spans hosts " + String.join(", ", hosts) + " but is not `encrypted`, so its"
          + " traffic crosses the underlay in clear");
      for (Member m : firstOnHost.values().stream().limit(2).toList()) {
        d = d.withRelated(m.attachment().span(), "`" + Names.declared(m.endpoint())
            + "` joins it on host `" + m.endpoint().host() + "`");
      }
      out.add(d.withHint("add `encrypted` to the network (IPsec between the hosts); if the"
          + " underlay is trusted, suppress this with the reason"));
    }
  }
}
