package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Host;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Topology;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * No two hosts declare one underlay address: each host's tunnels (VXLAN, and IPsec when
 * encrypted) are addressed to the other hosts' underlay addresses, so a shared one sends one
 * host's overlay traffic to the other, or back to itself.
 */
final class UnderlaysAreUnique implements Check {
  @Override
  public Code code() {
    return Code.NETC224;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    Map<IpAddress, Host> first = new LinkedHashMap<>();
    for (Host h : t.hosts()) {
      if (h.underlay().isEmpty()) {
        continue;
      }
      Host earlier = first.putIfAbsent(h.underlay().get(), h);
      if (earlier != null) {
        out.add(Diagnostic.of(Code.NETC224, h.span(), "hosts `" + earlier.name() + "` and `" + h.name()
                + "` have one underlay address, `" + h.underlay().get() + "`")
            .withRelated(earlier.span(), "host `" + earlier.name() + "` has it already")
            .withHint("give each host the address it has on the network between the hosts"));
      }
    }
  }
}
