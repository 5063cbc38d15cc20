package dev.netc.compiler.ir;

import java.util.List;

/**
 * The resolved, validated model of a whole topology (every imported file merged): the input of
 * checks and backends. Lists keep declaration order, with imported files after the file that
 * imports them.
 */
public record Topology(
    String name,
    List<Host> hosts,
    List<Namespace> namespaces,
    List<Network> networks,
    List<Endpoint> endpoints,
    List<Service> services,
    List<Policy> policies) {

  public Topology {
    hosts = List.copyOf(hosts);
    namespaces = List.copyOf(namespaces);
    networks = List.copyOf(networks);
    endpoints = List.copyOf(endpoints);
    services = List.copyOf(services);
    policies = List.copyOf(policies);
  }
}
