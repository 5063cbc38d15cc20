package dev.netc.backends.nftables;

import java.util.List;
import java.util.stream.Collectors;

/** What a rule does when its conditions hold. */
public sealed interface Statement
    permits Statement.Accept, Statement.Drop, Statement.Jump, Statement.Masquerade, Statement.Dnat,
    Statement.Vmap, Statement.Balance {
  String render();

  record Accept() implements Statement {
    @Override
    public String render() {
      return "accept";
    }
  }

  record Drop() implements Statement {
    @Override
    public String render() {
      return "drop";
    }
  }

  /** Evaluate another chain; its verdict is final, its end returns here. */
  record Jump(String chain) implements Statement {
    @Override
    public String render() {
      return "jump " + chain;
    }
  }

  record Masquerade() implements Statement {
    @Override
    public String render() {
      return "masquerade";
    }
  }

  /**
   * Destination NAT to the address and port a map gives for the concatenated {@code key}; a key
   * the map lacks leaves the packet alone.
   *
   * @param family {@code ip} or {@code ip6}
   */
  record Dnat(String family, List<Expr> key, String map) implements Statement {
    public Dnat {
      key = List.copyOf(key);
    }

    @Override
    public String render() {
      return "dnat " + family + " to " + key.stream().map(Expr::text).collect(Collectors.joining(" . "))
          + " map @" + map;
    }
  }

  /** The verdict a map gives for the concatenated {@code key}; a key it lacks goes on to the next rule. */
  record Vmap(List<Expr> key, String map) implements Statement {
    public Vmap {
      key = List.copyOf(key);
    }

    @Override
    public String render() {
      return key.stream().map(Expr::text).collect(Collectors.joining(" . ")) + " vmap @" + map;
    }
  }

  /**
   * Destination NAT to the address and port that a map gives for a random number below {@code
   * modulus} ({@code numgen random}): each endpoint of a service owns a range of the numbers.
   *
   * @param family {@code ip} or {@code ip6}
   */
  record Balance(String family, int modulus, String map) implements Statement {
    @Override
    public String render() {
      return "dnat " + family + " to numgen random mod " + modulus + " map @" + map;
    }
  }
}
