package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Direction;
import dev.netc.compiler.ir.Peer;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import java.util.List;
import java.util.Optional;

/**
 * Every allow rule admits at least one connection that then succeeds. A rule fails this in one
 * of three ways, each its own code: no path joins the endpoints it selects to any of its peers
 * (NETC301); every connection it admits is dropped by deny rules (NETC305); or every connection
 * it admits is still refused by the other side, isolated in the other direction with nothing
 * admitting it (NETC302, a one-sided allow). The rule's pairs are walked until one connection
 * succeeds, so rules that work cost little. A pair of an endpoint and its own host never counts:
 * its connection succeeds whatever the rules say (step 2 of the order of decision; in the kernel
 * it never reaches the forward hook's policy check), so a rule whose only peer with a path is the
 * endpoints' own host is NETC301 too.
 */
final class AllowRulesTakeEffect {
  private AllowRulesTakeEffect() {}

  /** What walking a rule's pairs found. */
  private static final class Walk {
    boolean pairs;
    boolean path;
    /**
     * A pair of an endpoint and its own host has a path: the connection succeeds, but the rule
     * is never what admits it, since such traffic is not subject to policy.
     */
    boolean ownHost;
    /**
     * A pair has a path, but a {@code cidr} peer names the other side by an address its packets
     * on that path do not carry: the rule is not about that connection.
     */
    boolean otherAddress;
    /** The first such pair, (from, to), and the port. */
    Node[] otherPair;
    PortSpec otherPort;
    boolean notDenied;
    boolean allowed;
    Node[] failing;
    PortSpec failingPort;
    /** The deny rules that dropped what it admits, each once. */
    final java.util.Set<Policy.Rule> denyingRules = new java.util.LinkedHashSet<>();
    /** How many dropped connections were asked for every deny rule that drops them. */
    int sampled;

    /**
     * Notes a connection (or a way of one) the rule admits that deny rules drop, {@code first}
     * the first of them: every one ({@code all}) for the first connections dropped, so that one
     * shadowed by another is named too; past them the first of each (a dead rule's walk sees all
     * its pairs).
     */
    void denied(Policy.Rule first, java.util.function.Supplier<List<Policy.Rule>> all) {
      if (denyingRules.size() < 64 && sampled++ < 16) {
        denyingRules.addAll(all.get());
      } else {
        denyingRules.add(first);
      }
    }

    /**
     * Notes a connection the rule is not about: a {@code cidr} peer names the other side by
     * another of its addresses, and on every way between them its packets carry one outside it.
     */
    void otherAddress(Node from, Node to, PortSpec port) {
      if (!otherAddress) {
        otherAddress = true;
        otherPair = new Node[] {from, to};
        otherPort = port;
      }
    }

    /** Notes a connection the rule admits, not denied, that the other side still refuses. */
    void refused(Node from, Node to, PortSpec port) {
      if (failing == null) {
        failing = new Node[] {from, to};
        failingPort = port;
      }
    }
  }

  private static final java.util.Map<Reachability, List<Diagnostic>> FINDINGS =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  /** Reports the findings of code {@code only}; the rules are walked once per model. */
  static void check(Reachability m, Diagnostics out, java.util.Set<Code> only) {
    List<Diagnostic> all = FINDINGS.computeIfAbsent(m, k -> {
      Diagnostics found = new Diagnostics();
      walkAll(k, found);
      return found.sorted();
    });
    all.stream().filter(d -> only.contains(d.code())).forEach(out::add);
  }

  private static void walkAll(Reachability m, Diagnostics out) {
    java.util.Set<Code> enabled = java.util.Set.of(Code.NETC301, Code.NETC302, Code.NETC305);
    for (Policy p : m.topology().policies()) {
      List<Node> selected = PolicyScope.selected(m, p);
      if (selected.isEmpty()) {
        continue; // NETC303 says so
      }
      for (Policy.Rule r : p.rules()) {
        if (r.action() != Policy.Action.ALLOW) {
          continue;
        }
        List<Node> peers = PolicyScope.peers(m, p, r);
        if (peers.isEmpty()) {
          continue; // NETC304 says so
        }
        Walk w = walk(m, p, r, selected, peers, PolicyScope.ports(m, r));
        if (w.allowed || !w.pairs) {
          continue; // works, or concerns only an endpoint and itself
        }
        if (!w.path && enabled.contains(Code.NETC301) && MacvlanMembersAreCutOffFromTheirHost.cutOff(m, p, r).isEmpty()) {
          if (throughOtherHosts(m, r, selected, peers, PolicyScope.ports(m, r))) {
            // a path there is, but policy sees the hosts on it: the usual hint (publish a port) is no help
            out.add(Diagnostic.of(Code.NETC301, r.span(), "this allow rule of policy `" + p.name()
                    + "` can never take effect: the endpoints it selects and its peers meet only through ports"
                    + " published on another host, where policy sees their hosts, not them")
                .withHint("admit the other host instead (`@host`, or a `cidr` of its underlay address; in an"
                    + " egress rule, on the published host port), or attach the two sides to a shared overlay"
                    + " network"));
          } else if (w.ownHost && !w.otherAddress) {
            // the only pairs with a path are endpoints and their own host, which the exemption
            // admits before any allow rule is looked at (in the kernel, their traffic goes
            // through the host's output and input hooks, never the forward hook's policy check)
            String dir = r.direction().label();
            boolean namesHost = r.peers().stream().anyMatch(x -> x.kind() == Peer.Kind.SPECIAL
                && x.special().filter(Node.OUTSIDE::equals).isEmpty());
            out.add(Diagnostic.of(Code.NETC301, r.span(), "this allow rule of policy `" + p.name()
                    + "` can never take effect: of its peers, "
                    + (r.direction() == Direction.INGRESS ? "only the endpoints' own host reaches them"
                        : "the endpoints reach only their own host")
                    + ", and traffic between an endpoint and its own host is not subject to policy")
                .withHint((namesHost
                    ? "drop `@host` from the rule, or the rule: a host and its own endpoints reach each other"
                        + " without one"
                    : "join the endpoints to the peers the rule means (a shared network, a published port or a"
                        + " service), or drop the rule")
                    + "; to isolate them for " + dir + " all the same, say `isolate " + dir + "`"));
          } else if (w.otherAddress) {
            Node from = w.otherPair[0];
            Node to = w.otherPair[1];
            Node named = r.direction() == Direction.INGRESS ? from : to;
            out.add(Diagnostic.of(Code.NETC301, r.span(), "this allow rule of policy `" + p.name()
                    + "` can never take effect: its `cidr` peers contain an address of `" + named.name()
                    + "`, but not the one `" + from.name() + "`'s packets to `" + to.name() + "` carry")
                .withHint("a `cidr` peer is matched on the address a packet carries, here the one of the way from `"
                    + from.name() + "` to `" + to.name() + "` on " + w.otherPort + " (`netc explain` shows it): name"
                    + " that address, or `" + named.name() + "` by its labels"));
          } else {
            // a rule without ports names every port: another protocol is no way out of that
            Optional<PortSpec[]> other = r.ports().isEmpty() ? Optional.empty()
                : otherProtocol(m, r, selected, peers, PolicyScope.ports(m, r));
            out.add(Diagnostic.of(Code.NETC301, r.span(), "this allow rule of policy `" + p.name()
                    + "` can never take effect: no path joins the endpoints it selects to any of its peers")
                .withHint(other.map(o -> "a path there is on " + o[1] + ", not on " + o[0] + ", the rule's port"
                        + " (tcp when no protocol is written): write `port " + o[1] + "` if that is what it means")
                    .orElse("attach the two sides to a shared network, or publish a port or add a service"
                        + " between them (an endpoint in `none` mode has no network at all)")));
          }
        } else if (w.path && !w.notDenied && enabled.contains(Code.NETC305)) {
          Diagnostic d = Diagnostic.of(Code.NETC305, r.span(), "this allow rule of policy `" + p.name()
                  + "` is dead: deny rules drop everything it admits")
              .withHint(w.denyingRules.size() > 1 ? "remove the rule, or narrow the deny rules"
                  : "remove the rule, or narrow the deny rule");
          for (Policy.Rule deny : w.denyingRules.stream().sorted(java.util.Comparator.comparing(Policy.Rule::span)).toList()) {
            d = d.withRelated(deny.span(), "denied by this rule");
          }
          out.add(d);
        } else if (w.notDenied && enabled.contains(Code.NETC302)) {
          Node from = w.failing[0];
          Node to = w.failing[1];
          boolean ingress = r.direction() == Direction.INGRESS;
          Node other = ingress ? from : to;
          Direction otherDir = ingress ? Direction.EGRESS : Direction.INGRESS;
          Optional<Policy> isolating = m.isolatedBy(other, otherDir);
          Diagnostic d = Diagnostic.of(Code.NETC302, r.span(), "this " + r.direction().label()
                  + " allow rule of policy `" + p.name() + "` is one-sided: `" + other.name()
                  + "` is isolated for " + otherDir.label() + " and nothing admits `"
                  + (ingress ? to.name() : from.name()) + "` on " + w.failingPort + ", so `"
                  + from.name() + (m.allowed(from, to, w.failingPort)
                      ? "` reaches `" + to.name() + "` only through " + remotely(m, from, to, w.failingPort)
                          + ", where policy sees their hosts, not them"
                      : "` still cannot reach `" + to.name() + "`"))
              .withHint("add the matching " + otherDir.label() + " allow rule to a policy that selects `"
                  + other.endpoint().flatMap(e -> e.replicaOf()).orElse(other.name()) + "`");
          if (isolating.isPresent()) {
            d = d.withRelated(isolating.get().span(), "`" + other.name() + "` is isolated for "
                + otherDir.label() + " here");
          }
          out.add(d);
        }
      }
    }
  }

  /** The pairs {@link #otherProtocol} looks at, at most: it runs only for a rule told as NETC301. */
  private static final int OTHER_PROTOCOL_PAIRS = 100_000;

  /**
   * For a rule without a path on its ports: a port of the rule and the same port in another
   * protocol on which some pair of its sides has a direct path ({@code port 53} is 53/tcp, and the
   * DNS server publishes or serves 53/udp), or empty.
   */
  private static Optional<PortSpec[]> otherProtocol(Reachability m, Policy.Rule r, List<Node> selected,
      List<Node> peers, List<PortSpec> ports) {
    int pairs = 0;
    for (Node s : selected) {
      for (Node peer : peers) {
        if (peer.name().equals(s.name()) || ++pairs > OTHER_PROTOCOL_PAIRS) {
          if (pairs > OTHER_PROTOCOL_PAIRS) {
            return Optional.empty();
          }
          continue;
        }
        Node from = PolicyScope.from(r, s, peer);
        Node to = PolicyScope.to(r, s, peer);
        if (m.sameHostTraffic(from, to) || !m.mayHavePath(from, to)) {
          continue;
        }
        for (PortSpec port : ports) {
          for (dev.netc.compiler.ir.Protocol proto : dev.netc.compiler.ir.Protocol.values()) {
            PortSpec alt = new PortSpec(port.range(), proto);
            if (proto != port.protocol() && m.directPath(from, to, alt).isPresent()) {
              return Optional.of(new PortSpec[] {port, alt});
            }
          }
        }
      }
    }
    return Optional.empty();
  }

  /** What leads from {@code from} to {@code to} through another host: a published port or a node port. */
  private static String remotely(Reachability m, Node from, Node to, PortSpec port) {
    return m.admittingRemoteThrough(from, to, port).equals(Optional.of(Reachability.Through.NODE_PORT))
        ? "a node port of another host" : "a port published on another host";
  }

  /**
   * Whether some pair of a rule without a direct path has a path all the same: through a port
   * published on another host ({@link Reachability#path}), where policy sees the two hosts.
   * Asked only for a rule about to be told as NETC301.
   */
  private static boolean throughOtherHosts(Reachability m, Policy.Rule r, List<Node> selected, List<Node> peers,
      List<PortSpec> ports) {
    for (Node s : selected) {
      for (Node peer : peers) {
        if (peer.name().equals(s.name())) {
          continue;
        }
        Node from = PolicyScope.from(r, s, peer);
        Node to = PolicyScope.to(r, s, peer);
        if (m.sameHostTraffic(from, to)) {
          continue; // not subject to policy, whatever the path
        }
        for (PortSpec port : ports) {
          if (m.directPath(from, to, port).isEmpty() && m.path(from, to, port).isPresent()) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static Walk walk(Reachability m, Policy p, Policy.Rule r, List<Node> selected, List<Node> peers,
      List<PortSpec> ports) {
    boolean otherwise = selected.stream().anyMatch(m::reachableOtherwise)
        || peers.stream().anyMatch(x -> x.isEndpoint() && m.reachableOtherwise(x));
    if (!otherwise) {
      // endpoints meet only over shared segments; the host and the outside are few: visit them
      Walk w = walkSegments(m, p, r, selected, peers.stream().filter(Node::isEndpoint).toList(), ports);
      for (Node peer : peers) {
        if (w.allowed) {
          break;
        }
        if (peer.isEndpoint()) {
          continue;
        }
        for (Node s : selected) {
          w.pairs = true;
          if (visit(m, p, r, w, PolicyScope.from(r, s, peer), PolicyScope.to(r, s, peer), ports)) {
            break;
          }
        }
      }
      return w;
    }
    Walk w = new Walk();
    for (Node s : selected) {
      for (Node peer : peers) {
        if (peer.name().equals(s.name())) {
          continue;
        }
        w.pairs = true;
        Node from = PolicyScope.from(r, s, peer);
        Node to = PolicyScope.to(r, s, peer);
        if (!m.mayHavePath(from, to)) {
          continue;
        }
        if (visit(m, p, r, w, from, to, ports)) {
          return w;
        }
      }
    }
    return w;
  }

  /**
   * The same walk when every path is a shared segment: only pairs on a common segment are
   * visited, found through an index of the selected endpoints by segment, so a rule whose two
   * sides share nothing costs O(|selected| + |peers|), not their product.
   */
  private static Walk walkSegments(Reachability m, Policy p, Policy.Rule r, List<Node> selected,
      List<Node> peers, List<PortSpec> ports) {
    Walk w = new Walk();
    java.util.Map<String, List<Node>> bySegment = new java.util.HashMap<>();
    for (Node s : selected) {
      m.segments(s).forEach(k -> bySegment.computeIfAbsent(k, x -> new java.util.ArrayList<>()).add(s));
    }
    java.util.Set<String> selectedNames = new java.util.HashSet<>();
    selected.forEach(s -> selectedNames.add(s.name()));
    for (Node peer : peers) {
      if (!peer.isEndpoint() || selectedNames.size() > 1 || !selectedNames.contains(peer.name())) {
        w.pairs = true; // at least one pair that is not an endpoint and itself
      }
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (String k : m.segments(peer)) {
        for (Node s : bySegment.getOrDefault(k, List.of())) {
          if (s.name().equals(peer.name()) || !seen.add(s.name())) {
            continue;
          }
          Node from = PolicyScope.from(r, s, peer);
          Node to = PolicyScope.to(r, s, peer);
          if (visit(m, p, r, w, from, to, ports)) {
            return w;
          }
        }
      }
    }
    return w;
  }

  /**
   * Visits one pair on every port; true when a connection succeeded (the walk can stop). A pair of
   * an endpoint and its own host is only noted: its connection succeeds, but not by the rule,
   * since such traffic is not subject to policy (docs/model.md, "What policy does not apply to").
   */
  private static boolean visit(Reachability m, Policy p, Policy.Rule r, Walk w, Node from, Node to,
      List<PortSpec> ports) {
    if (m.sameHostTraffic(from, to)) {
      w.ownHost |= ports.stream().anyMatch(port -> m.directPath(from, to, port).isPresent());
      return false;
    }
    boolean perWay = m.decidedPerWay(from, to);
    for (PortSpec port : ports) {
      if (m.directPath(from, to, port).isEmpty()) {
        continue;
      }
      if (perWay) {
        if (visitWays(m, p, r, w, from, to, port)) {
          return true;
        }
        continue;
      }
      if (!m.ruleMatches(p, r, from, to, port)) {
        w.otherAddress(from, to, port);
        continue;
      }
      w.path = true;
      Optional<Policy.Rule> deny = m.deniedBy(from, to, port);
      if (deny.isPresent()) {
        w.denied(deny.get(), () -> m.denyRules(from, to, port));
        continue;
      }
      w.notDenied = true;
      // (on the direct ways: a rule about two endpoints never takes effect on the way through a
      // port published on another host or a node port there, where policy sees the hosts)
      if (m.directAllowed(from, to, port)) {
        w.allowed = true;
        return true;
      }
      w.refused(from, to, port);
    }
    return false;
  }

  /**
   * {@link #visit} of one port of a pair whose ways can be decided differently (a {@code cidr}
   * peer, and addresses in different blocks): the rule takes effect on a way where it matches,
   * no deny rule drops it, and policy admits it. Asked of the pair as a whole, the three answers
   * could come from three ways (the rule matching on IPv6, a deny dropping IPv6, IPv4 not denied),
   * and a rule that deny rules make dead was told one-sided.
   */
  private static boolean visitWays(Reachability m, Policy p, Policy.Rule r, Walk w, Node from, Node to,
      PortSpec port) {
    boolean matched = false;
    for (dev.netc.compiler.model.Flow f : m.flows(from, to, port)) {
      if (!m.ruleMatchesOn(p, r, from, to, port, f)) {
        continue;
      }
      matched = true;
      w.path = true;
      Optional<Policy.Rule> deny = m.deniedOn(from, to, port, f);
      if (deny.isPresent()) {
        w.denied(deny.get(), () -> m.denyRulesOn(from, to, port, f));
        continue;
      }
      w.notDenied = true;
      if (m.allowedOn(from, to, port, f)) {
        w.allowed = true;
        return true;
      }
      w.refused(from, to, port);
    }
    if (!matched) {
      w.otherAddress(from, to, port);
    }
    return false;
  }
}
