package dev.netc.compiler.check;

import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.ir.Topology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every static address of a topology with its endpoint, attachment, network and subnet. */
record StaticAddresses(Endpoint endpoint, Attachment attachment, Network network,
    IpAddress address, Optional<Subnet> subnet) {

  static List<StaticAddresses> of(Topology t) {
    Map<String, Network> nets = new HashMap<>();
    t.networks().forEach(n -> nets.put(n.name(), n));
    List<StaticAddresses> out = new ArrayList<>();
    for (Endpoint e : t.endpoints()) {
      for (Attachment a : e.attachments()) {
        Network n = nets.get(a.network());
        if (n == null) {
          continue;
        }
        for (IpAddress ip : a.staticAddresses()) {
          Optional<Subnet> s = n.subnets().stream()
              .filter(x -> x.cidr().family() == ip.family()).findFirst();
          out.add(new StaticAddresses(e, a, n, ip, s));
        }
      }
    }
    return out;
  }

  /** The subnet's last address, if IPv4 (where it is the broadcast address). */
  static Optional<IpAddress> broadcast(Subnet s) {
    return s.cidr().family() == IpAddress.Family.V4 && s.cidr().prefix() < 31
        ? Optional.of(s.cidr().last()) : Optional.empty();
  }
}
