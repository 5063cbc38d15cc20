package dev.netc.backends.plan;

import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.IpAddress;
import java.util.Optional;

/**
 * A route in an endpoint's namespace: the default route through a gateway, or a host route to
 * a service's virtual address, for endpoints without a default route ({@link ServicePlanner}).
 * Routes to the endpoint's own subnets are the kernel's, made with the addresses.
 *
 * @param destination empty for the default route of {@code via}'s family
 */
public record Route(String namespace, Optional<Cidr> destination, IpAddress via, String device)
    implements KernelObject {
  public Route {
    KernelNames.checkNetns(namespace);
    KernelNames.checkIfname(device);
    destination.ifPresent(d -> {
      if (d.family() != via.family()) {
        throw new IllegalArgumentException("route and gateway of different families");
      }
    });
  }

  /**
   * The destination as {@code ip route} takes it: {@code default} for IPv4, {@code ::/0} for
   * IPv6 (unambiguous without {@code -6}, which a batch line cannot carry), or the prefix.
   */
  public String to() {
    return destination.map(Cidr::toString).orElse(via.isV4() ? "default" : "::/0");
  }

  @Override
  public ObjectId id() {
    String name = destination.map(Cidr::toString).orElse(via.isV4() ? "0.0.0.0/0" : "::/0");
    return new ObjectId(ObjectId.Kind.ROUTE, namespace, name);
  }
}
