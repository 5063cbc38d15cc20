package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Direction;
import dev.netc.compiler.ir.Driver;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Host;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Service;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A service's clients run on a host with its endpoints: a host balances a service's virtual
 * address over its own endpoints only (docs/kernel-plan.md, "Services"), while the model lets a
 * client reach every endpoint the service selects, whatever its host. A service is reported once
 * when the model admits some client, through its virtual address, to an endpoint of it on
 * another host: from a client's host without an endpoint of it the virtual address leads
 * nowhere, and from one with endpoints it leads to those alone. Only topologies of several hosts
 * (a {@code .netc} file with {@code host} declarations and {@code on}) can have it.
 */
final class ServiceClientsRunBesideItsEndpoints implements ModelCheck {
  @Override
  public Code code() {
    return Code.NETC409;
  }

  /** A connection the model admits through the service and the kernel does not realise. */
  private record Pair(Node client, Node endpoint) {}

  @Override
  public void check(Reachability m, Diagnostics out) {
    Topology t = m.topology();
    if (t.hosts().size() < 2 || t.services().isEmpty()) {
      return;
    }
    Map<String, Network> networks = new HashMap<>();
    t.networks().forEach(n -> networks.put(n.name(), n));
    for (Service s : t.services()) {
      // the endpoints a host balances the service to: those it gives a share (Service#balancesTo)
      // in mode bridge, on a bridge or overlay network (the host does not reach its macvlan members)
      List<Node> endpoints = m.nodes().stream().filter(Node::isEndpoint).filter(n -> {
        Endpoint e = n.endpoint().get();
        return e.mode() == NetMode.BRIDGE && e.namespace().equals(s.namespace()) && s.balancesTo(e.labels())
            && e.attachments().stream().map(a -> networks.get(a.network()))
                .anyMatch(x -> x != null && x.driver() != Driver.MACVLAN);
      }).toList();
      if (endpoints.isEmpty()) {
        continue;
      }
      List<PortSpec> ports = s.ports().stream()
          .map(p -> new PortSpec(PortRange.of(p.targetPort()), p.protocol())).distinct().toList();
      // an endpoint whose policies admit no ingress on a port is reached by no client on it
      Map<Node, List<PortSpec>> open = new LinkedHashMap<>();
      for (Node e : endpoints) {
        List<PortSpec> admitted = ports.stream().filter(port -> admitsIngress(m, e, port)).toList();
        if (!admitted.isEmpty()) {
          open.put(e, admitted);
        }
      }
      Set<String> withEndpoints = new LinkedHashSet<>();
      for (Host h : t.hosts()) {
        if (endpoints.stream().anyMatch(n -> n.host().get().equals(h.name()))) {
          withEndpoints.add(h.name());
        }
      }
      // per host, the first client that reaches an endpoint of another host through the service
      Map<String, Pair> missed = new LinkedHashMap<>();
      for (Host h : t.hosts()) {
        first(m, h.name(), open).ifPresent(p -> missed.put(h.name(), p));
      }
      if (!missed.isEmpty()) {
        out.add(report(s, withEndpoints, missed));
      }
    }
  }

  /** The first client on {@code host} that the model admits to an endpoint of another host. */
  private static Optional<Pair> first(Reachability m, String host, Map<Node, List<PortSpec>> endpoints) {
    for (Node c : m.nodes()) {
      if (!c.isEndpoint() || !c.host().get().equals(host)) {
        continue;
      }
      for (Map.Entry<Node, List<PortSpec>> x : endpoints.entrySet()) {
        Node e = x.getKey();
        if (e.host().get().equals(host)) {
          continue;
        }
        for (PortSpec port : x.getValue()) {
          if (m.serviceAllowed(c, e, port)) {
            return Optional.of(new Pair(c, e));
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Whether the policies of {@code e} may admit some connection on {@code port}: it is not
   * isolated for ingress, or an allow ingress rule of a policy that selects it covers the port.
   */
  private static boolean admitsIngress(Reachability m, Node e, PortSpec port) {
    if (m.isolatedBy(e, Direction.INGRESS).isEmpty()) {
      return true;
    }
    for (Policy p : m.policiesSelecting(e)) {
      for (Policy.Rule r : p.rules()) {
        if (r.action() == Policy.Action.ALLOW && r.direction() == Direction.INGRESS && Reachability.portMatches(r, port)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Diagnostic report(Service s, Set<String> withEndpoints, Map<String, Pair> missed) {
    List<String> without = new ArrayList<>();
    List<String> clients = new ArrayList<>();
    missed.forEach((host, p) -> {
      if (!withEndpoints.contains(host)) {
        without.add(host);
        clients.add(p.client().name());
      }
    });
    String has = quoted(new ArrayList<>(withEndpoints));
    Pair shown;
    String message;
    String hint;
    if (!without.isEmpty()) {
      shown = missed.get(without.get(0));
      boolean one = without.size() == 1;
      message = "service `" + s.name() + "` has no endpoint on host" + (one ? " " : "s ") + quoted(without)
          + ", where " + quoted(clients) + " may connect to it: a host balances a service over its own endpoints"
          + " only, so its virtual address leads nowhere from " + (one ? "there" : "those hosts")
          + " (its endpoints run on " + has + ")";
      hint = "run an endpoint of `" + s.name() + "` on " + quoted(without) + " too, so that each host serves its own"
          + " clients, or reach its endpoints on "
          + has + " through a node port of `" + s.name() + "` (or a port they publish) at their host's underlay"
          + " address, where policy sees the client's host rather than the client";
    } else {
      shown = missed.values().iterator().next();
      message = "service `" + s.name() + "` has endpoints on hosts " + has + ", but a host balances a service"
          + " over its own endpoints only: through its virtual address, `" + shown.client().name() + "` on `"
          + shown.client().host().get() + "` never reaches `" + shown.endpoint().name() + "` on `"
          + shown.endpoint().host().get() + "`";
      hint = "if each host is to serve its own clients, suppress this with that reason; otherwise reach the"
          + " endpoints of another host through a node port of `" + s.name() + "` (or a port they publish) at"
          + " that host's underlay address, where policy sees the client's host rather than the client";
    }
    Endpoint client = shown.client().endpoint().get();
    Endpoint endpoint = shown.endpoint().endpoint().get();
    return Diagnostic.of(Code.NETC409, s.span(), message)
        .withRelated(client.span(), "`" + client.name() + "` may connect to it from host `" + client.host() + "`")
        .withRelated(endpoint.span(), "`" + endpoint.name() + "` is selected by it on host `" + endpoint.host() + "`")
        .withHint(hint);
  }

  private static String quoted(List<String> names) {
    return String.join(", ", names.stream().map(n -> "`" + n + "`").toList());
  }
}
