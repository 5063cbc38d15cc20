package dev.netc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The resolved, validated model of a whole topology (every imported file merged): the input of
 * checks and backends. Lists keep declaration order, with imported files after the file that
 * imports them.
 *
 * @param lockedPorts the host ports the lock file pins for the {@code publish} lines that give
 *     none: host name to endpoint name to line key to first ports ({@code Lock#ports});
 *     {@code model.AutomaticPorts} keeps each while the endpoint is still on that host and the
 *     ports are still free
 */
public record Topology(
    String name,
    List<Host> hosts,
    List<Namespace> namespaces,
    List<Network> networks,
    List<Endpoint> endpoints,
    List<Service> services,
    List<Policy> policies,
    Map<String, Map<String, Map<String, List<Integer>>>> lockedPorts) {

  public Topology {
    hosts = List.copyOf(hosts);
    namespaces = List.copyOf(namespaces);
    networks = List.copyOf(networks);
    endpoints = List.copyOf(endpoints);
    services = List.copyOf(services);
    policies = List.copyOf(policies);
    lockedPorts = Map.copyOf(lockedPorts);
  }

  /** A topology without host ports pinned by a lock file. */
  public Topology(String name, List<Host> hosts, List<Namespace> namespaces, List<Network> networks,
      List<Endpoint> endpoints, List<Service> services, List<Policy> policies) {
    this(name, hosts, namespaces, networks, endpoints, services, policies, Map.of());
  }
}
