package dev.netc.backends.iproute2;

import dev.netc.backends.plan.Address;
import dev.netc.backends.plan.EndpointPlan;
import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.Link;
import dev.netc.backends.plan.Netns;
import dev.netc.backends.plan.Route;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The iproute2 plan of one host: {@code ip -batch} runs that create its desired state from
 * nothing, in an order that creates before use. First the endpoints' namespaces ({@code netns
 * add}, without {@code -n}); then, in the host namespace, the bridges with their gateway
 * addresses and the veths, each created from its host end with the container end made straight
 * in the endpoint's namespace; then, in each endpoint namespace, the loopback, the container
 * ends' addresses and the routes. Every link gets its ownership alias right after it exists.
 */
public record IpPlan(String host, List<IpBatch> batches) {
  public IpPlan {
    batches = List.copyOf(batches);
  }

  public static IpPlan of(HostState h) {
    // indexes, so that the plan of N endpoints takes time in N, not N squared
    Map<Link.Ref, Link> links = new HashMap<>();
    Map<String, List<Link>> linksIn = new HashMap<>();
    for (Link l : h.links()) {
      links.put(l.ref(), l);
      linksIn.computeIfAbsent(l.namespace(), k -> new ArrayList<>()).add(l);
    }
    Map<String, List<Address>> addressesOf = new HashMap<>();
    for (Address a : h.addresses()) {
      addressesOf.computeIfAbsent(a.namespace() + "/" + a.device(), k -> new ArrayList<>()).add(a);
    }
    Map<String, List<Route>> routesIn = new HashMap<>();
    for (Route r : h.routes()) {
      routesIn.computeIfAbsent(r.namespace(), k -> new ArrayList<>()).add(r);
    }
    Map<String, String> describe = new HashMap<>();
    for (EndpointPlan p : h.endpoints()) {
      for (EndpointPlan.Interface i : p.interfaces()) {
        describe.put(i.veth(), "endpoint " + p.endpoint() + ": " + i.eth() + " on network " + i.network());
      }
    }
    List<IpBatch> out = new ArrayList<>();
    List<IpBatch.Line> ns = new ArrayList<>();
    for (Netns n : h.namespaces()) {
      ns.add(new IpBatch.Line("netns add " + n.name(), n.id(),
          ns.isEmpty() ? "one namespace per endpoint in mode bridge or none" : ""));
    }
    if (!ns.isEmpty()) {
      out.add(new IpBatch(Optional.empty(), "the endpoints' network namespaces", ns));
    }
    String hostNs = h.hostNamespace().name();
    List<IpBatch.Line> host = new ArrayList<>();
    for (Link l : h.linksIn(hostNs)) {
      if (l.type() == Link.Type.BRIDGE) {
        host.add(new IpBatch.Line("link add " + l.name() + mtu(l) + " type bridge", l.id(),
            "network " + h.bridges().stream().filter(b -> b.name().equals(l.name())).findFirst().orElseThrow().network()));
        host.add(new IpBatch.Line("link set " + l.name() + " alias " + l.alias(), l.id(), ""));
        for (Address a : addressesOf.getOrDefault(hostNs + "/" + l.name(), List.of())) {
          host.add(address(a));
        }
        host.add(new IpBatch.Line("link set " + l.name() + " up", l.id(), ""));
      }
    }
    for (Link l : linksIn.getOrDefault(hostNs, List.of())) {
      if (l.type() == Link.Type.VETH && l.createsPeer()) {
        Link.Ref peer = l.peer().get();
        Link other = Optional.ofNullable(links.get(peer)).orElseThrow();
        String peerOpts = other.mac().map(m -> " address " + m).orElse("") + mtu(other);
        host.add(new IpBatch.Line("link add " + l.name() + mtu(l) + " type veth peer name " + peer.name()
            + peerOpts + " netns " + peer.namespace(), l.id(), Optional.ofNullable(describe.get(l.name()))
            .orElseThrow(() -> new IllegalStateException("veth without endpoint: " + l.name()))));
        host.add(new IpBatch.Line("link set " + l.name() + " alias " + l.alias(), l.id(), ""));
        host.add(new IpBatch.Line("link set " + l.name() + " master " + l.master().get(), l.id(), ""));
        host.add(new IpBatch.Line("link set " + l.name() + " up", l.id(), ""));
      }
    }
    if (!host.isEmpty()) {
      out.add(new IpBatch(hostNs.isEmpty() ? Optional.empty() : Optional.of(hostNs),
          "the host namespace: bridges with their gateways, the host ends of the veths", host));
    }
    for (Netns n : h.namespaces()) {
      List<IpBatch.Line> lines = new ArrayList<>();
      List<Link> in = linksIn.getOrDefault(n.name(), List.of());
      for (Link l : in) {
        if (l.type() == Link.Type.LOOPBACK) {
          lines.add(new IpBatch.Line("link set lo alias " + l.alias(), l.id(), ""));
          lines.add(new IpBatch.Line("link set lo up", l.id(), ""));
        }
      }
      for (Link l : in) {
        if (l.type() != Link.Type.VETH) {
          continue;
        }
        lines.add(new IpBatch.Line("link set " + l.name() + " alias " + l.alias(), l.id(), ""));
        // up before its addresses (the host end is up already, so it has its carrier): each
        // prefix route is then made on a working link, and the routes through the gateway below
        // never race the kernel bringing the link's routes up (seen under load as `No route to
        // host` for an IPv6 gateway)
        lines.add(new IpBatch.Line("link set " + l.name() + " up", l.id(), ""));
        for (Address a : addressesOf.getOrDefault(n.name() + "/" + l.name(), List.of())) {
          lines.add(address(a));
        }
      }
      for (Route r : routesIn.getOrDefault(n.name(), List.of())) {
        lines.add(new IpBatch.Line("route add " + r.to() + " via " + r.via() + " dev " + r.device(), r.id(), ""));
      }
      out.add(new IpBatch(Optional.of(n.name()), "endpoint " + n.endpoint().get(), lines));
    }
    return new IpPlan(h.host(), out);
  }

  private static IpBatch.Line address(Address a) {
    return new IpBatch.Line("address add " + a.cidr() + " dev " + a.device() + (a.nodad() ? " nodad" : ""),
        a.id(), "");
  }

  private static String mtu(Link l) {
    return l.mtu().isPresent() ? " mtu " + l.mtu().getAsInt() : "";
  }
}
