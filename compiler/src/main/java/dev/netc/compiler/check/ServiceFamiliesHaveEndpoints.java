package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.ir.Attachment;
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
import java.util.Optional;
import java.util.Set;

/**
 * A virtual address of a service leads to some endpoint: a host DNATs a service's address of a
 * family to its endpoints' addresses of that family alone, so an address of a family that none
 * of the endpoints it leads to has an address of is in every hosts file (a client may try it
 * first) and reaches nothing. Judged after address management, for the addresses the topology
 * gives or asks for ({@code address ipv4 ipv6}, Kubernetes' {@code ipFamilyPolicy}), not those
 * netc chose of its own accord (it chooses only families the endpoints it balances to have,
 * {@link Service#balancedBy}). A service
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
        List<Attachment> by = s.balancedBy(e, networks);
        if (!by.isEmpty()) {
          leads.add(e);
        }
        for (Attachment a : by) {
          nets.add(a.network());
          a.addresses().forEach(x -> have.add(x.family()));
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
        Diagnostic d = Diagnostic.of(Code.NETC229, s.assigned().contains(a) ? s.familySpan(f) : s.addressSpan(a),
                "service `" + s.name() + "` has an " + f.label() + " address, but none of the endpoints it"
                    + " leads to has an " + f.label() + " address: connections to it over " + f.label() + " fail")
            .withRelated(first.span(), Names.kind(first) + " `" + Names.declared(first) + "` is one of them: "
                + unreached(s, first, f, networks).map(why -> "its " + f.label() + " address is " + why)
                    .orElse("it has no " + f.label() + " address"));
        // and the first other endpoint it selects that has an address of the family the host does
        // not balance to: one it gives no share, or one with that address on macvlan only (not
        // another replica of the first)
        for (Endpoint e : t.endpoints()) {
          boolean same = Names.declared(e).equals(Names.declared(first)) && e.span().equals(first.span());
          Optional<String> why = same ? Optional.empty() : unreached(s, e, f, networks);
          if (why.isPresent()) {
            d = d.withRelated(e.span(), Names.kind(e) + " `" + Names.declared(e) + "` has an " + f.label()
                + " address, but " + why.get());
            break;
          }
        }
        out.add(d.withHint(hint(Names.input(s.span()), s, f, other, new ArrayList<>(nets))));
      }
    }
  }

  /**
   * Why an endpoint that the service selects and that has an address of {@code f} is not one it
   * leads to in {@code f}: it gets no share of the connections, or has its address of {@code f}
   * on a macvlan network only (the host's DNAT does not reach it there, NETC408); empty when it
   * is not such an endpoint.
   */
  private static Optional<String> unreached(Service s, Endpoint e, IpAddress.Family f, Map<String, Network> networks) {
    if (e.mode() != NetMode.BRIDGE || !e.namespace().equals(s.namespace()) || !s.selector().matches(e.labels())
        || s.balancedBy(e, networks).stream().anyMatch(a -> a.addresses().stream().anyMatch(x -> x.family() == f))) {
      return Optional.empty();
    }
    Optional<Attachment> of = e.attachments().stream()
        .filter(a -> a.addresses().stream().anyMatch(x -> x.family() == f)).findFirst();
    if (of.isEmpty()) {
      return Optional.empty();
    }
    if (!s.balancesTo(e.labels())) {
      return Optional.of((s.backendFor(e.labels()).isEmpty() ? "it matches none of the service's backends"
          : "the first of the service's backends it matches has weight 0") + ": it gets none of its connections");
    }
    return Optional.of("on macvlan network `" + of.get().network() + "`, which its host does not reach"
        + " (the service's DNAT forwards over bridge and overlay networks only)");
  }

  /** The way out, in the words of the input: a subnet of the family, or a service without it. */
  private static String hint(Frontends.Input input, Service s, IpAddress.Family f, IpAddress.Family other,
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
