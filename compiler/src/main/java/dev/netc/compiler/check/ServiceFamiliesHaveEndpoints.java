package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Driver;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Service;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Reachability;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A virtual address of a service leads to some endpoint: a host DNATs a service's address of a
 * family to its endpoints' addresses of that family alone, so an address of a family that none
 * of the endpoints it leads to has an address of is in every hosts file (a client may try it
 * first) and reaches nothing. Judged after address management, for the addresses the topology
 * gives or asks for ({@code address ipv4 ipv6}, Kubernetes' {@code ipFamilyPolicy}), not those
 * netc chose of its own accord (it chooses only families the selected endpoints have). A service
 * that leads to no endpoint with an address at all is not judged here.
 */
final class ServiceFamiliesHaveEndpoints implements ModelCheck {
  @Override
  public Code code() {
    return Code.NETC229;
  }

  @Override
  public void check(Reachability m, Diagnostics out) {
    Topology t = m.topology();
    Map<String, Network> networks = new HashMap<>();
    t.networks().forEach(n -> networks.put(n.name(), n));
    for (Service s : t.services()) {
      // the endpoints a host balances the service to (as ServicePlanner does): those it gives a
      // share, in mode bridge, by their addresses on a bridge or overlay network (a host does not
      // reach its macvlan members)
      List<Endpoint> leads = new ArrayList<>();
      Set<IpAddress.Family> have = new LinkedHashSet<>();
      Set<String> nets = new LinkedHashSet<>();
      for (Endpoint e : t.endpoints()) {
        if (e.mode() != NetMode.BRIDGE || !e.namespace().equals(s.namespace()) || !s.balancesTo(e.labels())) {
          continue;
        }
        boolean any = false;
        for (Attachment a : e.attachments()) {
          Network n = networks.get(a.network());
          if (n == null || n.driver() == Driver.MACVLAN || a.addresses().isEmpty()) {
            continue;
          }
          any = true;
          nets.add(a.network());
          a.addresses().forEach(x -> have.add(x.family()));
        }
        if (any) {
          leads.add(e);
        }
      }
      if (leads.isEmpty()) {
        continue;
      }
      for (IpAddress a : s.addresses()) {
        IpAddress.Family f = a.family();
        boolean asked = !s.assigned().contains(a) || s.families().contains(f);
        if (!asked || have.contains(f)) {
          continue;
        }
        IpAddress.Family other = f == IpAddress.Family.V4 ? IpAddress.Family.V6 : IpAddress.Family.V4;
        Endpoint first = leads.get(0);
        out.add(Diagnostic.of(Code.NETC229, s.assigned().contains(a) ? s.familySpan(f) : s.addressSpan(a),
                "service `" + s.name() + "` has an " + f.label() + " address, but none of the endpoints it"
                    + " leads to has an " + f.label() + " address: connections to it over " + f.label() + " fail")
            .withRelated(first.span(), Names.kind(first) + " `" + Names.declared(first) + "` is one of them:"
                + " it has no " + f.label() + " address")
            .withHint(hint(Names.input(s.span()), s, f, other, new ArrayList<>(nets))));
      }
    }
  }

  /** The way out, in the words of the input: a subnet of the family, or a service without it. */
  private static String hint(Names.Input input, Service s, IpAddress.Family f, IpAddress.Family other,
      List<String> nets) {
    String keep = s.given().stream().filter(x -> x.family() == other).findFirst()
        .map(IpAddress::toString).orElse(other == IpAddress.Family.V4 ? "ipv4" : "ipv6");
    return switch (input) {
      case NETC, COMPOSE -> "give " + (nets.size() == 1 ? "network " : "networks ")
          + String.join(", ", nets.stream().map(n -> "`" + n + "`").toList()) + " an " + f.label()
          + " subnet, or make `" + s.name() + "` " + other.label() + "-only: `address " + keep + "`";
      case KUBERNETES -> "give the pods it selects " + f.label() + " addresses (`status.podIPs`), which gives"
          + " the pod network an " + f.label() + " subnet, or make the Service " + other.label() + "-only:"
          + " `ipFamilyPolicy: SingleStack` with `ipFamilies: [" + other.label() + "]`";
    };
  }
}
