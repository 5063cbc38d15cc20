package dev.netc.compiler.model;

import dev.netc.compiler.ir.Driver;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Topology;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * The host ports netc chooses for the {@code publish} lines that give none ({@code publish 80},
 * Docker's {@code -p 80}): the one choice the model ({@link Reachability}) predicts with and the
 * plan ({@code Planner}) realises, so that both name the same number.
 *
 * <p>Per host and protocol: the ports that the {@code mode bridge} endpoints of the host publish
 * explicitly, and those its {@code mode host} endpoints (and their members) expose, since they
 * listen on them in the host's own stack, are taken first; then each line without a host port of such an endpoint with a
 * route out (a network that is neither {@code internal} nor macvlan) keeps the block the lock
 * file pins for it on this host ({@link Topology#lockedPorts}, by host, endpoint and {@link
 * #key}; a pin recorded under another host, before the endpoint moved, is ignored) while that
 * block lies in {@link #FIRST}-65535 and no port of it is taken yet; then every other such
 * line, in the order of the endpoints and of their lines, gets the lowest block of free ports
 * from {@link #FIRST} as wide as its container range (docs/kernel-plan.md, "Published
 * ports"). A line of an endpoint without a route out is forwarded nowhere and gets none.
 */
public final class AutomaticPorts {
  /** The first port chosen (the dynamic ports of RFC 6335, 49152-65535). */
  public static final int FIRST = 49152;

  /** The first chosen port of each line of each endpoint (by name), -1 for none. */
  private final Map<String, int[]> chosen = new HashMap<>();

  /** The lines ({@code ENDPOINT#INDEX}) that wanted a block of ports and found none wide enough. */
  private final java.util.Set<String> unplaced = new java.util.HashSet<>();

  /** What the lock file records of the choice: host to endpoint to line key to first ports. */
  private final Map<String, Map<String, Map<String, List<Integer>>>> lock = new java.util.TreeMap<>();

  private AutomaticPorts() {}

  /** The choice for every host of {@code t}. */
  public static AutomaticPorts of(Topology t) {
    AutomaticPorts a = new AutomaticPorts();
    Map<String, Network> networks = new HashMap<>();
    t.networks().forEach(n -> networks.put(n.name(), n));
    Map<String, List<Endpoint>> byHost = new HashMap<>();
    Map<String, List<PortSpec>> listening = new HashMap<>();
    for (Endpoint e : t.endpoints()) {
      if (e.mode() == NetMode.BRIDGE) {
        byHost.computeIfAbsent(e.host(), k -> new ArrayList<>()).add(e);
      } else if (e.mode() == NetMode.HOST) {
        // it listens on the host's own ports: what it and its members expose (NETC220)
        List<PortSpec> ports = listening.computeIfAbsent(e.host(), k -> new ArrayList<>());
        ports.addAll(e.exposes());
        e.members().forEach(m -> ports.addAll(m.exposes()));
      }
    }
    byHost.forEach((host, endpoints) -> a.choose(host, endpoints, networks,
        t.lockedPorts().getOrDefault(host, Map.of()), listening.getOrDefault(host, List.of())));
    return a;
  }

  private void choose(String host, List<Endpoint> endpoints, Map<String, Network> networks,
      Map<String, Map<String, List<Integer>>> locked, List<PortSpec> listening) {
    Map<Protocol, TreeSet<Integer>> used = new EnumMap<>(Protocol.class);
    for (PortSpec listen : listening) {
      TreeSet<Integer> taken = used.computeIfAbsent(listen.protocol(), k -> new TreeSet<>());
      for (int port = listen.range().first(); port <= listen.range().last(); port++) {
        taken.add(port);
      }
    }
    for (Endpoint e : endpoints) {
      for (Publish p : e.publishes()) {
        p.hostPorts().ifPresent(r -> {
          TreeSet<Integer> taken = used.computeIfAbsent(p.protocol(), k -> new TreeSet<>());
          for (int port = r.first(); port <= r.last(); port++) {
            taken.add(port);
          }
        });
      }
    }
    // the blocks the lock pins on this host, while still free (the first line to pin a port keeps it)
    for (Endpoint e : endpoints) {
      int[] firsts = new int[e.publishes().size()];
      Arrays.fill(firsts, -1);
      chosen.put(e.name(), firsts);
      if (routeOut(e, networks).isEmpty()) {
        continue;
      }
      Map<String, List<Integer>> pins = locked.getOrDefault(e.name(), Map.of());
      Map<String, Integer> seen = new HashMap<>();
      for (int i = 0; i < firsts.length; i++) {
        Publish p = e.publishes().get(i);
        if (p.hostPorts().isPresent()) {
          continue;
        }
        int nth = seen.merge(key(p), 1, Integer::sum) - 1;
        List<Integer> pinned = pins.getOrDefault(key(p), List.of());
        if (nth < pinned.size()) {
          int first = pinned.get(nth);
          int last = first + p.containerPorts().size() - 1;
          TreeSet<Integer> taken = used.computeIfAbsent(p.protocol(), k -> new TreeSet<>());
          Integer clash = taken.ceiling(first);
          if (first >= FIRST && last <= 65535 && (clash == null || clash > last)) {
            for (int port = first; port <= last; port++) {
              taken.add(port);
            }
            firsts[i] = first;
          }
        }
      }
    }
    for (Endpoint e : endpoints) {
      int[] firsts = chosen.get(e.name());
      if (routeOut(e, networks).isPresent()) {
        for (int i = 0; i < firsts.length; i++) {
          Publish p = e.publishes().get(i);
          if (p.hostPorts().isEmpty() && firsts[i] < 0) {
            firsts[i] = block(used.computeIfAbsent(p.protocol(), k -> new TreeSet<>()), p.containerPorts().size());
            if (firsts[i] < 0) {
              unplaced.add(e.name() + "#" + i);
            }
          }
          if (firsts[i] >= 0) {
            lock.computeIfAbsent(host, k -> new java.util.TreeMap<>())
                .computeIfAbsent(e.name(), k -> new java.util.TreeMap<>())
                .computeIfAbsent(key(p), k -> new ArrayList<>()).add(firsts[i]);
          }
        }
      }
    }
  }

  /**
   * What names line {@code p} in the lock file, whatever its place among the lines of its
   * endpoint: its host address if it gives one, its container ports and its protocol, as in
   * {@code 80/tcp}, {@code 127.0.0.1:8080-8081/udp} or {@code [::1]:53/udp}.
   */
  public static String key(Publish p) {
    return p.hostAddress().map(a -> (a.isV4() ? a.toString() : "[" + a + "]") + ":").orElse("")
        + p.containerPorts() + "/" + p.protocol().label();
  }

  /**
   * What the lock file records of this choice: for every host, every endpoint of it with a line
   * that got a host port chosen, the {@link #key} of each such line to its first host port (two
   * lines with the same key, in their order).
   */
  public Map<String, Map<String, Map<String, List<Integer>>>> lock() {
    return java.util.Collections.unmodifiableMap(lock);
  }

  /**
   * The first network of {@code e} with a route out, neither {@code internal} nor macvlan: where
   * a published port is forwarded to and where {@code e} is masqueraded out; empty when it has
   * none. The model's, whether or not the plan realises that network yet (NETC520): a line keeps
   * its number then, forwarded nowhere, so that the model and the plan never name two numbers.
   */
  public static Optional<Network> routeOut(Endpoint e, Map<String, Network> networks) {
    return e.attachments().stream().map(x -> networks.get(x.network()))
        .filter(n -> n != null && n.driver() != Driver.MACVLAN && !n.internal()).findFirst();
  }

  /** The lowest block of {@code count} ports from {@link #FIRST} not in {@code used}, now taken; -1 if none fits. */
  private static int block(TreeSet<Integer> used, int count) {
    int start = FIRST;
    while (true) {
      Integer clash = used.ceiling(start);
      if (clash == null || clash >= start + count) {
        break;
      }
      start = clash + 1;
    }
    if (start + count - 1 > 65535) {
      return -1;
    }
    for (int port = start; port < start + count; port++) {
      used.add(port);
    }
    return start;
  }

  /**
   * The first host port chosen for line {@code index} of endpoint {@code e} (the line's container
   * ports map in order onto as many from there); empty when the line gives its host port, when
   * {@code e} has no route out, or when no block of free ports is wide enough.
   */
  public OptionalInt first(Endpoint e, int index) {
    int[] firsts = chosen.getOrDefault(e.name(), new int[0]);
    return index >= 0 && index < firsts.length && firsts[index] >= 0 ? OptionalInt.of(firsts[index]) : OptionalInt.empty();
  }

  /**
   * Whether line {@code index} of {@code e} needs a host port chosen (it gives none, and {@code
   * e} has a route out) and no block of free ports from {@link #FIRST} is wide enough for it
   * (NETC227).
   */
  public boolean unplaced(Endpoint e, int index) {
    return unplaced.contains(e.name() + "#" + index);
  }

  /** {@link #first(Endpoint, int)} of line {@code p} of {@code e} (the line itself, not an equal one). */
  public OptionalInt first(Endpoint e, Publish p) {
    List<Publish> lines = e.publishes();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i) == p) {
        return first(e, i);
      }
    }
    int equal = lines.indexOf(p);
    return equal < 0 ? OptionalInt.empty() : first(e, equal);
  }
}
