package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Topology;
import java.util.HashMap;
import java.util.Map;

/** No two endpoints of one network have the same static address. */
final class AddressesAreUnique implements Check {
  @Override
  public Code code() {
    return Code.NETC212;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    Map<String, StaticAddresses> first = new HashMap<>();
    for (StaticAddresses s : StaticAddresses.of(t)) {
      StaticAddresses prev = first.putIfAbsent(s.network().name() + "|" + s.address(), s);
      if (prev != null) {
        out.add(Diagnostic.of(Code.NETC212, s.attachment().span(), "`" + s.endpoint().name()
                + "` and `" + prev.endpoint().name() + "` both have address `" + s.address()
                + "` on network `" + s.network().name() + "`")
            .withRelated(prev.attachment().span(), "`" + prev.endpoint().name() + "` takes it here")
            .withHint("give each endpoint its own address, or leave one out to get it from the pool"));
      }
    }
  }
}
