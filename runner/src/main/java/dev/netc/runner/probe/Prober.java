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
 * {@code none} in its own, {@code @host} and the {@code mode host} endpoints in {@code S},
 * {@code @outside} in {@code S-outside}. The probe listens in each of them on every probed
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
    try {
      return probe(Layout.of(model, target.host(), target.sandbox()), ports, progress, s -> true);
    } catch (RunnerException e) {
      throw notApplied(target, e);
    }
  }

  /** A namespace that is not there: say what to do about it. */
  static RunnerException notApplied(Runner.Target target, RunnerException e) {
    return e.getMessage().endsWith("does not exist")
        ? new RunnerException(e.getMessage() + ": is topology " + target.topology() + " applied in sandbox "
            + target.sandbox().name() + "? (`netc apply`)")
        : e;
  }

  /**
   * The namespace node {@code n} lives in when {@code target} is applied: its own for an endpoint
   * in {@code mode bridge} or {@code none}, {@code S} for {@code @host} and the {@code mode host}
   * endpoints, {@code S-outside} for {@code @outside}; empty for a node of another host.
   */
  public static Optional<String> namespace(Runner.Target target, Reachability model, Node n) {
    return Optional.ofNullable(Layout.of(model, target.host(), target.sandbox()).namespace(n));
  }

  /** The nodes a probe of {@code target} covers: the model's nodes on its host, and {@code @outside}. */
  public static List<Node> nodes(Runner.Target target, Reachability model) {
    return Layout.of(model, target.host(), target.sandbox()).nodes();
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
    settle(layout.hostNamespace());
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
  /** {@code IFA_F_TENTATIVE}: an address still in duplicate address detection. */
  private static final int IFA_F_TENTATIVE = 0x40;

  /**
   * Waits (at most {@link #SETTLE}) until no IPv6 address of the host's namespace is tentative:
   * a router without a usable link-local address sends no neighbour solicitation for the traffic
   * it forwards, so IPv6 through the host (a DNAT from outside, masquerade out) is lost while its
   * new links are in duplicate address detection. In a host namespace netc made, links skip DAD
   * ({@code Sandbox.noDad}) and this is one read; the wait is for an {@code S} made by someone
   * else. Read from {@code /proc/thread-self/net/if_inet6} in the namespace: no process.
   */
  private void settle(String hostNs) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    try {
      while (namespaces.call(hostNs, Prober::tentative) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    } catch (IOException e) {
      throw new RunnerException(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean tentative() throws IOException {
    java.nio.file.Path file = java.nio.file.Path.of("/proc/thread-self/net/if_inet6");
    if (!java.nio.file.Files.isReadable(file)) {
      return false; // no IPv6 here
    }
    for (String line : java.nio.file.Files.readAllLines(file)) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 5 && (Integer.parseInt(f[4], 16) & IFA_F_TENTATIVE) != 0) {
        return true;
      }
    }
    return false;
  }

  private static List<Integer> numbers(List<PortSpec> ports, Protocol p) {
    return ports.stream().filter(s -> s.protocol() == p).map(s -> s.range().first()).distinct().toList();
  }

  private static String strip(String cidr) {
    return cidr.substring(0, cidr.indexOf('/'));
  }

  /**
   * Where the nodes of one sandboxed host live and which destinations lead to them: computed
   * from the desired state (verify checks first that the live state is that one).
   */
  static final class Layout {
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, String> namespaceOf = new HashMap<>();
    private final Map<String, List<IpAddress>> own = new LinkedHashMap<>();
    private final HostState host;
    private final String hostNs;

    private Layout(HostState host) {
      this.host = host;
      this.hostNs = host.hostNamespace().name();
    }

    static Layout of(Reachability model, HostState h, Sandbox sandbox) {
      Layout l = new Layout(h);
      Map<String, EndpointPlan> plans = new HashMap<>();
      h.endpoints().forEach(e -> plans.put(e.endpoint(), e));
      List<IpAddress> hostAddresses = new ArrayList<>();
      for (Address a : h.addresses()) {
        if (a.namespace().equals(l.hostNs) && !hostAddresses.contains(a.address())) {
          hostAddresses.add(a.address());
        }
      }
      if (h.underlay().isPresent()) {
        // one of several hosts: it is reached on its underlay address, S routes to it
        hostAddresses.add(h.underlay().get().address());
      } else {
        hostAddresses.add(UPLINK_V4);
        hostAddresses.add(UPLINK_V6);
      }
      for (PublishedPort p : h.published()) {
        p.hostAddress().filter(a -> !a.equals(LOOP_V4) && !hostAddresses.contains(a)).ifPresent(hostAddresses::add);
      }
      for (Node n : model.nodes()) {
        String ns;
        if (n.kind() == Node.Kind.OUTSIDE) {
          ns = sandbox.outside();
          l.own.putIfAbsent(ns, List.of(Reachability.OUTSIDE_V4, Reachability.OUTSIDE_V6));
        } else if (!n.host().equals(Optional.of(h.host()))) {
          continue; // another host: not in this sandbox
        } else if (n.kind() == Node.Kind.HOST || n.endpoint().get().mode() == NetMode.HOST) {
          ns = l.hostNs;
          l.own.putIfAbsent(ns, hostAddresses);
        } else {
          EndpointPlan ep = plans.get(n.name());
          if (ep == null || ep.namespace().isEmpty()) {
            continue; // not realised on this host
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

    List<Node> nodes() {
      return nodes;
    }

    String hostNamespace() {
      return hostNs;
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

    /** The host ports published for {@code proto} to one of {@code ports}. */
    private List<PublishedPort> published(Protocol proto, List<Integer> ports) {
      return host.published().stream().filter(p -> p.protocol() == proto && ports.contains(p.targetPort())).toList();
    }

    /** Every destination a connection from {@code ns} in {@code proto} to one of {@code ports} could use. */
    List<Attempt> attempts(String ns, Protocol proto, List<Integer> ports) {
      if (ports.isEmpty()) {
        return List.of();
      }
      Set<Integer> hostPorts = new LinkedHashSet<>(ports);
      published(proto, ports).forEach(p -> hostPorts.add(p.hostPort()));
      Set<InetSocketAddress> to = new LinkedHashSet<>();
      own.forEach((place, addrs) -> {
        boolean isHost = place.equals(hostNs);
        for (IpAddress a : addrs) {
          for (int port : isHost ? hostPorts : ports) {
            to.add(new InetSocketAddress(inet(a), port));
          }
        }
      });
      for (IpAddress loop : List.of(LOOP_V4, LOOP_V6)) {
        for (int port : hostPorts) {
          to.add(new InetSocketAddress(inet(loop), port));
        }
      }
      List<Attempt> out = new ArrayList<>(to.stream().map(d -> new Attempt(ns, proto, d)).toList());
      out.addAll(serviceAttempts(ns, proto, ports));
      return out;
    }

    /**
     * Connections to the services' virtual addresses and node ports that forward to one of
     * {@code ports}: each destination as often as it takes for every endpoint behind it to be
     * drawn with a probability above 99.9% (numgen draws anew for every connection), at most
     * {@link #MAX_REPEAT} times.
     */
    private List<Attempt> serviceAttempts(String ns, Protocol proto, List<Integer> ports) {
      List<Attempt> out = new ArrayList<>();
      for (ServicePlan s : host.services()) {
        for (ServicePlan.Port p : s.ports()) {
          if (p.protocol() != proto || !ports.contains(p.targetPort())) {
            continue;
          }
          for (Map.Entry<IpAddress.Family, ServicePlan.Balance> e : s.balance().entrySet()) {
            int repeat = repeat(e.getValue());
            List<InetSocketAddress> to = new ArrayList<>();
            s.address(e.getKey()).ifPresent(a -> to.add(new InetSocketAddress(inet(a), p.port())));
            if (p.nodePort().isPresent()) {
              for (IpAddress a : own.get(hostNs)) {
                if (a.family() == e.getKey()) {
                  to.add(new InetSocketAddress(inet(a), p.nodePort().getAsInt()));
                }
              }
            }
            for (InetSocketAddress d : to) {
              for (int i = 0; i < repeat; i++) {
                out.add(new Attempt(ns, proto, d));
              }
            }
          }
        }
      }
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
      for (PublishedPort p : published(port.protocol(), List.of(port.range().first()))) {
        if (p.endpoint().equals(b.name())) {
          List<IpAddress> at = p.hostAddress().map(List::of).orElse(own.get(hostNs));
          for (IpAddress a : at) {
            if (a.family() == p.family()) {
              out.add(new InetSocketAddress(inet(a), p.hostPort()));
            }
          }
        }
      }
      return out;
    }

    /** Whether the host's own {@code port} is taken by a port published on every host address. */
    private boolean shadowed(Node b, PortSpec port) {
      return namespace(b).equals(hostNs) && host.published().stream().anyMatch(p -> p.scope() == PublishedPort.Scope.ANY
          && p.hostPort() == port.range().first() && p.protocol() == port.protocol());
    }

    List<ProbeResult.Cell> cells(List<PortSpec> ports, List<Attempt> attempts, List<Outcome> outcomes) {
      // (source namespace, listener namespace, protocol, port) -> the first attempt that got there
      Map<String, Attempt> reached = new HashMap<>();
      Map<String, Map<InetSocketAddress, Outcome>> bySource = new HashMap<>();
      for (int i = 0; i < attempts.size(); i++) {
        Attempt a = attempts.get(i);
        Outcome o = outcomes.get(i);
        bySource.computeIfAbsent(a.from() + "/" + a.protocol(), k -> new HashMap<>()).put(a.to(), o);
        if (o.status() == Outcome.Status.ANSWERED) {
          reached.putIfAbsent(key(a.from(), o.namespace().get(), a.protocol(), o.port()), a);
        }
      }
      List<ProbeResult.Cell> cells = new ArrayList<>();
      for (Node a : nodes) {
        for (Node b : nodes) {
          for (PortSpec p : ports) {
            String from = namespace(a);
            Attempt via = reached.get(key(from, namespace(b), p.protocol(), p.range().first()));
            String detail;
            if (via != null) {
              detail = "via " + via.destination();
            } else {
              Map<InetSocketAddress, Outcome> tried = bySource.getOrDefault(from + "/" + p.protocol(), Map.of());
              List<String> parts = new ArrayList<>();
              for (InetSocketAddress d : directTo(b, p)) {
                Outcome o = tried.get(d);
                if (o != null) {
                  parts.add(new Attempt(from, p.protocol(), d).destination() + " " + o.text());
                }
              }
              detail = parts.isEmpty() ? "not probed" : String.join(", ", parts);
            }
            cells.add(new ProbeResult.Cell(a, b, p, via != null, detail, shadowed(b, p)));
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
