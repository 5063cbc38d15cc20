package dev.netc.compiler.ir;

import java.util.List;
import java.util.Optional;

/**
 * One address range of a network, with its gateway, the part that dynamic addresses come from
 * (the whole subnet when absent) and addresses never handed out.
 *
 * @param chosen true when netc chose the subnet (the network declares none); it is then kept in
 *     the lock file so that it stays the same
 */
public record Subnet(
    Cidr cidr, IpAddress gateway, Optional<Cidr> pool, List<IpAddress> reserved, boolean chosen) {
  public Subnet {
    reserved = List.copyOf(reserved);
  }
}
