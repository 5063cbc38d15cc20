package dev.netc.backends.nftables;

import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.IpAddress;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Address arithmetic for set elements: addresses as unsigned integers, range sets, complements. */
final class Ranges {
  private Ranges() {}

  static BigInteger toBig(IpAddress a) {
    if (a.isV4()) {
      return BigInteger.valueOf(a.lo());
    }
    BigInteger hi = new BigInteger(Long.toUnsignedString(a.hi()));
    BigInteger lo = new BigInteger(Long.toUnsignedString(a.lo()));
    return hi.shiftLeft(64).or(lo);
  }

  static IpAddress fromBig(IpAddress.Family f, BigInteger v) {
    if (f == IpAddress.Family.V4) {
      return IpAddress.v4(v.longValue());
    }
    long lo = v.longValue();
    long hi = v.shiftRight(64).longValue();
    return new IpAddress(IpAddress.Family.V6, hi, lo);
  }

  static BigInteger max(IpAddress.Family f) {
    return BigInteger.ONE.shiftLeft(f.bits()).subtract(BigInteger.ONE);
  }

  /** Every address of a family. */
  static Value.Addr all(IpAddress.Family f) {
    return new Value.Addr(fromBig(f, BigInteger.ZERO), fromBig(f, max(f)));
  }

  /** The sorted, merged union of ranges of one family (adjacent ranges joined). */
  static List<Value.Addr> union(List<Value.Addr> ranges) {
    List<Value.Addr> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparing(Value.Addr::lo));
    List<Value.Addr> out = new ArrayList<>();
    for (Value.Addr r : sorted) {
      if (!out.isEmpty()) {
        Value.Addr last = out.get(out.size() - 1);
        if (toBig(r.lo()).compareTo(toBig(last.hi()).add(BigInteger.ONE)) <= 0) {
          if (r.hi().compareTo(last.hi()) > 0) {
            out.set(out.size() - 1, new Value.Addr(last.lo(), r.hi()));
          }
          continue;
        }
      }
      out.add(r);
    }
    return out;
  }

  /** The addresses of family {@code f} in none of {@code ranges}. */
  static List<Value.Addr> complement(IpAddress.Family f, List<Value.Addr> ranges) {
    List<Value.Addr> out = new ArrayList<>();
    BigInteger next = BigInteger.ZERO;
    for (Value.Addr r : union(ranges.stream().filter(x -> x.lo().family() == f).toList())) {
      BigInteger lo = toBig(r.lo());
      if (lo.compareTo(next) > 0) {
        out.add(new Value.Addr(fromBig(f, next), fromBig(f, lo.subtract(BigInteger.ONE))));
      }
      next = toBig(r.hi()).add(BigInteger.ONE);
    }
    if (next.compareTo(max(f)) <= 0) {
      out.add(new Value.Addr(fromBig(f, next), fromBig(f, max(f))));
    }
    return out;
  }

  /** {@code prefix} minus every prefix in {@code except}. */
  static List<Value.Addr> minus(Cidr prefix, List<Cidr> except) {
    List<Value.Addr> holes = new ArrayList<>();
    for (Cidr x : except) {
      if (x.family() == prefix.family() && prefix.overlaps(x)) {
        holes.add(Value.Addr.of(prefix.contains(x) ? x : prefix));
      }
    }
    Value.Addr whole = Value.Addr.of(prefix);
    List<Value.Addr> out = new ArrayList<>();
    for (Value.Addr gap : complement(prefix.family(), holes)) {
      BigInteger lo = toBig(gap.lo()).max(toBig(whole.lo()));
      BigInteger hi = toBig(gap.hi()).min(toBig(whole.hi()));
      if (lo.compareTo(hi) <= 0) {
        out.add(new Value.Addr(fromBig(prefix.family(), lo), fromBig(prefix.family(), hi)));
      }
    }
    return out;
  }
}
