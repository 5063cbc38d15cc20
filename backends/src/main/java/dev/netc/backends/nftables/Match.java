package dev.netc.backends.nftables;

import dev.netc.compiler.ir.Cidr;
import java.util.List;
import java.util.stream.Collectors;

/** One condition of a rule. */
public sealed interface Match
    permits Match.Lookup, Match.Prefix, Match.CtState, Match.CtStatus, Match.Icmpv6Type, Match.IcmpType, Match.FibLocal,
    Match.NfProto, Match.L4Proto, Match.OtherEtherType {
  String render();

  /** The fields, concatenated, are (or with {@code negate}, are not) in a named set. */
  record Lookup(List<Expr> key, String set, boolean negate) implements Match {
    public Lookup {
      key = List.copyOf(key);
    }

    @Override
    public String render() {
      return key.stream().map(Expr::text).collect(Collectors.joining(" . "))
          + (negate ? " != @" : " @") + set;
    }
  }

  /** An address field is (or is not) in a prefix. */
  record Prefix(Expr field, Cidr prefix, boolean negate) implements Match {
    @Override
    public String render() {
      String p = prefix.prefix() == prefix.family().bits() ? prefix.address().toString() : prefix.toString();
      return field.text() + (negate ? " != " : " ") + p;
    }
  }

  /** A frame of none of these protocols (bridge family): {@code ether type != { ip, arp, ip6 }}. */
  record OtherEtherType(List<String> types) implements Match {
    public OtherEtherType {
      types = List.copyOf(types);
    }

    @Override
    public String render() {
      return "ether type != { " + String.join(", ", types) + " }";
    }
  }

  /** The connection tracking state is one of {@code states}. */
  record CtState(List<String> states) implements Match {
    public CtState {
      states = List.copyOf(states);
    }

    @Override
    public String render() {
      return "ct state " + String.join(",", states);
    }
  }

  /** The connection has a status bit, such as {@code dnat}. */
  record CtStatus(String status) implements Match {
    @Override
    public String render() {
      return "ct status " + status;
    }
  }

  /** An ICMPv6 message of one of these types. */
  record Icmpv6Type(List<String> types) implements Match {
    public Icmpv6Type {
      types = List.copyOf(types);
    }

    @Override
    public String render() {
      return "icmpv6 type { " + String.join(", ", types) + " }";
    }
  }

  /** An ICMP (IPv4) message of one of these types. */
  record IcmpType(List<String> types) implements Match {
    public IcmpType {
      types = List.copyOf(types);
    }

    @Override
    public String render() {
      return types.size() == 1 ? "icmp type " + types.get(0) : "icmp type { " + String.join(", ", types) + " }";
    }
  }

  /** The destination is an address of this namespace ({@code fib daddr type local}). */
  record FibLocal() implements Match {
    @Override
    public String render() {
      return "fib daddr type local";
    }
  }

  /** The packet is of one family: {@code meta nfproto ipv4}. */
  record NfProto(dev.netc.compiler.ir.IpAddress.Family family) implements Match {
    @Override
    public String render() {
      return "meta nfproto " + (family == dev.netc.compiler.ir.IpAddress.Family.V4 ? "ipv4" : "ipv6");
    }
  }

  /** The transport protocol is {@code protocol}: {@code meta l4proto tcp}. */
  record L4Proto(dev.netc.compiler.ir.Protocol protocol) implements Match {
    @Override
    public String render() {
      return "meta l4proto " + protocol.label();
    }
  }
}
