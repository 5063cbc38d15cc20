package dev.netc.compiler.ipam;

import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Service;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.ir.Topology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Address management: gives every attachment without a static address one from its network's
 * pool, for each family the network has a subnet of.
 *
 * <p>Stability comes from the lock: an endpoint keeps the address the lock records for it while
 * that address is still in the pool and not claimed statically by another endpoint, so adding,
 * removing or reordering other endpoints never moves it. New endpoints get the lowest free
 * address, in declaration order, so a topology without a lock gets Docker-like addresses
 * (.2, .3, ...). Network, broadcast, gateway, reserved and static addresses are never handed out.
 * Runs in O(attachments) per network, plus a scan for free addresses that skips taken ones.
 */
public final class Ipam {
  /** Where services without {@code address} get their IPv4 virtual address (as in Kubernetes). */
  public static final Cidr SERVICE_RANGE_V4 = Cidr.parse("10.96.0.0/12").get();
  /** Where they get their IPv6 one (kind's default service range). */
  public static final Cidr SERVICE_RANGE_V6 = Cidr.parse("fd00:10:96::/112").get();

  private Ipam() {}

  /** The topology with every dynamic address filled in, and the lock that records them. */
  public record Result(Topology topology, Lock lock) {}

  public static Result assign(Topology t, Lock lock) {
    Map<String, Network> nets = new HashMap<>();
    t.networks().forEach(n -> nets.put(n.name(), n));
    // Everything that may not be handed out, per network and family.
    Map<String, Set<IpAddress>> taken = new HashMap<>();
    for (Network n : t.networks()) {
      Set<IpAddress> set = new HashSet<>();
      for (Subnet s : n.subnets()) {
        set.add(s.gateway());
        set.addAll(s.reserved());
        set.add(s.cidr().address());
        if (s.cidr().family() == IpAddress.Family.V4) {
          set.add(s.cidr().last());
        }
      }
      taken.put(n.name(), set);
    }
    for (Endpoint e : t.endpoints()) {
      for (Attachment a : e.attachments()) {
        taken.computeIfAbsent(a.network(), k -> new HashSet<>()).addAll(a.addresses());
      }
    }
    // Pass 1: keep locked addresses that are still valid.
    Map<String, Map<String, List<IpAddress>>> out = new LinkedHashMap<>();
    Map<String, Map<String, IpAddress>> kept = new HashMap<>(); // network|endpoint -> family -> ip
    for (Endpoint e : t.endpoints()) {
      for (Attachment a : e.attachments()) {
        Network n = nets.get(a.network());
        for (IpAddress ip : lock.addressesOf(a.network(), e.name())) {
          Optional<Subnet> s = subnetOf(n, ip.family());
          boolean staticForFamily = a.addresses().stream().anyMatch(x -> x.family() == ip.family());
          if (s.isPresent() && pool(s.get()).contains(ip) && !staticForFamily
              && taken.get(a.network()).add(ip)) {
            kept.computeIfAbsent(a.network() + "|" + e.name(), k -> new HashMap<>())
                .put(ip.family().name(), ip);
          }
        }
      }
    }
    // Pass 2: hand out the lowest free address to everything else.
    Map<String, IpAddress> cursor = new HashMap<>();
    List<Endpoint> endpoints = new ArrayList<>();
    for (Endpoint e : t.endpoints()) {
      List<Attachment> atts = new ArrayList<>();
      for (Attachment a : e.attachments()) {
        Network n = nets.get(a.network());
        List<IpAddress> all = new ArrayList<>(a.addresses());
        List<IpAddress> assigned = new ArrayList<>();
        for (Subnet s : n == null ? List.<Subnet>of() : n.subnets()) {
          IpAddress.Family f = s.cidr().family();
          if (a.addresses().stream().anyMatch(x -> x.family() == f)) {
            continue;
          }
          IpAddress ip = kept.getOrDefault(a.network() + "|" + e.name(), Map.of()).get(f.name());
          if (ip == null) {
            ip = next(s, taken.get(a.network()), cursor, a.network() + "|" + f).orElse(null);
          }
          if (ip != null) {
            all.add(ip);
            assigned.add(ip);
            out.computeIfAbsent(a.network(), k -> new java.util.TreeMap<>())
                .computeIfAbsent(e.name(), k -> new ArrayList<>()).add(ip);
          }
        }
        all.sort(null);
        atts.add(new Attachment(a.network(), all, assigned, a.aliases(), a.mac(), a.span()));
      }
      endpoints.add(new Endpoint(e.name(), e.localName(), e.namespace(), e.kind(), e.host(),
          e.labels(), e.mode(), atts, e.publishes(), e.exposes(), e.members(), e.replicaOf(),
          e.span(), e.resolvesByName()));
    }
    Map<String, List<Cidr>> subnets = new LinkedHashMap<>();
    for (Network n : t.networks()) {
      List<Cidr> chosen = n.subnets().stream().filter(Subnet::chosen).map(Subnet::cidr).toList();
      if (!chosen.isEmpty()) {
        subnets.put(n.name(), chosen);
      }
    }
    Map<String, List<IpAddress>> virtual = new LinkedHashMap<>();
    List<Service> services = services(t, endpoints, nets, lock, virtual);
    Topology done = new Topology(t.name(), t.hosts(), t.namespaces(), t.networks(), endpoints,
        services, t.policies(), t.lockedPorts());
    return new Result(done, new Lock(subnets, out, virtual));
  }

  /**
   * Gives every service a virtual address of each family it asks for ({@code address ipv6}), and
   * every service that gives no address and asks for none one of each family that some
   * endpoint it balances to has an address of where the host reaches it ({@link
   * Service#balancedBy}: on a bridge or overlay network, not macvlan; not an endpoint of weight 0),
   * IPv4 when it balances to none: the one the lock records
   * when still free, else the lowest free one of {@link #SERVICE_RANGE_V4} or {@link
   * #SERVICE_RANGE_V6} (Kubernetes' and kind's defaults), never one in a network's subnet,
   * given to another service, or a host's underlay address.
   */
  private static List<Service> services(Topology t, List<Endpoint> endpoints, Map<String, Network> nets,
      Lock lock, Map<String, List<IpAddress>> virtual) {
    Set<IpAddress> taken = new HashSet<>();
    t.services().forEach(s -> taken.addAll(s.addresses()));
    // nor a host's underlay address (NETC226 when given)
    t.hosts().forEach(h -> h.underlay().ifPresent(taken::add));
    List<Cidr> subnets = new ArrayList<>();
    t.networks().forEach(n -> n.subnets().forEach(x -> subnets.add(x.cidr())));
    Map<String, List<IpAddress.Family>> wanted = new LinkedHashMap<>();
    for (Service s : t.services()) {
      // a service that gives an address has the families it gives, and those it asks for
      // (`address ipv6`), no other: a Kubernetes Service with a clusterIP is single-stack unless
      // its ipFamilyPolicy asks for both
      List<IpAddress.Family> families = new ArrayList<>(s.families());
      if (s.addresses().isEmpty() && s.families().isEmpty()) {
        for (IpAddress.Family f : IpAddress.Family.values()) {
          // an address of a family no endpoint is balanced to in would lead nowhere (NETC229 when
          // asked for): not one of a macvlan member, which the host's DNAT does not reach, nor of
          // an endpoint of weight 0
          boolean served = endpoints.stream().anyMatch(e -> s.balancedBy(e, nets).stream()
              .anyMatch(a -> a.addresses().stream().anyMatch(x -> x.family() == f)));
          if (served) {
            families.add(f);
          }
        }
        if (families.isEmpty()) {
          families.add(IpAddress.Family.V4);
        }
      }
      wanted.put(s.name(), families);
    }
    Map<String, List<IpAddress>> chosen = new HashMap<>();
    for (Service s : t.services()) {
      for (IpAddress ip : lock.serviceAddresses(s.name())) {
        Cidr range = ip.isV4() ? SERVICE_RANGE_V4 : SERVICE_RANGE_V6;
        if (wanted.get(s.name()).contains(ip.family()) && range.contains(ip)
            && subnets.stream().noneMatch(c -> c.contains(ip)) && taken.add(ip)
            && chosen.getOrDefault(s.name(), List.of()).stream().noneMatch(x -> x.family() == ip.family())) {
          chosen.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(ip);
        }
      }
    }
    List<Service> out = new ArrayList<>();
    for (Service s : t.services()) {
      List<IpAddress> all = new ArrayList<>(s.addresses());
      List<IpAddress> mine = new ArrayList<>(chosen.getOrDefault(s.name(), List.of()));
      for (IpAddress.Family f : wanted.get(s.name())) {
        if (mine.stream().anyMatch(x -> x.family() == f)) {
          continue;
        }
        Cidr range = f == IpAddress.Family.V4 ? SERVICE_RANGE_V4 : SERVICE_RANGE_V6;
        for (IpAddress ip = range.address().plus(1); range.contains(ip) && !ip.equals(range.last()); ip = ip.plus(1)) {
          IpAddress candidate = ip;
          if (subnets.stream().noneMatch(c -> c.contains(candidate)) && taken.add(candidate)) {
            mine.add(candidate);
            break;
          }
        }
      }
      mine.sort(null);
      if (!mine.isEmpty()) {
        virtual.put(s.name(), mine);
      }
      all.addAll(mine);
      all.sort(null);
      out.add(new Service(s.name(), s.namespace(), s.selector(), all, s.families(), s.ports(), s.backends(),
          s.span(), mine, s.addressSpans(), s.familySpans()));
    }
    return out;
  }

  private static Optional<Subnet> subnetOf(Network n, IpAddress.Family f) {
    return n == null ? Optional.empty()
        : n.subnets().stream().filter(s -> s.cidr().family() == f).findFirst();
  }

  private static Cidr pool(Subnet s) {
    return s.pool().orElse(s.cidr());
  }

  /** The lowest free address of the subnet's pool at or after the network's cursor. */
  private static Optional<IpAddress> next(Subnet s, Set<IpAddress> taken,
      Map<String, IpAddress> cursor, String key) {
    Cidr pool = pool(s);
    IpAddress last = pool.last();
    IpAddress ip = cursor.getOrDefault(key, pool.address());
    while (ip.compareTo(last) <= 0) {
      if (taken.add(ip)) {
        cursor.put(key, ip.plus(1));
        return Optional.of(ip);
      }
      if (ip.equals(last)) {
        break;
      }
      ip = ip.plus(1);
    }
    cursor.put(key, last);
    return Optional.empty();
  }
}
