package dev.netc.backends.plan;

import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Subnet;
import java.util.List;
import java.util.Optional;

/**
 * A bridge network as realised on one host: the network, its bridge's name and the facts the
 * nftables ruleset needs.
 *
 * @param internal no route out (no masquerade, no forwarding to the uplink)
 */
public record Bridge(String network, String name, boolean internal, List<Subnet> subnets) {
  public Bridge {
    KernelNames.checkIfname(name);
    subnets = List.copyOf(subnets);
  }

  /** The subnet of a family, if the network has one. */
  public Optional<Subnet> subnet(IpAddress.Family f) {
    return subnets.stream().filter(s -> s.cidr().family() == f).findFirst();
  }
}
