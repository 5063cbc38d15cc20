package dev.netc.backends.iproute2;

import dev.netc.backends.plan.Address;
import dev.netc.backends.plan.EndpointPlan;
import dev.netc.backends.plan.FdbEntry;
import dev.netc.backends.plan.XfrmPolicy;
import dev.netc.backends.plan.XfrmState;
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
    Map<String, String> describeMacvlan = new HashMap<>();
    for (EndpointPlan p : h.endpoints()) {
      for (EndpointPlan.Interface i : p.interfaces()) {
        describe.put(i.veth(), "endpoint " + p.endpoint() + ": " + i.eth() + " on network " + i.network());
        describeMacvlan.put(p.namespace().orElse("") + "/" + i.eth(),
            "endpoint " + p.endpoint() + ": " + i.eth() + " on macvlan network " + i.network());
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
        host.add(new IpBatch.Line("link add " + l.name() + l.mac().map(m -> " address " + m).orElse("") + mtu(l)
            + " type bridge", l.id(),
            "network " + h.bridges().stream().filter(b -> b.name().equals(l.name())).findFirst().orElseThrow().network()));
        host.add(new IpBatch.Line("link set " + l.name() + " alias " + l.alias(), l.id(), ""));
        for (Address a : addressesOf.getOrDefault(hostNs + "/" + l.name(), List.of())) {
          host.add(address(a));
        }
        host.add(new IpBatch.Line("link set " + l.name() + " up", l.id(), ""));
      }
    }
    for (Link l : linksIn.getOrDefault(hostNs, List.of())) {
      if (l.params().orElse(null) instanceof Link.Vxlan v) {
        host.add(new IpBatch.Line("link add " + l.name() + mtu(l) + " type vxlan id " + v.vni() + " dstport " + v.port()
            + v.local().map(a -> " local " + a).orElse("") + v.device().map(d -> " dev " + d).orElse("")
            + " nolearning", l.id(), "the tunnel of overlay network "
            + h.bridges().stream().filter(b -> b.name().equals(l.master().orElseThrow())).findFirst().orElseThrow().network()
            + ": VNI " + v.vni() + ", UDP port " + v.port() + ", no learning (the forwarding entries are static)"));
        host.add(new IpBatch.Line("link set " + l.name() + " alias " + l.alias(), l.id(), ""));
        host.add(new IpBatch.Line("link set " + l.name() + " master " + l.master().orElseThrow(), l.id(), ""));
        host.add(new IpBatch.Line("link set " + l.name() + " up", l.id(), ""));
      }
    }
    for (Link l : linksIn.getOrDefault(hostNs, List.of())) {
      if (l.type() == Link.Type.VETH && l.createsPeer() && l.peer().get().namespace().equals(hostNs)) {
        // a macvlan parent that the sandbox stands in for: a veth pair within the host namespace
        Link peer = Optional.ofNullable(links.get(l.peer().get())).orElseThrow();
        host.add(new IpBatch.Line("link add " + l.name() + " type veth peer name " + peer.name(), l.id(),
            "macvlan parent " + l.name() + " (in a sandbox, a veth pair stands for the host's interface)"));
        for (Link x : List.of(l, peer)) {
          host.add(new IpBatch.Line("link set " + x.name() + " alias " + x.alias(), x.id(), ""));
          host.add(new IpBatch.Line("link set " + x.name() + " up", x.id(), ""));
        }
      } else if (l.params().orElse(null) instanceof Link.Vlan v) {
        host.add(new IpBatch.Line("link add link " + v.parent() + " name " + l.name() + " type vlan id " + v.id(), l.id(),
            "macvlan parent " + l.name() + ": VLAN " + v.id() + " of trunk " + v.parent() + " (802.1q)"));
        host.add(new IpBatch.Line("link set " + l.name() + " alias " + l.alias(), l.id(), ""));
        host.add(new IpBatch.Line("link set " + l.name() + " up", l.id(), ""));
      }
    }
    for (Link l : linksIn.getOrDefault(hostNs, List.of())) {
      if (l.type() == Link.Type.VETH && l.createsPeer() && !l.peer().get().namespace().equals(hostNs)) {
        Link.Ref peer = l.peer().get();
        Link other = Optional.ofNullable(links.get(peer)).orElseThrow();
        String peerOpts = other.mac().map(m -> " address " + m).orElse("") + mtu(other);
        host.add(new IpBatch.Line("link add " + l.name() + mtu(l) + " type veth peer name " + peer.name()
            + peerOpts + " netns " + peer.namespace(), l.id(), Optional.ofNullable(describe.get(l.name()))
            .orElseThrow(() -> new IllegalStateException("veth without endpoint: " + l.name()))));
        host.add(new IpBatch.Line("link set " + l.name() + " alias " + l.alias(), l.id(), ""));
        // a bridge port needs no IPv6 address: without a link-local one the kernel runs no
        // duplicate address detection and adds no routes for it when the container's end comes
        // up (each route added walks the host namespace's IPv6 routes: N ports, N x N steps)
        // (a link under IPv6's minimum MTU of 1280 has no IPv6 state, and refuses the setting)
        boolean ipv6 = l.mtu().isEmpty() || l.mtu().getAsInt() >= dev.netc.compiler.ir.Network.IPV6_MIN_MTU;
        host.add(new IpBatch.Line("link set " + l.name() + " master " + l.master().get() + (ipv6 ? " addrgenmode none" : ""),
            l.id(), ""));
        if (l.hairpin()) {
          host.add(new IpBatch.Line("link set " + l.name() + " type bridge_slave hairpin on", l.id(), ""));
        }
        host.add(new IpBatch.Line("link set " + l.name() + " up", l.id(), ""));
      }
    }
    for (Link l : h.links()) {
      if (l.params().orElse(null) instanceof Link.Macvlan m) {
        host.add(new IpBatch.Line("link add link " + m.parent() + " name " + l.name() + " netns " + l.namespace()
            + l.mac().map(x -> " address " + x).orElse("") + mtu(l) + " type macvlan mode " + m.mode().label(),
            l.id(), Optional.ofNullable(describeMacvlan.get(l.namespace() + "/" + l.name()))
            .orElseThrow(() -> new IllegalStateException("macvlan without endpoint: " + l.name()))));
      }
    }
    for (XfrmState x : h.xfrmStates()) {
      host.add(new IpBatch.Line(x.command(), x.id(), x == h.xfrmStates().get(0)
          ? "IPsec (ESP, transport mode) of the encrypted overlays: the key placeholders are filled by netc apply" : ""));
    }
    for (XfrmPolicy x : h.xfrmPolicies()) {
      host.add(new IpBatch.Line(x.command(), x.id(), ""));
    }
    Optional<String> hostOpt = hostNs.isEmpty() ? Optional.empty() : Optional.of(hostNs);
    if (!host.isEmpty()) {
      out.add(new IpBatch(hostOpt,
          "the host namespace: bridges with their gateways, the host ends of the veths", host));
    }
    if (!h.fdb().isEmpty()) {
      List<IpBatch.Line> fdb = new ArrayList<>();
      for (FdbEntry f : h.fdb()) {
        fdb.add(new IpBatch.Line(f.command(), f.id(), ""));
      }
      out.add(new IpBatch(hostOpt, "the overlays' forwarding entries: every flooded frame to each other host", fdb, "bridge"));
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
        if (l.type() != Link.Type.VETH && l.type() != Link.Type.MACVLAN) {
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
