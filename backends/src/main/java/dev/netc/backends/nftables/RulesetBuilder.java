package dev.netc.backends.nftables;

import dev.netc.backends.plan.Bridge;
import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.PublishedPort;
import dev.netc.backends.plan.TableSpec;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.Direction;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.model.Reachability;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Computes the nftables table of a host's namespace from its desired state and the reachability
 * model. The number of rules depends only on which kinds of thing the host has (IPv6, internal
 * networks, published ports, deny rules, isolated endpoints...), never on how many endpoints or
 * policies: every address, port and policy rule is a set or map element.
 *
 * <ul>
 *   <li>{@code forward} (filter): replies first; traffic between members of one network (bridged,
 *       seen here thanks to br_netfilter), into a network through a published port (DNAT), and
 *       out of a network with a route out go to {@code policy_check}; everything else that
 *       touches a bridge of the topology is dropped: that is the isolation between networks and
 *       the absence of a route out of internal networks.
 *   <li>{@code policy_check}: the model's order of decision: deny ingress, deny egress, then an
 *       isolated destination needs an allow ingress element and an isolated source an allow
 *       egress element.
 *   <li>{@code prerouting} and {@code output} (nat): DNAT of published ports, from other hosts
 *       and {@code @outside} and from the host itself; {@code postrouting}: masquerade.
 * </ul>
 */
public final class RulesetBuilder {
  private static final Cidr V4_LOOPBACK = Cidr.parse("127.0.0.0/8").get();
  private static final Cidr V6_LOOPBACK = Cidr.parse("::1/128").get();
  private static final Cidr V6_LINK_LOCAL = Cidr.parse("fe80::/10").get();
  private static final List<Expr> V4_TUPLE = List.of(Expr.IP_SADDR, Expr.IP_DADDR, Expr.L4PROTO, Expr.TH_DPORT);
  private static final List<Expr> V6_TUPLE = List.of(Expr.IP6_SADDR, Expr.IP6_DADDR, Expr.L4PROTO, Expr.TH_DPORT);
  /** The IPv6 messages that keep a network working and are no connection of the model. */
  private static final List<String> NEIGHBOUR_DISCOVERY = List.of("nd-neighbor-solicit", "nd-neighbor-advert");
  private final HostState host;
  private final Reachability model;
  private final List<NftSet> sets = new ArrayList<>();
  private final List<Chain> chains = new ArrayList<>();
  private final ServiceRules services;

  private RulesetBuilder(HostState host, Reachability model) {
    this.host = host;
    this.model = model;
    this.services = new ServiceRules(host);
  }

  /** The table of the host's namespace, or empty when the host needs none (no bridge). */
  public static Optional<Ruleset> build(HostState host, Reachability model) {
    if (host.table().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new RulesetBuilder(host, model).build());
  }

  private Ruleset build() {
    TableSpec spec = host.table().get();
    interfaces();
    sets.addAll(services.sets());
    PolicySets policies = new PolicySets(model, host.host());
    List<Rule> check = policyCheck(policies);
    chains.add(forward());
    chains.add(new Chain("policy_check", Optional.empty(), check,
        "the policies, in the model's order: deny ingress, deny egress, isolation"));
    chains.addAll(services.chains());
    nat();
    return new Ruleset(spec.namespace(), spec.family(), spec.name(), spec.comment(), sets, chains);
  }

  private static String v(IpAddress.Family f) {
    return f == IpAddress.Family.V4 ? "4" : "6";
  }

  // ------------------------------------------------------------------ interfaces

  private void interfaces() {
    List<NftSet.Element> all = new ArrayList<>();
    List<NftSet.Element> internal = new ArrayList<>();
    List<NftSet.Element> pairs = new ArrayList<>();
    for (Bridge b : host.bridges()) {
      Value.Ifname name = new Value.Ifname(b.name());
      String comment = "network " + b.network();
      all.add(new NftSet.Element(List.of(name), List.of(), comment));
      pairs.add(new NftSet.Element(List.of(name, name), List.of(), comment));
      if (b.internal()) {
        internal.add(new NftSet.Element(List.of(name), List.of(), comment));
      }
    }
    sets.add(new NftSet("bridges", List.of(Expr.FieldType.IFNAME), List.of(), false, all,
        "the bridges of the topology on this host"));
    if (!internal.isEmpty()) {
      sets.add(new NftSet("internal_bridges", List.of(Expr.FieldType.IFNAME), List.of(), false, internal,
          "the bridges of internal networks: no route out"));
    }
    sets.add(new NftSet("same_network", List.of(Expr.FieldType.IFNAME, Expr.FieldType.IFNAME), List.of(),
        false, pairs, "in and out of the same bridge: traffic within one network"));
    // IPv4 always. IPv6 on a host of several only: a single host routes its IPv6 subnets out as
    // they are, without NAT66 (the uplink's router needs a route to them through the host, as the
    // sandbox's outside has); a network of several hosts has its subnets on each host it spans,
    // so no router could route them back to one host, and the model has the endpoints' traffic
    // leave such a host from its own address (its underlay's), in either family
    for (IpAddress.Family f : model.topology().hosts().size() > 1 ? IpAddress.Family.values()
        : new IpAddress.Family[] {IpAddress.Family.V4}) {
      List<Value.Addr> subnets = new ArrayList<>();
      for (Bridge b : host.bridges()) {
        if (!b.internal()) {
          b.subnet(f).map(Subnet::cidr).map(Value.Addr::of).ifPresent(subnets::add);
        }
      }
      if (!subnets.isEmpty()) {
        List<NftSet.Element> els = new ArrayList<>();
        for (Value.Addr a : Ranges.union(subnets)) {
          els.add(new NftSet.Element(List.of(a), List.of(), ""));
        }
        sets.add(new NftSet("masquerade" + v(f), List.of(addrType(f)), List.of(), true, els,
            "the subnets of the networks with a route out"));
      }
    }
  }

  private static Expr.FieldType addrType(IpAddress.Family f) {
    return f == IpAddress.Family.V4 ? Expr.FieldType.IPV4_ADDR : Expr.FieldType.IPV6_ADDR;
  }

  // ------------------------------------------------------------------ forward

  private Chain forward() {
    List<Rule> rules = new ArrayList<>();
    Match.Lookup inBridge = new Match.Lookup(List.of(Expr.IIFNAME), "bridges", false);
    Match.Lookup notInBridge = new Match.Lookup(List.of(Expr.IIFNAME), "bridges", true);
    Match.Lookup outBridge = new Match.Lookup(List.of(Expr.OIFNAME), "bridges", false);
    Match.Lookup notOutBridge = new Match.Lookup(List.of(Expr.OIFNAME), "bridges", true);
    Statement policy = new Statement.Jump("policy_check");
    // established first: most packets of a connection stop at this one test of the conntrack
    // state, without a set lookup (both rules accept, so their order changes no verdict)
    rules.add(Rule.of(new Statement.Accept(), "replies and related traffic of admitted connections",
        new Match.CtState(List.of("established", "related"))));
    rules.add(Rule.of(new Statement.Accept(), "touches no bridge of this topology: not ours to judge",
        notInBridge, notOutBridge));
    // routers' messages and redirects between members are dropped on the container's port, as
    // they enter the bridge (PortFilter), before a flood copies them to every port
    rules.add(Rule.of(new Statement.Drop(), "packets that belong to no connection",
        new Match.CtState(List.of("invalid"))));
    rules.add(Rule.of(new Statement.Accept(), "IPv6 neighbour discovery within a network",
        new Match.Icmpv6Type(NEIGHBOUR_DISCOVERY)));
    rules.add(Rule.of(new Statement.Drop(), "link-local sources are no address of the model: policies could not tell who sends",
        new Match.Prefix(Expr.IP6_SADDR, V6_LINK_LOCAL, false)));
    rules.add(Rule.of(new Statement.Drop(), "link-local destinations likewise",
        new Match.Prefix(Expr.IP6_DADDR, V6_LINK_LOCAL, false)));
    rules.addAll(services.forwardFirst());
    rules.addAll(services.forwardServices("policy_check"));
    if (host.bridges().stream().anyMatch(Bridge::internal)) {
      rules.add(Rule.of(new Statement.Drop(), "internal networks reach no published port (as in Docker)",
          new Match.Lookup(List.of(Expr.IIFNAME), "internal_bridges", false), new Match.CtStatus("dnat")));
    }
    rules.add(Rule.of(policy, "through a published port (DNAT): from outside, other hosts and other networks",
        new Match.CtStatus("dnat")));
    rules.add(Rule.of(policy, "between members of one network",
        new Match.Lookup(List.of(Expr.IIFNAME, Expr.OIFNAME), "same_network", false)));
    if (host.bridges().stream().anyMatch(Bridge::internal)) {
      rules.add(Rule.of(new Statement.Drop(), "internal networks have no route out",
          new Match.Lookup(List.of(Expr.IIFNAME), "internal_bridges", false), notOutBridge));
    }
    rules.add(Rule.of(policy, "out of a network with a route out (masquerade in postrouting)",
        inBridge, notOutBridge));
    rules.add(Rule.of(new Statement.Drop(),
        "between two networks, and into a network from outside other than through a published port"));
    return new Chain("forward", Optional.of(new Chain.Hook("filter", "forward", "filter", "accept")), rules,
        "what may cross the bridges of the topology on this host");
  }

  // ------------------------------------------------------------------ policies

  private List<Rule> policyCheck(PolicySets p) {
    List<Rule> rules = new ArrayList<>();
    String elements = " (each element names its policy rule and line)";
    for (PolicySets.Kind k : List.of(PolicySets.Kind.DENY_IN, PolicySets.Kind.DENY_OUT)) {
      for (IpAddress.Family f : IpAddress.Family.values()) {
        List<NftSet.Element> els = p.elements(k, f);
        if (els.isEmpty()) {
          continue;
        }
        String set = k.set + v(f);
        sets.add(tupleSet(set, f, els, k == PolicySets.Kind.DENY_IN
            ? "deny ingress rules: source range . destination . protocol . ports"
            : "deny egress rules: source . destination range . protocol . ports"));
        rules.add(Rule.of(new Statement.Drop(), (k == PolicySets.Kind.DENY_IN
            ? "deny ingress rules of the destination's policies" : "deny egress rules of the source's policies")
            + elements, new Match.Lookup(tuple(f), set, false)));
      }
    }
    for (Direction d : Direction.values()) {
      PolicySets.Kind allow = d == Direction.INGRESS ? PolicySets.Kind.ALLOW_IN : PolicySets.Kind.ALLOW_OUT;
      for (IpAddress.Family f : IpAddress.Family.values()) {
        List<NftSet.Element> isolated = p.isolated(d, f);
        if (isolated.isEmpty()) {
          continue;
        }
        String isoSet = (d == Direction.INGRESS ? "isolated_in" : "isolated_out") + v(f);
        String allowSet = allow.set + v(f);
        String exactSet = allowSet + "_exact";
        sets.add(new NftSet(isoSet, List.of(addrType(f)), List.of(), true, isolated,
            "endpoints that a policy isolates for " + d.label()));
        // elements of one address, protocol and port each go to a hash set, where a lookup, an
        // addition and a deletion cost the same at any size; the rest (ranges, prefixes, every
        // port) to the interval set, whose deletions cost its size
        List<NftSet.Element> all = p.elements(allow, f);
        sets.add(tupleSet(allowSet, f, all.stream().filter(e -> !exact(e)).toList(), d == Direction.INGRESS
            ? "allow ingress rules with a range: source range . destination . protocol . ports"
            : "allow egress rules with a range: source . destination range . protocol . ports"));
        sets.add(new NftSet(exactSet, tupleTypes(f), List.of(), false, all.stream().filter(RulesetBuilder::exact).toList(),
            d == Direction.INGRESS
                ? "allow ingress rules of one source, protocol and port: source . destination . protocol . port"
                : "allow egress rules of one destination, protocol and port: source . destination . protocol . port"));
        Expr side = d == Direction.INGRESS ? (f == IpAddress.Family.V4 ? Expr.IP_DADDR : Expr.IP6_DADDR)
            : (f == IpAddress.Family.V4 ? Expr.IP_SADDR : Expr.IP6_SADDR);
        rules.add(Rule.of(new Statement.Drop(), d == Direction.INGRESS
                ? "an isolated destination admits only what its allow ingress rules admit" + elements
                : "an isolated source sends only what its allow egress rules admit" + elements,
            // the hash set first: a packet its element admits ends the rule after one lookup
            new Match.Lookup(List.of(side), isoSet, false), new Match.Lookup(tuple(f), exactSet, true),
            new Match.Lookup(tuple(f), allowSet, true)));
      }
    }
    rules.add(Rule.of(new Statement.Accept(), "admitted: no deny rule matched, and isolation, if any, is satisfied"));
    return rules;
  }

  private static List<Expr> tuple(IpAddress.Family f) {
    return f == IpAddress.Family.V4 ? V4_TUPLE : V6_TUPLE;
  }

  private static NftSet tupleSet(String name, IpAddress.Family f, List<NftSet.Element> els, String comment) {
    return new NftSet(name, tupleTypes(f), List.of(), true, els, comment);
  }

  private static List<Expr.FieldType> tupleTypes(IpAddress.Family f) {
    return List.of(addrType(f), addrType(f), Expr.FieldType.INET_PROTO, Expr.FieldType.INET_SERVICE);
  }

  /** One address, one protocol, one port: no range in the key. */
  static boolean exact(NftSet.Element e) {
    return e.key().stream().allMatch(v -> v instanceof Value.Addr a ? a.lo().equals(a.hi())
        : v instanceof Value.Proto x ? x.lo() == x.hi() : v instanceof Value.Port y && y.lo() == y.hi());
  }

  // ------------------------------------------------------------------ nat

  private void nat() {
    List<Rule> prerouting = new ArrayList<>();
    List<Rule> output = new ArrayList<>();
    boolean localnet = false;
    prerouting.addAll(services.dnat(false));
    output.addAll(services.dnat(true));
    for (IpAddress.Family f : IpAddress.Family.values()) {
      String ip = f == IpAddress.Family.V4 ? "ip" : "ip6";
      Expr daddr = f == IpAddress.Family.V4 ? Expr.IP_DADDR : Expr.IP6_DADDR;
      Cidr loopback = f == IpAddress.Family.V4 ? V4_LOOPBACK : V6_LOOPBACK;
      List<Expr> addrKey = List.of(daddr, Expr.L4PROTO, Expr.TH_DPORT);
      List<Expr> anyKey = List.of(Expr.L4PROTO, Expr.TH_DPORT);
      String one = map(f, PublishedPort.Scope.ADDRESS, "published" + v(f),
          "ports published on one address of the host: address . protocol . port : endpoint . port");
      String any = map(f, PublishedPort.Scope.ANY, "published" + v(f) + "_any",
          "ports published on every " + f.label() + " address of the host: protocol . port : endpoint . port");
      String local = map(f, PublishedPort.Scope.LOOPBACK, "published" + v(f) + "_local",
          "ports published on a loopback address, for the host itself: address . protocol . port : endpoint . port");
      if (one != null) {
        Rule r = Rule.of(new Statement.Dnat(ip, addrKey, one), "ports published on one address of the host");
        prerouting.add(r);
        output.add(Rule.of(r.statement(), "the same, from the host itself"));
      }
      if (any != null) {
        prerouting.add(Rule.of(new Statement.Dnat(ip, anyKey, any),
            "ports published on every address of the host; loopback only from the host itself",
            new Match.Prefix(daddr, loopback, true), new Match.FibLocal()));
        if (f == IpAddress.Family.V4) {
          output.add(Rule.of(new Statement.Dnat(ip, anyKey, any),
              "the same, from the host itself, 127.0.0.1 included (route_localnet on the bridge)",
              new Match.FibLocal()));
          localnet = true;
        } else {
          output.add(Rule.of(new Statement.Dnat(ip, anyKey, any),
              "the same, from the host itself (not ::1: IPv6 has no route_localnet)",
              new Match.Prefix(daddr, loopback, true), new Match.FibLocal()));
        }
      }
      if (local != null) {
        output.add(Rule.of(new Statement.Dnat(ip, addrKey, local),
            "ports published on a loopback address, from the host itself (route_localnet on the bridge)"));
        localnet = true;
      }
    }
    if (!prerouting.isEmpty()) {
      chains.add(new Chain("prerouting", Optional.of(new Chain.Hook("nat", "prerouting", "dstnat", "accept")),
          prerouting, services.any() ? "services and published ports, for connections from other hosts, @outside and the endpoints"
              : "published ports, for connections from other hosts, @outside and the endpoints"));
    }
    if (!output.isEmpty()) {
      chains.add(new Chain("output", Optional.of(new Chain.Hook("nat", "output", "-100", "accept")),
          output, services.any() ? "services and published ports, for connections from the host itself"
              : "published ports, for connections from the host itself"));
    }
    List<Rule> postrouting = new ArrayList<>(services.postrouting());
    Match.Lookup outBridge = new Match.Lookup(List.of(Expr.OIFNAME), "bridges", false);
    Match.Lookup notOutBridge = new Match.Lookup(List.of(Expr.OIFNAME), "bridges", true);
    if (localnet) {
      postrouting.add(Rule.of(new Statement.Masquerade(),
          "the host's own connections from 127.0.0.1 forwarded into a network leave with the bridge's address",
          new Match.Prefix(Expr.IP_SADDR, V4_LOOPBACK, false), outBridge));
    }
    for (IpAddress.Family f : IpAddress.Family.values()) {
      String set = "masquerade" + v(f);
      if (sets.stream().anyMatch(s -> s.name().equals(set))) {
        postrouting.add(Rule.of(new Statement.Masquerade(), "out of the networks with a route out ("
                + f.label() + ")",
            new Match.Lookup(List.of(f == IpAddress.Family.V4 ? Expr.IP_SADDR : Expr.IP6_SADDR), set, false),
            notOutBridge));
      }
    }
    if (!postrouting.isEmpty()) {
      chains.add(new Chain("postrouting", Optional.of(new Chain.Hook("nat", "postrouting", "srcnat", "accept")),
          postrouting, "masquerade"));
    }
  }

  /** Adds the DNAT map of published ports of one family and scope; its name, or null if empty. */
  private String map(IpAddress.Family f, PublishedPort.Scope scope, String name, String comment) {
    List<NftSet.Element> els = new ArrayList<>();
    for (PublishedPort p : host.published()) {
      if (p.family() != f || p.scope() != scope) {
        continue;
      }
      int proto = Coverage.number(p.protocol());
      List<Value> key = new ArrayList<>();
      p.hostAddress().ifPresent(a -> key.add(Value.Addr.of(a)));
      key.add(new Value.Proto(proto, proto));
      key.add(new Value.Port(p.hostPort(), p.hostPort()));
      els.add(new NftSet.Element(key, List.of(Value.Addr.of(p.target()), new Value.Port(p.targetPort(), p.targetPort())),
          Comments.fit(p.endpoint() + " " + where(p.span()) + (p.automatic() ? " (automatic host port)" : ""))));
    }
    if (els.isEmpty()) {
      return null;
    }
    List<Expr.FieldType> key = new ArrayList<>();
    if (scope != PublishedPort.Scope.ANY) {
      key.add(addrType(f));
    }
    key.add(Expr.FieldType.INET_PROTO);
    key.add(Expr.FieldType.INET_SERVICE);
    sets.add(new NftSet(name, key, List.of(addrType(f), Expr.FieldType.INET_SERVICE), false, els, comment));
    return name;
  }

  private static String where(Span s) {
    return s.file().path() + ":" + s.line();
  }
}
