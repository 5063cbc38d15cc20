package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.ir.Topology;

/**
 * A network's gateway, pool and reserved addresses lie inside the subnet they belong to, and the
 * gateway is an address an interface can hold: not the subnet's network address, nor its IPv4
 * broadcast address (a default route through that one sends every packet as a broadcast).
 */
final class GatewaysAndPoolsFitTheirSubnet implements Check {
  @Override
  public Code code() {
    return Code.NETC216;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    for (Network n : t.networks()) {
      if (n.implicit()) {
        continue;
      }
      for (Subnet s : n.subnets()) {
        if (!s.cidr().contains(s.gateway())) {
          report(out, n, "gateway `" + s.gateway() + "`", s);
        } else if (s.gateway().equals(s.cidr().address()) && s.cidr().prefix() < s.gateway().family().bits() - 1) {
          unusable(out, n, s, "network address");
        } else if (StaticAddresses.broadcast(s).map(s.gateway()::equals).orElse(false)) {
          unusable(out, n, s, "broadcast address");
        }
        s.pool().filter(p -> !s.cidr().contains(p)).ifPresent(p -> report(out, n, "pool `" + p + "`", s));
        s.reserved().stream().filter(r -> !s.cidr().contains(r))
            .forEach(r -> report(out, n, "reserved address `" + r + "`", s));
      }
    }
  }

  private static void unusable(Diagnostics out, Network n, Subnet s, String role) {
    out.add(Diagnostic.of(Code.NETC216, n.span(), "the gateway `" + s.gateway() + "` of network `" + n.name()
            + "` is the " + role + " of its subnet `" + s.cidr() + "`, not a host's address")
        .withHint("use another address of `" + s.cidr() + "`, or leave `gateway` out (the first after the network address)"));
  }

  private static void report(Diagnostics out, Network n, String what, Subnet s) {
    out.add(Diagnostic.of(Code.NETC216, n.span(), "the " + what + " of network `" + n.name()
            + "` is not inside its subnet `" + s.cidr() + "`")
        .withHint("use a value inside `" + s.cidr() + "`"));
  }
}
