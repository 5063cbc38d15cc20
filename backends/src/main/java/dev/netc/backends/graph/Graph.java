package dev.netc.backends.graph;

import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Host;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The picture of a topology that the DOT and Mermaid backends draw, independent of either
 * syntax: hosts as clusters (with namespaces inside), networks, endpoint groups, {@code
 * @outside}, network membership, and the flows the reachability model admits, with their ports.
 *
 * <p>Endpoints that policies and paths cannot tell apart are drawn as one node: same host,
 * namespace, mode, networks and labels (endpoints without labels are also kept apart by their
 * declaration), so the replicas of {@code api} are one node "api ×3" and a topology of hundreds
 * of endpoints stays readable. A flow between two groups is drawn when some member of one admits
 * a connection from some member of the other on one of the topology's ports ({@link
 * Reachability#defaultPorts()}); it is "partial" when not every pair is admitted, and one line
 * with two heads when it goes both ways on the same ports. Group pairs
 * with more than {@link #EXACT_PAIRS} member pairs are decided on their first {@link #SAMPLE}
 * members each. Flows between an endpoint and its host are not drawn (they are always admitted,
 * policy aside), nor flows within a group.
 */
public final class Graph {
  static final int EXACT_PAIRS = 64;
  static final int SAMPLE = 8;
  static final int MAX_PORTS_SHOWN = 4;

  /** What a node stands for. */
  public enum Kind {
    ENDPOINTS,
    NETWORK,
    OUTSIDE
  }

  /** A node: its id (letters and digits only) and the lines of its label. */
  public record GNode(String id, Kind kind, List<String> lines) {}

  /** A cluster (a host, or a namespace on a host) with nodes and clusters inside. */
  public record Cluster(String id, String label, List<Cluster> clusters, List<GNode> nodes) {}

  /**
   * A membership line (endpoint to network) or an admitted flow with its ports; {@code both}
   * when the flow goes both ways on the same ports.
   */
  public record Edge(String from, String to, boolean flow, boolean partial, boolean both,
      String label) {}

  private final String title;
  private final List<Cluster> clusters;
  private final List<GNode> nodes;
  private final List<Edge> edges;

  private Graph(String title, List<Cluster> clusters, List<GNode> nodes, List<Edge> edges) {
    this.title = title;
    this.clusters = clusters;
    this.nodes = nodes;
    this.edges = edges;
  }

  public String title() {
    return title;
  }

  /** The host clusters, in declaration order. */
  public List<Cluster> clusters() {
    return clusters;
  }

  /** The nodes outside every cluster: {@code @outside} and networks that span hosts. */
  public List<GNode> nodes() {
    return nodes;
  }

  /** Membership lines first (in endpoint order), then flows (in node order). */
  public List<Edge> edges() {
    return edges;
  }

  /** A group of endpoints drawn as one node. */
  private record Group(String id, String host, String namespace, List<Endpoint> members,
      Set<String> networks) {}

  /** Builds the picture of {@code t}. */
  public static Graph of(Topology t) {
    Reachability model = new Reachability(t);
    // groups of equal endpoints, in endpoint order
    Map<List<Object>, Group> groups = new LinkedHashMap<>();
    for (Endpoint e : t.endpoints()) {
      List<String> nets = e.attachments().stream().map(a -> a.network()).toList();
      List<Object> key = List.of(e.host(), e.namespace(), e.mode(), nets,
          new TreeMap<>(e.labels()), e.labels().isEmpty() ? declared(e) : "");
      groups.computeIfAbsent(key, k -> new Group("e" + (groups.size() + 1), e.host(), e.namespace(),
          new ArrayList<>(), new LinkedHashSet<>(nets))).members().add(e);
    }
    // networks: inside a host's cluster when all their members run there
    Map<String, String> networkIds = new LinkedHashMap<>();
    Map<String, Set<String>> networkHosts = new LinkedHashMap<>();
    for (Network n : t.networks()) {
      networkIds.put(n.name(), "n" + (networkIds.size() + 1));
      networkHosts.put(n.name(), new LinkedHashSet<>());
    }
    for (Group g : groups.values()) {
      g.networks().forEach(n -> networkHosts.get(n).add(g.host()));
    }
    List<GNode> top = new ArrayList<>();
    top.add(new GNode("w0", Kind.OUTSIDE, List.of(Node.OUTSIDE)));
    Map<String, List<GNode>> hostNetworks = new LinkedHashMap<>();
    for (Network n : t.networks()) {
      GNode node = new GNode(networkIds.get(n.name()), Kind.NETWORK, networkLines(n));
      Set<String> hosts = networkHosts.get(n.name());
      if (hosts.size() == 1) {
        hostNetworks.computeIfAbsent(hosts.iterator().next(), h -> new ArrayList<>()).add(node);
      } else {
        top.add(node);
      }
    }
    List<Cluster> clusters = new ArrayList<>();
    int h = 0;
    for (Host host : t.hosts()) {
      h++;
      List<GNode> direct = new ArrayList<>(hostNetworks.getOrDefault(host.name(), List.of()));
      Map<String, List<GNode>> byNamespace = new LinkedHashMap<>();
      for (Group g : groups.values()) {
        if (!g.host().equals(host.name())) {
          continue;
        }
        GNode node = new GNode(g.id(), Kind.ENDPOINTS, groupLines(g));
        if (g.namespace().isEmpty()) {
          direct.add(node);
        } else {
          byNamespace.computeIfAbsent(g.namespace(), k -> new ArrayList<>()).add(node);
        }
      }
      List<Cluster> inner = new ArrayList<>();
      int n = 0;
      for (var e : byNamespace.entrySet()) {
        inner.add(new Cluster("h" + h + "ns" + (++n), "namespace " + e.getKey(), List.of(), e.getValue()));
      }
      String label = "host " + host.name() + host.underlay().map(u -> " (" + u + ")").orElse("");
      clusters.add(new Cluster("h" + h, label, inner, direct));
    }
    List<Edge> edges = new ArrayList<>();
    for (Group g : groups.values()) {
      g.networks().forEach(n -> edges.add(new Edge(g.id(), networkIds.get(n), false, false, false, "")));
    }
    edges.addAll(flows(model, new ArrayList<>(groups.values())));
    return new Graph(t.name(), clusters, top, edges);
  }

  private static String declared(Endpoint e) {
    String d = e.replicaOf().orElse(e.localName());
    return e.namespace().isEmpty() ? d : e.namespace() + "/" + d;
  }

  private static List<String> networkLines(Network n) {
    List<String> lines = new ArrayList<>();
    lines.add("network " + n.name());
    List<String> facts = new ArrayList<>();
    n.subnets().stream().map(Subnet::cidr).forEach(c -> facts.add(c.toString()));
    if (n.driver() != dev.netc.compiler.ir.Driver.BRIDGE) {
      facts.add(n.driver().label());
    }
    if (n.internal()) {
      facts.add("internal");
    }
    if (!facts.isEmpty()) {
      lines.add(String.join(", ", facts));
    }
    return lines;
  }

  private static List<String> groupLines(Group g) {
    List<String> lines = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (Endpoint e : g.members()) {
      String d = e.replicaOf().orElse(e.localName());
      names.add(d);
    }
    List<String> shown = new ArrayList<>(names).subList(0, Math.min(3, names.size()));
    String name = String.join(", ", shown) + (names.size() > 3 ? ", ..." : "");
    lines.add(name + (g.members().size() > 1 ? " ×" + g.members().size() : ""));
    Endpoint first = g.members().get(0);
    if (!first.labels().isEmpty()) {
      List<String> kv = new ArrayList<>();
      new TreeMap<>(first.labels()).forEach((k, v) -> kv.add(k + "=" + v));
      lines.add(String.join(" ", kv));
    }
    if (first.mode() != dev.netc.compiler.ir.NetMode.BRIDGE) {
      lines.add("mode " + first.mode().label());
    }
    Set<String> published = new LinkedHashSet<>();
    g.members().forEach(e -> e.publishes().forEach(p -> published.add(publish(p))));
    lines.addAll(published);
    return lines;
  }

  private static String publish(Publish p) {
    String host = p.hostAddress().map(a -> a.isV4() ? a + ":" : "[" + a + "]:").orElse("");
    String ports = p.hostPorts().map(Object::toString).orElse("");
    return "publish " + (host.isEmpty() && ports.isEmpty() ? "" : host + ports + " → ")
        + p.containerPorts() + "/" + p.protocol().label();
  }

  // ------------------------------------------------------------------ flows

  private static List<Edge> flows(Reachability model, List<Group> groups) {
    List<PortSpec> ports = model.defaultPorts();
    Node outside = model.node(Node.OUTSIDE).orElseThrow();
    // the sides of a flow: each group, and @outside as a group of one
    List<String> ids = new ArrayList<>();
    List<List<Node>> sides = new ArrayList<>();
    for (Group g : groups) {
      ids.add(g.id());
      List<Node> members = new ArrayList<>();
      g.members().forEach(e -> members.add(model.node(e.name()).orElseThrow()));
      sides.add(members);
    }
    ids.add("w0");
    sides.add(List.of(outside));
    int n = sides.size();
    List<List<Optional<Label>>> labels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<Optional<Label>> row = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        row.add(i == j ? Optional.empty() : flow(model, sides.get(i), sides.get(j), ports));
      }
      labels.add(row);
    }
    // a flow both ways on the same ports is one line with two arrow heads, drawn once
    List<Edge> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        Optional<Label> there = labels.get(i).get(j);
        if (there.isEmpty()) {
          continue;
        }
        boolean both = there.equals(labels.get(j).get(i));
        if (both && j < i) {
          continue; // drawn from the other end
        }
        out.add(new Edge(ids.get(i), ids.get(j), true, there.get().partial(), both, there.get().text()));
      }
    }
    return out;
  }

  private record Label(String text, boolean partial) {}

  private static Optional<Label> flow(Reachability model, List<Node> from, List<Node> to, List<PortSpec> ports) {
    List<Node> a = from;
    List<Node> b = to;
    if ((long) a.size() * b.size() > EXACT_PAIRS) {
      a = a.subList(0, Math.min(SAMPLE, a.size()));
      b = b.subList(0, Math.min(SAMPLE, b.size()));
    }
    List<String> admitted = new ArrayList<>();
    boolean partial = false;
    for (PortSpec p : ports) {
      boolean any = false;
      boolean all = true;
      for (Node x : a) {
        for (Node y : b) {
          if (model.allowed(x, y, p)) {
            any = true;
          } else {
            all = false;
          }
        }
      }
      if (any) {
        admitted.add(p.toString());
        partial |= !all;
      }
    }
    if (admitted.isEmpty()) {
      return Optional.empty();
    }
    String text = admitted.size() <= MAX_PORTS_SHOWN ? String.join(", ", admitted)
        : String.join(", ", admitted.subList(0, MAX_PORTS_SHOWN - 1)) + " +"
            + (admitted.size() - MAX_PORTS_SHOWN + 1) + " more";
    return Optional.of(new Label(text, partial));
  }
}
