package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.ir.Topology;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Networks that meet on one host have disjoint subnets: the host routes to each network's
 * subnet through that network's bridge, so an overlap makes part of one network unreachable.
 * An overlay meets every host it spans. Runs in O(n log n) per host (a sweep over sorted
 * prefixes), not over all pairs.
 */
final class NoOverlappingSubnets implements Check {
  @Override
  public Code code() {
    return Code.NETC210;
  }

  private record Entry(Subnet subnet, Network network) {}

  @Override
  public void check(Topology t, Diagnostics out) {
    Set<String> reported = new HashSet<>();
    for (Map.Entry<String, List<Network>> host : Placement.networksByHost(t).entrySet()) {
      List<Entry> entries = new ArrayList<>();
      host.getValue().forEach(n -> n.subnets().forEach(s -> entries.add(new Entry(s, n))));
      entries.sort(Comparator.comparing((Entry e) -> e.subnet().cidr()));
      Entry widest = null;
      for (Entry e : entries) {
        if (widest != null && widest.subnet().cidr().family() == e.subnet().cidr().family()
            && widest.subnet().cidr().last().compareTo(e.subnet().cidr().address()) >= 0) {
          Entry first = widest.network().span() != null && e.network().span() != null
              && e.network().span().compareTo(widest.network().span()) < 0 ? e : widest;
          Entry second = first == widest ? e : widest;
          if (reported.add(first.network().name() + "|" + second.network().name())) {
            report(out, first, second, host.getKey());
          }
        }
        if (widest == null || widest.subnet().cidr().family() != e.subnet().cidr().family()
            || e.subnet().cidr().last().compareTo(widest.subnet().cidr().last()) > 0) {
          widest = e;
        }
      }
    }
  }

  private static void report(Diagnostics out, Entry first, Entry second, String host) {
    Diagnostic d = Diagnostic.of(Code.NETC210, second.network().span(), "subnet `"
            + second.subnet().cidr() + "` of network `" + second.network().name()
            + "` overlaps `" + first.subnet().cidr() + "` of network `" + first.network().name()
            + "`, and both are on host `" + host + "`")
        .withHint("give one of them a subnet that does not overlap");
    if (first.network().span() != null) {
      d = d.withRelated(first.network().span(), "network `" + first.network().name() + "` is declared here");
    }
    out.add(d);
  }
}
