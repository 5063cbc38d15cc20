package dev.netc.backends.iproute2;

import dev.netc.backends.plan.Address;
import dev.netc.backends.plan.EndpointPlan;
import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.Link;
import dev.netc.backends.plan.Netns;
import dev.netc.backends.plan.Route;
import java.util.ArrayList;
import java.util.List;
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
        for (Address a : h.addresses()) {
          if (a.namespace().equals(hostNs) && a.device().equals(l.name())) {
            host.add(address(a));
          }
        }
        host.add(new IpBatch.Line("link set " + l.name() + " up", l.id(), ""));
      }
    }
    for (Link l : h.linksIn(hostNs)) {
      if (l.type() == Link.Type.VETH && l.createsPeer()) {
        Link.Ref peer = l.peer().get();
        Link other = h.links().stream().filter(x -> x.ref().equals(peer)).findFirst().orElseThrow();
        String peerOpts = other.mac().map(m -> " address " + m).orElse("") + mtu(other);
        host.add(new IpBatch.Line("link add " + l.name() + mtu(l) + " type veth peer name " + peer.name()
            + peerOpts + " netns " + peer.namespace(), l.id(), describe(h, l)));
        host.add(new IpBatch.Line("link set " + l.name() + " alias " + l.alias(), l.id(), ""));
        host.add(new IpBatch.Line("link set " + l.name() + " master " + l.master().get(), l.id(), ""));
        if (l.hairpin()) {
          host.add(new IpBatch.Line("link set " + l.name() + " type bridge_slave hairpin on", l.id(), ""));
        }
        host.add(new IpBatch.Line("link set " + l.name() + " up", l.id(), ""));
      }
    }
    if (!host.isEmpty()) {
      out.add(new IpBatch(hostNs.isEmpty() ? Optional.empty() : Optional.of(hostNs),
          "the host namespace: bridges with their gateways, the host ends of the veths", host));
    }
    for (Netns n : h.namespaces()) {
      List<IpBatch.Line> lines = new ArrayList<>();
      for (Link l : h.linksIn(n.name())) {
        if (l.type() == Link.Type.LOOPBACK) {
          lines.add(new IpBatch.Line("link set lo alias " + l.alias(), l.id(), ""));
          lines.add(new IpBatch.Line("link set lo up", l.id(), ""));
        }
      }
      for (Link l : h.linksIn(n.name())) {
        if (l.type() != Link.Type.VETH) {
          continue;
        }
        lines.add(new IpBatch.Line("link set " + l.name() + " alias " + l.alias(), l.id(), ""));
        for (Address a : h.addresses()) {
          if (a.namespace().equals(n.name()) && a.device().equals(l.name())) {
            lines.add(address(a));
          }
        }
        lines.add(new IpBatch.Line("link set " + l.name() + " up", l.id(), ""));
      }
      for (Route r : h.routes()) {
        if (r.namespace().equals(n.name())) {
          lines.add(new IpBatch.Line("route add " + r.to() + " via " + r.via() + " dev " + r.device(), r.id(), ""));
        }
      }
      out.add(new IpBatch(Optional.of(n.name()), "endpoint " + n.endpoint().get(), lines));
    }
    return new IpPlan(h.host(), out);
  }

  /** {@code endpoint web: eth0 on network front}, for the comment above a veth. */
  private static String describe(HostState h, Link hostEnd) {
    for (EndpointPlan p : h.endpoints()) {
      for (EndpointPlan.Interface i : p.interfaces()) {
        if (i.veth().equals(hostEnd.name())) {
          return "endpoint " + p.endpoint() + ": " + i.eth() + " on network " + i.network();
        }
      }
    }
    throw new IllegalStateException("veth without endpoint: " + hostEnd.name());
  }

  private static IpBatch.Line address(Address a) {
    return new IpBatch.Line("address add " + a.cidr() + " dev " + a.device() + (a.nodad() ? " nodad" : ""),
        a.id(), "");
  }

  private static String mtu(Link l) {
    return l.mtu().isPresent() ? " mtu " + l.mtu().getAsInt() : "";
  }
}
