package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Driver;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.MacvlanMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Topology;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A macvlan network in {@code passthru} mode gives its parent interface whole to one member:
 * the kernel refuses a second sub-interface on that parent ({@code RTNETLINK answers: Invalid
 * argument}), and the member takes the parent's MAC address, whatever {@code mac} says. So one
 * member per host, and no {@code mac}.
 */
final class PassthruTakesItsParentWhole implements Check {
  private record Member(Endpoint endpoint, Attachment attachment) {}

  @Override
  public Code code() {
    return Code.NETC219;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    Set<String> passthru = t.networks().stream()
        .filter(n -> n.driver() == Driver.MACVLAN && n.macvlan().filter(m -> m.mode() == MacvlanMode.PASSTHRU).isPresent())
        .map(Network::name).collect(Collectors.toSet());
    if (passthru.isEmpty()) {
      return;
    }
    Map<String, Member> first = new HashMap<>();
    for (Endpoint e : t.endpoints()) {
      for (Attachment a : e.attachments()) {
        if (!passthru.contains(a.network())) {
          continue;
        }
        Member prev = first.putIfAbsent(a.network() + "|" + e.host(), new Member(e, a));
        if (prev != null) {
          out.add(Diagnostic.of(Code.NETC219, a.span(), "`" + e.name() + "` and `" + prev.endpoint().name()
                  + "` are both on passthru macvlan network `" + a.network() + "`"
                  + (e.host().equals(dev.netc.compiler.ir.Host.IMPLICIT) ? "" : " on host `" + e.host() + "`") + ", which gives its parent to one member")
              .withRelated(prev.attachment().span(), "`" + prev.endpoint().name() + "` takes the parent here")
              .withHint("use `mode bridge` for several members, or give each member a network of its own parent"));
        } else if (a.mac().isPresent()) {
          out.add(Diagnostic.of(Code.NETC219, a.span(), "`" + e.name() + "` is on passthru macvlan network `"
                  + a.network() + "`, which gives it its parent's MAC address, not `" + a.mac().get() + "`")
              .withHint("leave `mac` out, or set the MAC address of the parent itself"));
        }
      }
    }
  }
}
