package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Host;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Service;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.ir.Topology;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * No service's virtual address is an address the topology uses otherwise: the kernel DNATs
 * what is sent to it on the service's ports, so it must lie outside every network's subnet (where
 * it would be a member's address, the gateway, the network or broadcast address, or one that
 * address management hands out), be no host's underlay address, and belong to one service only.
 * The addresses netc chooses for services keep to this already.
 */
final class ServiceAddressesAreFree implements Check {
  @Override
  public Code code() {
    return Code.NETC226;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    Map<IpAddress, Service> taken = new HashMap<>();
    for (Service s : t.services()) {
      for (IpAddress a : s.given()) {
        Diagnostic d = inNetwork(t, s, a).or(() -> underlay(t, s, a)).orElse(null);
        Service other = taken.putIfAbsent(a, s);
        if (d == null && other != null) {
          d = Diagnostic.of(Code.NETC226, s.addressSpan(a), "address `" + a + "` of service `" + s.name()
                  + "` is the address of service `" + other.name() + "` too")
              .withRelated(other.addressSpan(a), "service `" + other.name() + "` takes it here")
              .withHint("give each service its own address, or " + leaveOut(s, a));
        }
        if (d != null) {
          out.add(d);
        }
      }
    }
  }

  private static Optional<Diagnostic> inNetwork(Topology t, Service s, IpAddress a) {
    for (Network n : t.networks()) {
      for (Subnet sub : n.subnets()) {
        if (!sub.cidr().contains(a)) {
          continue;
        }
        Diagnostic d = null;
        for (StaticAddresses st : StaticAddresses.of(t)) {
          if (st.network() == n && st.address().equals(a)) {
            d = Diagnostic.of(Code.NETC226, s.addressSpan(a), "address `" + a + "` of service `" + s.name()
                    + "` is the address of `" + st.endpoint().name() + "` on network `" + n.name() + "`")
                .withRelated(st.attachment().span(), "`" + st.endpoint().name() + "` takes it here");
            break;
          }
        }
        if (d == null && a.equals(sub.gateway())) {
          d = Diagnostic.of(Code.NETC226, s.addressSpan(a), "address `" + a + "` of service `" + s.name()
                  + "` is the gateway of network `" + n.name() + "`")
              .withRelated(n.span(), "network `" + n.name() + "` is declared here");
        }
        if (d == null) {
          d = Diagnostic.of(Code.NETC226, s.addressSpan(a), "address `" + a + "` of service `" + s.name()
                  + "` is inside subnet `" + sub.cidr() + "` of network `" + n.name() + "`"
                  + (sub.chosen() ? " (netc chose it: the network declares none)" : "")
                  + ", which hands its addresses to its members")
              .withRelated(n.span(), "network `" + n.name() + "` is declared here");
        }
        return Optional.of(d.withHint("use an address outside every subnet of the topology, such as one of "
            + (a.isV4() ? "10.96.0.0/12" : "fd00:10:96::/112") + ", or " + leaveOut(s, a)));
      }
    }
    return Optional.empty();
  }

  /** The hint's way out: the field to leave out is {@code address} in .netc, {@code clusterIP} in Kubernetes YAML. */
  private static String leaveOut(Service s, IpAddress a) {
    String path = s.addressSpan(a).file().path();
    boolean yaml = path.endsWith(".yaml") || path.endsWith(".yml");
    return yaml ? "leave `clusterIP` out and netc chooses one" : "leave `address` out and netc chooses one";
  }

  private static Optional<Diagnostic> underlay(Topology t, Service s, IpAddress a) {
    for (Host h : t.hosts()) {
      if (h.underlay().isPresent() && h.underlay().get().equals(a)) {
        return Optional.of(Diagnostic.of(Code.NETC226, s.addressSpan(a), "address `" + a + "` of service `"
                + s.name() + "` is the underlay address of host `" + h.name() + "`")
            .withRelated(h.span(), "host `" + h.name() + "` is declared here")
            .withHint("use an address that no host has, such as one of "
                + (a.isV4() ? "10.96.0.0/12" : "fd00:10:96::/112") + ", or " + leaveOut(s, a)));
      }
    }
    return Optional.empty();
  }
}
