package dev.netc.runner.probe;

import dev.netc.backends.plan.Address;
import dev.netc.backends.plan.EndpointPlan;
import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.PublishedPort;
import dev.netc.backends.plan.ServicePlan;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import dev.netc.runner.Runner;
import dev.netc.runner.RunnerException;
import dev.netc.runner.Sandbox;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Measures the reachability matrix of an applied sandbox with real connections.
 *
 * <p>Every node the sandbox holds lives in a namespace: an endpoint in {@code mode bridge} or
 * {@code none} in its own, {@code @host} and the {@code mode host} endpoints in {@code S} (or,
 * for a topology of several hosts, each host's in {@code S-host_H}), {@code @outside} in {@code
 * S-outside}. Several hosts are probed in one run, as more namespaces: the cells between them
 * (through an overlay, a published port on another host's underlay address) are measured as
 * the others. The probe listens in each of them on every probed
 * port (TCP and UDP, as the ports say), each listener answering with its namespace and port.
 * Then, from every namespace, it connects to <b>every destination a connection could use</b>
 * (as the kernel simulation of the backends' tests does): every endpoint address, the host's
 * addresses (bridge gateways, uplink, a published port's own address) and loopback, on the
 * probed ports and on every host port published to one of them, and the outside addresses.
 * A cell (A, B, P) is admitted when some connection from A's namespace was answered by a
 * listener of B's namespace on P: the reply says where the kernel delivered the connection,
 * DNAT included. So a leak by any address shows, and so does a missing path.
 *
 * <p>Connections are non-blocking and run together (at most {@link Options#maxInFlight} at a
 * time); one that gets no answer within {@link Options#timeout} was dropped. Listeners and
 * sockets are all closed when the probe returns, or fails.
 */
public final class Prober {
  private static final IpAddress LOOP_V4 = IpAddress.parse("127.0.0.1").get();
  private static final IpAddress LOOP_V6 = IpAddress.parse("::1").get();
  private static final IpAddress UPLINK_V4 = IpAddress.parse(strip(Sandbox.HOST_V4)).get();
  private static final IpAddress UPLINK_V6 = IpAddress.parse(strip(Sandbox.HOST_V6)).get();

  /** How long a connection may take, and how many may be open at once. */
  public record Options(Duration timeout, int maxInFlight) {
    public static final Options DEFAULT = new Options(Duration.ofSeconds(1), 4096);

    public Options {
      if (timeout.isNegative() || timeout.isZero() || maxInFlight < 1) {
        throw new IllegalArgumentException("bad probe options");
      }
    }
  }

  /** Told how far the probe is: connections done, of all. */
  @FunctionalInterface
  public interface Progress {
    Progress NONE = (done, total) -> {};

    void update(int done, int total);
  }

  private final Namespaces namespaces;
  private final Options options;

  public Prober(Namespaces namespaces, Options options) {
    this.namespaces = namespaces;
    this.options = options;
  }

  /** Probes the host of {@code target} in its sandbox, on {@code ports}. */
  public ProbeResult probe(Runner.Target target, Reachability model, List<PortSpec> ports, Progress progress) {
    return probe(List.of(target), model, ports, progress);
  }

  /**
   * Probes the hosts of {@code targets} (one host, or several hosts of one topology in one
   * sandbox) together, on {@code ports}: every node of every host, and the cells between hosts.
   */
  public ProbeResult probe(List<Runner.Target> targets, Reachability model, List<PortSpec> ports, Progress progress) {
    try {
      return probe(layout(targets, model), ports, progress, s -> true);
    } catch (RunnerException e) {
      throw notApplied(targets.get(0), e);
    }
  }

  /** The layout of the hosts of {@code targets}, which must be hosts of one state. */
  static Layout layout(List<Runner.Target> targets, Reachability model) {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("no host to probe");
    }
    Runner.Target first = targets.get(0);
    for (Runner.Target t : targets) {
      if (t.state() != first.state() && !t.state().equals(first.state())) {
        throw new IllegalArgumentException("the hosts probed together must be of one plan");
      }
    }
    return Layout.of(model, targets.stream().map(Runner.Target::host).toList(), first.sandbox());
  }

  /** A namespace that is not there: say what to do about it. */
  static RunnerException notApplied(Runner.Target target, RunnerException e) {
    return e.getMessage().endsWith("does not exist")
        ? new RunnerException(e.getMessage() + ": is topology " + target.topology() + " applied in sandbox "
            + target.sandbox().name() + "? (`netc apply`)")
        : e;
  }

  /**
   * The namespace node {@code n} lives in when the hosts of {@code targets} are applied: its own
   * for an endpoint in {@code mode bridge} or {@code none}, its host's ({@code S}, or {@code
   * S-host_H} of several hosts) for {@code @host} and the {@code mode host} endpoints, {@code
   * S-outside} for {@code @outside}; empty for a node of a host not among them.
   */
  public static Optional<String> namespace(List<Runner.Target> targets, Reachability model, Node n) {
    return Optional.ofNullable(layout(targets, model).namespace(n));
  }

  /** The same, for one host. */
  public static Optional<String> namespace(Runner.Target target, Reachability model, Node n) {
    return namespace(List.of(target), model, n);
  }

  /**
   * The nodes a probe of {@code targets} covers: the model's nodes on their hosts, in the model's
   * order, and {@code @outside}.
   */
  public static List<Node> nodes(List<Runner.Target> targets, Reachability model) {
    return layout(targets, model).nodes();
  }

  /** The same, for one host. */
  public static List<Node> nodes(Runner.Target target, Reachability model) {
    return nodes(List.of(target), model);
  }

  /** The same, for the cells of the sources {@code sources} (namespaces) only; the others are denied. */
  ProbeResult probe(Layout layout, List<PortSpec> ports, Progress progress, Predicate<String> sources) {
    long start = System.nanoTime();
    for (PortSpec p : ports) {
      if (p.protocol() == Protocol.SCTP) {
        throw new RunnerException("cannot probe " + p + ": this kernel has no SCTP sockets (KERNEL.md);"
            + " probe TCP and UDP ports only");
      }
      if (p.range().size() != 1) {
        throw new RunnerException("probe one port at a time, not the range " + p);
      }
    }
    List<Integer> tcp = numbers(ports, Protocol.TCP);
    List<Integer> udp = numbers(ports, Protocol.UDP);
    List<Attempt> attempts = new ArrayList<>();
    for (String ns : layout.namespaces()) {
      if (sources.test(ns)) {
        attempts.addAll(layout.attempts(ns, Protocol.TCP, tcp));
        attempts.addAll(layout.attempts(ns, Protocol.UDP, udp));
      }
    }
    layout.routers().forEach(r -> settle(r, layout.ipv6RoutingLinks(r)));
    List<Outcome> outcomes;
    try (SocketProbe sockets = new SocketProbe(namespaces)) {
      sockets.listen(layout.places(), tcp, udp);
      outcomes = sockets.connect(attempts, options.timeout(), options.maxInFlight(),
          done -> progress.update(done, attempts.size()));
    } catch (IOException e) {
      throw new RunnerException("probe failed: " + e.getMessage());
    }
    List<ProbeResult.Cell> cells = layout.cells(ports, attempts, outcomes);
    return new ProbeResult(layout.nodes(), ports, cells, attempts.size(), (System.nanoTime() - start) / 1_000_000);
  }

  /** How long the probe waits at most for the host's IPv6 link-local addresses to be usable. */
  static final Duration SETTLE = Duration.ofSeconds(5);

  /**
   * Waits (at most {@link #SETTLE}) until no IPv6 address of a router's namespace is tentative:
   * a router without a usable link-local address sends no neighbour solicitation for the traffic
   * it forwards, so IPv6 through the host (a DNAT from outside, masquerade out) is lost while its
   * new links are in duplicate address detection. In a host namespace netc made, links skip DAD
   * ({@code Sandbox.noDad}, or their own {@code accept_dad}) and this is one read. Only the
   * router's {@code links} that route IPv6 for the topology ({@link Sandbox#ipv6RoutingLinks}):
   * not a bridge of an IPv4-only network, nor a link of someone else's in an {@code S} made by
   * someone else. Read from {@code /proc/thread-self/net/if_inet6} in the namespace: no process.
   */
  private void settle(String router, Set<String> links) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    try {
      while (namespaces.call(router, () -> dev.netc.runner.netlink.NetlinkNamespaces.tentativeHere(links::contains))
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    } catch (IOException e) {
      throw new RunnerException(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<Integer> numbers(List<PortSpec> ports, Protocol p) {
    return ports.stream().filter(s -> s.protocol() == p).map(s -> s.range().first()).distinct().toList();
  }

  private static String strip(String cidr) {
    return cidr.substring(0, cidr.indexOf('/'));
  }

  /**
   * Where the nodes of the sandboxed hosts live and which destinations lead to them: computed
   * from the desired state (verify checks first that the live state is that one). The hosts are
   * one host of the topology, or several (each in its namespace {@code S-host_H} on the
   * sandbox's underlay): their endpoints, the hosts themselves and {@code @outside}, and a
   * connection may go from any of them to any of them, across hosts too.
   */
  static final class Layout {
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, String> namespaceOf = new HashMap<>();
    private final Map<String, List<IpAddress>> own = new LinkedHashMap<>();
    /** The hosts by their namespace, in the order of the state. */
    private final Map<String, HostState> hostAt = new LinkedHashMap<>();
    private final Sandbox sandbox;

    private Layout(Sandbox sandbox) {
      this.sandbox = sandbox;
    }

    static Layout of(Reachability model, HostState h, Sandbox sandbox) {
      return of(model, List.of(h), sandbox);
    }

    static Layout of(Reachability model, List<HostState> hosts, Sandbox sandbox) {
      Layout l = new Layout(sandbox);
      Map<String, HostState> byName = new HashMap<>();
      Map<String, EndpointPlan> plans = new HashMap<>();
      for (HostState h : hosts) {
        byName.put(h.host(), h);
        l.hostAt.put(h.hostNamespace().name(), h);
        h.endpoints().forEach(e -> plans.put(h.host() + "/" + e.endpoint(), e));
      }
      for (Node n : model.nodes()) {
        String ns;
        HostState h = n.host().map(byName::get).orElse(null);
        if (n.kind() == Node.Kind.OUTSIDE) {
          ns = sandbox.outside();
          l.own.putIfAbsent(ns, List.of(Reachability.OUTSIDE_V4, Reachability.OUTSIDE_V6));
        } else if (h == null) {
          continue; // another host: not probed
        } else if (n.kind() == Node.Kind.HOST || n.endpoint().get().mode() == NetMode.HOST) {
          ns = h.hostNamespace().name();
          l.own.putIfAbsent(ns, hostAddresses(h));
        } else {
          EndpointPlan ep = plans.get(h.host() + "/" + n.name());
          if (ep == null || ep.namespace().isEmpty()) {
            continue; // not realised on its host
          }
          ns = ep.namespace().get();
          List<IpAddress> addrs = new ArrayList<>();
          ep.interfaces().forEach(i -> addrs.addAll(i.addresses()));
          l.own.putIfAbsent(ns, addrs);
        }
        l.nodes.add(n);
        l.namespaceOf.put(n.name(), ns);
      }
      return l;
    }

    /**
     * A host's own addresses: its bridge gateways, the uplink's (one host, in {@code S}) or its
     * underlay address (one of several: {@code S} routes to it), the addresses ports are
     * published on.
     */
    private static List<IpAddress> hostAddresses(HostState h) {
      String hostNs = h.hostNamespace().name();
      List<IpAddress> out = new ArrayList<>();
      for (Address a : h.addresses()) {
        if (a.namespace().equals(hostNs) && !out.contains(a.address())) {
          out.add(a.address());
        }
      }
      if (h.underlay().isPresent()) {
        out.add(h.underlay().get().address());
      } else {
        out.add(UPLINK_V4);
        out.add(UPLINK_V6);
      }
      for (PublishedPort p : h.published()) {
        p.hostAddress().filter(a -> !a.equals(LOOP_V4) && !out.contains(a)).ifPresent(out::add);
      }
      return out;
    }

    List<Node> nodes() {
      return nodes;
    }

    /**
     * The namespaces that route what the probe sends: each host's, and {@code S} when it is the
     * network between several hosts.
     */
    List<String> routers() {
      List<String> out = new ArrayList<>(hostAt.keySet());
      if (hostAt.values().stream().anyMatch(h -> h.underlay().isPresent()) && !out.contains(sandbox.name())) {
        out.add(sandbox.name());
      }
      return out;
    }

    /** The links of router {@code ns} ({@link #routers}) that route IPv6 for the topology. */
    Set<String> ipv6RoutingLinks(String ns) {
      HostState h = hostAt.get(ns);
      return h == null ? Sandbox.ROUTER_LINKS : Sandbox.ipv6RoutingLinks(h);
    }

    String namespace(Node n) {
      return namespaceOf.get(n.name());
    }

    List<String> namespaces() {
      return new ArrayList<>(own.keySet());
    }

    /** The listeners' places: every namespace, its UDP listeners on its addresses and loopback. */
    List<SocketProbe.Place> places() {
      List<SocketProbe.Place> out = new ArrayList<>();
      own.forEach((ns, addrs) -> {
        List<InetAddress> udp = new ArrayList<>();
        addrs.forEach(a -> udp.add(inet(a)));
        udp.add(inet(LOOP_V4));
        udp.add(inet(LOOP_V6));
        out.add(new SocketProbe.Place(ns, udp));
      });
      return out;
    }

    /** The ports of host {@code h} published for {@code proto} to one of {@code ports}. */
    private static List<PublishedPort> published(HostState h, Protocol proto, List<Integer> ports) {
      return h.published().stream().filter(p -> p.protocol() == proto && ports.contains(p.targetPort())).toList();
    }

    /** {@code ports} and the host ports {@code h} publishes to one of them. */
    private static Set<Integer> hostPorts(HostState h, Protocol proto, List<Integer> ports) {
      Set<Integer> out = new LinkedHashSet<>(ports);
      published(h, proto, ports).forEach(p -> out.add(p.hostPort()));
      return out;
    }

    /**
     * Every destination a connection from {@code ns} in {@code proto} to one of {@code ports}
     * could use: every address of every namespace, a host's on its published ports too, and
     * loopback on the ports every host publishes.
     */
    List<Attempt> attempts(String ns, Protocol proto, List<Integer> ports) {
      if (ports.isEmpty()) {
        return List.of();
      }
      Set<InetSocketAddress> to = new LinkedHashSet<>();
      own.forEach((place, addrs) -> {
        HostState h = hostAt.get(place);
        for (IpAddress a : addrs) {
          for (int port : h != null ? hostPorts(h, proto, ports) : ports) {
            to.add(new InetSocketAddress(inet(a), port));
          }
        }
      });
      Set<Integer> loopPorts = new LinkedHashSet<>(ports);
      hostAt.values().forEach(h -> loopPorts.addAll(hostPorts(h, proto, ports)));
      for (IpAddress loop : List.of(LOOP_V4, LOOP_V6)) {
        for (int port : loopPorts) {
          to.add(new InetSocketAddress(inet(loop), port));
        }
      }
      List<Attempt> out = new ArrayList<>(to.stream().map(d -> new Attempt(ns, proto, d)).toList());
      serviceDestinations(proto, ports).forEach((d, repeat) -> {
        for (int i = 0; i < repeat; i++) {
          out.add(new Attempt(ns, proto, d));
        }
      });
      return out;
    }

    /**
     * The services' virtual addresses and node ports (on each host's addresses) that forward to
     * one of {@code ports}, each with how often to connect to it: as often as it takes for every
     * endpoint behind it to be drawn with a probability above 99.9% (numgen draws anew for every
     * connection), at most {@link #MAX_REPEAT} times. A virtual address every host balances is
     * one destination (a connection goes through its source's host).
     */
    private Map<InetSocketAddress, Integer> serviceDestinations(Protocol proto, List<Integer> ports) {
      Map<InetSocketAddress, Integer> out = new LinkedHashMap<>();
      hostAt.forEach((hostNs, h) -> {
        for (ServicePlan s : h.services()) {
          for (ServicePlan.Port p : s.ports()) {
            if (p.protocol() != proto || !ports.contains(p.targetPort())) {
              continue;
            }
            for (Map.Entry<IpAddress.Family, ServicePlan.Balance> e : s.balance().entrySet()) {
              int repeat = repeat(e.getValue());
              s.address(e.getKey()).ifPresent(a -> out.merge(new InetSocketAddress(inet(a), p.port()), repeat, Math::max));
              if (p.nodePort().isPresent()) {
                for (IpAddress a : own.get(hostNs)) {
                  if (a.family() == e.getKey()) {
                    out.merge(new InetSocketAddress(inet(a), p.nodePort().getAsInt()), repeat, Math::max);
                  }
                }
              }
            }
          }
        }
      });
      return out;
    }

    static final int MAX_REPEAT = 100;

    /** How many draws make missing the smallest share less likely than one in a thousand. */
    static int repeat(ServicePlan.Balance b) {
      int smallest = b.targets().stream().mapToInt(ServicePlan.Target::share).min().orElse(b.modulus());
      double q = (double) smallest / b.modulus();
      if (q >= 1) {
        return 1;
      }
      return (int) Math.min(MAX_REPEAT, Math.ceil(Math.log(0.001) / Math.log(1 - q)));
    }

    /** The destinations that lead to {@code b} on {@code port} by the model's paths: its own addresses, its published ports. */
    private Set<InetSocketAddress> directTo(Node b, PortSpec port) {
      Set<InetSocketAddress> out = new LinkedHashSet<>();
      for (IpAddress a : own.get(namespace(b))) {
        out.add(new InetSocketAddress(inet(a), port.range().first()));
      }
      hostAt.forEach((hostNs, h) -> {
        for (PublishedPort p : published(h, port.protocol(), List.of(port.range().first()))) {
          if (p.endpoint().equals(b.name())) {
            List<IpAddress> at = p.hostAddress().map(List::of).orElse(own.get(hostNs));
            for (IpAddress a : at) {
              if (a.family() == p.family()) {
                out.add(new InetSocketAddress(inet(a), p.hostPort()));
              }
            }
          }
        }
      });
      return out;
    }

    /**
     * Whether the host's own {@code port} is taken, for a connection from {@code a}, by a port
     * published on every host address, or (a host on the sandbox underlay, {@code a} off it) on
     * its underlay address, the one address the others reach it at.
     */
    private boolean shadowed(Node a, Node b, PortSpec port) {
      HostState h = hostAt.get(namespace(b));
      Optional<IpAddress> underlay = h == null || a.host().equals(b.host()) ? Optional.empty()
          : h.underlay().map(u -> u.address());
      return h != null && (h.published().stream().anyMatch(p -> p.hostPort() == port.range().first()
          && p.protocol() == port.protocol() && (p.scope() == PublishedPort.Scope.ANY
              || (p.scope() == PublishedPort.Scope.ADDRESS && underlay.isPresent() && p.hostAddress().equals(underlay))))
          || takenByANodePort(h, port));
    }

    /**
     * Whether a service's node port takes the host's own {@code port}: it is DNATed on every
     * address of the host but loopback, from anywhere (the host itself too), where the host
     * balances the service over an endpoint of its own (a host with none forwards nothing there,
     * and serves the port itself).
     */
    private static boolean takenByANodePort(HostState h, PortSpec port) {
      return h.services().stream().anyMatch(sv -> sv.balance().values().stream().anyMatch(b -> !b.targets().isEmpty())
          && sv.ports().stream().anyMatch(p -> p.nodePort().isPresent()
              && p.nodePort().getAsInt() == port.range().first() && p.protocol() == port.protocol()));
    }

    List<ProbeResult.Cell> cells(List<PortSpec> ports, List<Attempt> attempts, List<Outcome> outcomes) {
      // (source namespace, listener namespace, protocol, port, family) -> the first attempt of
      // that family that got there
      Map<String, Attempt> reached = new HashMap<>();
      Map<String, Map<InetSocketAddress, Outcome>> bySource = new HashMap<>();
      for (int i = 0; i < attempts.size(); i++) {
        Attempt a = attempts.get(i);
        Outcome o = outcomes.get(i);
        bySource.computeIfAbsent(a.from() + "/" + a.protocol(), k -> new HashMap<>()).put(a.to(), o);
        if (o.status() == Outcome.Status.ANSWERED) {
          reached.putIfAbsent(key(a.from(), o.namespace().get(), a.protocol(), o.port()) + " " + a.family(), a);
        }
      }
      List<ProbeResult.Cell> cells = new ArrayList<>();
      for (Node a : nodes) {
        for (Node b : nodes) {
          for (PortSpec p : ports) {
            String from = namespace(a);
            String key = key(from, namespace(b), p.protocol(), p.range().first());
            Set<IpAddress.Family> admitted = java.util.EnumSet.noneOf(IpAddress.Family.class);
            Map<IpAddress.Family, String> details = new java.util.EnumMap<>(IpAddress.Family.class);
            Map<InetSocketAddress, Outcome> tried = bySource.getOrDefault(from + "/" + p.protocol(), Map.of());
            for (IpAddress.Family f : IpAddress.Family.values()) {
              Attempt via = reached.get(key + " " + f);
              if (via != null) {
                admitted.add(f);
                details.put(f, "via " + via.destination());
                continue;
              }
              List<String> parts = new ArrayList<>();
              for (InetSocketAddress d : directTo(b, p)) {
                Outcome o = tried.get(d);
                if (o != null && (d.getAddress() instanceof java.net.Inet4Address) == (f == IpAddress.Family.V4)) {
                  parts.add(new Attempt(from, p.protocol(), d).destination() + " " + o.text());
                }
              }
              details.put(f, parts.isEmpty() ? ProbeResult.NOT_PROBED : String.join(", ", parts));
            }
            cells.add(new ProbeResult.Cell(a, b, p, admitted, details, shadowed(a, b, p)));
          }
        }
      }
      return cells;
    }

    private static String key(String from, String to, Protocol proto, int port) {
      return from + " " + to + " " + proto + " " + port;
    }
  }

  static InetAddress inet(IpAddress a) {
    try {
      return InetAddress.getByName(a.toString()); // a literal: no name lookup
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
