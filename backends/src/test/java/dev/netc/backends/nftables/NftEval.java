package dev.netc.backends.nftables;

import dev.netc.compiler.ir.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Evaluates a {@link Ruleset} on one packet, as the kernel would: the rules of a chain in order,
 * set lookups element by element, {@code jump} and its return, a base chain's policy at its
 * end. Only what the builder emits is understood; anything else fails the test.
 */
public final class NftEval {
  /** A new connection's first packet (never established, related or invalid; TCP or UDP). */
  public record Packet(IpAddress.Family family, IpAddress saddr, IpAddress daddr, int proto, int dport,
      String iif, String oif, boolean dnat) {}

  /** A filter verdict. */
  public enum Verdict {
    ACCEPT,
    DROP,
    CONTINUE
  }

  /** Where DNAT sends a packet. */
  public record Nat(IpAddress daddr, int dport) {}

  private final Ruleset ruleset;

  public NftEval(Ruleset ruleset) {
    this.ruleset = ruleset;
  }

  /** The verdict of base chain {@code chain} (accept when the table has no such chain). */
  public Verdict filter(String chain, Packet p, Set<IpAddress> local) {
    Optional<Chain> c = ruleset.chain(chain);
    if (c.isEmpty()) {
      return Verdict.ACCEPT;
    }
    Verdict v = run(c.get(), p, local, 0);
    return v == Verdict.CONTINUE ? Verdict.ACCEPT : v;
  }

  private Verdict run(Chain c, Packet p, Set<IpAddress> local, int depth) {
    if (depth > 16) {
      throw new IllegalStateException("jump loop");
    }
    for (Rule r : c.rules()) {
      if (!r.matches().stream().allMatch(m -> matches(m, p, local))) {
        continue;
      }
      Statement s = r.statement();
      if (s instanceof Statement.Accept) {
        return Verdict.ACCEPT;
      } else if (s instanceof Statement.Drop) {
        return Verdict.DROP;
      } else if (s instanceof Statement.Jump j) {
        Verdict v = run(ruleset.chain(j.chain()).orElseThrow(), p, local, depth + 1);
        if (v != Verdict.CONTINUE) {
          return v;
        }
      } else {
        throw new IllegalStateException("not a filter statement: " + s.render());
      }
    }
    return Verdict.CONTINUE;
  }

  /** The DNAT of nat chain {@code chain}, if a rule rewrites the destination. */
  public Optional<Nat> dnat(String chain, Packet p, Set<IpAddress> local) {
    Optional<Chain> c = ruleset.chain(chain);
    if (c.isEmpty()) {
      return Optional.empty();
    }
    for (Rule r : c.get().rules()) {
      if (!r.matches().stream().allMatch(m -> matches(m, p, local))) {
        continue;
      }
      if (!(r.statement() instanceof Statement.Dnat d)) {
        throw new IllegalStateException("not a DNAT: " + r.render());
      }
      if (!(d.family().equals("ip") ? p.family() == IpAddress.Family.V4 : p.family() == IpAddress.Family.V6)) {
        continue;
      }
      Optional<List<Object>> key = key(d.key(), p);
      if (key.isEmpty()) {
        continue;
      }
      NftSet map = ruleset.set(d.map()).orElseThrow();
      for (NftSet.Element e : map.elements()) {
        if (contains(e.key(), key.get())) {
          Value.Addr a = (Value.Addr) e.data().get(0);
          Value.Port port = (Value.Port) e.data().get(1);
          return Optional.of(new Nat(a.lo(), port.lo()));
        }
      }
      // a key the map lacks: the rule does nothing, the next one is tried
    }
    return Optional.empty();
  }

  private boolean matches(Match m, Packet p, Set<IpAddress> local) {
    if (m instanceof Match.Lookup l) {
      Optional<List<Object>> key = key(l.key(), p);
      if (key.isEmpty()) {
        return false; // `ip saddr` on an IPv6 packet: the rule does not apply
      }
      NftSet set = ruleset.set(l.set()).orElseThrow(() -> new IllegalStateException("no set " + l.set()));
      boolean found = set.elements().stream().anyMatch(e -> contains(e.key(), key.get()));
      return found != l.negate();
    } else if (m instanceof Match.Prefix x) {
      Optional<List<Object>> key = key(List.of(x.field()), p);
      if (key.isEmpty()) {
        return false;
      }
      return x.prefix().contains((IpAddress) key.get().get(0)) != x.negate();
    } else if (m instanceof Match.CtState) {
      return false; // a new connection is neither established, related nor invalid
    } else if (m instanceof Match.CtStatus s) {
      return s.status().equals("dnat") && p.dnat();
    } else if (m instanceof Match.Icmpv6Type || m instanceof Match.IcmpType) {
      return false; // TCP and UDP only
    } else if (m instanceof Match.FibLocal) {
      return local.contains(p.daddr());
    }
    throw new IllegalStateException("unknown match " + m);
  }

  private static Optional<List<Object>> key(List<Expr> exprs, Packet p) {
    List<Object> out = new ArrayList<>();
    for (Expr e : exprs) {
      switch (e) {
        case IP_SADDR, IP_DADDR, IP6_SADDR, IP6_DADDR -> {
          IpAddress.Family want = e == Expr.IP_SADDR || e == Expr.IP_DADDR ? IpAddress.Family.V4 : IpAddress.Family.V6;
          if (p.family() != want) {
            return Optional.empty();
          }
          out.add(e == Expr.IP_SADDR || e == Expr.IP6_SADDR ? p.saddr() : p.daddr());
        }
        case L4PROTO -> out.add(p.proto());
        case TH_DPORT -> out.add(-p.dport() - 1); // ports are told from protocols by sign
        case IIFNAME -> out.add(p.iif());
        case OIFNAME -> out.add(p.oif());
        default -> throw new IllegalStateException();
      }
    }
    return Optional.of(out);
  }

  private static boolean contains(List<Value> element, List<Object> key) {
    if (element.size() != key.size()) {
      throw new IllegalStateException("key of the wrong size");
    }
    for (int i = 0; i < key.size(); i++) {
      Value v = element.get(i);
      Object k = key.get(i);
      boolean in;
      if (v instanceof Value.Addr a) {
        in = a.contains((IpAddress) k);
      } else if (v instanceof Value.Proto pr) {
        in = pr.contains((Integer) k);
      } else if (v instanceof Value.Port po) {
        in = po.contains(-((Integer) k) - 1);
      } else {
        in = ((Value.Ifname) v).name().equals(k);
      }
      if (!in) {
        return false;
      }
    }
    return true;
  }
}
