package dev.netc.backends.nftables;

import dev.netc.compiler.ir.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Evaluates a {@link Ruleset} on one packet, as the kernel would: the rules of a chain in order,
 * set lookups element by element, {@code jump} and its return, a verdict map's {@code goto}, a
 * base chain's policy at its end. {@code numgen random} is a nondeterministic choice: {@link
 * #dnatBranches} gives every endpoint a service's map can draw, one branch each. Only what the
 * builder emits is understood; anything else fails the test.
 */
public final class NftEval {
  /** A new connection's first packet (never established, related or invalid; TCP or UDP). */
  public record Packet(IpAddress.Family family, IpAddress saddr, IpAddress daddr, int proto, int dport,
      String iif, String oif, boolean dnat, IpAddress originalDaddr) {
    /** A packet whose destination no DNAT has changed. */
    public Packet(IpAddress.Family family, IpAddress saddr, IpAddress daddr, int proto, int dport,
        String iif, String oif, boolean dnat) {
      this(family, saddr, daddr, proto, dport, iif, oif, dnat, daddr);
    }
  }

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

  /**
   * The DNAT of nat chain {@code chain}, if a rule rewrites the destination; fails on a rule that
   * draws at random among several ({@link #dnatBranches}).
   */
  public Optional<Nat> dnat(String chain, Packet p, Set<IpAddress> local) {
    List<Optional<Nat>> all = dnatBranches(chain, p, local);
    if (all.size() != 1) {
      throw new IllegalStateException("a random choice among " + all.size() + " destinations");
    }
    return all.get(0);
  }

  /**
   * Every way nat chain {@code chain} can rewrite the destination, one per branch of a {@code
   * numgen random} it draws (an endpoint of a service, whatever its share); a single empty one
   * when no rule rewrites it.
   */
  public List<Optional<Nat>> dnatBranches(String chain, Packet p, Set<IpAddress> local) {
    Optional<Chain> c = ruleset.chain(chain);
    if (c.isEmpty()) {
      return List.of(Optional.empty());
    }
    return natChain(c.get(), p, local, 0);
  }

  private List<Optional<Nat>> natChain(Chain c, Packet p, Set<IpAddress> local, int depth) {
    if (depth > 16) {
      throw new IllegalStateException("goto loop");
    }
    for (Rule r : c.rules()) {
      if (!r.matches().stream().allMatch(m -> matches(m, p, local))) {
        continue;
      }
      Statement s = r.statement();
      if (s instanceof Statement.Dnat d) {
        if (!family(d.family(), p)) {
          continue;
        }
        Optional<List<Object>> key = key(d.key(), p);
        if (key.isEmpty()) {
          continue;
        }
        for (NftSet.Element e : ruleset.set(d.map()).orElseThrow().elements()) {
          if (contains(e.key(), key.get())) {
            return List.of(Optional.of(nat(e)));
          }
        }
        // a key the map lacks: the rule does nothing, the next one is tried
      } else if (s instanceof Statement.Vmap v) {
        Optional<List<Object>> key = key(v.key(), p);
        if (key.isEmpty()) {
          continue;
        }
        for (NftSet.Element e : ruleset.set(v.map()).orElseThrow().elements()) {
          if (contains(e.key(), key.get())) {
            // goto: the end of that chain ends this base chain too (its policy, accept: no DNAT)
            Value.Goto g = (Value.Goto) e.data().get(0);
            return natChain(ruleset.chain(g.chain()).orElseThrow(() -> new IllegalStateException("no chain " + g.chain())),
                p, local, depth + 1);
          }
        }
        // a key the map lacks: the next rule is tried
      } else if (s instanceof Statement.Balance b) {
        if (!family(b.family(), p)) {
          continue;
        }
        // numgen random mod N: every value is drawn some time; each element is one branch
        boolean[] drawn = new boolean[b.modulus()];
        List<Optional<Nat>> out = new ArrayList<>();
        for (NftSet.Element e : ruleset.set(b.map()).orElseThrow().elements()) {
          Value.Number n = (Value.Number) e.key().get(0);
          if (n.hi() >= b.modulus()) {
            throw new IllegalStateException("numgen never draws " + n.render() + " of mod " + b.modulus());
          }
          for (long i = n.lo(); i <= n.hi(); i++) {
            if (drawn[(int) i]) {
              throw new IllegalStateException("numgen value " + i + " of " + b.map() + " twice");
            }
            drawn[(int) i] = true;
          }
          Optional<Nat> nat = Optional.of(nat(e));
          if (!out.contains(nat)) {
            out.add(nat);
          }
        }
        for (int i = 0; i < drawn.length; i++) {
          if (!drawn[i]) {
            throw new IllegalStateException("numgen value " + i + " of " + b.map() + " leads nowhere");
          }
        }
        return out;
      } else {
        throw new IllegalStateException("not a DNAT: " + r.render());
      }
    }
    return List.of(Optional.empty());
  }

  private static boolean family(String nftFamily, Packet p) {
    return nftFamily.equals("ip") ? p.family() == IpAddress.Family.V4 : p.family() == IpAddress.Family.V6;
  }

  private static Nat nat(NftSet.Element e) {
    Value.Addr a = (Value.Addr) e.data().get(0);
    Value.Port port = (Value.Port) e.data().get(1);
    return new Nat(a.lo(), port.lo());
  }

  /** Whether nat chain {@code chain} (postrouting) masquerades the packet. */
  public boolean masquerades(String chain, Packet p, Set<IpAddress> local) {
    Optional<Chain> c = ruleset.chain(chain);
    if (c.isEmpty()) {
      return false;
    }
    for (Rule r : c.get().rules()) {
      if (r.matches().stream().allMatch(m -> matches(m, p, local))) {
        if (!(r.statement() instanceof Statement.Masquerade)) {
          throw new IllegalStateException("not a masquerade: " + r.render());
        }
        return true;
      }
    }
    return false;
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
    } else if (m instanceof Match.NfProto n) {
      return p.family() == n.family();
    } else if (m instanceof Match.L4Proto l) {
      return p.proto() == Coverage.number(l.protocol());
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
        case CT_ORIGINAL_IP_DADDR, CT_ORIGINAL_IP6_DADDR -> {
          if (p.family() != (e == Expr.CT_ORIGINAL_IP_DADDR ? IpAddress.Family.V4 : IpAddress.Family.V6)) {
            return Optional.empty();
          }
          out.add(p.originalDaddr());
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
