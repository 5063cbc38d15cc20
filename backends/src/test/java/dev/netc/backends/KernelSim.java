package dev.netc.backends;

import dev.netc.backends.nftables.NftEval;
import dev.netc.backends.nftables.Ruleset;
import dev.netc.backends.plan.Address;
import dev.netc.backends.plan.Bridge;
import dev.netc.backends.plan.EndpointPlan;
import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.Link;
import dev.netc.backends.plan.Route;
import dev.netc.backends.plan.ServicePlan;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.MacvlanMode;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A simulation of one host's kernel as the plans leave it: the routes of each endpoint
 * namespace, bridging and routing in the host namespace, and the nftables table ({@link
 * NftEval}): the nat prerouting and output chains, the forward chain for bridged and routed
 * traffic, route_localnet. The host's uplink has {@code 198.18.0.1} and {@code 2001:2::1}, and
 * {@code @outside} connects from the model's {@code 198.18.0.2} and {@code 2001:2::2}, as in a
 * sandbox. A connection from A to B on port P succeeds when some destination A could use (every
 * address of B, every host address and published host port, every virtual address and port of a
 * service, every node port) delivers it to B on P.
 *
 * <p>A service's {@code numgen random} is a nondeterministic choice: a connection to a virtual
 * address or a node port has one branch per endpoint the service's map can draw (whatever its
 * share), and {@link #deliveries} gives where each branch ends. A connection reaches B when some
 * branch delivers it to B, the branch that drew B: the model's cell for a way through a service
 * is the verdict of that endpoint ({@code Reachability#serviceAllowed}), one cell per endpoint.
 * A branch that sends an endpoint's connection back to itself (hairpin) reaches it only when the
 * bridge port has hairpin mode and postrouting masquerades it (the endpoint drops a packet from
 * an address of its own). A connection routed to an endpoint succeeds only when the endpoint has
 * a route back to the address it came from.
 */
final class KernelSim {
  static final IpAddress UPLINK_V4 = IpAddress.parse("198.18.0.1").get();
  static final IpAddress UPLINK_V6 = IpAddress.parse("2001:2::1").get();
  static final IpAddress LOOP_V4 = IpAddress.parse("127.0.0.1").get();
  static final IpAddress LOOP_V6 = IpAddress.parse("::1").get();
  static final String UPLINK = "uplink0";
  static final String HOST = "@host";
  static final String OUTSIDE = "@outside";

  private final HostState h;
  private final NftEval nft;
  private final Set<IpAddress> local = new LinkedHashSet<>();
  /** Where each packet ends, by source node, destination, protocol and port: they do not depend on B. */
  private final Map<String, List<Delivery>> cache = new HashMap<>();

  /** Where a packet ends: a node (endpoint name, {@link #HOST}, {@link #OUTSIDE}) and a port. */
  record Delivery(String node, int port) {}

  /** A route of an endpoint namespace: on-link when {@code via} is empty. */
  private record Hop(String dev, Optional<IpAddress> via, int prefix) {}

  KernelSim(HostState h, Optional<Ruleset> ruleset) {
    this.h = h;
    this.nft = ruleset.map(NftEval::new).orElse(null);
    for (Address a : h.addresses()) {
      if (a.namespace().equals(h.hostNamespace().name())) {
        local.add(a.address());
      }
    }
    local.add(UPLINK_V4);
    local.add(UPLINK_V6);
    local.add(LOOP_V4);
    local.add(LOOP_V6);
  }

  /** Whether A can open a connection to B on {@code port}, by any destination A could use. */
  boolean connects(Reachability model, Node a, Node b, PortSpec port) {
    return connects(model, a, b, port, null);
  }

  /**
   * As {@link #connects(Reachability, Node, Node, PortSpec)} in family {@code f} alone (both
   * families when null): by a destination of that family.
   */
  boolean connects(Reachability model, Node a, Node b, PortSpec port, IpAddress.Family f) {
    if (a.name().equals(b.name())) {
      return true; // loopback of the namespace itself
    }
    int proto = number(port.protocol());
    String target = hostLike(b) ? HOST : b.kind() == Node.Kind.OUTSIDE ? OUTSIDE : b.name();
    Delivery want = new Delivery(target, port.range().first());
    for (IpAddress d : candidates(model, b)) {
      if (f != null && d.family() != f) {
        continue;
      }
      for (int dport : ports(port)) {
        if (deliveries(a, d, proto, dport).contains(want)) {
          return true;
        }
      }
    }
    for (IpAddress d : local) {
      if (f != null && d.family() != f) {
        continue;
      }
      for (int dport : nodePorts(port.protocol())) {
        if (deliveries(a, d, proto, dport).contains(want)) {
          return true;
        }
      }
    }
    for (ServicePlan s : h.services()) {
      for (IpAddress vip : s.addresses()) {
        if (f != null && vip.family() != f) {
          continue;
        }
        for (ServicePlan.Port p : s.ports()) {
          if (p.protocol() == port.protocol() && deliveries(a, vip, proto, p.port()).contains(want)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * Whether A's connection to a service's virtual address, on a port of the service that forwards
   * to {@code port}, reaches B on {@code port} in some branch of the service's random choice (the
   * branch that drew B), in either family: the way through the service alone.
   */
  boolean throughService(Node a, Node b, PortSpec port) {
    int proto = number(port.protocol());
    Delivery want = new Delivery(b.name(), port.range().first());
    for (ServicePlan s : h.services()) {
      for (IpAddress vip : s.addresses()) {
        for (ServicePlan.Port p : s.ports()) {
          if (p.protocol() == port.protocol() && deliveries(a, vip, proto, p.port()).contains(want)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * Where A's connection to {@code d} on {@code dport} ends, one delivery per branch of a random
   * choice that delivers it (a branch the kernel drops has none).
   */
  List<Delivery> deliveries(Node a, IpAddress d, int proto, int dport) {
    return cache.computeIfAbsent(a.name() + " " + d + " " + proto + " " + dport, k -> deliver(a, d, proto, dport));
  }

  private List<Integer> ports(PortSpec port) {
    Set<Integer> out = new LinkedHashSet<>();
    out.add(port.range().first());
    h.published().forEach(p -> out.add(p.hostPort()));
    return new ArrayList<>(out);
  }

  private List<Integer> nodePorts(Protocol protocol) {
    List<Integer> out = new ArrayList<>();
    for (ServicePlan s : h.services()) {
      for (ServicePlan.Port p : s.ports()) {
        if (p.protocol() == protocol && p.nodePort().isPresent()) {
          out.add(p.nodePort().getAsInt());
        }
      }
    }
    return out;
  }

  private List<IpAddress> candidates(Reachability model, Node b) {
    List<IpAddress> out = new ArrayList<>(local);
    if (b.kind() == Node.Kind.OUTSIDE) {
      out.add(Reachability.OUTSIDE_V4);
      out.add(Reachability.OUTSIDE_V6);
    } else if (b.isEndpoint() && b.endpoint().get().mode() == NetMode.BRIDGE) {
      out.addAll(model.addresses(b));
    }
    return out;
  }

  private static boolean hostLike(Node n) {
    return n.kind() == Node.Kind.HOST || n.endpoint().map(e -> e.mode() == NetMode.HOST).orElse(false);
  }

  static int number(Protocol p) {
    return switch (p) {
      case TCP -> 6;
      case UDP -> 17;
      case SCTP -> 132;
    };
  }

  // ------------------------------------------------------------------ one packet

  private List<Delivery> deliver(Node a, IpAddress d, int proto, int dport) {
    IpAddress.Family f = d.family();
    if (a.kind() == Node.Kind.OUTSIDE) {
      if (isLoopback(d)) {
        return List.of(); // martian
      }
      IpAddress s = f == IpAddress.Family.V4 ? Reachability.OUTSIDE_V4 : Reachability.OUTSIDE_V6;
      return routed(s, d, proto, dport, UPLINK, "");
    }
    if (hostLike(a)) {
      return fromHost(d, proto, dport);
    }
    EndpointPlan ep = h.endpoints().stream().filter(e -> e.endpoint().equals(a.name())).findFirst().orElseThrow();
    if (ep.mode() != NetMode.BRIDGE || isLoopback(d)) {
      return List.of(); // loopback only, or its own 127.0.0.1
    }
    String ns = ep.namespace().get();
    Optional<Hop> hop = route(ns, d);
    if (hop.isEmpty()) {
      return List.of();
    }
    Optional<IpAddress> src = h.addresses().stream()
        .filter(x -> x.namespace().equals(ns) && x.device().equals(hop.get().dev()) && x.address().family() == f)
        .map(Address::address).findFirst();
    if (src.isEmpty()) {
      return List.of();
    }
    EndpointPlan.Interface itf = ep.interfaces().stream().filter(i -> i.eth().equals(hop.get().dev())).findFirst().orElseThrow();
    if (itf.veth().isEmpty()) {
      // a macvlan sub-interface: the parent switches between its sub-interfaces in bridge mode
      // only, past the host's stack (no forward hook); nothing else is on-link, nothing routed
      Link mine = link(ns, itf.eth());
      if (hop.get().via().isPresent() || !(mine.params().orElseThrow() instanceof Link.Macvlan m)
          || m.mode() != MacvlanMode.BRIDGE) {
        return List.of();
      }
      for (EndpointPlan other : h.endpoints()) {
        for (EndpointPlan.Interface oi : other.interfaces()) {
          if (oi.veth().isEmpty() && oi.addresses().contains(d) && link(other.namespace().get(), oi.eth()).params()
              .filter(p -> p instanceof Link.Macvlan om && om.parent().equals(m.parent())).isPresent()) {
            return List.of(new Delivery(other.endpoint(), dport));
          }
        }
      }
      return List.of();
    }
    if (hop.get().via().isEmpty() && !local.contains(d)) {
      // on-link: bridged within the bridge, through its forward hook (br_netfilter)
      NftEval.Packet p = new NftEval.Packet(f, src.get(), d, proto, dport, itf.bridge(), itf.bridge(), false);
      if (nft != null && nft.dnatBranches("prerouting", p, local).stream().anyMatch(Optional::isPresent)) {
        throw new IllegalStateException("DNAT of bridged traffic to " + d);
      }
      if (nft != null && nft.filter("forward", p, local) != NftEval.Verdict.ACCEPT) {
        return List.of();
      }
      return owner(itf.bridge(), d).map(n -> List.of(new Delivery(n, dport))).orElse(List.of());
    }
    return routed(src.get(), d, proto, dport, itf.bridge(), itf.veth());
  }

  /**
   * A packet that the host namespace routes: prerouting DNAT (each branch of a random choice),
   * then local delivery or forward. {@code port} is the bridge port it came in by (empty from the
   * uplink).
   */
  private List<Delivery> routed(IpAddress s, IpAddress d, int proto, int dport, String iif, String port) {
    IpAddress.Family f = d.family();
    NftEval.Packet p = new NftEval.Packet(f, s, d, proto, dport, iif, "", false);
    List<Optional<NftEval.Nat>> branches = nft == null ? List.of(Optional.empty()) : nft.dnatBranches("prerouting", p, local);
    List<Delivery> out = new ArrayList<>();
    for (Optional<NftEval.Nat> nat : branches) {
      routed(s, d, proto, dport, iif, port, nat).ifPresent(out::add);
    }
    return out;
  }

  private Optional<Delivery> routed(IpAddress s, IpAddress d, int proto, int dport, String iif,
      String port, Optional<NftEval.Nat> nat) {
    IpAddress.Family f = d.family();
    IpAddress d2 = nat.map(NftEval.Nat::daddr).orElse(d);
    int port2 = nat.map(NftEval.Nat::dport).orElse(dport);
    if (local.contains(d2)) {
      return Optional.of(new Delivery(HOST, port2));
    }
    Optional<Bridge> out = bridgeOf(d2);
    String oif = out.map(Bridge::name).orElse(UPLINK);
    NftEval.Packet fwd = new NftEval.Packet(f, s, d2, proto, port2, iif, oif, nat.isPresent(), d);
    if (nft != null && nft.filter("forward", fwd, local) != NftEval.Verdict.ACCEPT) {
      return Optional.empty();
    }
    if (!sysctl("net.ipv4.ip_forward") || (f == IpAddress.Family.V6 && !sysctl("net.ipv6.conf.all.forwarding"))) {
      return Optional.empty();
    }
    if (out.isPresent()) {
      Optional<EndpointPlan> to = ownerPlan(out.get().name(), d2);
      if (to.isEmpty()) {
        return Optional.empty();
      }
      EndpointPlan.Interface in = to.get().interfaces().stream()
          .filter(i -> i.bridge().equals(out.get().name()) && i.addresses().contains(d2)).findFirst().orElseThrow();
      if (!in.veth().isEmpty() && in.veth().equals(port)
          && !link(h.hostNamespace().name(), port).hairpin()) {
        return Optional.empty(); // a bridge sends no frame back out of its port without hairpin mode
      }
      boolean masqueraded = nft != null && nft.masquerades("postrouting", fwd, local);
      if (ownAddress(to.get(), s) && !masqueraded) {
        return Optional.empty(); // the endpoint drops a packet from an address of its own (martian)
      }
      if (!masqueraded && route(to.get().namespace().get(), s).isEmpty()) {
        // the endpoint has no route for its reply to the client's address (on internal networks
        // only, the client's address on a network it is not on): the connection never completes
        return Optional.empty();
      }
      return Optional.of(new Delivery(to.get().endpoint(), port2));
    }
    boolean outside = d2.equals(Reachability.OUTSIDE_V4) || d2.equals(Reachability.OUTSIDE_V6);
    return outside && !iif.equals(UPLINK) ? Optional.of(new Delivery(OUTSIDE, port2)) : Optional.empty();
  }

  /** A connection the host itself opens: output DNAT (each branch), then local, a bridge or the uplink. */
  private List<Delivery> fromHost(IpAddress d, int proto, int dport) {
    IpAddress.Family f = d.family();
    IpAddress s = isLoopback(d) ? d : bridgeOf(d).flatMap(b -> b.subnet(f)).map(Subnet::gateway)
        .orElse(f == IpAddress.Family.V4 ? UPLINK_V4 : UPLINK_V6);
    NftEval.Packet p = new NftEval.Packet(f, s, d, proto, dport, "", "", false);
    List<Optional<NftEval.Nat>> branches = nft == null ? List.of(Optional.empty()) : nft.dnatBranches("output", p, local);
    List<Delivery> out = new ArrayList<>();
    for (Optional<NftEval.Nat> nat : branches) {
      fromHost(s, d, nat).map(x -> new Delivery(x.node(), nat.map(NftEval.Nat::dport).orElse(dport))).ifPresent(out::add);
    }
    return out;
  }

  private Optional<Delivery> fromHost(IpAddress s, IpAddress d, Optional<NftEval.Nat> nat) {
    IpAddress.Family f = d.family();
    IpAddress d2 = nat.map(NftEval.Nat::daddr).orElse(d);
    if (local.contains(d2)) {
      return Optional.of(new Delivery(HOST, 0));
    }
    Optional<Bridge> out = bridgeOf(d2);
    if (out.isPresent()) {
      if (isLoopback(s) && !(f == IpAddress.Family.V4 && sysctl("net.ipv4.conf." + out.get().name() + ".route_localnet"))) {
        return Optional.empty(); // the kernel refuses a loopback source off the loopback
      }
      return owner(out.get().name(), d2).map(n -> new Delivery(n, 0));
    }
    boolean outside = d2.equals(Reachability.OUTSIDE_V4) || d2.equals(Reachability.OUTSIDE_V6);
    return outside ? Optional.of(new Delivery(OUTSIDE, 0)) : Optional.empty();
  }

  // ------------------------------------------------------------------ lookups

  private boolean sysctl(String key) {
    return h.sysctls().stream().anyMatch(s -> s.key().equals(key) && s.value().equals("1"));
  }

  private static boolean isLoopback(IpAddress a) {
    return a.equals(LOOP_V6) || (a.isV4() && (a.lo() >>> 24) == 127);
  }

  private Optional<Bridge> bridgeOf(IpAddress a) {
    return h.bridges().stream().filter(b -> b.subnet(a.family()).map(s -> s.cidr().contains(a)).orElse(false)).findFirst();
  }

  private Link link(String ns, String name) {
    return h.links().stream().filter(l -> l.namespace().equals(ns) && l.name().equals(name)).findFirst().orElseThrow();
  }

  /** The endpoint that has address {@code a} on bridge {@code bridge}. */
  private Optional<String> owner(String bridge, IpAddress a) {
    return ownerPlan(bridge, a).map(EndpointPlan::endpoint);
  }

  private Optional<EndpointPlan> ownerPlan(String bridge, IpAddress a) {
    for (EndpointPlan ep : h.endpoints()) {
      for (EndpointPlan.Interface i : ep.interfaces()) {
        if (i.bridge().equals(bridge) && i.addresses().contains(a)) {
          return Optional.of(ep);
        }
      }
    }
    return Optional.empty();
  }

  private static boolean ownAddress(EndpointPlan ep, IpAddress a) {
    return ep.interfaces().stream().anyMatch(i -> i.addresses().contains(a));
  }

  /** The longest-prefix route of an endpoint namespace to {@code d}: its subnets, then its routes. */
  private Optional<Hop> route(String ns, IpAddress d) {
    Hop best = null;
    for (Address a : h.addresses()) {
      if (a.namespace().equals(ns) && a.subnet().contains(d) && (best == null || a.prefix() > best.prefix())) {
        best = new Hop(a.device(), Optional.empty(), a.prefix());
      }
    }
    for (Route r : h.routes()) {
      if (!r.namespace().equals(ns) || r.via().family() != d.family()) {
        continue;
      }
      Cidr to = r.destination().orElse(new Cidr(d.isV4() ? IpAddress.v4(0) : IpAddress.parse("::").get(), 0));
      if (to.contains(d) && (best == null || to.prefix() > best.prefix())) {
        best = new Hop(r.device(), Optional.of(r.via()), to.prefix());
      }
    }
    return Optional.ofNullable(best);
  }
}
