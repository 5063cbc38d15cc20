package dev.netc.backends.plan;

import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Service;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.ir.Topology;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Realises the services of one host: which endpoints of the host each service forwards to and
 * with what share of the connections ({@code backend ... weight N}: a group's weight split evenly
 * among its endpoints; without backends, every endpoint alike), the bridge ports that need
 * hairpin mode (an endpoint may reach a service that forwards to itself), the routes to the
 * virtual addresses for endpoints without a default route, and the lines that make a service's
 * name resolve to its virtual addresses.
 */
final class ServicePlanner {
  /** What the host gets from its services. */
  record Result(List<ServicePlan> services, List<Route> routes, Set<String> hairpinVeths, List<String> notes) {}

  private final Topology t;
  private final String host;
  private final List<EndpointPlan> plans;
  private final Map<String, Bridge> bridges;
  private final Map<String, Network> networks;
  private final Map<String, Endpoint> byName;

  ServicePlanner(Topology t, String host, List<EndpointPlan> plans, Map<String, Bridge> bridges,
      Map<String, Network> networks, Map<String, Endpoint> byName) {
    this.t = t;
    this.host = host;
    this.plans = plans;
    this.bridges = bridges;
    this.networks = networks;
    this.byName = byName;
  }

  Result plan() {
    List<ServicePlan> services = new ArrayList<>();
    Set<String> hairpin = new LinkedHashSet<>();
    List<String> notes = new ArrayList<>();
    for (Service s : t.services()) {
      Map<IpAddress.Family, ServicePlan.Balance> balance = new EnumMap<>(IpAddress.Family.class);
      boolean selected = false; // some endpoint of the host with an address, whatever its share
      for (IpAddress.Family f : IpAddress.Family.values()) {
        if (s.addresses().stream().noneMatch(a -> a.family() == f)) {
          continue;
        }
        List<Candidate> candidates = new ArrayList<>();
        for (EndpointPlan p : plans) {
          Endpoint e = byName.get(p.endpoint());
          if (p.mode() != NetMode.BRIDGE || !e.namespace().equals(s.namespace()) || !s.selector().matches(e.labels())) {
            continue;
          }
          // the host forwards to an endpoint over a bridge or overlay network only: it cannot reach its macvlan members
          Optional<EndpointPlan.Interface> itf = p.interfaces().stream().filter(ServicePlanner::bridged)
              .filter(i -> i.addresses().stream().anyMatch(a -> a.family() == f)).findFirst();
          if (itf.isEmpty()) {
            continue;
          }
          IpAddress addr = itf.get().addresses().stream().filter(a -> a.family() == f).findFirst().get();
          // an endpoint that matches no backend is group -1: it gets no connections (a note says so)
          int group = s.backends().isEmpty() ? 0 : s.backendFor(e.labels()).map(s.backends()::indexOf).orElse(-1);
          candidates.add(new Candidate(e.name(), addr, itf.get().veth(), group));
        }
        selected |= !candidates.isEmpty();
        Optional<ServicePlan.Balance> b = balance(s, candidates, f, notes);
        b.ifPresent(x -> {
          balance.put(f, x);
          for (ServicePlan.Target target : x.targets()) {
            candidates.stream().filter(c -> c.endpoint.equals(target.endpoint())).forEach(c -> hairpin.add(c.veth));
          }
        });
      }
      List<ServicePlan.Port> ports = s.ports().stream()
          .map(p -> new ServicePlan.Port(p.port(), p.targetPort(), p.protocol(), p.nodePort())).toList();
      if (balance.isEmpty()) {
        notes.add("service `" + s.name() + "` " + (selected ? "gives no endpoint of host `" + host + "` a share"
            : "selects no endpoint of host `" + host + "` with an address") + ": its virtual address "
            + s.addresses() + " forwards nowhere here");
      }
      services.add(new ServicePlan(s.name(), s.addresses(), ports, balance, s.span()));
    }
    long others = t.endpoints().stream().filter(e -> !e.host().equals(host)).filter(e -> t.services().stream()
        .anyMatch(s -> s.namespace().equals(e.namespace()) && s.balancesTo(e.labels()))).count();
    if (others > 0) {
      notes.add(others + " endpoint" + (others == 1 ? "" : "s") + " behind services run on other hosts:"
          + " a host balances only over its own endpoints");
    }
    return new Result(services, routes(services), hairpin, notes);
  }

  private record Candidate(String endpoint, IpAddress address, String veth, int group) {}

  /**
   * The shares: each backend group's weight split evenly among its endpoints (scaled by the least
   * common multiple of the group sizes so that shares are whole, then by their greatest common
   * divisor so that they are small); endpoints that match no backend, or one of weight 0, get
   * nothing (a note says so).
   */
  private Optional<ServicePlan.Balance> balance(Service s, List<Candidate> candidates, IpAddress.Family f,
      List<String> notes) {
    int groups = Math.max(1, s.backends().size());
    long[] sizes = new long[groups];
    for (Candidate c : candidates) {
      if (c.group >= 0) {
        sizes[c.group]++;
      } else {
        String note = "`" + c.endpoint + "` is selected by service `" + s.name() + "` but matches none of its"
            + " backends: it gets none of its connections";
        if (!notes.contains(note)) { // once, not once per address family
          notes.add(note);
        }
      }
    }
    long lcm = 1;
    for (long n : sizes) {
      if (n > 0) {
        lcm = lcm / BigInteger.valueOf(lcm).gcd(BigInteger.valueOf(n)).longValue() * n;
      }
    }
    List<Long> shares = new ArrayList<>();
    List<Candidate> kept = new ArrayList<>();
    for (Candidate c : candidates) {
      if (c.group < 0) {
        continue;
      }
      long weight = s.backends().isEmpty() ? 1 : s.backends().get(c.group).weight();
      long share = weight * (lcm / sizes[c.group]);
      if (share > 0) {
        shares.add(share);
        kept.add(c);
      } else {
        String note = "`" + c.endpoint + "` is selected by service `" + s.name() + "` but the first of its"
            + " backends it matches has weight 0: it gets none of its connections";
        if (!notes.contains(note)) { // once, not once per address family
          notes.add(note);
        }
      }
    }
    if (kept.isEmpty()) {
      return Optional.empty();
    }
    long gcd = 0;
    for (long x : shares) {
      gcd = BigInteger.valueOf(gcd).gcd(BigInteger.valueOf(x)).longValue();
    }
    List<ServicePlan.Target> targets = new ArrayList<>();
    long next = 0;
    for (int i = 0; i < kept.size(); i++) {
      long share = shares.get(i) / gcd;
      if (next + share > Integer.MAX_VALUE) {
        throw new IllegalStateException("the shares of service " + s.name() + " do not fit numgen");
      }
      targets.add(new ServicePlan.Target(kept.get(i).endpoint, kept.get(i).address, (int) next, (int) (next + share - 1)));
      next += share;
    }
    return Optional.of(new ServicePlan.Balance((int) next, targets));
  }

  /**
   * A host route to every virtual address of a family, through the first network of that family,
   * for each endpoint without a default route of the family (one only on internal networks).
   */
  private List<Route> routes(List<ServicePlan> services) {
    List<Route> out = new ArrayList<>();
    for (EndpointPlan p : plans) {
      if (p.mode() != NetMode.BRIDGE) {
        continue;
      }
      for (IpAddress.Family f : IpAddress.Family.values()) {
        List<EndpointPlan.Interface> bridged = p.interfaces().stream().filter(ServicePlanner::bridged).toList();
        boolean hasDefault = bridged.stream()
            .anyMatch(i -> !networks.get(i.network()).internal() && has(i, f));
        Optional<EndpointPlan.Interface> first = bridged.stream().filter(i -> has(i, f)).findFirst();
        if (hasDefault || first.isEmpty()) {
          continue;
        }
        IpAddress gateway = bridges.get(first.get().network()).subnet(f).map(Subnet::gateway).orElseThrow();
        Set<IpAddress> vips = new LinkedHashSet<>();
        services.forEach(s -> s.address(f).ifPresent(vips::add));
        for (IpAddress vip : vips) {
          out.add(new Route(p.namespace().get(), Optional.of(new Cidr(vip, f.bits())), gateway, first.get().eth()));
        }
      }
    }
    return out;
  }

  /** An interface on a bridge (of a bridge or overlay network), not a macvlan sub-interface. */
  private static boolean bridged(EndpointPlan.Interface i) {
    return !i.bridge().isEmpty();
  }

  private static boolean has(EndpointPlan.Interface i, IpAddress.Family f) {
    return i.addresses().stream().anyMatch(a -> a.family() == f);
  }

  /** The cluster domain of a service's fully qualified name, Kubernetes' default. */
  static final String CLUSTER_DOMAIN = "cluster.local";

  /**
   * The lines of the hosts file of {@code viewer} that name the services: {@code name} for a
   * service of the viewer's namespace, {@code name.namespace} for one of another; empty when the
   * topology has no service. In the file of a Kubernetes pod whose name its namespace's Service
   * has, the bare name is the pod's own (the planner writes that line), as kubelet's hosts file
   * resolves the pod's hostname before cluster DNS is asked.
   */
  String hostsLines(Endpoint viewer) {
    if (t.services().isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder("# services\n");
    for (Service s : t.services()) {
      String local = s.namespace().isEmpty() ? s.name() : s.name().substring(s.namespace().length() + 1);
      // the names cluster DNS gives a service: NAME in its own namespace, NAME.NS, NAME.NS.svc and
      // NAME.NS.svc.cluster.local from everywhere (a hosts file has no search list to expand them)
      List<String> names = new ArrayList<>();
      if (s.namespace().isEmpty() || s.namespace().equals(viewer.namespace())) {
        if (viewer.resolvesByName() || !viewer.localName().equals(local)) {
          names.add(local);
        }
      }
      if (!s.namespace().isEmpty()) {
        String qualified = local + "." + s.namespace();
        names.addAll(List.of(qualified, qualified + ".svc", qualified + ".svc." + CLUSTER_DOMAIN));
      }
      for (IpAddress a : s.addresses()) {
        out.append(a).append('\t').append(String.join(" ", names)).append('\n');
      }
    }
    return out.toString();
  }
}
