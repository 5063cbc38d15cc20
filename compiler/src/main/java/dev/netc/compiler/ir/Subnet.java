package dev.netc.compiler.ir;

import java.util.List;
import java.util.Optional;

/**
 * One address range of a network, with its gateway, the part that dynamic addresses come from
 * (the whole subnet when absent) and addresses never handed out.
 */
public record Subnet(
    Cidr cidr, IpAddress gateway, Optional<Cidr> pool, List<IpAddress> reserved) {
  public Subnet {
    reserved = List.copyOf(reserved);
  }
}
