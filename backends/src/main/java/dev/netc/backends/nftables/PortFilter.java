package dev.netc.backends.nftables;

import dev.netc.backends.plan.EndpointPlan;
import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.Link;
import dev.netc.backends.plan.TableSpec;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code bridge} family table beside the host's {@code inet} table, of the same name: what a
 * container may send into a bridge, checked on its port as each frame enters, before the bridge
 * forwards or floods it.
 *
 * <ul>
 *   <li><b>Its own MAC address only</b>: the plan fixes each container's (as Docker derives it
 *       from the IPv4 address, or the topology's); a frame from another would make the bridge
 *       learn that MAC on this port and send the other's frames here.
 *   <li><b>Its own addresses only</b> (anti-spoofing): an IPv4 packet or ARP message must come
 *       from one of the addresses the topology gives the endpoint (on any of its networks: a
 *       multi-homed container may send from one out of the other), an IPv6 packet from one of
 *       them, from the interface's link-local address (made from the fixed MAC address) or from
 *       {@code ::} (duplicate address detection), and a neighbour advertisement may only claim
 *       an address of the interface it leaves by. Without
 *       it, a member could send as another (the policies judge by source address) or take
 *       another's traffic by answering for its address (ARP and neighbour cache poisoning).
 *   <li><b>No router's messages</b>: router advertisements and solicitations, redirects (ICMP
 *       and ICMPv6) and MLD. No member is a router or a querier; an advertisement or redirect
 *       would give the others routes the model does not have (CVE-2020-13401,
 *       CVE-2020-10749). Dropped here, on the port, a multicast message costs one test instead of
 *       a copy to every other port of the bridge.
 * </ul>
 *
 * <p>Like the {@code inet} table, its number of rules depends on nothing but that the host has
 * bridges: the ports and their addresses are set elements. Traffic that enters through another
 * port (the uplink, a VXLAN device, a link netc does not own) is not looked at. macvlan endpoints
 * do not pass a bridge; their interfaces take no router advertisement ({@code accept_ra=0}).
 */
public final class PortFilter {
  /** The family of the table. */
  public static final String FAMILY = "bridge";
  private static final Cidr UNSPECIFIED6 = Cidr.parse("::/128").get();
  private static final Cidr UNSPECIFIED4 = Cidr.parse("0.0.0.0/32").get();
  private static final List<String> ROUTER_AND_MLD = List.of("nd-router-solicit", "nd-router-advert", "nd-redirect",
      "mld-listener-query", "mld-listener-report", "mld-listener-done", "mld2-listener-report");

  private PortFilter() {}

  /** The link-local address the kernel makes from {@code mac} (EUI-64): {@code fe80::42:aff:fe0a:a}. */
  public static IpAddress linkLocal(String mac) {
    String[] b = mac.split(":");
    long id = 0;
    int[] bytes = {Integer.parseInt(b[0], 16) ^ 0x02, Integer.parseInt(b[1], 16), Integer.parseInt(b[2], 16), 0xff, 0xfe,
        Integer.parseInt(b[3], 16), Integer.parseInt(b[4], 16), Integer.parseInt(b[5], 16)};
    for (int x : bytes) {
      id = id << 8 | x;
    }
    return new IpAddress(IpAddress.Family.V6, 0xfe80L << 48, id);
  }

  /** The table of the host's namespace, when it has an {@code inet} table (bridges). */
  public static Optional<Ruleset> build(HostState host) {
    if (host.table().isEmpty()) {
      return Optional.empty();
    }
    TableSpec spec = host.table().get();
    List<NftSet.Element> ports = new ArrayList<>();
    List<NftSet.Element> addr4 = new ArrayList<>();
    List<NftSet.Element> addr6 = new ArrayList<>();
    List<NftSet.Element> target6 = new ArrayList<>();
    List<NftSet.Element> macs = new ArrayList<>();
    java.util.Map<String, String> macOf = new java.util.HashMap<>();
    host.links().stream().filter(l -> l.type() == Link.Type.VETH && l.mac().isPresent())
        .forEach(l -> macOf.put(l.namespace() + "/" + l.name(), l.mac().get()));
    for (EndpointPlan e : host.endpoints()) {
      // every address of the endpoint on this host, on each of its ports: a container on two
      // networks answers ARP for both of its addresses on either, and sends from one address
      // out of the other network's port (its reply to a client of the other network that came
      // through a published port to that address); neither claims another endpoint's address
      List<IpAddress> own = e.interfaces().stream().flatMap(i -> i.addresses().stream()).distinct().toList();
      for (EndpointPlan.Interface i : e.interfaces()) {
        if (i.veth().isEmpty()) {
          continue; // macvlan: no bridge port
        }
        Value.Ifname port = new Value.Ifname(i.veth());
        String comment = Comments.fit(e.endpoint() + " on network " + i.network());
        ports.add(new NftSet.Element(List.of(port), List.of(), comment));
        String mac = macOf.get(e.namespace().orElse("") + "/" + i.eth());
        if (mac != null) {
          macs.add(new NftSet.Element(List.of(port, new Value.Mac(mac)), List.of(), comment));
        }
        for (IpAddress a : own) {
          (a.isV4() ? addr4 : addr6).add(new NftSet.Element(List.of(port, Value.Addr.of(a)), List.of(), comment));
        }
        // a neighbour advertisement answers for the addresses of the interface it leaves by
        for (IpAddress a : i.addresses()) {
          if (!a.isV4()) {
            target6.add(new NftSet.Element(List.of(port, new Value.Raw128(a)), List.of(), comment));
          }
        }
        // and its link-local address, which the kernel makes from the MAC address the plan
        // fixes (EUI-64: addr_gen_mode 0, planned too), where the interface has IPv6
        if (mac != null && i.addresses().stream().anyMatch(a -> !a.isV4())) {
          IpAddress linkLocal = linkLocal(mac);
          addr6.add(new NftSet.Element(List.of(port, Value.Addr.of(linkLocal)), List.of(), comment));
          target6.add(new NftSet.Element(List.of(port, new Value.Raw128(linkLocal)), List.of(), comment));
        }
      }
    }
    List<NftSet> sets = List.of(
        new NftSet("ports", List.of(Expr.FieldType.IFNAME), List.of(), false, ports,
            "the containers' ports on the bridges of the topology"),
        new NftSet("port_mac", List.of(Expr.FieldType.IFNAME, Expr.FieldType.ETHER_ADDR), List.of(), false, macs,
            "the MAC address each port may send from: its container's, which the plan fixes"),
        new NftSet("port_addr4", List.of(Expr.FieldType.IFNAME, Expr.FieldType.IPV4_ADDR), List.of(), false, addr4,
            "the IPv4 addresses each port may send from: its endpoint's"),
        new NftSet("port_addr6", List.of(Expr.FieldType.IFNAME, Expr.FieldType.IPV6_ADDR), List.of(), false, addr6,
            "the IPv6 addresses each port may send from: its endpoint's, and its interface's link-local one"),
        new NftSet("port_target6", List.of(Expr.FieldType.IFNAME, Expr.FieldType.INTEGER), List.of(), false, target6,
            "the IPv6 addresses of each port's interface, as the target of a neighbour advertisement",
            Optional.of("iifname . @th,64,128")));
    List<Rule> rules = List.of(
        Rule.of(new Statement.Accept(), "not a container's port: not ours to judge",
            new Match.Lookup(List.of(Expr.IIFNAME), "ports", true)),
        // with another's MAC address as source, the bridge would learn that MAC on this port and
        // send the other's frames here
        Rule.of(new Statement.Drop(), "frames from a MAC address that is not the container's",
            new Match.Lookup(List.of(Expr.IIFNAME, Expr.ETHER_SADDR), "port_mac", true)),
        // a VLAN tag or another protocol would carry a packet past the checks below unseen
        Rule.of(new Statement.Drop(), "neither IPv4, ARP nor IPv6: a container speaks nothing else here",
            new Match.OtherEtherType(List.of("ip", "arp", "ip6"))),
        Rule.of(new Statement.Drop(), "router advertisements, redirects and MLD: no member is a router",
            new Match.Icmpv6Type(ROUTER_AND_MLD)),
        // the kernel takes a redirect that comes from its default gateway's address
        Rule.of(new Statement.Drop(), "ICMP redirects: only the host routes", new Match.IcmpType(List.of("redirect"))),
        Rule.of(new Statement.Drop(), "ARP for an address that is not the port's: no cache poisoning",
            new Match.Prefix(Expr.ARP_SADDR_IP, UNSPECIFIED4, true),
            new Match.Lookup(List.of(Expr.IIFNAME, Expr.ARP_SADDR_IP), "port_addr4", true)),
        Rule.of(new Statement.Drop(), "IPv4 from an address that is not the port's: no spoofing",
            new Match.Lookup(List.of(Expr.IIFNAME, Expr.IP_SADDR), "port_addr4", true)),
        Rule.of(new Statement.Drop(), "IPv6 from an address that is not the port's: no spoofing",
            new Match.Prefix(Expr.IP6_SADDR, UNSPECIFIED6, true),
            new Match.Lookup(List.of(Expr.IIFNAME, Expr.IP6_SADDR), "port_addr6", true)),
        Rule.of(new Statement.Drop(), "neighbour advertisements for an address that is not the port's",
            new Match.Icmpv6Type(List.of("nd-neighbor-advert")),
            new Match.Lookup(List.of(Expr.IIFNAME, Expr.ND_TARGET), "port_target6", true)));
    // before br_netfilter (priority 0) hands the frame to the inet hooks
    Chain prerouting = new Chain("prerouting", Optional.of(new Chain.Hook("filter", "prerouting", "filter", "accept")),
        rules, "what a container may send into a bridge, checked as it enters");
    return Optional.of(new Ruleset(spec.namespace(), FAMILY, spec.name(), spec.comment(), sets, List.of(prerouting)));
  }
}
