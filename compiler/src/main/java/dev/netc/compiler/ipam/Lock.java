package dev.netc.compiler.ipam;

import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.IpAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a lock file records: the subnets netc chose for networks declared without one, and the
 * addresses it handed out, per network and endpoint. Keys are sorted so the file diffs well.
 *
 * @param subnets network name to its chosen subnets
 * @param addresses network name to endpoint name to its assigned addresses
 * @param services service name to the virtual addresses netc gave it
 * @param ports host name to endpoint name (an endpoint of that host) to the key of each of its
 *     {@code publish} lines that got an automatic host port ({@code AutomaticPorts#key}) to the
 *     first host port of each such line, in line order (a key two lines share has two); a pin
 *     holds only on its host, as automatic ports are chosen per host
 */
public record Lock(Map<String, List<Cidr>> subnets, Map<String, Map<String, List<IpAddress>>> addresses,
    Map<String, List<IpAddress>> services, Map<String, Map<String, Map<String, List<Integer>>>> ports) {
  public static final Lock EMPTY = new Lock(Map.of(), Map.of(), Map.of(), Map.of());
  public static final int VERSION = 1;

  public Lock {
    TreeMap<String, List<Cidr>> s = new TreeMap<>();
    subnets.forEach((k, v) -> s.put(k, List.copyOf(v)));
    subnets = java.util.Collections.unmodifiableMap(s);
    TreeMap<String, Map<String, List<IpAddress>>> a = new TreeMap<>();
    addresses.forEach((net, m) -> {
      TreeMap<String, List<IpAddress>> inner = new TreeMap<>();
      m.forEach((ep, ips) -> inner.put(ep, List.copyOf(ips)));
      a.put(net, java.util.Collections.unmodifiableMap(inner));
    });
    addresses = java.util.Collections.unmodifiableMap(a);
    TreeMap<String, List<IpAddress>> v = new TreeMap<>();
    services.forEach((k, x) -> v.put(k, List.copyOf(x)));
    services = java.util.Collections.unmodifiableMap(v);
    TreeMap<String, Map<String, Map<String, List<Integer>>>> p = new TreeMap<>();
    ports.forEach((host, eps) -> {
      TreeMap<String, Map<String, List<Integer>>> byEndpoint = new TreeMap<>();
      eps.forEach((ep, m) -> {
        TreeMap<String, List<Integer>> inner = new TreeMap<>();
        m.forEach((key, firsts) -> inner.put(key, List.copyOf(firsts)));
        byEndpoint.put(ep, java.util.Collections.unmodifiableMap(inner));
      });
      p.put(host, java.util.Collections.unmodifiableMap(byEndpoint));
    });
    ports = java.util.Collections.unmodifiableMap(p);
  }

  public Lock(Map<String, List<Cidr>> subnets, Map<String, Map<String, List<IpAddress>>> addresses,
      Map<String, List<IpAddress>> services) {
    this(subnets, addresses, services, Map.of());
  }

  public Lock(Map<String, List<Cidr>> subnets, Map<String, Map<String, List<IpAddress>>> addresses) {
    this(subnets, addresses, Map.of());
  }

  public boolean isEmpty() {
    return subnets.isEmpty() && addresses.isEmpty() && services.isEmpty() && ports.isEmpty();
  }

  /** This lock with {@code ports} in place of its host ports. */
  public Lock withPorts(Map<String, Map<String, Map<String, List<Integer>>>> ports) {
    return new Lock(subnets, addresses, services, ports);
  }

  public List<IpAddress> serviceAddresses(String service) {
    return services.getOrDefault(service, List.of());
  }

  public List<IpAddress> addressesOf(String network, String endpoint) {
    return addresses.getOrDefault(network, Map.of()).getOrDefault(endpoint, List.of());
  }
}
