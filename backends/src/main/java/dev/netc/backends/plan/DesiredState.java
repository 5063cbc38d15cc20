package dev.netc.backends.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel state that realises a topology: per host, its namespaces, links, addresses, routes,
 * sysctls, files and nftables table, each with a stable identity and an ownership mark. Pure
 * data, computed from the IR by {@link Planner}; a runner diffs it against the live state.
 *
 * @param sandbox the sandbox the hosts' parts run in ({@code ""}: the real host namespace)
 */
public record DesiredState(String topology, String sandbox, List<HostState> hosts) {
  public DesiredState {
    hosts = List.copyOf(hosts);
  }

  public Optional<HostState> host(String name) {
    return hosts.stream().filter(h -> h.host().equals(name)).findFirst();
  }

  public List<KernelObject> objects() {
    List<KernelObject> out = new ArrayList<>();
    hosts.forEach(h -> out.addAll(h.objects()));
    return out;
  }
}
