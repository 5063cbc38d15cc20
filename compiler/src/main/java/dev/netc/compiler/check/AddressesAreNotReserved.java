package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.ir.Topology;

/**
 * No endpoint takes its subnet's network address, IPv4 broadcast address or gateway: the
 * kernel and the other members already use them.
 */
final class AddressesAreNotReserved implements Check {
  @Override
  public Code code() {
    return Code.NETC213;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    for (StaticAddresses s : StaticAddresses.of(t)) {
      if (s.subnet().isEmpty()) {
        continue;
      }
      Subnet sub = s.subnet().get();
      IpAddress a = s.address();
      String role = null;
      if (a.equals(sub.gateway())) {
        role = "gateway";
      } else if (a.equals(sub.cidr().address()) && sub.cidr().prefix() < a.family().bits() - 1) {
        role = "network address";
      } else if (StaticAddresses.broadcast(sub).map(a::equals).orElse(false)) {
        role = "broadcast address";
      }
      if (role != null) {
        out.add(Diagnostic.of(Code.NETC213, s.attachment().span(), "address `" + a + "` of `"
                + s.endpoint().name() + "` is the " + role + " of network `" + s.network().name() + "`")
            .withHint("pick another address of `" + sub.cidr() + "`"));
      }
    }
  }
}
