package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.ir.Topology;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Each network's pool has an address for every attachment that does not name one. The pool is
 * the subnet unless {@code pool} narrows it; its network, broadcast and gateway addresses,
 * reserved addresses and static addresses are never handed out.
 */
final class PoolsAreLargeEnough implements Check {
  @Override
  public Code code() {
    return Code.NETC214;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    Map<String, Integer> dynamicV4 = new HashMap<>();
    Map<String, Integer> dynamicV6 = new HashMap<>();
    Map<String, Set<IpAddress>> statics = new HashMap<>();
    for (Endpoint e : t.endpoints()) {
      for (Attachment a : e.attachments()) {
        boolean v4 = a.addresses().stream().anyMatch(IpAddress::isV4);
        boolean v6 = a.addresses().stream().anyMatch(x -> !x.isV4());
        if (!v4) {
          dynamicV4.merge(a.network(), 1, Integer::sum);
        }
        if (!v6) {
          dynamicV6.merge(a.network(), 1, Integer::sum);
        }
        statics.computeIfAbsent(a.network(), k -> new HashSet<>()).addAll(a.addresses());
      }
    }
    for (Network n : t.networks()) {
      for (Subnet s : n.subnets()) {
        boolean v4 = s.cidr().family() == IpAddress.Family.V4;
        int need = (v4 ? dynamicV4 : dynamicV6).getOrDefault(n.name(), 0);
        if (need == 0) {
          continue;
        }
        BigInteger free = free(s, statics.getOrDefault(n.name(), Set.of()));
        if (free.compareTo(BigInteger.valueOf(need)) < 0) {
          Cidr range = s.pool().orElse(s.cidr());
          out.add(Diagnostic.of(Code.NETC214, n.span(), "network `" + n.name() + "` needs " + need
                  + " " + s.cidr().family().label() + " addresses from its pool but `" + range
                  + "` has " + free + " free: " + BigInteger.valueOf(need).subtract(free) + " short")
              .withHint("widen the `" + (s.pool().isPresent() ? "pool" : "subnet")
                  + "`, or give fewer endpoints a dynamic address"));
        }
      }
    }
  }

  /** Addresses of the pool that IPAM may hand out. */
  private static BigInteger free(Subnet s, Set<IpAddress> statics) {
    Cidr range = s.pool().orElse(s.cidr());
    int hostBits = range.family().bits() - range.prefix();
    BigInteger size = BigInteger.ONE.shiftLeft(hostBits);
    Set<IpAddress> taken = new HashSet<>(statics);
    taken.add(s.gateway());
    taken.addAll(s.reserved());
    if (s.cidr().prefix() < s.cidr().family().bits() - 1) {
      taken.add(s.cidr().address());
      StaticAddresses.broadcast(s).ifPresent(taken::add);
    }
    long inRange = taken.stream().filter(range::contains).count();
    return size.subtract(BigInteger.valueOf(inRange)).max(BigInteger.ZERO);
  }
}
