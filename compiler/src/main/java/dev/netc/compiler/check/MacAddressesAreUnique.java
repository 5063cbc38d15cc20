package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Topology;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * No two attachments to one network fix the same MAC address: on a bridge the two ports would
 * take turns in the bridge's forwarding table (and the port filter admits each its own), on a
 * macvlan parent the two sub-interfaces could not both receive. A network is one segment on
 * every host it spans (an overlay), so the check is per network, not per host. A MAC address
 * netc derives never equals a fixed one (the plan takes another).
 */
final class MacAddressesAreUnique implements Check {
  private record Fixed(Endpoint endpoint, Attachment attachment) {}

  @Override
  public Code code() {
    return Code.NETC218;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    Map<String, Fixed> first = new HashMap<>();
    for (Endpoint e : t.endpoints()) {
      for (Attachment a : e.attachments()) {
        if (a.mac().isEmpty()) {
          continue;
        }
        String mac = a.mac().get().toLowerCase(Locale.ROOT);
        Fixed prev = first.putIfAbsent(a.network() + "|" + mac, new Fixed(e, a));
        if (prev != null) {
          out.add(Diagnostic.of(Code.NETC218, a.span(), "`" + e.name() + "` and `" + prev.endpoint().name()
                  + "` both have MAC address `" + mac + "` on network `" + a.network() + "`")
              .withRelated(prev.attachment().span(), "`" + prev.endpoint().name() + "` takes it here")
              .withHint("give each attachment its own MAC address, or leave `mac` out: netc derives one"
                  + " (02:42 and the IPv4 address, as Docker does)"));
        }
      }
    }
  }
}
