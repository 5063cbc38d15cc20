package dev.netc.backends.plan;

import dev.netc.compiler.ir.IpAddress;

/**
 * A host's interface on the underlay of a sandbox that plays several hosts: each host is a
 * namespace {@code S-host_HOST} ({@link KernelNames#hostNamespace}), joined to the others by a
 * veth whose end {@link #DEVICE} carries the host's declared underlay address, the other end a
 * port of the bridge {@link #DEVICE} in {@code S}. {@code S} routes between the underlay and
 * {@code @outside} at {@code router}. The sandbox, not the topology, owns these: the runner
 * makes them with the sandbox and removes them with it.
 *
 * @param prefix the underlay subnet: the smallest holding every host's address, /24 (/64) at most
 * @param router {@code S}'s address on the underlay: the highest free address of the subnet
 */
public record Underlay(String host, String namespace, IpAddress address, int prefix, IpAddress router) {
  /** The name of the underlay interface in a host namespace, and of the underlay bridge in S. */
  public static final String DEVICE = "underlay";
  /** The MTU of the sandbox underlay; an overlay's default MTU is 50 bytes less. */
  public static final int MTU = 1500;

  public Underlay {
    KernelNames.checkNetns(namespace);
    if (address.family() != router.family() || prefix < 0 || prefix > address.family().bits()) {
      throw new IllegalArgumentException("bad underlay " + address + "/" + prefix + " via " + router);
    }
  }

  public String cidr() {
    return address + "/" + prefix;
  }
}
