package dev.netc.backends.nftables;

import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.IpAddress;
import java.math.BigInteger;
import java.util.Objects;

/**
 * One component of a set element's key or a map's data: an address range, a protocol range, a
 * port range or an interface name. Ranges are inclusive; a single value is a range of one.
 */
public sealed interface Value permits Value.Addr, Value.Proto, Value.Port, Value.Ifname, Value.Number,
    Value.Goto, Value.Raw128, Value.Mac {
  /** How nft reads it. */
  String render();

  /** An address range {@code lo-hi} of one family, printed as an address, a prefix or a range. */
  record Addr(IpAddress lo, IpAddress hi) implements Value {
    public Addr {
      if (lo.family() != hi.family() || lo.compareTo(hi) > 0) {
        throw new IllegalArgumentException("bad address range " + lo + "-" + hi);
      }
    }

    public static Addr of(IpAddress a) {
      return new Addr(a, a);
    }

    public static Addr of(Cidr c) {
      return new Addr(c.address(), c.last());
    }

    public boolean contains(IpAddress a) {
      return a.family() == lo.family() && lo.compareTo(a) <= 0 && a.compareTo(hi) <= 0;
    }

    @Override
    public String render() {
      if (lo.equals(hi)) {
        return lo.toString();
      }
      BigInteger size = Ranges.toBig(hi).subtract(Ranges.toBig(lo)).add(BigInteger.ONE);
      if (size.bitCount() == 1) {
        int prefix = lo.family().bits() - (size.bitLength() - 1);
        if (Cidr.mask(lo, prefix).equals(lo)) {
          return lo + "/" + prefix;
        }
      }
      return lo + "-" + hi;
    }
  }

  /** A range of IP protocol numbers; tcp, udp and sctp print by name. */
  record Proto(int lo, int hi) implements Value {
    public static final Proto ALL = new Proto(0, 255);

    public Proto {
      if (lo < 0 || hi > 255 || lo > hi) {
        throw new IllegalArgumentException("bad protocol range");
      }
    }

    public boolean contains(int p) {
      return lo <= p && p <= hi;
    }

    @Override
    public String render() {
      return lo == hi ? name(lo) : lo + "-" + hi;
    }

    private static String name(int p) {
      return switch (p) {
        case 6 -> "tcp";
        case 17 -> "udp";
        case 132 -> "sctp";
        default -> Integer.toString(p);
      };
    }
  }

  /** A range of ports (0-65535 for "every port"). */
  record Port(int lo, int hi) implements Value {
    public static final Port ALL = new Port(0, 65535);

    public Port {
      if (lo < 0 || hi > 65535 || lo > hi) {
        throw new IllegalArgumentException("bad port range");
      }
    }

    public boolean contains(int p) {
      return lo <= p && p <= hi;
    }

    @Override
    public String render() {
      return lo == hi ? Integer.toString(lo) : lo + "-" + hi;
    }
  }

  /** An interface name, quoted. */
  record Ifname(String name) implements Value {
    public Ifname {
      Objects.requireNonNull(name);
      if (!name.matches("[A-Za-z0-9._-]{1,15}")) {
        throw new IllegalArgumentException("bad interface name " + name);
      }
    }

    @Override
    public String render() {
      return "\"" + name + "\"";
    }
  }

  /**
   * An IPv6 address as the 128-bit integer nft takes for a raw payload field ({@link
   * Expr#ND_TARGET}): {@code 0xfd000000000000000000000000000002}.
   */
  record Raw128(IpAddress address) implements Value {
    public Raw128 {
      if (address.isV4()) {
        throw new IllegalArgumentException("not an IPv6 address: " + address);
      }
    }

    @Override
    public String render() {
      return String.format(java.util.Locale.ROOT, "0x%016x%016x", address.hi(), address.lo());
    }
  }

  /** A MAC address: {@code 02:42:0a:14:00:02}. */
  record Mac(String address) implements Value {
    public Mac {
      if (!address.matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
        throw new IllegalArgumentException("bad MAC address " + address);
      }
    }

    @Override
    public String render() {
      return address;
    }
  }

  /** A range of plain numbers, such as the values of {@code numgen}. */
  record Number(long lo, long hi) implements Value {
    public Number {
      if (lo < 0 || lo > hi) {
        throw new IllegalArgumentException("bad number range");
      }
    }

    @Override
    public String render() {
      return lo == hi ? Long.toString(lo) : lo + "-" + hi;
    }
  }

  /** A verdict map's value: {@code goto CHAIN}. */
  record Goto(String chain) implements Value {
    public Goto {
      if (!chain.matches("[a-z][a-z0-9_]*")) {
        throw new IllegalArgumentException("bad chain name " + chain);
      }
    }

    @Override
    public String render() {
      return "goto " + chain;
    }
  }
}
