package dev.netc.backends.nftables;

import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.Direction;
import dev.netc.compiler.ir.Host;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Peer;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The elements of the policy sets of one host, derived from the reachability model: for every
 * endpoint of the host that a policy selects, what its rules admit or deny, keyed by address.
 *
 * <p>An ingress element is {@code SOURCE-RANGE . DESTINATION . PROTOCOL . PORTS}: the
 * destination is one address of a selected endpoint, the source range what the rule's peers
 * match. An egress element is {@code SOURCE . DESTINATION-RANGE . PROTOCOL . PORTS}. A peer
 * matches a range of addresses as the model matches packets: a {@code cidr} peer its block minus
 * its exceptions, and nothing more (the model decides it on the address the packet carries, not
 * on the node: a multi-homed endpoint is matched only when it sends from, or is reached at, an
 * address in the block); a selector, {@code @host} or {@code all} peer every address of every
 * node it names ({@link Reachability#peersOf}), since the model matches those by node, whatever
 * address the node uses; {@code all} and {@code @outside} peers also the addresses outside the
 * topology (the real clients that the model's {@code @outside} stands for). For each key, the ranges of all rules are cut into
 * disjoint pieces and their protocols and ports merged, so that no two elements overlap (the
 * kernel refuses overlapping elements in interval sets with concatenations).
 */
final class PolicySets {
  /** Which of the four policy sets. */
  enum Kind {
    DENY_IN("deny_in", Policy.Action.DENY, Direction.INGRESS),
    DENY_OUT("deny_out", Policy.Action.DENY, Direction.EGRESS),
    ALLOW_IN("allow_in", Policy.Action.ALLOW, Direction.INGRESS),
    ALLOW_OUT("allow_out", Policy.Action.ALLOW, Direction.EGRESS);

    final String set;
    final Policy.Action action;
    final Direction direction;

    Kind(String set, Policy.Action action, Direction direction) {
      this.set = set;
      this.action = action;
      this.direction = direction;
    }
  }

  /** One rule's contribution to a key: a range on the other side, its ports, the rule. */
  private record Piece(Value.Addr range, Coverage coverage, int rule) {}

  /** A disjoint range of the other side with what covers it. */
  private record Segment(BigInteger lo, BigInteger hi, Coverage coverage, TreeSet<Integer> rules) {}

  private final Topology t;
  private final Reachability model;
  private final String host;
  private final List<Policy.Rule> rules = new ArrayList<>();
  private final Map<Policy.Rule, Policy> owners = new IdentityHashMap<>();
  private final Map<IpAddress.Family, List<Value.Addr>> outside = new EnumMap<>(IpAddress.Family.class);
  private final Map<Kind, Map<IpAddress.Family, TreeMap<IpAddress, List<Piece>>>> pieces = new EnumMap<>(Kind.class);

  PolicySets(Reachability model, String host) {
    this.model = model;
    this.host = host;
    this.t = model.topology();
    for (IpAddress.Family f : IpAddress.Family.values()) {
      outside.put(f, outsideRanges(f));
    }
    for (Kind k : Kind.values()) {
      Map<IpAddress.Family, TreeMap<IpAddress, List<Piece>>> byFamily = new EnumMap<>(IpAddress.Family.class);
      for (IpAddress.Family f : IpAddress.Family.values()) {
        byFamily.put(f, new TreeMap<>());
      }
      pieces.put(k, byFamily);
    }
    for (Policy p : t.policies()) {
      List<Node> selected = model.selectedBy(p).stream()
          .filter(n -> n.endpoint().map(e -> e.host().equals(host)).orElse(false)).toList();
      for (Policy.Rule r : p.rules()) {
        rules.add(r);
        owners.put(r, p);
        if (selected.isEmpty()) {
          continue;
        }
        add(p, r, rules.size() - 1, selected);
      }
    }
  }

  /**
   * The addresses that are no node's: outside every subnet of the topology and every host's
   * underlay address. An {@code @outside} peer matches them (and the model's own {@code
   * @outside} addresses).
   */
  private List<Value.Addr> outsideRanges(IpAddress.Family f) {
    List<Value.Addr> known = new ArrayList<>();
    for (Network n : t.networks()) {
      for (Subnet s : n.subnets()) {
        known.add(Value.Addr.of(s.cidr()));
      }
    }
    for (Host h : t.hosts()) {
      h.underlay().ifPresent(a -> known.add(Value.Addr.of(a)));
    }
    return Ranges.complement(f, known);
  }

  private void add(Policy p, Policy.Rule r, int index, List<Node> selected) {
    Kind kind = null;
    for (Kind k : Kind.values()) {
      if (k.action == r.action() && k.direction == r.direction()) {
        kind = k;
      }
    }
    Coverage coverage = Coverage.of(r.ports());
    for (IpAddress.Family f : IpAddress.Family.values()) {
      List<Value.Addr> space = peerSpace(p, r, f);
      if (space.isEmpty()) {
        continue;
      }
      TreeMap<IpAddress, List<Piece>> byKey = pieces.get(kind).get(f);
      for (Node n : selected) {
        for (IpAddress a : model.addresses(n)) {
          if (a.family() != f) {
            continue;
          }
          List<Piece> list = byKey.computeIfAbsent(a, x -> new ArrayList<>());
          for (Value.Addr range : space) {
            list.add(new Piece(range, coverage, index));
          }
        }
      }
    }
  }

  /** The addresses of family {@code f} that a rule's peers match (see the class comment). */
  private List<Value.Addr> peerSpace(Policy p, Policy.Rule r, IpAddress.Family f) {
    List<Value.Addr> out = new ArrayList<>();
    if (r.peers().isEmpty()) {
      return List.of(Ranges.all(f));
    }
    for (Peer peer : r.peers()) {
      switch (peer.kind()) {
        case ALL -> out.add(Ranges.all(f));
        case CIDR -> {
          Cidr c = peer.cidr().get();
          if (c.family() == f) {
            out.addAll(Ranges.minus(c, peer.except()));
          }
        }
        case SPECIAL -> {
          if (peer.special().get().equals(Node.OUTSIDE)) {
            out.addAll(outside.get(f));
          }
        }
        case ENDPOINTS -> { }
      }
    }
    for (Node n : model.peersOf(p, r)) {
      if (r.peers().stream().allMatch(x -> x.kind() == Peer.Kind.CIDR || !model.peerMatches(x, p, n))) {
        continue; // named by an address block only: the block alone, the packet's address decides
      }
      for (IpAddress a : model.addresses(n)) {
        if (a.family() == f) {
          out.add(Value.Addr.of(a));
        }
      }
    }
    return Ranges.union(out);
  }

  // ------------------------------------------------------------------ results

  /** The elements of one policy set, in address order. */
  List<NftSet.Element> elements(Kind kind, IpAddress.Family f) {
    List<NftSet.Element> out = new ArrayList<>();
    boolean ingress = kind.direction == Direction.INGRESS;
    for (Map.Entry<IpAddress, List<Piece>> e : pieces.get(kind).get(f).entrySet()) {
      Value.Addr key = Value.Addr.of(e.getKey());
      for (Segment s : segments(e.getValue())) {
        Value.Addr range = new Value.Addr(Ranges.fromBig(f, s.lo()), Ranges.fromBig(f, s.hi()));
        String comment = comment(s.rules());
        for (List<Value> pp : s.coverage().values()) {
          List<Value> k = new ArrayList<>();
          k.add(ingress ? range : key);
          k.add(ingress ? key : range);
          k.addAll(pp);
          out.add(new NftSet.Element(k, List.of(), comment));
        }
      }
    }
    return out;
  }

  /** The addresses of the host's endpoints that some policy isolates in {@code d}, merged. */
  List<NftSet.Element> isolated(Direction d, IpAddress.Family f) {
    List<Value.Addr> addrs = new ArrayList<>();
    for (Node n : model.nodes()) {
      if (n.isEndpoint() && n.endpoint().get().host().equals(host) && model.isolatedBy(n, d).isPresent()) {
        for (IpAddress a : model.addresses(n)) {
          if (a.family() == f) {
            addrs.add(Value.Addr.of(a));
          }
        }
      }
    }
    List<NftSet.Element> out = new ArrayList<>();
    for (Value.Addr a : Ranges.union(addrs)) {
      out.add(new NftSet.Element(List.of(a), List.of(), ""));
    }
    return out;
  }

  /** Cuts the pieces of one key into disjoint segments, joining neighbours covered alike. */
  private List<Segment> segments(List<Piece> list) {
    TreeSet<BigInteger> bounds = new TreeSet<>();
    for (Piece p : list) {
      bounds.add(Ranges.toBig(p.range().lo()));
      bounds.add(Ranges.toBig(p.range().hi()).add(BigInteger.ONE));
    }
    List<Piece> sorted = new ArrayList<>(list);
    sorted.sort((a, b) -> a.range().lo().compareTo(b.range().lo()));
    List<Piece> active = new ArrayList<>();
    int next = 0;
    List<Segment> out = new ArrayList<>();
    BigInteger[] points = bounds.toArray(new BigInteger[0]);
    for (int i = 0; i + 1 < points.length; i++) {
      BigInteger lo = points[i];
      BigInteger hi = points[i + 1].subtract(BigInteger.ONE);
      while (next < sorted.size() && Ranges.toBig(sorted.get(next).range().lo()).compareTo(lo) <= 0) {
        active.add(sorted.get(next++));
      }
      active.removeIf(p -> Ranges.toBig(p.range().hi()).compareTo(lo) < 0);
      if (active.isEmpty()) {
        continue;
      }
      Coverage c = null;
      TreeSet<Integer> by = new TreeSet<>();
      for (Piece p : active) {
        c = c == null ? p.coverage() : c.union(p.coverage());
        by.add(p.rule());
      }
      Segment last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && last.hi().add(BigInteger.ONE).equals(lo) && last.coverage().equals(c)
          && last.rules().equals(by)) {
        out.set(out.size() - 1, new Segment(last.lo(), hi, c, by));
      } else {
        out.add(new Segment(lo, hi, c, by));
      }
    }
    return out;
  }

  /** {@code policy file:line} of each rule, in declaration order, cut to the kernel's limit. */
  private String comment(TreeSet<Integer> ruleIndexes) {
    List<String> parts = new ArrayList<>();
    for (int i : ruleIndexes) {
      Policy.Rule r = rules.get(i);
      parts.add(Objects.requireNonNull(owners.get(r)).name() + " " + where(r));
    }
    return Comments.fit(String.join("; ", parts));
  }

  static String where(Policy.Rule r) {
    return r.span().file().path() + ":" + r.span().line();
  }
}
