package dev.netc.runner;

import dev.netc.backends.plan.Address;
import dev.netc.backends.plan.Link;
import dev.netc.backends.plan.Underlay;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.runner.Runner.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The check, before any change, that a network an apply makes overlaps none already there. */
final class Overlaps {
  private Overlaps() {
  }

  /**
   * Refuses, before any change, a network the plan adds to a host namespace whose subnet overlaps
   * a route already there through a link the topology does not own ({@link LiveState#otherRoutes}):
   * another topology's network in the sandbox, or the host's own (its LAN, {@code docker0}).
   * The kernel would take both, and send the traffic of one of them to the other's bridge, as
   * Docker refuses a pool that overlaps ("Pool overlaps with other one on this address space").
   * A network already made is not checked again.
   */
  static void check(List<Target> ts, LiveState live) {
    Sandbox sb = Runner.sandbox(ts);
    // the sandbox's own networks count even before this apply makes them: its uplink, and the
    // underlay of a topology of several hosts
    // (once made, they are among the other routes)
    List<String> own = new ArrayList<>();
    if (!sb.isHost() && !live.sandboxLinks().containsKey(Sandbox.UPLINK)) {
      for (String a : List.of(Sandbox.HOST_V4, Sandbox.HOST_V6)) {
        own.add(network(a) + " of the sandbox's uplink");
      }
    }
    List<Underlay> underlays = Runner.underlays(ts);
    boolean underlayMade = live.plumbing().containsKey(sb.name() + " " + Underlay.DEVICE);
    if (!underlayMade) {
      underlays.stream().map(u -> network(u.router() + "/" + u.prefix()) + " of the sandbox's underlay").distinct().forEach(own::add);
    }
    List<String> found = new ArrayList<>();
    for (Target x : ts) {
      List<String> others = new ArrayList<>(live.otherRoutes().getOrDefault(x.hostNs(), List.of()));
      if (x.hostNs().equals(sb.name())) {
        others.addAll(own);
      }
      Set<String> bridges = x.host().links().stream()
          .filter(l -> l.type() == Link.Type.BRIDGE && l.namespace().equals(x.hostNs())).map(Link::name).collect(Collectors.toSet());
      for (Address a : x.host().addresses()) {
        if (!a.namespace().equals(x.hostNs()) || !bridges.contains(a.device()) || live.has(a.id())) {
          continue;
        }
        Cidr net = network(a.address() + "/" + a.prefix());
        others.stream().filter(o -> overlap(net, o)).forEach(o -> found.add("the subnet " + net + " of " + a.device() + " overlaps " + o));
      }
    }
    // the underlay this apply makes in S, against the networks already there and the uplink
    // the apply makes too
    if (!underlays.isEmpty() && !underlayMade) {
      Underlay u = underlays.get(0);
      Cidr net = network(u.router() + "/" + u.prefix());
      List<String> there = new ArrayList<>(live.otherRoutes().getOrDefault(sb.name(), List.of()));
      own.stream().filter(o -> o.endsWith(" of the sandbox's uplink")).forEach(there::add);
      there.stream().filter(o -> overlap(net, o))
          .forEach(o -> found.add("the underlay " + net + " of the sandbox overlaps " + o));
    }
    // the uplink this apply makes in an S that was there, against the networks already in it:
    // the sandbox's own addresses, not the topology's to change
    List<String> uplink = new ArrayList<>();
    for (String o : own) {
      if (o.endsWith(" of the sandbox's uplink")) {
        Cidr net = Cidr.parse(o.substring(0, o.indexOf(' '))).get();
        live.otherRoutes().getOrDefault(sb.name(), List.of()).stream().filter(x -> overlap(net, x))
            .forEach(x -> uplink.add(net + " overlaps " + x));
      }
    }
    if (!uplink.isEmpty()) {
      throw new RunnerException(sb.label() + " cannot make its uplink to @outside, which takes " + network(Sandbox.HOST_V4)
          + " and " + network(Sandbox.HOST_V6) + " in every sandbox: " + String.join(", ", uplink)
          + ", already in " + sb.name() + "; remove that network from " + sb.name() + ", or use another sandbox");
    }
    // a host's underlay address that a host namespace of no host of this topology still holds
    // (`host h2` renamed `host h3`, with h2's address): two namespaces on the underlay with one
    // address, and the other hosts' tunnels would reach the old one
    Set<String> ours = underlays.stream().map(Underlay::namespace).collect(Collectors.toSet());
    for (Underlay u : underlays) {
      String at = u.address() + "/" + u.prefix();
      live.hostNamespaces().stream().filter(n -> !ours.contains(n) && !n.equals(sb.name()))
          .filter(n -> live.plumbing().getOrDefault(n + " " + Underlay.DEVICE, Set.of()).contains(at)).sorted().findFirst()
          .ifPresent(n -> {
            throw new RunnerException("host " + u.host() + "'s underlay address " + u.address() + " is held by " + n
                + ", the namespace of a host that topology " + ts.get(0).topology() + " does not have (a host renamed?) or"
                + " another topology's: `netc destroy` the topology that made it, or delete the namespace when nothing is left"
                + " in it (`ip netns del " + n + "`), or give " + u.host() + " another underlay address");
          });
    }
    if (!found.isEmpty()) {
      throw new RunnerException("a network of topology " + ts.get(0).topology() + " overlaps a network already in "
          + sb.label() + ": " + String.join(", ", found.subList(0, Math.min(3, found.size())))
          + (found.size() > 3 ? " and " + (found.size() - 3) + " more" : "")
          + "; give the network a subnet that does not overlap (in the topology, or in the lock file)");
    }
  }

  /** The network of {@code ADDRESS/LEN}. */
  private static Cidr network(String address) {
    int slash = address.indexOf('/');
    IpAddress a = IpAddress.parse(address.substring(0, slash)).get();
    int len = Integer.parseInt(address.substring(slash + 1));
    return new Cidr(Cidr.mask(a, len), len);
  }

  /** Whether {@code net} overlaps {@code other}, a network as {@code CIDR ...}. */
  private static boolean overlap(Cidr net, String other) {
    return Cidr.parse(other.substring(0, other.indexOf(' '))).get().overlaps(net);
  }
}
