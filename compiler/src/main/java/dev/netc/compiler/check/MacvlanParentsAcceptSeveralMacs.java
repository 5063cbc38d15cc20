package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Driver;
import dev.netc.compiler.ir.MacvlanMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Topology;

/**
 * The parent interface of a macvlan network accepts several MAC addresses: each member sends
 * with a MAC address of its own, which the host's switch port, hypervisor or cloud network must
 * let through (promiscuous mode, MAC spoofing). Many clouds and hypervisors forbid it by default,
 * and the compiler cannot see the parent, so this is a note. {@code passthru} mode, where one
 * member takes the parent over, is not reported.
 */
final class MacvlanParentsAcceptSeveralMacs implements Check {
  @Override
  public Code code() {
    return Code.NETC407;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    for (Network n : t.networks()) {
      if (n.driver() != Driver.MACVLAN || n.macvlan().isEmpty()
          || n.macvlan().get().mode() == MacvlanMode.PASSTHRU) {
        continue;
      }
      String parent = n.macvlan().get().parent();
      out.add(Diagnostic.of(Code.NETC407, n.span(), "macvlan network `" + n.name()
              + "` needs its parent interface `" + parent + "` to accept several MAC addresses"
              + " (promiscuous mode), which many clouds and hypervisors forbid")
          .withHint("allow promiscuous mode or MAC spoofing for `" + parent + "` on the"
              + " hypervisor or cloud network, or use a `bridge` network with published ports"));
    }
  }
}
