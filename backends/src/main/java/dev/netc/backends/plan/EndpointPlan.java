package dev.netc.backends.plan;

import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.NetMode;
import java.util.List;
import java.util.Optional;

/**
 * How one endpoint of a host is realised: its namespace (none in {@code mode host}, which runs
 * in the host's own) and its interfaces on bridge networks.
 */
public record EndpointPlan(String endpoint, NetMode mode, Optional<String> namespace, List<Interface> interfaces) {
  public EndpointPlan {
    interfaces = List.copyOf(interfaces);
  }

  /**
   * The container end {@code eth} (named after the attachment's index, so that it keeps its name
   * when attachments that are not realised yet are) of the veth whose host end {@code veth} is in
   * {@code bridge}.
   */
  public record Interface(int index, String network, String eth, String veth, String bridge,
      List<IpAddress> addresses) {
    public Interface {
      addresses = List.copyOf(addresses);
    }
  }
}
