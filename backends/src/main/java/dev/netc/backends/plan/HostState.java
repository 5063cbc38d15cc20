package dev.netc.backends.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The desired kernel state of one host: every object with its identity, in an order that
 * creates before use (namespaces, then links, addresses, routes, forwarding entries, IPsec
 * states and policies), plus the facts the nftables
 * ruleset is computed from.
 *
 * @param hostNamespace the host's own namespace: the sandbox, or the real host namespace
 * @param namespaces the endpoints' namespaces, in declaration order
 * @param links bridges, then veths (host end, then container end), loopbacks
 * @param table the nftables table of the host namespace, when it has bridges
 * @param notes what the plan leaves out on purpose, one line each, for the scripts' comments
 * @param services the services as realised on this host (virtual addresses, node ports, shares)
 * @param fdb the static forwarding entries of the host's VXLAN devices
 * @param xfrmStates the IPsec associations of the host's encrypted overlays
 * @param xfrmPolicies their policies
 * @param underlay the host's place on the sandbox's underlay (a sandbox with several hosts)
 */
public record HostState(
    String host,
    Netns hostNamespace,
    List<Netns> namespaces,
    List<Link> links,
    List<Address> addresses,
    List<Route> routes,
    List<Sysctl> sysctls,
    List<NetnsFile> files,
    Optional<TableSpec> table,
    List<Bridge> bridges,
    List<PublishedPort> published,
    List<EndpointPlan> endpoints,
    List<String> notes,
    List<ServicePlan> services,
    List<FdbEntry> fdb,
    List<XfrmState> xfrmStates,
    List<XfrmPolicy> xfrmPolicies,
    Optional<Underlay> underlay) {

  public HostState {
    services = List.copyOf(services);
    fdb = List.copyOf(fdb);
    xfrmStates = List.copyOf(xfrmStates);
    xfrmPolicies = List.copyOf(xfrmPolicies);
    namespaces = List.copyOf(namespaces);
    links = List.copyOf(links);
    addresses = List.copyOf(addresses);
    routes = List.copyOf(routes);
    sysctls = List.copyOf(sysctls);
    files = List.copyOf(files);
    bridges = List.copyOf(bridges);
    published = List.copyOf(published);
    endpoints = List.copyOf(endpoints);
    notes = List.copyOf(notes);
  }

  /** A host without services or overlays, on no sandbox underlay. */
  public HostState(String host, Netns hostNamespace, List<Netns> namespaces, List<Link> links,
      List<Address> addresses, List<Route> routes, List<Sysctl> sysctls, List<NetnsFile> files,
      Optional<TableSpec> table, List<Bridge> bridges, List<PublishedPort> published,
      List<EndpointPlan> endpoints, List<String> notes) {
    this(host, hostNamespace, namespaces, links, addresses, routes, sysctls, files, table, bridges,
        published, endpoints, notes, List.of(), List.of(), List.of(), List.of(), Optional.empty());
  }

  /** Every object, namespaces first: what a runner compares with the live state. */
  public List<KernelObject> objects() {
    List<KernelObject> out = new ArrayList<>();
    out.addAll(namespaces);
    out.addAll(links);
    out.addAll(addresses);
    out.addAll(routes);
    out.addAll(fdb);
    out.addAll(xfrmStates);
    out.addAll(xfrmPolicies);
    out.addAll(sysctls);
    out.addAll(files);
    table.ifPresent(out::add);
    return out;
  }

  /** The sysctls of the host namespace ({@code S}, {@code S-host_H} or the host's own). */
  public List<Sysctl> hostSysctls() {
    return sysctls.stream().filter(x -> x.namespace().equals(hostNamespace.name())).toList();
  }

  /** The sysctls of the endpoints' namespaces (their interfaces'), by namespace, in order. */
  public java.util.Map<String, List<Sysctl>> endpointSysctls() {
    java.util.Map<String, List<Sysctl>> out = new java.util.LinkedHashMap<>();
    sysctls.stream().filter(x -> !x.namespace().equals(hostNamespace.name()))
        .forEach(x -> out.computeIfAbsent(x.namespace(), k -> new ArrayList<>()).add(x));
    return out;
  }

  public List<Link> linksIn(String namespace) {
    return links.stream().filter(l -> l.namespace().equals(namespace)).toList();
  }
}
