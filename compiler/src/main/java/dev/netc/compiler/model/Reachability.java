package dev.netc.compiler.model;

import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.Direction;
import dev.netc.compiler.ir.Driver;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Host;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.MacvlanMode;
import dev.netc.compiler.ir.Namespace;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Peer;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Service;
import dev.netc.compiler.ir.Topology;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * The reachability model: for every (from, to, port) the verdict the kernel must reproduce.
 *
 * <p>Decided in this order (LANGUAGE.md, "Semantics the checks rely on"): a path must exist (a
 * shared network, a service, a published port, the host); then any matching {@code deny} drops
 * it; then, if the destination is isolated for ingress, some allow rule of a policy selecting it
 * must admit the source on the port; then, if the source is isolated for egress, some allow rule
 * of a policy selecting it must admit the destination on the port. As in Kubernetes, an endpoint
 * always reaches itself, and traffic between an endpoint and its own host is not subject to
 * policy. Replies of admitted connections are admitted.
 *
 * <p>{@code cidr} peers are decided on the address the packet carries on the way it takes
 * ({@link #flows}): its source for ingress rules, its destination for egress rules. A connection
 * that can go several ways is admitted when one of them is.
 *
 * <p>Cost: selectors are evaluated once per group of endpoints with equal namespace, labels and
 * matching address blocks (not once per endpoint pair); each address is classed once by the
 * distinct blocks that contain it; a decision then only walks the rules of the policies that
 * select the two endpoints, and is cached per (group, group, port, source class, destination
 * class). The ways are listed only for cells where a {@code cidr} peer is in play and an
 * endpoint's addresses fall in different classes.
 */
public final class Reachability {
  /**
   * The address {@code @outside} connects from and listens on: in the benchmarking range of RFC
   * 2544, which real networks and documentation examples leave alone.
   */
  public static final IpAddress OUTSIDE_V4 = IpAddress.parse("198.18.0.2").get();
  /** The IPv6 address of {@code @outside}, in the benchmarking prefix of RFC 5180. */
  public static final IpAddress OUTSIDE_V6 = IpAddress.parse("2001:2::2").get();

  private final Topology t;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, Node> byName = new LinkedHashMap<>();
  private final Map<String, Network> networks = new HashMap<>();
  private final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
  private final Map<String, Integer> index = new HashMap<>();
  private final Map<String, Integer> nodeIndex = new HashMap<>();
  private final List<List<Policy>> selecting = new ArrayList<>();
  /** The distinct address blocks of the {@code cidr} peers (a prefix minus its exceptions). */
  private final List<Block> cidrPeers = new ArrayList<>();
  private final List<List<Node>> groupMembers = new ArrayList<>();
  /**
   * Per label key and value, the groups whose endpoints carry that label: a selector with a
   * requirement such as {@code app=web} is matched against those groups only, not every group
   * ({@link #candidates}).
   */
  private final Map<String, Map<String, BitSet>> labelIndex = new HashMap<>();
  private final BitSet allGroups = new BitSet();
  /** The nodes each policy selects, by their index in {@link #nodes}. */
  private final Map<Policy, BitSet> selectedBy = new java.util.IdentityHashMap<>();
  /** The index in {@link #nodes} of each group's members, in node order. */
  private final List<int[]> groupIndices = new ArrayList<>();
  private final Map<Policy.Rule, List<Node>> peersOf = new java.util.IdentityHashMap<>();
  private final Map<CacheKey, Boolean> cache = new HashMap<>();
  /** The position of each {@code cidr} peer's block in {@link #cidrPeers}: its bit in an address class. */
  private final Map<Peer, Integer> cidrIndex = new java.util.IdentityHashMap<>();
  /** The class of each address seen: which {@code cidr} peers match it (class 0 matches none). */
  private final Map<IpAddress, Integer> addressClass = new HashMap<>();
  private final Map<BitSet, Integer> classIds = new HashMap<>();
  private final List<BitSet> classBits = new ArrayList<>();
  private final int[] group;
  /**
   * Per group: bit 1 when a policy selecting it has an ingress rule with a {@code cidr} peer,
   * bit 2 an egress rule: only then do the packet's addresses matter to a decision.
   */
  private final byte[] cidrSides;
  private final boolean singleHost;
  /** The host ports netc chooses for the lines that give none. */
  private final AutomaticPorts automatic;

  /** Whether a service's virtual address leads to the endpoints it selects on other hosts too. */
  private final boolean servicesAcrossHosts;

  /** The one family this model is of ({@link #inFamily}); null for both. */
  private final IpAddress.Family only;

  /**
   * In a model of one family, the network each endpoint's published ports forward to in the
   * whole topology ({@link #publishedTarget}: its first network with a route out, whatever the
   * family), which the projection may have left out; empty otherwise.
   */
  private final Map<String, String> forwardedOn;

  public Reachability(Topology t) {
    this(t, true);
  }

  /**
   * The model, or with {@code servicesAcrossHosts} false the model of what the plans realise
   * today: a host balances a service's virtual address over its own endpoints only, so an
   * endpoint reaches another through a service only when both are on one host (a node port still
   * leads to the endpoints of its host, from anywhere). {@code netc verify} compares the kernel
   * with the two and leaves out the cells where they differ.
   */
  public Reachability(Topology t, boolean servicesAcrossHosts) {
    this(t, servicesAcrossHosts, AutomaticPorts.of(t));
  }

  /**
   * As above, with the host ports chosen for {@code t} given: {@code netc verify}'s model of what
   * the plans realise leaves attachments out of a copy of the topology, and must still name the
   * ports the plan chose for the whole one ({@link #automaticPorts}).
   */
  public Reachability(Topology t, boolean servicesAcrossHosts, AutomaticPorts automatic) {
    this(t, servicesAcrossHosts, automatic, null, Map.of());
  }

  /**
   * As above, the model of connections of family {@code only} alone when it is not null: {@code
   * t} is then the topology as that family sees it ({@link #inFamily}), and the ways off a host
   * (to {@code @outside}, to another host) are in that family only.
   */
  private Reachability(Topology t, boolean servicesAcrossHosts, AutomaticPorts automatic, IpAddress.Family only,
      Map<String, String> forwardedOn) {
    this.only = only;
    this.forwardedOn = Map.copyOf(forwardedOn);
    this.t = t;
    this.servicesAcrossHosts = servicesAcrossHosts;
    this.singleHost = t.hosts().size() == 1;
    this.automatic = automatic;
    t.networks().forEach(n -> networks.put(n.name(), n));
    for (Namespace ns : t.namespaces()) {
      namespaceLabels.put(ns.name(), ns.labels());
    }
    for (Endpoint e : t.endpoints()) {
      Node n = Node.of(e);
      index.put(e.name(), nodes.size());
      nodes.add(n);
    }
    for (Host h : t.hosts()) {
      String name = singleHost ? Node.HOST : Node.HOST + "/" + h.name();
      nodes.add(new Node(name, Node.Kind.HOST, Optional.empty(), Optional.of(h.name())));
    }
    nodes.add(new Node(Node.OUTSIDE, Node.Kind.OUTSIDE, Optional.empty(), Optional.empty()));
    nodes.forEach(n -> byName.put(n.name(), n));
    for (int i = 0; i < nodes.size(); i++) {
      nodeIndex.put(nodes.get(i).name(), i);
    }
    for (Policy p : t.policies()) {
      for (Policy.Rule r : p.rules()) {
        r.peers().stream().filter(x -> x.kind() == Peer.Kind.CIDR).forEach(x -> {
          Block b = new Block(x.cidr().get(), x.except());
          int i = cidrPeers.indexOf(b);
          if (i < 0) {
            i = cidrPeers.size();
            cidrPeers.add(b);
          }
          cidrIndex.put(x, i);
        });
      }
    }
    classIds.put(new BitSet(), 0);
    classBits.add(new BitSet());
    // Group endpoints by what selectors and address blocks can tell apart.
    Map<String, Integer> groups = new HashMap<>();
    group = new int[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      String key = n.endpoint().map(e -> e.mode() + "|" + e.host() + "|" + e.namespace() + "|"
          + new java.util.TreeMap<>(e.labels()) + "|" + cidrSignature(n)).orElse(n.name());
      group[i] = groups.computeIfAbsent(key, k -> groups.size());
      if (group[i] == groupMembers.size()) {
        groupMembers.add(new ArrayList<>());
      }
      groupMembers.get(group[i]).add(n);
    }
    allGroups.set(0, groupMembers.size());
    int[] filled = new int[groupMembers.size()];
    groupMembers.forEach(m -> groupIndices.add(new int[m.size()]));
    for (int i = 0; i < nodes.size(); i++) {
      groupIndices.get(group[i])[filled[group[i]]++] = i;
    }
    for (int g = 0; g < groupMembers.size(); g++) {
      int gg = g;
      groupMembers.get(g).get(0).endpoint().ifPresent(e -> e.labels().forEach((k, v) ->
          labelIndex.computeIfAbsent(k, x -> new HashMap<>()).computeIfAbsent(v, x -> new BitSet()).set(gg)));
    }
    // the policies that select each group of endpoints, in the topology's order
    Map<Integer, List<Policy>> byGroup = new HashMap<>();
    for (Node n : nodes) {
      n.endpoint().ifPresent(e -> byGroup.putIfAbsent(group[index.get(e.name())], new ArrayList<>()));
    }
    for (Policy p : t.policies()) {
      BitSet candidates = candidates(p.selector());
      for (int g = candidates.nextSetBit(0); g >= 0; g = candidates.nextSetBit(g + 1)) {
        List<Policy> policies = byGroup.get(g);
        if (policies != null && selects(p, groupMembers.get(g).get(0).endpoint().get())) {
          policies.add(p);
        }
      }
    }
    for (Node n : nodes) {
      n.endpoint().ifPresent(e -> selecting.add(byGroup.get(group[index.get(e.name())])));
    }
    cidrSides = new byte[groupMembers.size()];
    byGroup.forEach((g, policies) -> {
      for (Policy p : policies) {
        for (Policy.Rule r : p.rules()) {
          if (r.peers().stream().anyMatch(x -> x.kind() == Peer.Kind.CIDR)) {
            cidrSides[g] |= (byte) (r.direction() == Direction.INGRESS ? 1 : 2);
          }
        }
      }
    });
    t.policies().forEach(p -> selectedBy.put(p, new BitSet()));
    byGroup.forEach((g, policies) -> policies.forEach(p -> {
      for (int i : groupIndices.get(g)) {
        selectedBy.get(p).set(i);
      }
    }));
  }

  /** The endpoints a policy selects, in node order. */
  public List<Node> selectedBy(Policy p) {
    return nodesOf(selectedBy.getOrDefault(p, EMPTY));
  }

  /** The nodes of the given indices, in node order. */
  private List<Node> nodesOf(BitSet indices) {
    List<Node> out = new ArrayList<>(indices.cardinality());
    for (int i = indices.nextSetBit(0); i >= 0; i = indices.nextSetBit(i + 1)) {
      out.add(nodes.get(i));
    }
    return out;
  }

  /** Every node a rule of policy {@code p} names as its peer (decided once per group). */
  public List<Node> peersOf(Policy p, Policy.Rule r) {
    return peersOf.computeIfAbsent(r, k -> {
      BitSet matched = new BitSet();
      if (r.peers().isEmpty()) {
        matched.or(allGroups);
      }
      for (Peer x : r.peers()) {
        BitSet candidates = x.kind() == Peer.Kind.ENDPOINTS ? candidates(x.endpoints()) : allGroups;
        for (int g = candidates.nextSetBit(0); g >= 0; g = candidates.nextSetBit(g + 1)) {
          if (!matched.get(g) && peerMatches(x, p, groupMembers.get(g).get(0))) {
            matched.set(g);
          }
        }
      }
      BitSet indices = new BitSet(nodes.size());
      for (int g = matched.nextSetBit(0); g >= 0; g = matched.nextSetBit(g + 1)) {
        for (int i : groupIndices.get(g)) {
          indices.set(i);
        }
      }
      return nodesOf(indices);
    });
  }

  /**
   * The groups a selector can match, from {@link #labelIndex}: those with the label of its
   * narrowest {@code =}, {@code in} or {@code exists} requirement; every group when it has none
   * (only {@code !=}, {@code notin}, {@code !key}, or no requirement). The caller still matches
   * each candidate whole. Not to be changed: it may be a set of the index.
   */
  private BitSet candidates(dev.netc.compiler.ir.Selector selector) {
    BitSet best = null;
    for (dev.netc.compiler.ir.Requirement q : selector.requirements()) {
      Map<String, BitSet> values = labelIndex.getOrDefault(q.key(), Map.of());
      BitSet c;
      switch (q.operator()) {
        case EQUALS -> c = values.getOrDefault(q.values().get(0), EMPTY);
        case IN -> {
          c = new BitSet();
          for (String v : q.values()) {
            c.or(values.getOrDefault(v, EMPTY));
          }
        }
        case EXISTS -> {
          c = new BitSet();
          for (BitSet b : values.values()) {
            c.or(b);
          }
        }
        default -> c = null;
      }
      if (c != null && (best == null || c.cardinality() < best.cardinality())) {
        best = c;
      }
    }
    return best == null ? allGroups : best;
  }

  private static final BitSet EMPTY = new BitSet();

  /**
   * Whether a rule of {@code owner} matches node {@code n} whatever address its packets carry:
   * a peer other than {@code cidr} names it, or every address it can send from or be reached at
   * is in one of the rule's blocks. A rule that names a multi-homed endpoint by one address only
   * does not admit its packets from the others.
   */
  public boolean matchesEveryAddress(Policy owner, Policy.Rule r, Node n) {
    if (r.peers().isEmpty()) {
      return true;
    }
    BitSet blocks = new BitSet();
    for (Peer p : r.peers()) {
      if (p.kind() == Peer.Kind.CIDR) {
        blocks.set(cidrIndex.get(p));
      } else if (peerMatches(p, owner, n)) {
        return true;
      }
    }
    List<IpAddress> all = flowAddresses(n);
    if (blocks.isEmpty() || all.isEmpty()) {
      return false;
    }
    for (IpAddress a : all) {
      if (!classBits.get(classOf(Optional.of(a))).intersects(blocks)) {
        return false;
      }
    }
    return true;
  }

  /** Whether one peer of a rule of {@code owner} matches any endpoint (decided once per group). */
  public boolean peerMatchesAnyEndpoint(Peer peer, Policy owner) {
    for (List<Node> members : groupMembers) {
      Node n = members.get(0);
      if (n.isEndpoint() && peerMatches(peer, owner, n)) {
        return true;
      }
    }
    return false;
  }

  /** An address block of {@code cidr} peers: a prefix minus its exceptions. */
  private record Block(Cidr cidr, List<Cidr> except) {
    boolean contains(IpAddress a) {
      if (!cidr.contains(a)) {
        return false;
      }
      for (Cidr x : except) {
        if (x.contains(a)) {
          return false;
        }
      }
      return true;
    }
  }

  /** Which address blocks contain some address of the node. */
  private String cidrSignature(Node n) {
    if (cidrPeers.isEmpty()) {
      return "";
    }
    BitSet bits = new BitSet();
    for (IpAddress a : addresses(n)) {
      bits.or(classBits.get(classOf(Optional.of(a))));
    }
    return bits.toString();
  }

  /** Whether policy {@code p} selects endpoint {@code e}; host-network endpoints are outside policy, as in Kubernetes. */
  private static boolean selects(Policy p, Endpoint e) {
    return e.mode() != NetMode.HOST && p.namespace().equals(e.namespace()) && p.selector().matches(e.labels());
  }

  public Topology topology() {
    return t;
  }

  /** Every node: endpoints in declaration order, then each host, then {@code @outside}. */
  public List<Node> nodes() {
    return nodes;
  }

  public Optional<Node> node(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The policies that select an endpoint (none for hosts and the outside). */
  public List<Policy> policiesSelecting(Node n) {
    return n.isEndpoint() ? selecting.get(index.get(n.name())) : List.of();
  }

  // ---------------------------------------------------------------- ports

  /**
   * The ports a matrix shows when none are asked for: those the topology exposes, publishes,
   * forwards to from services or names in allow and deny rules (a range by its first port; a
   * published range by its first and its last container port, so that a probe of the defaults
   * sees both ends of the forwarding), or {@code 80/tcp} when it names none.
   */
  public List<PortSpec> defaultPorts() {
    // (computed once: the policy checks ask for it for every rule they try, PolicyScope.ports)
    List<PortSpec> known = defaultPorts;
    if (known == null) {
      known = List.copyOf(computeDefaultPorts());
      defaultPorts = known;
    }
    return known;
  }

  /** {@link #defaultPorts}, once (an immutable list: a race computes it twice, alike). */
  private List<PortSpec> defaultPorts;

  private List<PortSpec> computeDefaultPorts() {
    TreeSet<PortSpec> out = new TreeSet<>();
    for (Endpoint e : t.endpoints()) {
      e.exposes().forEach(p -> out.add(first(p)));
      e.members().forEach(m -> m.exposes().forEach(p -> out.add(first(p))));
      e.publishes().forEach(p -> {
        out.add(new PortSpec(PortRange.of(p.containerPorts().first()), p.protocol()));
        out.add(new PortSpec(PortRange.of(p.containerPorts().last()), p.protocol()));
      });
    }
    for (Service s : t.services()) {
      s.ports().forEach(p -> out.add(new PortSpec(PortRange.of(p.targetPort()), p.protocol())));
    }
    for (Policy p : t.policies()) {
      p.rules().forEach(r -> r.ports().forEach(x -> out.add(first(x))));
    }
    if (out.isEmpty()) {
      out.add(new PortSpec(PortRange.of(80), dev.netc.compiler.ir.Protocol.TCP));
    }
    return new ArrayList<>(out);
  }

  private static PortSpec first(PortSpec p) {
    return new PortSpec(PortRange.of(p.range().first()), p.protocol());
  }

  // ---------------------------------------------------------------- decisions

  /** The verdict alone, fast and cached; equal to {@code explain(...).allowed()}. */
  public boolean allowed(Node a, Node b, PortSpec port) {
    if (same(a, b)) {
      return true;
    }
    if (directAllowed(a, b, port)) {
      return true;
    }
    for (RemoteWay w : remoteWays(a, b, port)) {
      if (remoteDecision(a, b, port, w, null).allowed) {
        return true;
      }
    }
    return false;
  }

  /**
   * The first way through a port published on another host, or a node port there, that admits
   * the connection from {@code a} to {@code b} on {@code port} ({@link #remoteWays}), as {@code
   * netc explain} names it; empty when none does. On such a way policy sees the two endpoints'
   * hosts, so a rule that names either endpoint has no say there.
   */
  public Optional<String> admittingRemoteWay(Node a, Node b, PortSpec port) {
    return admittingRemote(a, b, port).map(RemoteWay::path);
  }

  /** What a way through another host goes through: a port published there, or a service's node port. */
  public enum Through {
    PUBLISHED_PORT,
    NODE_PORT
  }

  /**
   * What the first way of {@link #admittingRemoteWay} goes through; empty when no way through
   * another host admits the connection.
   */
  public Optional<Through> admittingRemoteThrough(Node a, Node b, PortSpec port) {
    return admittingRemote(a, b, port).map(RemoteWay::through);
  }

  /**
   * The port {@code a} connects to on {@code b}'s host on the first way of {@link
   * #admittingRemoteWay}: the published host port (the one netc chooses for a line without one,
   * {@link AutomaticPorts}) or the node port, as {@code a}'s egress rules see it; empty when no
   * such way admits the connection.
   */
  public Optional<PortSpec> admittingRemoteHostPort(Node a, Node b, PortSpec port) {
    return admittingRemote(a, b, port).map(RemoteWay::hostPort);
  }

  private Optional<RemoteWay> admittingRemote(Node a, Node b, PortSpec port) {
    for (RemoteWay w : remoteWays(a, b, port)) {
      if (remoteDecision(a, b, port, w, null).allowed) {
        return Optional.of(w);
      }
    }
    return Optional.empty();
  }

  /**
   * The verdict over the ways of {@link #directPath} alone (not through a port published on
   * another host): what the policy checks judge a rule about two endpoints by.
   */
  public boolean directAllowed(Node a, Node b, PortSpec port) {
    int ia = nodeIndex.get(a.name());
    int ib = nodeIndex.get(b.name());
    int ga = group[ia];
    int gb = group[ib];
    if (cidrPeers.isEmpty() || ((cidrSides[gb] & 1) == 0 && (cidrSides[ga] & 2) == 0) || sameHostTraffic(a, b)) {
      return directPath(a, b, port).isPresent() && decide(a, b, ga, gb, port, 0, 0);
    }
    int ua = uniformClass(ia, a);
    int ub = uniformClass(ib, b);
    if (ua >= 0 && ub >= 0) {
      // every address either side can use is in the same blocks: no need to list the ways
      return directPath(a, b, port).isPresent() && decide(a, b, ga, gb, port, ua, ub);
    }
    for (Flow f : flows(a, b, port)) {
      if (decide(a, b, ga, gb, port, classOf(f.source()), classOf(f.destination()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The verdict over the way through a service's virtual address alone (a service of {@code b}'s
   * namespace that selects {@code b} and forwards to {@code port}), whatever other ways there are:
   * what a client connecting to the virtual address would get from {@code b} if its host balanced
   * over {@code b}. False when there is no such way (in a model without {@code
   * servicesAcrossHosts}, none between two hosts).
   */
  public boolean serviceAllowed(Node a, Node b, PortSpec port) {
    if (!a.isEndpoint() || !b.isEndpoint() || same(a, b) || isNone(a) || isNone(b) || hostLike(a) || hostLike(b)) {
      return false;
    }
    Endpoint from = a.endpoint().get();
    Endpoint to = b.endpoint().get();
    if (service(from, to, port).isEmpty()) {
      return false;
    }
    int ga = groupOf(a);
    int gb = groupOf(b);
    if (!addressesMatter(a, b)) {
      return decide(a, b, ga, gb, port, 0, 0);
    }
    List<Flow> flows = serviceFlows(servicesOf(to, port, false), to, f -> serviceSource(from, f));
    if (flows.isEmpty()) {
      // as flows() does: a way without known addresses carries the nodes' first ones
      flows = List.of(Flow.of("", firstFlowAddress(a), firstFlowAddress(b)));
    }
    for (Flow f : flows) {
      if (decide(a, b, ga, gb, port, classOf(f.source()), classOf(f.destination()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether rule {@code r} of policy {@code owner} matches the connection from {@code from} to
   * {@code to} on {@code port} on some way of {@link #flows}: its ports hold the port, and its
   * peers match the other side (the source for an ingress rule, the destination for an egress
   * rule), a {@code cidr} peer by the address the packet carries on that way. A {@code cidr} peer
   * that contains only another address of the node ({@link #peerMatches}) does not match: the
   * policy checks ask this to learn whether a rule is about a connection at all.
   */
  public boolean ruleMatches(Policy owner, Policy.Rule r, Node from, Node to, PortSpec port) {
    Node peer = r.direction() == Direction.INGRESS ? from : to;
    Boolean known = matchesWhateverTheAddress(owner, r, peer, port);
    if (known != null) {
      return known;
    }
    if (sameHostTraffic(from, to)) {
      return peerMatches(r, owner, peer); // no policy sees its packets: the node is all there is
    }
    for (Flow f : flows(from, to, port)) {
      if (matches(r, owner, peer, bits(r.direction() == Direction.INGRESS ? f.source() : f.destination()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the answers about a connection from {@code a} to {@code b} can differ from one of its
   * ways ({@link #flows}) to another: a {@code cidr} peer is in play and a node's addresses fall
   * in different blocks. Where not, {@link #ruleMatches}, {@link #deniedBy} and {@link
   * #directAllowed} are the answers of every way; where so, a check that asks all three must ask
   * them of each way ({@link #ruleMatchesOn}, {@link #deniedOn}, {@link #allowedOn}), since a rule
   * may match on one way and a deny drop it there while another way is not denied.
   */
  public boolean decidedPerWay(Node a, Node b) {
    return addressesMatter(a, b) && !(uniformClass(a) >= 0 && uniformClass(b) >= 0);
  }

  /**
   * Whether rule {@code r} of policy {@code owner} matches way {@code f} of the connection from
   * {@code from} to {@code to} on {@code port}: its ports hold the port, and its peers match the
   * other side, a {@code cidr} peer by the address the packet carries on that way.
   */
  public boolean ruleMatchesOn(Policy owner, Policy.Rule r, Node from, Node to, PortSpec port, Flow f) {
    Node peer = r.direction() == Direction.INGRESS ? from : to;
    Boolean known = matchesWhateverTheAddress(owner, r, peer, port);
    return known != null ? known
        : matches(r, owner, peer, bits(r.direction() == Direction.INGRESS ? f.source() : f.destination()));
  }

  /**
   * Whether rule {@code r} matches {@code peer} on {@code port} whatever address the packet
   * carries (its ports do not hold the port, or it has no peers, or a peer other than a {@code
   * cidr} matches); null when only its {@code cidr} peers can tell, by the address.
   */
  private Boolean matchesWhateverTheAddress(Policy owner, Policy.Rule r, Node peer, PortSpec port) {
    if (!portMatches(r, port)) {
      return false;
    }
    if (r.peers().isEmpty()
        || r.peers().stream().anyMatch(x -> x.kind() != Peer.Kind.CIDR && peerMatches(x, owner, peer))) {
      return true;
    }
    return null;
  }

  /** The deny rule that drops way {@code f} of the connection from {@code a} to {@code b} on {@code port}, if any. */
  public Optional<Policy.Rule> deniedOn(Node a, Node b, PortSpec port, Flow f) {
    return denyRule(a, b, port, bits(f.source()), bits(f.destination()));
  }

  /** Every deny rule that drops way {@code f} (for the messages that name them all). */
  public List<Policy.Rule> denyRulesOn(Node a, Node b, PortSpec port, Flow f) {
    java.util.Set<Policy.Rule> out = new java.util.LinkedHashSet<>();
    denies(a, b, port, bits(f.source()), bits(f.destination()), out);
    return List.copyOf(out);
  }

  /** Whether policy admits way {@code f} of the connection from {@code a} to {@code b} on {@code port}. */
  public boolean allowedOn(Node a, Node b, PortSpec port, Flow f) {
    return decide(a, b, groupOf(a), groupOf(b), port, classOf(f.source()), classOf(f.destination()));
  }

  /** The cache's key: the policy decision depends on nothing else. */
  /**
   * The key of a cached decision. Not a record: a record's equals and hashCode go through method
   * handles, which the JVM's first compiler does not inline, and the matrix looks up every cell.
   */
  private static final class CacheKey {
    private final int from;
    private final int to;
    private final PortSpec port;
    private final int source;
    private final int destination;

    CacheKey(int from, int to, PortSpec port, int source, int destination) {
      this.from = from;
      this.to = to;
      this.port = port;
      this.source = source;
      this.destination = destination;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CacheKey k && from == k.from && to == k.to && source == k.source
          && destination == k.destination && (port == k.port || port.range().first() == k.port.range().first()
              && port.range().last() == k.port.range().last() && port.protocol() == k.port.protocol());
    }

    @Override
    public int hashCode() {
      return (((from * 31 + to) * 31 + source) * 31 + destination) * 31
          + port.range().first() * 131 + port.range().last() * 7 + port.protocol().ordinal();
    }
  }

  /** The policy decision for two nodes and the classes of their packet's addresses, cached. */
  private boolean decide(Node a, Node b, int ga, int gb, PortSpec port, int source, int destination) {
    CacheKey key = new CacheKey(ga, gb, port, source, destination);
    Boolean cached = cache.get(key);
    if (cached == null) {
      cached = policies(a, b, port, classBits.get(source), classBits.get(destination), null).allowed;
      cache.put(key, cached);
    }
    return cached;
  }

  /**
   * Whether the addresses of the packets can change the policy decision between two nodes: the
   * traffic is subject to policy, and a policy selecting the destination has an ingress rule, or
   * one selecting the source an egress rule, with a {@code cidr} peer.
   */
  private boolean addressesMatter(Node a, Node b) {
    return !cidrPeers.isEmpty() && ((cidrSides[groupOf(b)] & 1) != 0 || (cidrSides[groupOf(a)] & 2) != 0)
        && !sameHostTraffic(a, b);
  }

  /** An endpoint that policies can select: one in {@code mode bridge}. */
  private static boolean policed(Node n) {
    return n.endpoint().map(e -> e.mode() == NetMode.BRIDGE).orElse(false);
  }

  /** The class of an address: which {@code cidr} peers (minus their exceptions) contain it. */
  private int classOf(Optional<IpAddress> address) {
    if (address.isEmpty()) {
      return 0;
    }
    Integer known = addressClass.get(address.get());
    if (known != null) {
      return known;
    }
    IpAddress a = address.get();
    BitSet bits = new BitSet();
    for (int i = 0; i < cidrPeers.size(); i++) {
      if (cidrPeers.get(i).contains(a)) {
        bits.set(i);
      }
    }
    int id = classIds.computeIfAbsent(bits, k -> {
      classBits.add(k);
      return classBits.size() - 1;
    });
    addressClass.put(a, id);
    return id;
  }

  private int[] uniform;

  /**
   * The class shared by every address a node's packets can carry where policy sees them ({@link
   * #flowAddresses}), or -1 when they differ (0 when it has none).
   */
  private int uniformClass(Node n) {
    return uniformClass(nodeIndex.get(n.name()), n);
  }

  private int uniformClass(int i, Node n) {
    if (uniform == null) {
      uniform = new int[nodes.size()];
      java.util.Arrays.fill(uniform, -2);
    }
    if (uniform[i] == -2) {
      int c = -2;
      for (IpAddress a : flowAddresses(n)) {
        int x = classOf(Optional.of(a));
        c = c == -2 || c == x ? x : -1;
      }
      uniform[i] = c == -2 ? 0 : c;
    }
    return uniform[i];
  }

  /**
   * The addresses a node's packets can carry where policy sees them: an endpoint's attachment
   * addresses, {@code @outside}'s two, a host's (or a {@code mode host} endpoint's) underlay
   * address, as its connections to another host's endpoints leave with it.
   */
  private List<IpAddress> flowAddresses(Node n) {
    if (n.kind() == Node.Kind.OUTSIDE) {
      return List.of(OUTSIDE_V4, OUTSIDE_V6);
    }
    if (hostLike(n)) {
      return underlayOf(n.host().get()).map(List::of).orElse(List.of());
    }
    List<IpAddress> out = new ArrayList<>();
    n.endpoint().get().attachments().forEach(x -> out.addAll(x.addresses()));
    return out;
  }

  private Optional<IpAddress> firstFlowAddress(Node n) {
    List<IpAddress> all = flowAddresses(n);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  private BitSet bits(Optional<IpAddress> address) {
    return classBits.get(classOf(address));
  }

  private int groupOf(Node n) {
    return group[nodeIndex.get(n.name())];
  }

  private static boolean same(Node a, Node b) {
    return a.name().equals(b.name());
  }

  /** The verdict with its path and every rule that took part, for {@code netc explain}. */
  public Verdict explain(Node a, Node b, PortSpec port) {
    List<RemoteWay> remote = remoteWays(a, b, port);
    if (directPath(a, b, port).isEmpty() && remote.isEmpty()) {
      List<Verdict.Step> steps = new ArrayList<>();
      steps.add(new Verdict.Step("no path: " + whyNoPath(a, b, port), Optional.empty()));
      return new Verdict(a, b, port, false, Optional.empty(), steps, Optional.empty());
    }
    if (directPath(a, b, port).isEmpty()) {
      return explainRemote(a, b, port, remote);
    }
    Verdict direct = explainDirect(a, b, port);
    if (direct.allowed() || remote.isEmpty()) {
      return direct;
    }
    if (remote.stream().anyMatch(w -> remoteDecision(a, b, port, w, null).allowed)) {
      return explainRemote(a, b, port, remote);
    }
    // refused every way: the direct one, and the others named
    List<Verdict.Step> steps = new ArrayList<>(direct.steps());
    steps.add(new Verdict.Step("refused alike " + (remote.size() == 1 ? "on the other way" : "on every other way")
        + ": " + String.join("; ", remote.stream().map(RemoteWay::described).distinct().toList()), Optional.empty()));
    return new Verdict(a, b, port, false, direct.path(), steps, direct.deciding());
  }

  /**
   * The verdict through a port published on another host (or a node port there): the first way
   * admitted, or the first way, with the steps of both ends' policies.
   */
  private Verdict explainRemote(Node a, Node b, PortSpec port, List<RemoteWay> remote) {
    RemoteWay chosen = remote.stream().filter(w -> remoteDecision(a, b, port, w, null).allowed).findFirst()
        .orElse(remote.get(0));
    List<Verdict.Step> steps = new ArrayList<>();
    steps.add(new Verdict.Step("path: " + chosen.described(), Optional.empty()));
    Decision d = remoteDecision(a, b, port, chosen, steps);
    if (!d.allowed && remote.size() > 1) {
      List<String> others = remote.stream().filter(w -> w != chosen).map(RemoteWay::described).distinct().toList();
      if (!others.isEmpty()) {
        steps.add(new Verdict.Step("refused alike on " + (others.size() == 1 ? "the other way" : "every other way")
            + ": " + String.join("; ", others), Optional.empty()));
      }
    }
    return new Verdict(a, b, port, d.allowed, Optional.of(chosen.path()), steps, Optional.ofNullable(d.rule));
  }

  /** The verdict over the ways of {@link #directPath}, which must exist. */
  private Verdict explainDirect(Node a, Node b, PortSpec port) {
    List<Verdict.Step> steps = new ArrayList<>();
    Optional<String> path = directPath(a, b, port);
    if (same(a, b) || !addressesMatter(a, b)) {
      steps.add(new Verdict.Step("path: " + path.get(), Optional.empty()));
      if (same(a, b)) {
        steps.add(new Verdict.Step("an endpoint always reaches itself; policies do not apply", Optional.empty()));
        return new Verdict(a, b, port, true, path, steps, Optional.empty());
      }
      Decision d = policies(a, b, port, classBits.get(0), classBits.get(0), steps);
      return new Verdict(a, b, port, d.allowed, path, steps, Optional.ofNullable(d.rule));
    }
    // cidr peers decide on the packet's addresses: the first way that is admitted is the answer,
    // else the first way, and the others are named
    List<Flow> flows = flows(a, b, port);
    Flow chosen = flows.get(0);
    for (Flow f : flows) {
      if (policies(a, b, port, bits(f.source()), bits(f.destination()), null).allowed) {
        chosen = f;
        break;
      }
    }
    String at = chosen.addresses();
    steps.add(new Verdict.Step("path: " + chosen.path() + (at.isEmpty() ? "" : ", " + at), Optional.empty()));
    Decision d = policies(a, b, port, bits(chosen.source()), bits(chosen.destination()), steps);
    if (!d.allowed && flows.size() > 1) {
      List<String> others = new ArrayList<>();
      for (Flow f : flows) {
        if (f != chosen) {
          others.add(f.path() + (f.addresses().isEmpty() ? "" : ", " + f.addresses()));
        }
      }
      steps.add(new Verdict.Step("refused alike on " + (others.size() == 1 ? "the other way" : "every other way")
          + ": " + String.join("; ", others), Optional.empty()));
    }
    return new Verdict(a, b, port, d.allowed, Optional.of(chosen.path()), steps, Optional.ofNullable(d.rule));
  }

  /** The outcome of the policy stage. */
  private record Decision(boolean allowed, Policy.Rule rule) {}

  /**
   * Steps 2 to 5 of the order of decision, for a packet whose source and destination addresses
   * are in the classes {@code src} and {@code dst} (the {@code cidr} peers that match them).
   */
  private Decision policies(Node a, Node b, PortSpec port, BitSet src, BitSet dst, List<Verdict.Step> steps) {
    boolean hostTraffic = sameHostTraffic(a, b);
    if (hostTraffic) {
      if (steps != null) {
        steps.add(new Verdict.Step("traffic between an endpoint and its own host is not subject to policy", Optional.empty()));
      }
      return new Decision(true, null);
    }
    List<Policy> toPolicies = policiesSelecting(b);
    List<Policy> fromPolicies = policiesSelecting(a);
    for (Policy p : toPolicies) {
      for (Policy.Rule r : p.rules()) {
        if (r.action() == Policy.Action.DENY && r.direction() == Direction.INGRESS
            && matches(r, p, a, src) && portMatches(r, port)) {
          if (steps != null) { // (the words only for explain: a decision is made for every pair)
            step(steps, "denied by policy `" + p.name() + "`: " + describe(r) + ", which wins over every allow", r);
          }
          return new Decision(false, r);
        }
      }
    }
    for (Policy p : fromPolicies) {
      for (Policy.Rule r : p.rules()) {
        if (r.action() == Policy.Action.DENY && r.direction() == Direction.EGRESS
            && matches(r, p, b, dst) && portMatches(r, port)) {
          if (steps != null) {
            step(steps, "denied by policy `" + p.name() + "`: " + describe(r) + ", which wins over every allow", r);
          }
          return new Decision(false, r);
        }
      }
    }
    Policy.Rule admitted = null;
    if (b.isEndpoint()) {
      Optional<Policy> isolating = isolating(toPolicies, Direction.INGRESS);
      if (isolating.isEmpty()) {
        if (steps != null) {
          step(steps, "`" + b.name() + "` is not isolated for ingress", null);
        }
      } else {
        admitted = admit(toPolicies, Direction.INGRESS, a, src, port);
        if (admitted == null) {
          if (steps != null) {
            steps.add(new Verdict.Step("`" + b.name() + "` is isolated for ingress by policy `"
                + isolating.get().name() + "`", Optional.of(isolating.get().span())));
            steps.add(new Verdict.Step("no allow rule of a policy selecting `" + b.name()
                + "` admits `" + a.name() + "` on " + port + rulesSummary(toPolicies, Direction.INGRESS),
                Optional.empty()));
          }
          return new Decision(false, null);
        }
        if (steps != null) {
          step(steps, "`" + b.name() + "` is isolated for ingress; admitted by policy `"
              + owner(admitted).name() + "`: " + describe(admitted), admitted);
        }
      }
    }
    if (a.isEndpoint()) {
      Optional<Policy> isolating = isolating(fromPolicies, Direction.EGRESS);
      if (isolating.isEmpty()) {
        if (steps != null) {
          step(steps, "`" + a.name() + "` is not isolated for egress", null);
        }
      } else {
        Policy.Rule out = admit(fromPolicies, Direction.EGRESS, b, dst, port);
        if (out == null) {
          if (steps != null) {
            steps.add(new Verdict.Step("`" + a.name() + "` is isolated for egress by policy `"
                + isolating.get().name() + "`", Optional.of(isolating.get().span())));
            steps.add(new Verdict.Step("no allow rule of a policy selecting `" + a.name()
                + "` admits `" + b.name() + "` on " + port + rulesSummary(fromPolicies, Direction.EGRESS),
                Optional.empty()));
          }
          return new Decision(false, null);
        }
        if (steps != null) {
          step(steps, "`" + a.name() + "` is isolated for egress; admitted by policy `"
              + owner(out).name() + "`: " + describe(out), out);
        }
        admitted = admitted == null ? out : admitted;
      }
    }
    return new Decision(true, admitted);
  }

  /**
   * The deny rule that drops traffic from {@code a} to {@code b} on {@code port} on the ways of
   * {@link #directPath}, if any (through a port published on another host or a node port there,
   * the two are seen by policy as their hosts: those pairs have verdicts of their own).
   */
  public Optional<Policy.Rule> deniedBy(Node a, Node b, PortSpec port) {
    if (same(a, b) || sameHostTraffic(a, b)) {
      return Optional.empty();
    }
    if (!addressesMatter(a, b)) {
      return denyRule(a, b, port, classBits.get(0), classBits.get(0));
    }
    if (uniformClass(a) >= 0 && uniformClass(b) >= 0) {
      return denyRule(a, b, port, classBits.get(uniformClass(a)), classBits.get(uniformClass(b)));
    }
    // dropped only when every way is: the first way's deny rule
    Optional<Policy.Rule> first = Optional.empty();
    for (Flow f : flows(a, b, port)) {
      Optional<Policy.Rule> d = denyRule(a, b, port, bits(f.source()), bits(f.destination()));
      if (d.isEmpty()) {
        return d;
      }
      first = first.isEmpty() ? d : first;
    }
    return first;
  }

  /**
   * Every deny rule that drops the connection from {@code a} to {@code b} on {@code port} on a
   * way it takes, in the order {@link #deniedBy} looks (its first is that one's); empty when the
   * connection is not dropped. For the messages that name them all (NETC305), not for verdicts.
   */
  public List<Policy.Rule> denyRules(Node a, Node b, PortSpec port) {
    if (deniedBy(a, b, port).isEmpty()) {
      return List.of();
    }
    java.util.Set<Policy.Rule> out = new java.util.LinkedHashSet<>();
    if (!addressesMatter(a, b)) {
      denies(a, b, port, classBits.get(0), classBits.get(0), out);
    } else if (uniformClass(a) >= 0 && uniformClass(b) >= 0) {
      denies(a, b, port, classBits.get(uniformClass(a)), classBits.get(uniformClass(b)), out);
    } else {
      for (Flow f : flows(a, b, port)) {
        denies(a, b, port, bits(f.source()), bits(f.destination()), out);
      }
    }
    return List.copyOf(out);
  }

  private Optional<Policy.Rule> denyRule(Node a, Node b, PortSpec port, BitSet src, BitSet dst) {
    return Optional.ofNullable(denies(a, b, port, src, dst, null));
  }

  /**
   * The first deny rule that drops the connection from {@code a} (its address class {@code src})
   * to {@code b} ({@code dst}) on {@code port}: the ingress rules of the policies selecting
   * {@code b}, then the egress rules of those selecting {@code a}; null when none. With {@code
   * all}, every such rule is added to it (the walk goes on past the first).
   */
  private Policy.Rule denies(Node a, Node b, PortSpec port, BitSet src, BitSet dst, java.util.Set<Policy.Rule> all) {
    Policy.Rule first = null;
    for (Policy p : policiesSelecting(b)) {
      for (Policy.Rule r : p.rules()) {
        if (r.action() == Policy.Action.DENY && r.direction() == Direction.INGRESS
            && matches(r, p, a, src) && portMatches(r, port)) {
          if (all == null) {
            return r;
          }
          all.add(r);
          first = first == null ? r : first;
        }
      }
    }
    for (Policy p : policiesSelecting(a)) {
      for (Policy.Rule r : p.rules()) {
        if (r.action() == Policy.Action.DENY && r.direction() == Direction.EGRESS
            && matches(r, p, b, dst) && portMatches(r, port)) {
          if (all == null) {
            return r;
          }
          all.add(r);
          first = first == null ? r : first;
        }
      }
    }
    return first;
  }

  /** The first policy that isolates an endpoint in a direction, if any. */
  public Optional<Policy> isolatedBy(Node n, Direction d) {
    return policiesSelecting(n).stream().filter(p -> p.isolates().contains(d)).findFirst();
  }

  /** The first of {@code policies} that isolates for {@code dir} (a loop: asked for every decision). */
  private static Optional<Policy> isolating(List<Policy> policies, Direction dir) {
    for (Policy p : policies) {
      if (p.isolates().contains(dir)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static void step(List<Verdict.Step> steps, String text, Policy.Rule rule) {
    if (steps != null) {
      steps.add(new Verdict.Step(text, rule == null ? Optional.empty() : Optional.of(rule.span())));
    }
  }

  private String rulesSummary(List<Policy> policies, Direction dir) {
    long n = policies.stream().flatMap(p -> p.rules().stream())
        .filter(r -> r.action() == Policy.Action.ALLOW && r.direction() == dir).count();
    return n == 0 ? " (they have no " + dir.label() + " allow rule)" : " (" + n + " " + dir.label()
        + " allow rule" + (n == 1 ? "" : "s") + " checked)";
  }

  private Policy owner(Policy.Rule r) {
    if (owners.isEmpty()) {
      t.policies().forEach(p -> p.rules().forEach(x -> owners.putIfAbsent(x, p)));
    }
    Policy p = owners.get(r);
    if (p == null) {
      throw new IllegalStateException("rule without policy");
    }
    return p;
  }

  /** The policy of each rule, by identity (two rules are never equal: each has its span). */
  private final Map<Policy.Rule, Policy> owners = new java.util.IdentityHashMap<>();

  private Policy.Rule admit(List<Policy> policies, Direction dir, Node peer, BitSet address, PortSpec port) {
    for (Policy p : policies) {
      for (Policy.Rule r : p.rules()) {
        if (r.action() == Policy.Action.ALLOW && r.direction() == dir && matches(r, p, peer, address)
            && portMatches(r, port)) {
          return r;
        }
      }
    }
    return null;
  }

  /** The rule as its source reads (the text of its span), on one line, without the comments written inside it. */
  public static String describe(Policy.Rule r) {
    StringBuilder b = new StringBuilder();
    for (String line : r.span().text().split("\\R", -1)) {
      b.append(withoutComment(line)).append(' ');
    }
    return "`" + b.toString().replaceAll("\\s+", " ").strip() + "`";
  }

  /** {@code line} without its comment: from a {@code #} that starts it or follows white space, outside quotes. */
  private static String withoutComment(String line) {
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        quote = c == quote ? 0 : quote;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  /**
   * Whether traffic between {@code a} and {@code b} is between a host-like node (a host, an
   * endpoint in {@code mode host}) and a node on the same host: not subject to policy, in the
   * model (step 2 of the order of decision) as in the kernel, where it goes through the host's
   * output and input hooks and never reaches the forward hook's policy check.
   */
  public boolean sameHostTraffic(Node a, Node b) {
    boolean aHost = hostLike(a);
    boolean bHost = hostLike(b);
    return (aHost || bHost) && a.host().isPresent() && a.host().equals(b.host());
  }

  private static boolean hostLike(Node n) {
    // (no lambda: the matrix asks this of every pair)
    return n.kind() == Node.Kind.HOST || n.endpoint().isPresent() && n.endpoint().get().mode() == NetMode.HOST;
  }

  /** Whether rule {@code r}'s ports hold {@code port} (a rule without ports holds every port). */
  public static boolean portMatches(Policy.Rule r, PortSpec port) {
    if (r.ports().isEmpty()) {
      return true;
    }
    for (PortSpec p : r.ports()) {
      if (p.protocol() == port.protocol() && p.range().contains(port.range())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a rule's peers match the other side of a packet: the node {@code peer}, and for
   * {@code cidr} peers the packet's address on that side, given by its class ({@code address}:
   * the {@code cidr} peers that contain it).
   */
  private boolean matches(Policy.Rule r, Policy owner, Node peer, BitSet address) {
    if (r.peers().isEmpty()) {
      return true;
    }
    for (Peer p : r.peers()) {
      if (p.kind() == Peer.Kind.CIDR ? address.get(cidrIndex.get(p)) : peerMatches(p, owner, peer)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code peer} is one of the rule's peers (a rule without peers admits every peer),
   * whatever address it uses: a {@code cidr} peer names a node when any of its {@link
   * #addresses} is in the block. The checks ask this to learn which nodes a rule is about; the
   * verdicts decide {@code cidr} peers on the address of each packet ({@link #flows}).
   */
  public boolean peerMatches(Policy.Rule r, Policy owner, Node peer) {
    if (r.peers().isEmpty()) {
      return true;
    }
    for (Peer p : r.peers()) {
      if (peerMatches(p, owner, peer)) {
        return true;
      }
    }
    return false;
  }

  public boolean peerMatches(Peer p, Policy owner, Node peer) {
    switch (p.kind()) {
      case ALL:
        return true;
      case ENDPOINTS: {
        if (!peer.isEndpoint() || peer.endpoint().get().mode() == NetMode.HOST) {
          return false;
        }
        Endpoint e = peer.endpoint().get();
        boolean ns = p.namespaces()
            .map(sel -> sel.matches(namespaceLabels.getOrDefault(e.namespace(), Map.of())))
            .orElse(e.namespace().equals(owner.namespace()));
        return ns && p.endpoints().matches(e.labels());
      }
      case CIDR: {
        Cidr c = p.cidr().get();
        for (IpAddress a : addresses(peer)) {
          if (c.contains(a) && p.except().stream().noneMatch(x -> x.contains(a))) {
            return true;
          }
        }
        return false;
      }
      default: {
        String s = p.special().get();
        return s.equals(Node.OUTSIDE) ? peer.kind() == Node.Kind.OUTSIDE : hostLike(peer);
      }
    }
  }

  /**
   * Every address of a node: an endpoint's attachment addresses; a host's (and a {@code mode
   * host} endpoint's) underlay address and the gateways of the bridge and overlay networks its
   * endpoints attach to; {@code @outside}'s {@link #OUTSIDE_V4} and {@link #OUTSIDE_V6}. Backends
   * expand selector, {@code @host} and {@code all} peers with it, which the model matches by
   * node whatever address the node uses; a {@code cidr} peer is decided on the one address each
   * packet carries ({@link #flows}).
   */
  public List<IpAddress> addresses(Node n) {
    switch (n.kind()) {
      case OUTSIDE:
        return List.of(OUTSIDE_V4, OUTSIDE_V6);
      case HOST:
        return hostAddresses(n.host().get());
      default: {
        Endpoint e = n.endpoint().get();
        if (e.mode() == NetMode.HOST) {
          return hostAddresses(e.host());
        }
        List<IpAddress> out = new ArrayList<>();
        e.attachments().forEach(a -> out.addAll(a.addresses()));
        return out;
      }
    }
  }

  private final Map<String, List<IpAddress>> hostAddresses = new HashMap<>();

  /** A host's own addresses: its underlay and its gateways on bridge and overlay networks. */
  private List<IpAddress> hostAddresses(String host) {
    return hostAddresses.computeIfAbsent(host, this::computeHostAddresses);
  }

  private List<IpAddress> computeHostAddresses(String host) {
    java.util.LinkedHashSet<IpAddress> out = new java.util.LinkedHashSet<>();
    t.hosts().stream().filter(h -> h.name().equals(host)).findFirst()
        .flatMap(Host::underlay).ifPresent(out::add);
    for (Endpoint e : t.endpoints()) {
      if (!e.host().equals(host)) {
        continue;
      }
      for (Attachment a : e.attachments()) {
        Network n = networks.get(a.network());
        if (n != null && n.driver() != Driver.MACVLAN) {
          n.subnets().forEach(s -> out.add(s.gateway()));
        }
      }
    }
    return List.copyOf(out);
  }

  // ---------------------------------------------------------------- paths

  private Map<String, java.util.Set<String>> segments;
  private java.util.Set<String> reachableOtherwise;

  /**
   * A cheap, conservative test: false only when no path can join two endpoints (bridge mode,
   * no shared network segment, and the destination neither publishes a port nor is selected by
   * a service). Checks walk many pairs; this lets them skip most hopeless ones in O(1).
   */
  public boolean mayHavePath(Node a, Node b) {
    if (!a.isEndpoint() || !b.isEndpoint()) {
      return true;
    }
    indexSegments();
    if (reachableOtherwise.contains(b.name()) || reachableOtherwise.contains(a.name())) {
      return true;
    }
    java.util.Set<String> x = segments.get(a.name());
    for (String k : segments.get(b.name())) {
      if (x.contains(k)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The network segments an endpoint is on (a bridge or macvlan network of its host, or an
   * overlay); empty for hosts and the outside.
   */
  public java.util.Set<String> segments(Node n) {
    indexSegments();
    return n.isEndpoint() ? segments.get(n.name()) : java.util.Set.of();
  }

  /**
   * True when a node may be reached or reach others other than over a shared segment: not an
   * endpoint, not in bridge mode, publishing ports or selected by a service.
   */
  public boolean reachableOtherwise(Node n) {
    indexSegments();
    return !n.isEndpoint() || reachableOtherwise.contains(n.name());
  }

  private void indexSegments() {
    if (segments == null) {
      segments = new HashMap<>();
      reachableOtherwise = new java.util.HashSet<>();
      for (Endpoint e : t.endpoints()) {
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (Attachment x : e.attachments()) {
          Network n = networks.get(x.network());
          if (n != null) {
            keys.add(n.driver() == Driver.OVERLAY ? n.name() : n.name() + "@" + e.host());
          }
        }
        segments.put(e.name(), keys);
        boolean served = t.services().stream()
            .anyMatch(s -> s.namespace().equals(e.namespace()) && s.balancesTo(e.labels()));
        if (!e.publishes().isEmpty() || served || e.mode() != NetMode.BRIDGE) {
          reachableOtherwise.add(e.name());
        }
      }
    }
  }

  /** How traffic from {@code a} gets to {@code b} on {@code port}, if it can. */
  public Optional<String> path(Node a, Node b, PortSpec port) {
    Optional<String> direct = directPath(a, b, port);
    if (direct.isPresent()) {
      return direct;
    }
    List<RemoteWay> remote = remoteWays(a, b, port);
    return remote.isEmpty() ? Optional.empty() : Optional.of(remote.get(0).path());
  }

  /**
   * Every path but the one through a port published on another host or a node port there, whose
   * policies see the two endpoints' hosts instead of them ({@link #remoteWays}): the first that
   * applies. The policy checks ask this: a rule about two endpoints takes effect on these ways
   * only.
   */
  public Optional<String> directPath(Node a, Node b, PortSpec port) {
    if (same(a, b)) {
      return Optional.of("the same " + (a.isEndpoint() ? "endpoint" : "node") + " (loopback)");
    }
    if (isNone(a) || isNone(b)) {
      return Optional.empty();
    }
    boolean aHost = hostLike(a);
    boolean bHost = hostLike(b);
    if (a.kind() == Node.Kind.OUTSIDE) {
      if (bHost) {
        // (with several hosts, in the family of the host's underlay address)
        return offHostFamilies(b.host().get()).isEmpty() ? Optional.empty()
            : Optional.of("to host `" + b.host().get() + "` directly");
      }
      Endpoint e = b.endpoint().get();
      List<IpAddress.Family> families = offHostFamilies(e.host());
      return published(e, port, false, true, p -> publishedOffHost(e, p, families))
          .or(() -> nodePort(e, port, families));
    }
    if (b.kind() == Node.Kind.OUTSIDE) {
      if (aHost) {
        return offHostFamilies(a.host().get()).isEmpty() ? Optional.empty()
            : Optional.of("from the host out of its uplink");
      }
      return natOut(a.endpoint().get(), offHostFamilies(a.host().get()));
    }
    if (aHost && bHost) {
      if (a.host().equals(b.host())) {
        return Optional.of("within host `" + a.host().get() + "`");
      }
      return underlay(a.host().get(), b.host().get());
    }
    if (aHost) {
      Endpoint e = b.endpoint().get();
      if (a.host().equals(b.host())) {
        return bridged(e).map(n -> "from the host into network `" + n + "`");
      }
      List<IpAddress.Family> families = offHostFamilies(a.host().get(), e.host());
      return published(e, port, false, true, p -> publishedOffHost(e, p, families))
          .or(() -> nodePort(e, port, families));
    }
    Endpoint from = a.endpoint().get();
    if (bHost) {
      if (a.host().equals(b.host())) {
        return bridged(from).map(n -> "to its host through the gateway of network `" + n + "`");
      }
      return natOut(from, offHostFamilies(from.host(), b.host().get()))
          .map(x -> "to host `" + b.host().get() + "` over the underlay, " + x);
    }
    Endpoint to = b.endpoint().get();
    Optional<String> shared = sharedNetwork(from, to);
    if (shared.isPresent()) {
      return shared;
    }
    Optional<String> service = service(from, to, port);
    if (service.isPresent()) {
      return service;
    }
    if (from.host().equals(to.host()) && !to.publishes().isEmpty() && natOut(from).isPresent()) {
      // through the host's address: loopback-bound ports are out of reach (a container's
      // 127.0.0.1 is its own), and so is everything from a container on internal networks only
      // (in a family both have: a port published on an IPv6 address alone, `[::]` included, is
      // out of reach of an endpoint without an IPv6 address on a network with a route out)
      return published(to, port, false, false, p -> inAFamilyOf(from, to, p)).map(x -> x + " of their host");
    }
    return Optional.empty();
  }

  /**
   * Whether {@code from} can connect to published line {@code p} of {@code to}: in some family the
   * line publishes in, {@code to} has an address to forward to and {@code from} one to connect from.
   */
  private boolean inAFamilyOf(Endpoint from, Endpoint to, Publish p) {
    Optional<IpAddress> hostAddress = p.hostAddress().filter(x -> !isWildcard(x));
    for (IpAddress.Family f : p.hostAddress().map(x -> List.of(x.family())).orElse(FAMILIES)) {
      if (publishedTarget(to, f).isPresent() && !publishedSources(from, f, hostAddress).isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Every way a connection from {@code a} to {@code b} on {@code port} can take, each with the
   * addresses its packets carry where policy sees them (see docs/model.md, "How peers match"):
   * one per network that joins two endpoints and per address family, one per family through a
   * service, one per source address and family through a published port or a node port, one per
   * family out to {@code @outside} or another host. Empty when there is no such path; the first is
   * {@link #directPath}'s. The way through a port published on another host (or a node port
   * there) is not among them: its two ends are seen by policy as other nodes ({@link
   * #remoteWays}). A way whose addresses are unknown (a node without an address of the family) is
   * left out unless it is the path's only way, which then carries no address.
   */
  public List<Flow> flows(Node a, Node b, PortSpec port) {
    Optional<String> path = directPath(a, b, port);
    if (path.isEmpty()) {
      return List.of();
    }
    if (same(a, b) || sameHostTraffic(a, b) || (!policed(a) && !policed(b))) {
      return List.of(Flow.of(path.get())); // no policy sees it: its addresses decide nothing
    }
    List<Flow> out = new ArrayList<>();
    if (a.kind() == Node.Kind.OUTSIDE || hostLike(a)) {
      // into an endpoint through a published port or a node port: from @outside's own address,
      // or another host's underlay address
      Endpoint e = b.endpoint().get();
      List<IpAddress.Family> families = a.kind() == Node.Kind.OUTSIDE ? offHostFamilies(e.host())
          : offHostFamilies(a.host().get(), e.host());
      java.util.function.Function<IpAddress.Family, Optional<IpAddress>> source = f -> !families.contains(f)
          ? Optional.empty()
          : a.kind() == Node.Kind.OUTSIDE ? Optional.of(outside(f))
          : underlayOf(a.host().get()).filter(x -> x.family() == f);
      published(e, port, false, true, p -> publishedOffHost(e, p, families)).ifPresent(p -> add(out, p,
          publishedFlows(e, port, false, true, (f, h) -> source.apply(f).map(List::of).orElse(List.of()))));
      nodePort(e, port, families).ifPresent(p -> add(out, p, serviceFlows(servicesOf(e, port, true), e,
          f -> source.apply(f))));
    } else if (b.kind() == Node.Kind.OUTSIDE || hostLike(b)) {
      // out of the endpoint's default route, to @outside's address or the other host's underlay
      Endpoint e = a.endpoint().get();
      List<Flow> flows = new ArrayList<>();
      List<IpAddress.Family> families = b.kind() == Node.Kind.OUTSIDE ? offHostFamilies(e.host())
          : offHostFamilies(e.host(), b.host().get());
      for (IpAddress.Family f : families) {
        Optional<IpAddress> to = b.kind() == Node.Kind.OUTSIDE ? Optional.of(outside(f))
            : underlayOf(b.host().get()).filter(x -> x.family() == f);
        Optional<Attachment> by = outAttachment(e, f);
        if (to.isPresent() && by.isPresent()) {
          // named by the network this family leaves by
          String leaves = leaves(by.get(), f);
          flows.add(Flow.of(b.kind() == Node.Kind.OUTSIDE ? leaves
              : "to host `" + b.host().get() + "` over the underlay, " + leaves, addressOn(by.get(), f), to));
        }
      }
      out.addAll(flows);
    } else {
      Endpoint from = a.endpoint().get();
      Endpoint to = b.endpoint().get();
      sharedFlows(from, to, out);
      service(from, to, port).ifPresent(p -> add(out, p, serviceFlows(servicesOf(to, port, false), to,
          f -> serviceSource(from, f))));
      if (from.host().equals(to.host()) && natOut(from).isPresent()) {
        published(to, port, false, false).ifPresent(p -> add(out, p + " of their host",
            publishedFlows(to, port, false, false, (f, hostAddress) -> publishedSources(from, f, hostAddress))));
      }
    }
    if (out.isEmpty()) {
      out.add(Flow.of(path.get()));
    }
    // a way without known addresses carries the nodes' first ones, so that a node whose
    // addresses are all in the same blocks is decided alike whichever way it takes
    for (int i = 0; i < out.size(); i++) {
      Flow f = out.get(i);
      if (f.source().isEmpty() || f.destination().isEmpty()) {
        out.set(i, new Flow(f.path(), f.source().or(() -> firstFlowAddress(a)),
            f.destination().or(() -> firstFlowAddress(b))));
      }
    }
    return out;
  }

  private static final List<IpAddress.Family> FAMILIES = List.of(IpAddress.Family.V4, IpAddress.Family.V6);

  private static IpAddress outside(IpAddress.Family f) {
    return f == IpAddress.Family.V4 ? OUTSIDE_V4 : OUTSIDE_V6;
  }

  /**
   * The way from an endpoint to a port that an endpoint of another host publishes, by one line and
   * family: out of the source's network with a route out, masqueraded to its host's address, to
   * the other host's underlay address (or the one address the line binds), DNATed there. Policy
   * sees two connections: on the source's host, the endpoint's to the other host on the host port
   * (its egress rules); on the destination's host, the source's host's to the endpoint on the
   * container port (its ingress rules).
   *
   * @param path the way as {@code netc explain} names it
   * @param hostPort the port the source connects to, as its host's policy check sees it
   * @param source the endpoint's address there (its route out's)
   * @param hostAddress the address it connects to: the other host's underlay address, or the line's
   * @param fromHost the source of the packet as the destination's host sees it: its host's underlay address
   * @param target where the DNAT sends it: the destination's address on its first network with a route out
   */
  private record RemoteWay(String path, Through through, PortSpec hostPort, Optional<IpAddress> source,
      Optional<IpAddress> hostAddress, Optional<IpAddress> fromHost, Optional<IpAddress> target) {
    /** The path with the addresses of the endpoint's own end, as {@code netc explain} prints it. */
    String described() {
      String at = Flow.of(path, fromHost, target).addresses();
      return path + (at.isEmpty() ? "" : ", " + at);
    }
  }

  /**
   * Every way from endpoint {@code a} to endpoint {@code b} of another host through a port {@code
   * b} publishes there, or a node port of a service that selects {@code b} (docs/model.md, "A
   * published port of another host"): {@code a} must have a route out; a line must forward to
   * {@code port} and be one a client off {@code b}'s host can use, a service port must have a
   * node port and target {@code port}. Empty for any other pair. A way whose addresses are unknown
   * carries the hosts' first ones.
   */
  private List<RemoteWay> remoteWays(Node a, Node b, PortSpec port) {
    if (!a.isEndpoint() || !b.isEndpoint() || hostLike(a) || hostLike(b) || isNone(a) || isNone(b)
        || a.host().equals(b.host())) {
      return List.of();
    }
    Endpoint from = a.endpoint().get();
    Endpoint to = b.endpoint().get();
    // the families the two hosts' underlays share: the other host is reached, and the
    // connection leaves its host masqueraded, in those only
    List<IpAddress.Family> between = offHostFamilies(from.host(), to.host());
    boolean restricted = between.size() < FAMILIES.size();
    Optional<String> out = natOut(from, between);
    if (out.isEmpty()) {
      return List.of();
    }
    Node fromHost = hostNode(from.host());
    Node toHost = hostNode(to.host());
    List<RemoteWay> ways = new ArrayList<>();
    for (Publish p : publishedLines(to, port, false, true)) {
      PortSpec hostPort = hostPort(to, p, port);
      String host = p.hostAddress().map(x -> x.isV4() ? x + ":" : "[" + x + "]:").orElse("");
      String path = "through published port " + host + number(hostPort) + "/" + p.protocol().label() + " of host `"
          + to.host() + "`, " + out.get();
      Optional<IpAddress> bound = p.hostAddress().filter(x -> !isWildcard(x));
      List<IpAddress.Family> families = p.hostAddress().map(x -> List.of(x.family())).orElse(FAMILIES).stream()
          .filter(between::contains).toList();
      int before = ways.size();
      for (IpAddress.Family f : families) {
        Optional<IpAddress> source = outSource(from, f);
        Optional<IpAddress> target = publishedTarget(to, f);
        if (source.isPresent() && target.isPresent()) {
          ways.add(new RemoteWay(path, Through.PUBLISHED_PORT, hostPort, source,
              bound.or(() -> underlayOf(to.host()).filter(x -> x.family() == f)).or(() -> firstFlowAddress(toHost)),
              underlayOf(from.host()).filter(x -> x.family() == f).or(() -> firstFlowAddress(fromHost)), target));
        }
      }
      if (ways.size() == before && !restricted) {
        ways.add(new RemoteWay(path, Through.PUBLISHED_PORT, hostPort, firstFlowAddress(a), firstFlowAddress(toHost),
            firstFlowAddress(fromHost), firstFlowAddress(b)));
      }
    }
    // a node port of a service that selects b, at b's host's underlay address: its DNAT sends the
    // connection to the endpoints of that host, as from outside (kernel-plan.md, "Services")
    for (Service s : t.services()) {
      if (!s.namespace().equals(to.namespace()) || !s.balancesTo(to.labels()) || bridged(to).isEmpty()) {
        continue;
      }
      for (Service.Port p : s.ports()) {
        if (p.nodePort().isEmpty() || p.targetPort() != port.range().first() || p.protocol() != port.protocol()) {
          continue;
        }
        PortSpec hostPort = new PortSpec(PortRange.of(p.nodePort().getAsInt()), p.protocol());
        String path = "through node port " + p.nodePort().getAsInt() + " of service `" + s.name() + "` on host `"
            + to.host() + "`, " + out.get();
        int before = ways.size();
        for (IpAddress.Family f : between) {
          if (s.addresses().stream().noneMatch(x -> x.family() == f)) {
            continue;
          }
          Optional<IpAddress> source = outSource(from, f);
          Optional<IpAddress> target = serviceTarget(to, f);
          if (source.isPresent() && target.isPresent()) {
            ways.add(new RemoteWay(path, Through.NODE_PORT, hostPort, source,
                underlayOf(to.host()).filter(x -> x.family() == f).or(() -> firstFlowAddress(toHost)),
                underlayOf(from.host()).filter(x -> x.family() == f).or(() -> firstFlowAddress(fromHost)), target));
          }
        }
        if (ways.size() == before && !restricted) {
          ways.add(new RemoteWay(path, Through.NODE_PORT, hostPort, firstFlowAddress(a), firstFlowAddress(toHost),
              firstFlowAddress(fromHost), firstFlowAddress(b)));
        }
        break; // one way per service: the first of its ports that forwards to the port
      }
    }
    return ways;
  }

  /**
   * The policy decision on one way through a port published on another host (or a node port
   * there): {@code b}'s ingress rules see {@code a}'s host, {@code a}'s egress rules see {@code
   * b}'s host on the host port (the node port).
   */
  private Decision remoteDecision(Node a, Node b, PortSpec port, RemoteWay w, List<Verdict.Step> steps) {
    Node fromHost = hostNode(a.host().get());
    Node toHost = hostNode(b.host().get());
    if (steps == null) {
      boolean allowed = decide(fromHost, b, groupOf(fromHost), groupOf(b), port, classOf(w.fromHost()),
          classOf(w.target()))
          && decide(a, toHost, groupOf(a), groupOf(toHost), w.hostPort(), classOf(w.source()), classOf(w.hostAddress()));
      return new Decision(allowed, null);
    }
    steps.add(new Verdict.Step("masqueraded out of host `" + a.host().get() + "`: to the policies of `" + b.name()
        + "` it comes from `" + fromHost.name() + "`, to those of `" + a.name() + "` it goes to `" + toHost.name()
        + "` on " + w.hostPort(), Optional.empty()));
    hiddenFromDenies(b, Direction.INGRESS, a, port, w.source(), fromHost, port, w.fromHost(), steps);
    Decision in = policies(fromHost, b, port, bits(w.fromHost()), bits(w.target()), steps);
    if (!in.allowed) {
      return in;
    }
    hiddenFromDenies(a, Direction.EGRESS, b, port, w.target(), toHost, w.hostPort(), w.hostAddress(), steps);
    Decision out = policies(a, toHost, w.hostPort(), bits(w.source()), bits(w.hostAddress()), steps);
    return new Decision(out.allowed, in.rule != null ? in.rule : out.rule);
  }

  /**
   * For {@code netc explain}, on a way through a port published on another host (or a node port
   * there): a step for each deny rule of a policy selecting {@code n}, in direction {@code dir},
   * that names the endpoint on the other side ({@code peer}, at {@code peerAddress}, on {@code
   * port}) but not the host policy sees in its place ({@code host}, at {@code hostAddress}, on
   * {@code hostPort}): the rule is not what it seems to be on this way.
   */
  private void hiddenFromDenies(Node n, Direction dir, Node peer, PortSpec port, Optional<IpAddress> peerAddress,
      Node host, PortSpec hostPort, Optional<IpAddress> hostAddress, List<Verdict.Step> steps) {
    for (Policy p : policiesSelecting(n)) {
      for (Policy.Rule r : p.rules()) {
        if (r.action() != Policy.Action.DENY || r.direction() != dir
            || !matches(r, p, peer, bits(peerAddress)) || !portMatches(r, port)
            || (matches(r, p, host, bits(hostAddress)) && portMatches(r, hostPort))) {
          continue;
        }
        boolean otherPort = !hostPort.equals(port);
        steps.add(new Verdict.Step(describe(r) + " of policy `" + p.name() + "` does not apply: it names `"
            + peer.name() + "`" + (otherPort ? " on " + port : "") + ", but on this way it sees the address of `"
            + host.name() + "`" + hostAddress.map(x -> " (" + x + ")").orElse("")
            + (otherPort ? " on " + hostPort : "") + ", not `" + peer.name() + "`'s", Optional.of(r.span())));
      }
    }
  }

  /** The node of a host. */
  private Node hostNode(String host) {
    return byName.get(singleHost ? Node.HOST : Node.HOST + "/" + host);
  }

  /** Adds the flows of one way, or the way without addresses when none is known. */
  private static void add(List<Flow> out, String path, List<Flow> flows) {
    if (flows.isEmpty()) {
      out.add(Flow.of(path));
    } else {
      for (Flow f : flows) {
        out.add(new Flow(path, f.source(), f.destination()));
      }
    }
  }

  private Optional<IpAddress> underlayOf(String host) {
    return t.hosts().stream().filter(h -> h.name().equals(host)).findFirst().flatMap(Host::underlay);
  }

  private static Optional<IpAddress> addressOn(Attachment x, IpAddress.Family f) {
    for (IpAddress a : x.addresses()) {
      if (a.family() == f) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /** A bridge or overlay network: one the host routes for. */
  private boolean bridgedNetwork(Attachment x) {
    Network n = networks.get(x.network());
    return n != null && n.driver() != Driver.MACVLAN;
  }

  /** A bridge or overlay network that is not internal: one with a route out. */
  private boolean routesOut(Attachment x) {
    return bridgedNetwork(x) && !networks.get(x.network()).internal();
  }

  /**
   * The source of an endpoint's packets beyond its own subnets: its address on its default route
   * of the family (the first network with a route out that gives it such an address).
   */
  private Optional<IpAddress> outSource(Endpoint e, IpAddress.Family f) {
    return outAttachment(e, f).flatMap(x -> addressOn(x, f));
  }

  /** The attachment of an endpoint's default route of a family. */
  private Optional<Attachment> outAttachment(Endpoint e, IpAddress.Family f) {
    for (Attachment x : e.attachments()) {
      if (routesOut(x) && addressOn(x, f).isPresent()) {
        return Optional.of(x);
      }
    }
    return Optional.empty();
  }

  /**
   * The source of an endpoint's packets to a service's virtual address: its default route, else
   * its first bridge or overlay network with an address of the family (the host route to virtual
   * addresses of an endpoint on internal networks only).
   */
  private Optional<IpAddress> serviceSource(Endpoint e, IpAddress.Family f) {
    Optional<IpAddress> out = outSource(e, f);
    if (out.isPresent()) {
      return out;
    }
    for (Attachment x : e.attachments()) {
      if (bridgedNetwork(x) && addressOn(x, f).isPresent()) {
        return addressOn(x, f);
      }
    }
    return Optional.empty();
  }

  /**
   * Where a service's DNAT sends a connection: the endpoint's address of the family on its first
   * bridge or overlay network that gives it one, as the kernel plan balances (the host cannot
   * reach its macvlan members, so an address there is none to forward to).
   */
  private Optional<IpAddress> serviceTarget(Endpoint e, IpAddress.Family f) {
    for (Attachment x : e.attachments()) {
      Optional<IpAddress> a = addressOn(x, f);
      if (a.isPresent() && bridgedNetwork(x)) {
        return a;
      }
    }
    return Optional.empty();
  }

  /**
   * Where a published port's DNAT sends a connection: the address on the first network with a
   * route out (whatever the family: an endpoint whose first such network has no address of a
   * family gets nothing forwarded in that family, NETC520). In a model of one family, that
   * network of the whole topology, which the projection leaves out when it has no address of the
   * family.
   */
  private Optional<IpAddress> publishedTarget(Endpoint e, IpAddress.Family f) {
    for (Attachment x : e.attachments()) {
      if (routesOut(x)) {
        return only != null && !x.network().equals(forwardedOn.get(e.name())) ? Optional.empty() : addressOn(x, f);
      }
    }
    return Optional.empty();
  }

  /** One flow per network that joins the two endpoints and per family both have an address of on it. */
  private void sharedFlows(Endpoint a, Endpoint b, List<Flow> out) {
    for (Attachment x : a.attachments()) {
      for (Attachment y : b.attachments()) {
        if (!x.network().equals(y.network())) {
          continue;
        }
        Optional<String> joined = joins(networks.get(x.network()), a, b);
        if (joined.isEmpty()) {
          continue;
        }
        List<Flow> flows = new ArrayList<>();
        for (IpAddress.Family f : FAMILIES) {
          Optional<IpAddress> s = addressOn(x, f);
          Optional<IpAddress> d = addressOn(y, f);
          if (s.isPresent() && d.isPresent()) {
            flows.add(Flow.of(joined.get(), s, d));
          }
        }
        add(out, joined.get(), flows);
      }
    }
  }

  /**
   * The flows through the published ports of {@code e} that forward to {@code port}: for each
   * family a line publishes in, from each source address {@code sources} gives for the family and
   * the line's host address (empty: every address of the host), to the endpoint's address on its
   * first network with a route out.
   */
  private List<Flow> publishedFlows(Endpoint e, PortSpec port, boolean fromHostSide, boolean offHost,
      java.util.function.BiFunction<IpAddress.Family, Optional<IpAddress>, List<IpAddress>> sources) {
    java.util.LinkedHashSet<Flow> out = new java.util.LinkedHashSet<>();
    for (Publish p : publishedLines(e, port, fromHostSide, offHost)) {
      Optional<IpAddress> hostAddress = p.hostAddress().filter(x -> !isWildcard(x));
      List<IpAddress.Family> families = p.hostAddress().map(x -> List.of(x.family())).orElse(FAMILIES);
      for (IpAddress.Family f : families) {
        Optional<IpAddress> to = publishedTarget(e, f);
        if (to.isEmpty()) {
          continue;
        }
        for (IpAddress from : sources.apply(f, hostAddress)) {
          out.add(Flow.of("", Optional.of(from), to));
        }
      }
    }
    return new ArrayList<>(out);
  }

  /**
   * Where an endpoint's connections to a published port come from: to the host's address on one
   * of its networks with a route out, its address there; to any other address of the host, its
   * default route's. A port published on every address is reached both ways, so every address of
   * the endpoint on a network with a route out can be the source.
   */
  private List<IpAddress> publishedSources(Endpoint from, IpAddress.Family f, Optional<IpAddress> hostAddress) {
    List<IpAddress> out = new ArrayList<>();
    if (hostAddress.isPresent()) {
      for (Attachment x : from.attachments()) {
        if (bridgedNetwork(x) && networks.get(x.network()).subnets().stream()
            .anyMatch(s -> s.cidr().contains(hostAddress.get()))) {
          // the host address is on one of its own networks: reached there (if it routes out)
          if (routesOut(x)) {
            addressOn(x, f).ifPresent(out::add);
          }
          return out;
        }
      }
      outSource(from, f).ifPresent(out::add);
      return out;
    }
    for (Attachment x : from.attachments()) {
      if (routesOut(x)) {
        addressOn(x, f).ifPresent(out::add);
      }
    }
    return out;
  }

  /** The flows through services: for each family the services have a virtual address of. */
  private List<Flow> serviceFlows(List<Service> services, Endpoint to,
      java.util.function.Function<IpAddress.Family, Optional<IpAddress>> source) {
    List<Flow> out = new ArrayList<>();
    for (IpAddress.Family f : FAMILIES) {
      if (services.stream().noneMatch(s -> s.addresses().stream().anyMatch(x -> x.family() == f))) {
        continue;
      }
      Optional<IpAddress> from = source.apply(f);
      Optional<IpAddress> dst = serviceTarget(to, f);
      if (from.isPresent() && dst.isPresent() && answers(to, from.get())) {
        out.add(Flow.of("", from, dst));
      }
    }
    return out;
  }

  /**
   * Whether {@code e} has a route back to {@code client}, the source a service's DNAT keeps: its
   * default route of the family, or a subnet of one of its bridge or overlay networks that holds
   * the address. An endpoint on internal networks only has neither for a client elsewhere: it
   * has routes to its subnets and to the virtual addresses alone, so the connection never
   * completes (measured in a sandbox on {@code golden-tests/ok/service-hairpin-other-network}).
   */
  private boolean answers(Endpoint e, IpAddress client) {
    if (outSource(e, client.family()).isPresent()) {
      return true;
    }
    for (Attachment x : e.attachments()) {
      if (bridgedNetwork(x) && networks.get(x.network()).subnets().stream().anyMatch(s -> s.cidr().contains(client))) {
        return true;
      }
    }
    return false;
  }

  /** The services that lead to {@code e} and forward to {@code port} (with a node port, if asked). */
  private List<Service> servicesOf(Endpoint e, PortSpec port, boolean nodePort) {
    List<Service> out = new ArrayList<>();
    for (Service s : t.services()) {
      if (!s.namespace().equals(e.namespace()) || !s.balancesTo(e.labels())) {
        continue;
      }
      for (Service.Port p : s.ports()) {
        if (p.targetPort() == port.range().first() && p.protocol() == port.protocol()
            && (!nodePort || p.nodePort().isPresent())) {
          out.add(s);
          break;
        }
      }
    }
    return out;
  }

  private static boolean isLoopback(Optional<IpAddress> a) {
    return a.map(x -> x.equals(IpAddress.parse("127.0.0.1").get()) || x.equals(IpAddress.parse("::1").get())
        || (x.isV4() && (x.lo() >>> 24) == 127)).orElse(false);
  }

  private String whyNoPath(Node a, Node b, PortSpec port) {
    if (isNone(a) || isNone(b)) {
      Node n = isNone(a) ? a : b;
      return "`" + n.name() + "` is in `none` mode and has only loopback";
    }
    if (a.kind() == Node.Kind.OUTSIDE && b.isEndpoint() && reachedAcrossFamilies(a, b, port)) {
      return acrossFamilies(b, port);
    }
    if (a.kind() == Node.Kind.OUTSIDE) {
      return "`" + b.name() + "` publishes no port " + port + " reachable from outside (on an"
          + " address other than loopback, from a network that is not internal), and no node port"
          + " leads to it";
    }
    if (b.kind() == Node.Kind.OUTSIDE && natOut(a.endpoint().get()).isPresent()) {
      return "`" + a.name() + "` has no address on a network with a route out in the family of "
          + underlays(a.host().get()) + ", its host's way out (no family is translated)";
    }
    if (b.kind() == Node.Kind.OUTSIDE) {
      return "`" + a.name() + "` is on no network with a route out (internal and macvlan networks"
          + " have none here)";
    }
    if (a.isEndpoint() && b.isEndpoint()) {
      return "`" + a.name() + "` and `" + b.name() + "` share no network that joins them (a bridge"
          + " network joins endpoints of one host, macvlan only in bridge mode), no service leads"
          + " from one to the other on " + port + ", and no published port does";
    }
    boolean aHost = hostLike(a);
    Node endpoint = aHost ? b : a;
    Node host = aHost ? a : b;
    if (endpoint.isEndpoint() && endpoint.host().equals(host.host())) {
      return "`" + endpoint.name() + "` is on no bridge or overlay network of host `"
          + host.host().get() + "` (a host cannot talk to its own macvlan members)";
    }
    if (aHost && b.isEndpoint() && reachedAcrossFamilies(a, b, port)) {
      return "`" + b.name() + "` has no address to forward to in a family of both " + underlays(a.host().get(),
          b.host().get()) + " (no family is translated)";
    }
    if (aHost && b.isEndpoint()) {
      return "`" + b.name() + "` is on another host and publishes no port " + port + " to it";
    }
    if (!aHost && a.isEndpoint() && natOut(a.endpoint().get()).isPresent()) {
      return "`" + a.name() + "` has no address on a network with a route out in a family of both "
          + underlays(a.host().get(), b.host().get()) + " (no family is translated)";
    }
    if (!aHost && a.isEndpoint()) {
      return "`" + a.name() + "` has no route out of its host (internal networks have none)";
    }
    if (underlayOf(a.host().get()).isPresent() && underlayOf(b.host().get()).isPresent()) {
      return "the two hosts' underlay addresses are of different families: " + underlays(a.host().get(),
          b.host().get());
    }
    return "the two hosts have no underlay address to reach each other by";
  }

  /**
   * Whether {@code b}, an endpoint of another host than {@code a}'s (or {@code a} the outside),
   * would be reached through a published port or a node port but for the families of the hosts'
   * underlays ({@link #offHostFamilies}).
   */
  private boolean reachedAcrossFamilies(Node a, Node b, PortSpec port) {
    Endpoint e = b.endpoint().get();
    return published(e, port, false, true).isPresent() || nodePort(e, port, FAMILIES).isPresent();
  }

  /**
   * Why {@code @outside} does not reach endpoint {@code b} on {@code port} though a port it
   * publishes, or a node port, leads there: no family of it is one the outside reaches the host
   * in (its underlay's, with several hosts; this model's, in a model of one family), or {@code b}
   * has no address of such a family where the port forwards (the kernel translates no family).
   */
  private String acrossFamilies(Node b, PortSpec port) {
    Endpoint e = b.endpoint().get();
    String in = only != null ? "no way leads to `" + b.name() + "` from outside in " + only.label() + ": " : "";
    String underlay = singleHost ? "" : underlays(e.host());
    List<IpAddress.Family> reach = offHostFamilies(e.host());
    if (reach.isEmpty()) {
      return in + "the outside reaches `" + b.name() + "`'s host at its underlay address alone, " + underlay;
    }
    String atHost = underlay.isEmpty() ? "" : ", in the family of " + underlay + ", the one the outside reaches its host at";
    Optional<Publish> line = publishedLines(e, port, false, true).stream().findFirst();
    if (line.isEmpty()) {
      return in + "`" + b.name() + "` has no address to forward to in a family of the way that leads to it ("
          + nodePort(e, port, FAMILIES).orElseThrow() + ")" + atHost + ": no family is translated";
    }
    String way = published(e, port, false, true).orElseThrow();
    List<IpAddress.Family> families = new ArrayList<>(line.get().hostAddress().map(x -> List.of(x.family()))
        .orElse(FAMILIES));
    families.retainAll(reach);
    if (families.isEmpty()) {
      return in + "the port that leads to `" + b.name() + "` (" + way + ") is bound to an "
          + line.get().hostAddress().get().family().label() + " address"
          + (underlay.isEmpty() ? "" : ", not of the family of " + underlay + ", the one the outside reaches its host at");
    }
    String network = only != null ? forwardedOn.get(e.name())
        : e.attachments().stream().filter(this::routesOut).findFirst().map(Attachment::network).orElse("?");
    return in + "`" + b.name() + "` has no " + String.join(" or ", families.stream().map(IpAddress.Family::label).toList())
        + " address on `" + network + "`, its first network with a route out, where its published ports forward ("
        + way + ")" + atHost + ": no family is translated";
  }

  /** The underlay addresses of {@code hosts} as a reason names them: {@code host `h1`'s underlay fd00:56::11 (IPv6)}. */
  private String underlays(String... hosts) {
    List<String> out = new ArrayList<>();
    for (String h : new java.util.LinkedHashSet<>(List.of(hosts))) {
      underlayOf(h).ifPresent(u -> out.add("host `" + h + "`'s underlay " + u + " (" + u.family().label() + ")"));
    }
    return String.join(" and ", out);
  }

  private static boolean isNone(Node n) {
    return n.endpoint().isPresent() && n.endpoint().get().mode() == NetMode.NONE;
  }

  private Optional<String> sharedNetwork(Endpoint a, Endpoint b) {
    for (Attachment x : a.attachments()) {
      for (Attachment y : b.attachments()) {
        if (!x.network().equals(y.network())) {
          continue;
        }
        Optional<String> joined = joins(networks.get(x.network()), a, b);
        if (joined.isPresent()) {
          return joined;
        }
      }
    }
    return Optional.empty();
  }

  /** Whether network {@code n}, which both endpoints attach to, joins them, and how. */
  private Optional<String> joins(Network n, Endpoint a, Endpoint b) {
    boolean sameHost = a.host().equals(b.host());
    if (n.driver() == Driver.OVERLAY || (sameHost && n.driver() == Driver.BRIDGE)
        || n.driver() == Driver.MACVLAN && sameHost && n.macvlan().get().mode() == MacvlanMode.BRIDGE) {
      // (the same words for every pair: the matrix asks for every pair on every port)
      return joinedBy.computeIfAbsent(n.name(), k -> Optional.of(n.driver() == Driver.MACVLAN
          ? "both on macvlan network `" + n.name() + "` (bridge mode)" : "both on network `" + n.name() + "`"));
    }
    return Optional.empty();
  }

  private final Map<String, Optional<String>> joinedBy = new HashMap<>();

  /** The first bridge or overlay network of an endpoint: its way to its host. */
  private Optional<String> bridged(Endpoint e) {
    Optional<String> known = bridgedBy.get(e.name());
    if (known == null) {
      known = Optional.empty();
      for (Attachment a : e.attachments()) {
        Network n = networks.get(a.network());
        if (n != null && n.driver() != Driver.MACVLAN) {
          known = Optional.of(n.name());
          break;
        }
      }
      bridgedBy.put(e.name(), known);
    }
    return known;
  }

  /** {@link #bridged} of each endpoint asked for, by name. */
  private final Map<String, Optional<String>> bridgedBy = new HashMap<>();

  /**
   * The way out of {@code e}'s host: named by its first network with a route out, "with
   * masquerade" when every family it leaves in is masqueraded ({@link #masqueraded}); on a single
   * host, where IPv6 leaves without, by each family's network and what it does ("out of network
   * `front`, with masquerade in IPv4 and without masquerade in IPv6").
   */
  private Optional<String> natOut(Endpoint e) {
    // (once per endpoint: the matrix asks for it for every pair, and the way's name is a new string)
    Optional<String> known = natOut.get(e.name());
    if (known == null) {
      known = AutomaticPorts.routeOut(e, networks).map(n -> {
        List<IpAddress.Family> ways = FAMILIES.stream().filter(f -> outAttachment(e, f).isPresent()).toList();
        if (ways.stream().allMatch(this::masqueraded)) {
          return "out of network `" + n.name() + "` with masquerade";
        }
        if (ways.size() == 1) {
          return leaves(outAttachment(e, ways.get(0)).get(), ways.get(0));
        }
        // one family masqueraded, the other not (IPv4 first)
        String first = outAttachment(e, ways.get(0)).get().network();
        String second = outAttachment(e, ways.get(1)).get().network();
        String[] how = ways.stream().map(f -> (masqueraded(f) ? "with" : "without") + " masquerade in " + f.label())
            .toArray(String[]::new);
        return first.equals(second) ? "out of network `" + first + "`, " + how[0] + " and " + how[1]
            : "out of network `" + first + "` " + how[0] + " and out of network `" + second + "` " + how[1];
      });
      natOut.put(e.name(), known);
    }
    return known;
  }

  /**
   * Whether connections of family {@code f} out of a network with a route out leave their host
   * masqueraded, as the emitted ruleset does: IPv4 always ({@code masquerade4}); IPv6 on a
   * host of a topology of several hosts only ({@code masquerade6}), a single host routing its
   * IPv6 subnets out as they are, without NAT66 (docs/kernel-plan.md, "IPv6").
   */
  private boolean masqueraded(IpAddress.Family f) {
    return f == IpAddress.Family.V4 || !singleHost;
  }

  /** The way out of one family by attachment {@code by}: "out of network `N` with masquerade" or "without". */
  private String leaves(Attachment by, IpAddress.Family f) {
    return "out of network `" + by.network() + "` " + (masqueraded(f) ? "with" : "without") + " masquerade";
  }

  /** {@link #natOut(Endpoint)} by endpoint name. */
  private final Map<String, Optional<String>> natOut = new HashMap<>();

  /**
   * The way out of {@code e}'s host in {@code families} only ({@link #offHostFamilies}): named by
   * the network the first of them leaves by; none when {@code e} has no address of them on a
   * network with a route out.
   */
  private Optional<String> natOut(Endpoint e, List<IpAddress.Family> families) {
    if (families.size() == FAMILIES.size()) {
      return natOut(e);
    }
    for (IpAddress.Family f : families) {
      Optional<Attachment> by = outAttachment(e, f);
      if (by.isPresent()) {
        return Optional.of(leaves(by.get(), f));
      }
    }
    return Optional.empty();
  }

  /**
   * The address families traffic between {@code hosts} and off them takes, in a topology of
   * several hosts: those of their {@code underlay} addresses, the one address the other hosts and
   * the outside reach a host at and its connections out of the host leave from (the kernel
   * translates no family, so an IPv6 underlay carries no IPv4 off the host); a host without an
   * underlay address is not looked at. Both families in a topology of one host.
   */
  private List<IpAddress.Family> offHostFamilies(String... hosts) {
    if (only != null) {
      List<IpAddress.Family> out = new ArrayList<>(List.of(only));
      for (String h : hosts) {
        underlayOf(h).filter(u -> !singleHost).ifPresent(u -> out.retainAll(List.of(u.family())));
      }
      return out;
    }
    if (singleHost) {
      return FAMILIES;
    }
    List<IpAddress.Family> out = new ArrayList<>(FAMILIES);
    for (String h : hosts) {
      underlayOf(h).ifPresent(u -> out.retainAll(List.of(u.family())));
    }
    return out;
  }

  /**
   * Whether a client off {@code e}'s host that reaches it in {@code families} only can use line
   * {@code p}: in one of them the line publishes and {@code e} has an address to forward to.
   */
  private boolean publishedOffHost(Endpoint e, Publish p, List<IpAddress.Family> families) {
    for (IpAddress.Family f : p.hostAddress().map(x -> List.of(x.family())).orElse(FAMILIES)) {
      if (families.contains(f) && publishedTarget(e, f).isPresent()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The model of connections of family {@code f} alone: over the topology as that family sees it
   * ({@link OneFamily}), with this model's host ports and its reach of services across hosts. A
   * cell this model admits is admitted by the model of one family at least; {@code netc verify}
   * compares each family's probes with its own.
   */
  public Reachability inFamily(IpAddress.Family f) {
    Map<String, String> forwarded = new HashMap<>();
    for (Endpoint e : t.endpoints()) {
      e.attachments().stream().filter(this::routesOut).findFirst().ifPresent(x -> forwarded.put(e.name(), x.network()));
    }
    return new Reachability(OneFamily.project(t, f), servicesAcrossHosts, automatic, f, forwarded);
  }

  /**
   * This model over {@code other}, a copy of its topology with some attachments or services left
   * out ({@code netc verify}'s model of what the plans realise): with this model's host ports, and
   * its family when it is of one ({@link #inFamily}).
   */
  public Reachability over(Topology other, boolean servicesAcrossHosts) {
    return new Reachability(other, servicesAcrossHosts, automatic, only, forwardedOn);
  }

  /** The host ports chosen for the {@code publish} lines that give none, as the plan forwards them. */
  public AutomaticPorts automaticPorts() {
    return automatic;
  }

  /** Two hosts reach each other when both declare an underlay address, of the same family. */
  private Optional<String> underlay(String a, String b) {
    boolean ok = t.hosts().stream().filter(h -> h.name().equals(a) || h.name().equals(b))
        .allMatch(h -> h.underlay().isPresent()) && !offHostFamilies(a, b).isEmpty();
    return ok ? Optional.of("over the underlay between `" + a + "` and `" + b + "`") : Optional.empty();
  }

  /**
   * A published port that forwards to {@code port} of {@code e}: from outside it must bind an
   * address other than loopback, and {@code e} must be on a network that is not internal.
   */
  private Optional<String> published(Endpoint e, PortSpec port, boolean fromHostSide, boolean offHost) {
    return published(e, port, fromHostSide, offHost, p -> true);
  }

  /** The same, of the lines {@code usable} keeps. */
  private Optional<String> published(Endpoint e, PortSpec port, boolean fromHostSide, boolean offHost,
      java.util.function.Predicate<Publish> usable) {
    return publishedLines(e, port, fromHostSide, offHost).stream().filter(usable).findFirst().map(p -> {
      String host = p.hostAddress().map(x -> x.isV4() ? x + ":" : "[" + x + "]:").orElse("");
      // off its host, with several hosts: which host's port it is (the one of the endpoint)
      String of = offHost && t.hosts().size() > 1 ? " of host `" + e.host() + "`" : "";
      return "through published port " + host + number(hostPort(e, p, port)) + "/" + p.protocol().label() + of;
    });
  }

  /**
   * The {@code publish} lines of {@code e} that forward to {@code port} and that a client can use:
   * from outside its host ({@code fromHostSide} false) not one bound to loopback; from off its
   * host ({@code offHost}: {@code @outside}, another host, an endpoint on another host) of a
   * topology of several hosts, not one bound to an address other than the host's underlay
   * address, since the other hosts and the outside reach a host at that address only (its
   * gateways are its own networks'). None when {@code e} is not on a network with a route out.
   */
  private List<Publish> publishedLines(Endpoint e, PortSpec port, boolean fromHostSide, boolean offHost) {
    if (e.mode() != NetMode.BRIDGE || natOut(e).isEmpty()) {
      return List.of();
    }
    List<Publish> out = new ArrayList<>();
    for (Publish p : e.publishes()) {
      if (p.protocol() != port.protocol() || !p.containerPorts().contains(port.range())
          || (!fromHostSide && isLoopback(p.hostAddress()))
          || (offHost && !singleHost && boundElsewhereThanUnderlay(p, e.host()))) {
        continue;
      }
      out.add(p);
    }
    return out;
  }

  /** Whether a line binds one address of the host that is not its underlay address. */
  private boolean boundElsewhereThanUnderlay(Publish p, String host) {
    return p.hostAddress().filter(x -> !isWildcard(x))
        .map(x -> !underlayOf(host).equals(Optional.of(x))).orElse(false);
  }

  private static boolean isWildcard(IpAddress a) {
    return a.isUnspecified();
  }

  /**
   * The host port of line {@code p} of {@code e} that forwards to {@code port}: from the one the
   * line gives, or from the one netc chooses for it ({@link AutomaticPorts}, which the plan
   * realises); the whole range it is chosen from when no block of free ports is left for it
   * (which the plan refuses).
   */
  private PortSpec hostPort(Endpoint e, Publish p, PortSpec port) {
    OptionalInt first = p.hostPorts().map(hp -> OptionalInt.of(hp.first())).orElseGet(() -> automatic.first(e, p));
    return new PortSpec(first.isPresent()
        ? PortRange.of(first.getAsInt() + port.range().first() - p.containerPorts().first())
        : new PortRange(AutomaticPorts.FIRST, 65535), p.protocol());
  }

  /** A host port as a path names it: its number, {@code (automatic)} when it is not known. */
  private static String number(PortSpec hostPort) {
    return hostPort.range().size() == 1 ? Integer.toString(hostPort.range().first()) : "(automatic)";
  }

  private final Map<String, List<Service>> servicesSelecting = new HashMap<>();

  /**
   * The services that lead to {@code e} (of its namespace, their selector matching its labels, and
   * giving it a share when they have backends: {@link Service#balancesTo}), in order.
   */
  private List<Service> servicesSelecting(Endpoint e) {
    // (no lambda made for a name already known: the matrix asks for every pair)
    List<Service> known = servicesSelecting.get(e.name());
    if (known == null) {
      known = t.services().stream()
          .filter(s -> s.namespace().equals(e.namespace()) && s.balancesTo(e.labels())).toList();
      servicesSelecting.put(e.name(), known);
    }
    return known;
  }

  /**
   * A node port that forwards to {@code port} of {@code e}, reached in {@code families} only
   * ({@link #offHostFamilies}): the service has a virtual address of one of them and {@code e}
   * an address of it to forward to and a default route of it, the way back to a client off its
   * host, whose address the DNAT keeps (any node port when both are): an endpoint on internal
   * networks only cannot answer one ({@link #answers}).
   */
  private Optional<String> nodePort(Endpoint e, PortSpec port, List<IpAddress.Family> families) {
    if (bridged(e).isEmpty()) {
      return Optional.empty(); // the host reaches its endpoints over bridges only, not its macvlan members
    }
    for (Service s : t.services()) {
      if (!s.namespace().equals(e.namespace()) || !s.balancesTo(e.labels())
          || families.stream().noneMatch(f -> s.addresses().stream().anyMatch(x -> x.family() == f)
              && serviceTarget(e, f).isPresent() && outSource(e, f).isPresent())) {
        continue;
      }
      for (Service.Port p : s.ports()) {
        if (p.nodePort().isPresent() && p.targetPort() == port.range().first()
            && p.protocol() == port.protocol() && (families.size() == FAMILIES.size() || families.stream()
                .anyMatch(f -> s.addresses().stream().anyMatch(x -> x.family() == f)
                    && serviceTarget(e, f).isPresent() && outSource(e, f).isPresent()))) {
          return Optional.of("through node port " + p.nodePort().getAsInt() + " of service `" + s.name() + "`");
        }
      }
    }
    return Optional.empty();
  }

  private Optional<String> service(Endpoint from, Endpoint to, PortSpec port) {
    // the host's DNAT sends the connection over a bridge: an endpoint on macvlan networks only
    // gets none, as the host cannot reach its macvlan members (kernel-plan.md, "Services")
    if (bridged(from).isEmpty() || bridged(to).isEmpty() || (!servicesAcrossHosts && !from.host().equals(to.host()))) {
      return Optional.empty();
    }
    for (Service s : servicesSelecting(to)) {
      if (!inAFamilyOf(from, to, s)) {
        continue;
      }
      for (Service.Port p : s.ports()) {
        if (p.targetPort() == port.range().first() && p.protocol() == port.protocol()) {
          return Optional.of("through service `" + s.name() + "` port " + p.port() + "/" + p.protocol().label());
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Whether {@code from} can connect to service {@code s} and be forwarded to {@code to}: in some
   * family the service has a virtual address of, {@code from} has an address to connect from and
   * {@code to} one to be forwarded to (the kernel does not translate between IPv4 and IPv6, so an
   * IPv4-only client cannot reach a service with an IPv6 address alone), and {@code to} a route
   * back to the address {@code from} connects from ({@link #answers}).
   */
  private boolean inAFamilyOf(Endpoint from, Endpoint to, Service s) {
    for (IpAddress.Family f : FAMILIES) {
      Optional<IpAddress> source = serviceSource(from, f);
      if (s.addresses().stream().anyMatch(x -> x.family() == f) && source.isPresent()
          && serviceTarget(to, f).isPresent() && answers(to, source.get())) {
        return true;
      }
    }
    return false;
  }
}
