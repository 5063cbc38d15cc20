package dev.netc.backends.plan;

import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.IpAddress;

/**
 * An address on a link, with the prefix length of its subnet: a gateway on a bridge, or an
 * endpoint's address on its container end. IPv6 addresses skip duplicate address detection
 * ({@code nodad}): netc's IPAM already made them unique, and DAD would delay their use.
 */
public record Address(String namespace, String device, IpAddress address, int prefix)
    implements KernelObject {
  public Address {
    KernelNames.checkNetns(namespace);
    KernelNames.checkIfname(device);
    if (prefix < 0 || prefix > address.family().bits()) {
      throw new IllegalArgumentException("bad prefix length " + prefix);
    }
  }

  /** {@code ADDRESS/PREFIX}. */
  public String cidr() {
    return address + "/" + prefix;
  }

  /** The subnet the address is in. */
  public Cidr subnet() {
    return new Cidr(Cidr.mask(address, prefix), prefix);
  }

  public boolean nodad() {
    return !address.isV4();
  }

  @Override
  public ObjectId id() {
    return new ObjectId(ObjectId.Kind.ADDRESS, namespace, device + "/" + cidr());
  }
}
