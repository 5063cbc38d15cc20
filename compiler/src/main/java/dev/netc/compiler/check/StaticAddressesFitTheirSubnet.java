package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Topology;

/** A static address lies inside its network's subnet of the same family. */
final class StaticAddressesFitTheirSubnet implements Check {
  @Override
  public Code code() {
    return Code.NETC211;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    for (StaticAddresses s : StaticAddresses.of(t)) {
      if (s.subnet().isEmpty() || s.subnet().get().cidr().contains(s.address())) {
        continue;
      }
      boolean declared = !s.subnet().get().chosen();
      String hint = declared
          ? "use an address of `" + s.subnet().get().cidr() + "`, or leave it out to get one from the pool"
          : "network `" + s.network().name() + "` declares no subnet and was given `"
              + s.subnet().get().cidr() + "`: declare the `subnet` the address belongs to";
      out.add(Diagnostic.of(Code.NETC211, s.attachment().span(), "address `" + s.address()
              + "` of `" + s.endpoint().name() + "` is outside subnet `" + s.subnet().get().cidr()
              + "` of network `" + s.network().name() + "`")
          .withHint(hint));
    }
  }
}
