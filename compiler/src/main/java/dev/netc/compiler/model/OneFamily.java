package dev.netc.compiler.model;

import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Service;
import dev.netc.compiler.ir.Topology;
import java.util.ArrayList;
import java.util.List;

/**
 * A topology as one address family sees it: the kernel keeps IPv4 and IPv6 apart (no family is
 * translated), so what a connection of one family can reach is what the topology would give if
 * it had the addresses of that family alone. {@link Reachability#inFamily} is the model over this
 * projection; {@code netc verify} compares each family's probes with it (docs/runner.md).
 *
 * <p>Left out: the subnets of the other family, endpoint addresses of the other family (and an
 * attachment left without an address: no connection of the family can use that network), and
 * service virtual addresses and families of the other family. Kept: the hosts' {@code underlay}
 * addresses (the transport between hosts, whatever the family of what it carries; the model
 * already keeps off-host traffic in their family), {@code publish} lines (the model decides each
 * by the family of its host address and of the addresses it forwards to), and policies (a
 * {@code cidr} of the other family matches no address left).
 */
final class OneFamily {
  private OneFamily() {}

  static Topology project(Topology t, IpAddress.Family f) {
    List<Network> networks = new ArrayList<>();
    for (Network n : t.networks()) {
      networks.add(new Network(n.name(), n.driver(),
          n.subnets().stream().filter(s -> s.cidr().address().family() == f).toList(), n.mtu(), n.internal(),
          n.resolve(), n.implicit(), n.overlay(), n.macvlan(), n.span()));
    }
    List<Endpoint> endpoints = new ArrayList<>();
    for (Endpoint e : t.endpoints()) {
      List<Attachment> attachments = new ArrayList<>();
      for (Attachment a : e.attachments()) {
        List<IpAddress> addresses = a.addresses().stream().filter(x -> x.family() == f).toList();
        if (addresses.isEmpty() && !a.addresses().isEmpty()) {
          continue; // an interface without an address of the family: no way for it there
        }
        attachments.add(new Attachment(a.network(), addresses,
            a.assigned().stream().filter(x -> x.family() == f).toList(), a.aliases(), a.mac(), a.span()));
      }
      endpoints.add(new Endpoint(e.name(), e.localName(), e.namespace(), e.kind(), e.host(), e.labels(), e.mode(),
          attachments, e.publishes(), e.exposes(), e.members(), e.replicaOf(), e.span(), e.resolvesByName()));
    }
    List<Service> services = new ArrayList<>();
    for (Service s : t.services()) {
      services.add(new Service(s.name(), s.namespace(), s.selector(),
          s.addresses().stream().filter(x -> x.family() == f).toList(),
          s.families().stream().filter(x -> x == f).toList(), s.ports(), s.backends(), s.span(),
          s.assigned().stream().filter(x -> x.family() == f).toList(), s.addressSpans(), s.familySpans()));
    }
    return new Topology(t.name(), t.hosts(), t.namespaces(), networks, endpoints, services, t.policies(),
        t.lockedPorts());
  }
}
