package dev.netc.backends.plan;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.Driver;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Host;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.MacvlanMode;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Service;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.AutomaticPorts;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * Computes the {@link DesiredState} of a topology: for each host, the namespaces, links,
 * addresses, routes, forwarding entries, IPsec objects, sysctls and files that realise its
 * bridge, overlay and macvlan networks, {@code mode host} and {@code mode none} endpoints,
 * pods, services and published ports, and the facts its nftables table is computed from. What
 * the kernel plans leave out (a macvlan parent netc cannot name, an overlay across hosts without
 * underlay addresses, a policy on a macvlan network in bridge mode, a port published in a family
 * its endpoint lacks) is reported as {@link Code#NETC520}; an endpoint whose namespace would be
 * the sandbox's outside as {@link
 * Code#NETC521}. In a sandbox, a topology of several hosts gets a namespace per host ({@link
 * KernelNames#hostNamespace}) on an {@link Underlay}.
 */
public final class Planner {
  /** The namespace a sandbox keeps for {@code @outside}: {@code S-outside}. */
  public static final String SANDBOX_OUTSIDE = "outside";

  private static final IpAddress V4_ANY = IpAddress.parse("0.0.0.0").get();
  private static final IpAddress V6_ANY = IpAddress.parse("::").get();
  private static final IpAddress V6_LOOPBACK = IpAddress.parse("::1").get();
  private static final List<IpAddress.Family> FAMILIES = List.of(IpAddress.Family.V4, IpAddress.Family.V6);

  /** What planning gives: the desired state when no error was found, and the diagnostics. */
  public record Result(Optional<DesiredState> state, List<Diagnostic> diagnostics) {
    public Result {
      diagnostics = List.copyOf(diagnostics);
    }

    public boolean hasErrors() {
      return diagnostics.stream().anyMatch(Diagnostic::isError);
    }
  }

  private final Topology t;
  private final String sandbox;
  private final Map<String, Network> networks = new HashMap<>();
  /** Networks left out of the kernel plan (NETC520). */
  private final Set<String> unrealised = new HashSet<>();
  private final Map<String, Underlay> underlays;
  /** The host ports of the lines that give none: the compiler's choice, which the model predicts with. */
  private final AutomaticPorts automatic;
  /** The MAC addresses attachments fix, by network (on every host: an overlay is one segment). */
  private final Map<String, Set<String>> fixedMacs = new HashMap<>();

  private Planner(Topology t, String sandbox) {
    this.t = t;
    this.sandbox = sandbox;
    t.networks().forEach(n -> networks.put(n.name(), n));
    t.endpoints().forEach(e -> e.attachments().forEach(a -> a.mac().ifPresent(m -> fixedMacs
        .computeIfAbsent(a.network(), k -> new HashSet<>()).add(m.toLowerCase(java.util.Locale.ROOT)))));
    this.underlays = Drivers.underlays(t, sandbox);
    this.automatic = AutomaticPorts.of(t);
  }

  /**
   * Plans every host of {@code t}. With a {@code sandbox} (validated by {@link
   * KernelNames#sandbox}), each host's part runs in that namespace and endpoint namespaces are
   * named {@code SANDBOX-ENDPOINT}; with {@code ""}, in the real host namespace and {@code
   * netc-TOPOLOGY-ENDPOINT}.
   */
  public static Result plan(Topology t, String sandbox) {
    if (!sandbox.isEmpty() && !KernelNames.sandbox(sandbox).ok()) {
      throw new IllegalArgumentException("unchecked sandbox name `" + sandbox + "`");
    }
    return new Planner(t, sandbox).run();
  }

  private Result run() {
    List<Diagnostic> diagnostics = new ArrayList<>();
    notRealised(diagnostics);
    if (!sandbox.isEmpty()) {
      sandboxNames(diagnostics);
      hostsOnNoUnderlay(diagnostics);
    }
    if (diagnostics.stream().anyMatch(Diagnostic::isError)) {
      diagnostics.sort(Diagnostic.ORDER);
      return new Result(Optional.empty(), diagnostics);
    }
    List<HostState> hosts = new ArrayList<>();
    for (Host h : t.hosts()) {
      hosts.add(new HostPlanner(h, diagnostics).plan());
    }
    diagnostics.sort(Diagnostic.ORDER);
    return new Result(Optional.of(new DesiredState(t.name(), sandbox, hosts)), diagnostics);
  }

  // ------------------------------------------------------------------ diagnostics

  private void notRealised(List<Diagnostic> out) {
    for (Network n : t.networks()) {
      if (n.driver() == Driver.MACVLAN && !KernelNames.validIfname(n.macvlan().get().parent())) {
        unrealised.add(n.name());
        out.add(Diagnostic.of(Code.NETC520, n.span(), "macvlan network `" + n.name() + "` is not realised in the"
                + " kernel: netc names interfaces with lower-case letters, digits, `.`, `_` and `-` only, and its"
                + " parent is `" + n.macvlan().get().parent() + "`")
            .withHint("rename the host interface (`ip link set OLD name NEW`) and name it as parent"));
        continue;
      }
      if (n.driver() != Driver.OVERLAY) {
        continue;
      }
      List<String> spanned = Drivers.spannedHosts(t, n);
      if (spanned.size() < 2) {
        continue;
      }
      List<String> without = t.hosts().stream().filter(h -> spanned.contains(h.name()) && h.underlay().isEmpty())
          .map(h -> "`" + h.name() + "`").toList();
      long families = t.hosts().stream().filter(h -> spanned.contains(h.name())).flatMap(h -> h.underlay().stream())
          .map(IpAddress::family).distinct().count();
      if (without.isEmpty() && families == 1) {
        continue;
      }
      unrealised.add(n.name());
      out.add(Diagnostic.of(Code.NETC520, n.span(), "overlay network `" + n.name() + "` is not realised in"
              + " the kernel: " + (without.isEmpty() ? "its hosts' underlay addresses are of two families"
                  : "host" + (without.size() == 1 ? " " : "s ") + String.join(", ", without) + " declare"
                  + (without.size() == 1 ? "s" : "") + " no underlay address")
              + ", and its tunnels run between the hosts' underlay addresses")
          .withHint("declare `underlay ADDRESS` (of one family) in every host the network spans; `netc matrix`"
              + " still shows what the model predicts for this network"));
    }
    macvlanPolicies(out);
  }

  /**
   * A sandbox plays each of several hosts in a namespace joined to the others, and to {@code
   * @outside}, by the sandbox's underlay, at the host's declared underlay address: a host that
   * declares none has its namespace alone.
   */
  private void hostsOnNoUnderlay(List<Diagnostic> out) {
    if (t.hosts().size() < 2) {
      return;
    }
    for (Host h : t.hosts()) {
      if (h.underlay().isEmpty()) {
        out.add(Diagnostic.of(Code.NETC520, h.span(), "host `" + h.name() + "` is on no underlay in sandbox `"
                + sandbox + "`: it declares no underlay address, so what crosses between it and the other hosts"
                + " or `@outside` is not realised")
            .withHint("declare `underlay ADDRESS` in every host (the sandbox joins the hosts at those addresses);"
                + " `netc matrix` still shows what the model predicts"));
      }
    }
  }

  /**
   * Members of one macvlan network in bridge mode on one host talk through the parent, past the
   * host's stack and its table: a policy that isolates such a member does not hold there.
   */
  private void macvlanPolicies(List<Diagnostic> out) {
    if (t.policies().isEmpty() || t.networks().stream().noneMatch(n -> n.driver() == Driver.MACVLAN)) {
      return;
    }
    Reachability model = new Reachability(t);
    for (Policy p : t.policies()) {
      Set<String> bypassed = new TreeSet<>();
      for (Node node : model.selectedBy(p)) {
        Endpoint e = node.endpoint().orElse(null);
        if (e == null || e.mode() != NetMode.BRIDGE) {
          continue;
        }
        for (Attachment a : e.attachments()) {
          Network n = networks.get(a.network());
          if (n.driver() == Driver.MACVLAN && n.macvlan().get().mode() == MacvlanMode.BRIDGE
              && t.endpoints().stream().anyMatch(o -> o != e && o.mode() == NetMode.BRIDGE && o.host().equals(e.host())
                  && o.attachments().stream().anyMatch(x -> x.network().equals(n.name())))) {
            bypassed.add("`" + n.name() + "`");
          }
        }
      }
      if (!bypassed.isEmpty()) {
        out.add(Diagnostic.of(Code.NETC520, p.span(), "policy `" + p.name() + "` is not realised in the kernel"
                + " on macvlan network" + (bypassed.size() == 1 ? " " : "s ") + String.join(", ", bypassed)
                + ": its members talk through the parent interface, past the host's nftables table")
            .withHint("attach the endpoints this policy protects to a bridge or overlay network instead, or use"
                + " macvlan mode private; `netc matrix` still shows what the model predicts"));
      }
    }
  }

  private void sandboxNames(List<Diagnostic> out) {
    for (Endpoint e : t.endpoints()) {
      if (e.mode() != NetMode.HOST && KernelNames.endpointPart(e.name()).equals(SANDBOX_OUTSIDE)) {
        out.add(Diagnostic.of(Code.NETC521, e.span(), "endpoint `" + e.name()
                + "` would run in namespace `" + sandbox + "-" + SANDBOX_OUTSIDE + "`, which is"
                + " the outside of sandbox `" + sandbox + "`")
            .withHint("rename the endpoint, or plan without `--sandbox`"));
      }
    }
  }

  // ------------------------------------------------------------------ one host

  /** The plan of one host, built in passes: links and addresses, published ports, routes, the rest. */
  private final class HostPlanner {
    private final Host host;
    private final String hostNs;
    private final Optional<Underlay> underlay;
    private final List<Endpoint> endpoints;
    private final Map<String, Endpoint> byName = new HashMap<>();
    private final Map<String, Bridge> bridges = new LinkedHashMap<>();
    private final Set<String> takenNames = new HashSet<>();
    private final List<Netns> namespaces = new ArrayList<>();
    private final List<Link> bridgeLinks = new ArrayList<>();
    private final List<Link> veths = new ArrayList<>();
    private final List<Link> tunnels = new ArrayList<>();
    private final List<Link> parents = new ArrayList<>();
    private final List<Link> macvlans = new ArrayList<>();
    private final List<FdbEntry> fdb = new ArrayList<>();
    private final List<XfrmState> xfrmStates = new ArrayList<>();
    private final List<XfrmPolicy> xfrmPolicies = new ArrayList<>();
    private final List<Link> loopbacks = new ArrayList<>();
    private final List<Address> addresses = new ArrayList<>();
    private final List<Route> routes = new ArrayList<>();
    private final List<Sysctl> sysctls = new ArrayList<>();
    private final List<NetnsFile> files = new ArrayList<>();
    private final List<PublishedPort> published = new ArrayList<>();
    private final List<EndpointPlan> plans = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<Diagnostic> diagnostics;

    HostPlanner(Host host, List<Diagnostic> diagnostics) {
      this.host = host;
      this.hostNs = Drivers.hostNamespaces(t, sandbox) ? KernelNames.hostNamespace(sandbox, host.name()) : sandbox;
      this.underlay = Optional.ofNullable(underlays.get(host.name()));
      this.diagnostics = diagnostics;
      this.endpoints = t.endpoints().stream().filter(e -> e.host().equals(host.name())).toList();
      endpoints.forEach(e -> byName.put(e.name(), e));
    }

    HostState plan() {
      for (Network n : t.networks()) {
        if (unrealised.contains(n.name()) || endpoints.stream().noneMatch(e -> e.mode() == NetMode.BRIDGE
            && e.attachments().stream().anyMatch(a -> a.network().equals(n.name())))) {
          continue;
        }
        switch (n.driver()) {
          case BRIDGE -> addBridge(n);
          case OVERLAY -> {
            addBridge(n);
            addTunnel(n);
          }
          case MACVLAN -> addParent(n);
        }
      }
      for (Endpoint e : endpoints) {
        addEndpoint(e);
      }
      for (EndpointPlan p : plans) {
        if (p.mode() == NetMode.BRIDGE) {
          publish(endpoint(p.endpoint()), p);
        }
      }
      for (EndpointPlan p : plans) {
        if (p.mode() == NetMode.BRIDGE) {
          routes(endpoint(p.endpoint()), p);
        }
      }
      ServicePlanner services = new ServicePlanner(t, host.name(), plans, bridges, networks, byName);
      ServicePlanner.Result realised = services.plan();
      routes.addAll(realised.routes());
      veths.replaceAll(l -> realised.hairpinVeths().contains(l.name()) && l.namespace().equals(hostNs) ? l.withHairpin() : l);
      notes.addAll(realised.notes());
      hostSysctls();
      for (EndpointPlan p : plans) {
        p.namespace().ifPresent(ns -> files(endpoint(p.endpoint()), ns, p, services));
      }
      Optional<TableSpec> table = bridges.isEmpty() ? Optional.empty()
          : Optional.of(new TableSpec(hostNs, "inet", Ownership.table(t.name()), Ownership.tableComment(t.name())));
      List<Link> links = new ArrayList<>(bridgeLinks);
      links.addAll(tunnels);
      links.addAll(parents);
      links.addAll(veths);
      links.addAll(macvlans);
      links.addAll(loopbacks);
      return new HostState(host.name(), new Netns(hostNs, Netns.Role.HOST, Optional.empty(), Optional.empty()),
          namespaces, links, addresses, routes, sysctls, files, table, List.copyOf(bridges.values()),
          published, plans, notes, realised.services(), fdb, xfrmStates, xfrmPolicies, underlay);
    }

    private Endpoint endpoint(String name) {
      return Objects.requireNonNull(byName.get(name), name);
    }

    /** A free interface name of the host namespace (stepping past a hash collision). */
    private String ifname(String prefix, String readable, String key) {
      for (int salt = 0; ; salt++) {
        String name = KernelNames.ifname(prefix, readable, key, salt);
        if (takenNames.add(name)) {
          return name;
        }
      }
    }

    /**
     * The MTU of a network's links: the declared one, or for an overlay network the underlay's
     * less the VXLAN headers (70 bytes over IPv6 underlays, 50 over IPv4: the kernel gives a
     * tunnel over IPv6 no more, and would leave its bridge and veths above it).
     */
    private OptionalInt mtu(Network n) {
      if (n.mtu().isPresent() || n.driver() != Driver.OVERLAY) {
        return n.mtu();
      }
      List<String> spanned = Drivers.spannedHosts(t, n);
      boolean v6 = t.hosts().stream().filter(h -> spanned.contains(h.name()))
          .flatMap(h -> h.underlay().stream()).anyMatch(a -> !a.isV4());
      return OptionalInt.of(Underlay.MTU - (v6 ? Drivers.VXLAN_OVERHEAD_V6 : Drivers.VXLAN_OVERHEAD));
    }

    private void addBridge(Network n) {
      String name = ifname("br-", n.name(), "bridge:" + t.name() + ":" + n.name());
      bridges.put(n.name(), new Bridge(n.name(), name, n.internal(), n.subnets()));
      bridgeLinks.add(new Link(hostNs, name, Link.Type.BRIDGE, Ownership.bridge(t.name(), n.name()),
          mtu(n), Optional.empty(), Optional.empty(), false, Optional.of(Drivers.gatewayMac(t.name(), n.name()))));
      for (Subnet s : n.subnets()) {
        addresses.add(new Address(hostNs, name, s.gateway(), s.cidr().prefix()));
      }
    }

    /**
     * The VXLAN device of an overlay network that spans other hosts, in the network's bridge,
     * with a forwarding entry to each of them; for an {@code encrypted} network, the IPsec states
     * and policies towards each.
     */
    private void addTunnel(Network n) {
      List<String> spanned = Drivers.spannedHosts(t, n);
      if (spanned.size() < 2) {
        notes.add("overlay network `" + n.name() + "` has members on this host only: a bridge, no tunnel");
        return;
      }
      Network.Overlay o = n.overlay().orElseThrow();
      Optional<IpAddress> local = host.underlay();
      String name = ifname("vx-", n.name(), "vxlan:" + t.name() + ":" + n.name());
      tunnels.add(new Link(hostNs, name, Link.Type.VXLAN, Ownership.vxlan(t.name(), n.name()), mtu(n),
          Optional.of(bridges.get(n.name()).name()), Optional.empty(), false, Optional.empty(),
          Optional.of(new Link.Vxlan(o.vni(), o.port(), local, underlay.map(u -> Underlay.DEVICE)))));
      long reqid = IpsecKeys.reqid(t.name());
      for (String other : spanned) {
        if (other.equals(host.name())) {
          continue;
        }
        IpAddress remote = t.hosts().stream().filter(h -> h.name().equals(other)).findFirst().orElseThrow()
            .underlay().orElseThrow();
        fdb.add(new FdbEntry(hostNs, name, FdbEntry.ALL_ZEROS, remote));
        if (!o.encrypted()) {
          continue;
        }
        IpAddress me = local.orElseThrow();
        String outKey = host.name() + ">" + other + "/udp/" + o.port();
        String inKey = other + ">" + host.name() + "/udp/" + o.port();
        XfrmState out = new XfrmState(hostNs, me, remote, IpsecKeys.spi(t.name(), outKey), reqid, outKey);
        if (xfrmStates.stream().noneMatch(x -> x.id().equals(out.id()))) {
          xfrmStates.add(out);
          xfrmStates.add(new XfrmState(hostNs, remote, me, IpsecKeys.spi(t.name(), inKey), reqid, inKey));
          xfrmPolicies.add(new XfrmPolicy(hostNs, XfrmPolicy.Direction.OUT, me, remote, o.port(), reqid));
          xfrmPolicies.add(new XfrmPolicy(hostNs, XfrmPolicy.Direction.IN, remote, me, o.port(), reqid));
        }
      }
    }

    /**
     * What a macvlan network needs of the host: in a sandbox, a veth pair whose end named like the
     * parent stands for the host's interface; an 802.1q parent ({@code eth0.10}) is a VLAN
     * sub-interface of its trunk, made here (the trunk itself is the host's, or the sandbox veth).
     */
    private void addParent(Network n) {
      String parent = n.macvlan().orElseThrow().parent();
      Optional<Map.Entry<String, Integer>> vlan = Drivers.vlan(parent);
      String trunk = vlan.map(Map.Entry::getKey).orElse(parent);
      if (!sandbox.isEmpty() && parents.stream().noneMatch(l -> l.name().equals(trunk))) {
        if (!takenNames.add(KernelNames.checkIfname(trunk))) {
          throw new IllegalStateException("macvlan parent `" + trunk + "` clashes with another interface");
        }
        String peer = ifname("pp-", trunk, "parent:" + t.name() + ":" + trunk);
        parents.add(new Link(hostNs, trunk, Link.Type.VETH, Ownership.parent(t.name(), trunk, "end"),
            OptionalInt.empty(), Optional.empty(), Optional.of(new Link.Ref(hostNs, peer)), true, Optional.empty()));
        parents.add(new Link(hostNs, peer, Link.Type.VETH, Ownership.parent(t.name(), trunk, "peer"),
            OptionalInt.empty(), Optional.empty(), Optional.of(new Link.Ref(hostNs, trunk)), false, Optional.empty()));
      }
      if (vlan.isPresent() && parents.stream().noneMatch(l -> l.name().equals(parent))) {
        takenNames.add(KernelNames.checkIfname(parent));
        parents.add(new Link(hostNs, parent, Link.Type.VLAN, Ownership.vlan(t.name(), parent),
            OptionalInt.empty(), Optional.empty(), Optional.empty(), false, Optional.empty(),
            Optional.of(new Link.Vlan(trunk, vlan.get().getValue()))));
      }
    }

    private void addEndpoint(Endpoint e) {
      if (e.mode() == NetMode.HOST) {
        notes.add("`" + e.name() + "` runs in the host's own namespace (mode host): nothing to create");
        plans.add(new EndpointPlan(e.name(), e.mode(), Optional.empty(), List.of()));
        return;
      }
      String ns = KernelNames.endpointNamespace(t.name(), e.name(), sandbox);
      namespaces.add(new Netns(ns, Netns.Role.ENDPOINT, Optional.of(e.name()),
          Optional.of(Ownership.namespace(t.name(), e.name()))));
      loopbacks.add(new Link(ns, "lo", Link.Type.LOOPBACK, Ownership.namespace(t.name(), e.name()),
          OptionalInt.empty(), Optional.empty(), Optional.empty(), false, Optional.empty()));
      List<EndpointPlan.Interface> interfaces = new ArrayList<>();
      if (e.mode() == NetMode.BRIDGE) {
        for (int i = 0; i < e.attachments().size(); i++) {
          Attachment a = e.attachments().get(i);
          Network n = networks.get(a.network());
          if (unrealised.contains(n.name())) {
            continue; // NETC520
          }
          interfaces.add(n.driver() == Driver.MACVLAN ? addMacvlan(e, ns, i, a, n) : addVeth(e, ns, i, a, n));
        }
      }
      plans.add(new EndpointPlan(e.name(), e.mode(), Optional.of(ns), interfaces));
    }

    private EndpointPlan.Interface addVeth(Endpoint e, String ns, int index, Attachment a, Network n) {
      Bridge bridge = bridges.get(n.name());
      String eth = "eth" + index;
      String veth = ifname("ve-", KernelNames.endpointPart(e.name()) + "-" + index,
          "veth:" + t.name() + ":" + e.name() + ":" + index);
      veths.add(new Link(hostNs, veth, Link.Type.VETH, Ownership.veth(t.name(), e.name(), index),
          mtu(n), Optional.of(bridge.name()), Optional.of(new Link.Ref(ns, eth)), true, Optional.empty()));
      // a MAC known in advance: the port filter lets the container's port send from it alone
      String mac = a.mac().map(m -> m.toLowerCase(java.util.Locale.ROOT))
          .orElseGet(() -> Drivers.vethMac(t.name(), e.name(), index, a.addresses(), fixedMacs.getOrDefault(n.name(), Set.of())));
      veths.add(new Link(ns, eth, Link.Type.VETH, Ownership.eth(t.name(), e.name(), index), mtu(n),
          Optional.empty(), Optional.of(new Link.Ref(hostNs, veth)), false, Optional.of(mac)));
      ipv6Switch(ns, eth, n, a.addresses());
      for (IpAddress addr : a.addresses()) {
        Subnet s = bridge.subnet(addr.family()).orElseThrow(
            () -> new IllegalStateException("address " + addr + " without a subnet of its family"));
        addresses.add(new Address(ns, eth, addr, s.cidr().prefix()));
      }
      return new EndpointPlan.Interface(index, n.name(), eth, veth, bridge.name(), a.addresses());
    }

    /**
     * A macvlan sub-interface of the network's parent, made by the host namespace straight in
     * the endpoint's, with the MAC address the topology fixes or {@link Drivers#macvlanMac} (in
   * {@code passthru} mode none: the member takes the parent's).
     */
    private EndpointPlan.Interface addMacvlan(Endpoint e, String ns, int index, Attachment a, Network n) {
      Network.Macvlan m = n.macvlan().orElseThrow();
      String eth = "eth" + index;
      // passthru: the member takes the parent's own MAC address (the kernel ignores another)
      Optional<String> mac = m.mode() == MacvlanMode.PASSTHRU ? Optional.empty() : Optional.of(a.mac()
          .map(x -> x.toLowerCase(java.util.Locale.ROOT))
          .orElseGet(() -> Drivers.macvlanMac(t.name(), e.name(), index, a.addresses(), fixedMacs.getOrDefault(n.name(), Set.of()))));
      macvlans.add(new Link(ns, eth, Link.Type.MACVLAN, Ownership.macvlan(t.name(), e.name(), index), n.mtu(),
          Optional.empty(), Optional.empty(), false, mac,
          Optional.of(new Link.Macvlan(m.parent(), hostNs, m.mode()))));
      ipv6Switch(ns, eth, n, a.addresses());
      for (IpAddress addr : a.addresses()) {
        Subnet s = n.subnets().stream().filter(x -> x.cidr().family() == addr.family()).findFirst().orElseThrow(
            () -> new IllegalStateException("address " + addr + " without a subnet of its family"));
        addresses.add(new Address(ns, eth, addr, s.cidr().prefix()));
      }
      return new EndpointPlan.Interface(index, n.name(), eth, "", "", a.addresses());
    }

    /**
     * Whether IPv6 is on for a container's interface: off ({@code disable_ipv6 = 1}) when it gets
     * no IPv6 address (an IPv4-only network), as Docker does: no link-local address, no
     * multicast it sends at start, no address or route taken from a router advertisement; on
     * ({@code 0}, what the kernel gives a new interface) otherwise, so that an interface whose
     * network gains an IPv6 subnet is switched back on, and then without router advertisements
     * ({@code accept_ra = 0}) and without duplicate address detection ({@code accept_dad = 0}).
     */
    private void ipv6Switch(String ns, String eth, Network n, List<IpAddress> addresses) {
      boolean v6 = addresses.stream().anyMatch(x -> x.family() == IpAddress.Family.V6);
      if (v6) {
        // before disable_ipv6 0: an interface switched on while up gets its link-local address
        // at once, with the settings it has then
        // addresses and routes come from the topology, never from a router advertisement
        // (one sent by another container: CVE-2020-13401; by a router on a macvlan parent's LAN)
        sysctls.add(new Sysctl(ns, "net.ipv6.conf." + eth + ".accept_ra", "0",
            "no address or route from router advertisements: the topology gives them"));
        // IPAM gives the addresses (added nodad), and the link-local one comes from the MAC the
        // plan fixes: a duplicate address detection would only make it wait a second, and send
        // a neighbour solicitation that the bridge floods to every other port (N x N copies
        // when N containers start together)
        sysctls.add(new Sysctl(ns, "net.ipv6.conf." + eth + ".accept_dad", "0",
            "no duplicate address detection: IPAM gives the addresses, the link-local one is from the planned MAC"));
        // EUI-64, a new namespace's default: the port filter then knows the link-local address
        sysctls.add(new Sysctl(ns, "net.ipv6.conf." + eth + ".addr_gen_mode", "0",
            "the link-local address from the MAC address (EUI-64), which the port filter admits"));
      }
      sysctls.add(new Sysctl(ns, "net.ipv6.conf." + eth + ".disable_ipv6", v6 ? "0" : "1", v6
          ? "IPv6 on: network " + n.name() + " gives this interface an IPv6 address"
          : "IPv6 off: network " + n.name() + " is IPv4-only (no link-local address, no router advertisement taken)"));
    }

    private boolean macvlan(EndpointPlan.Interface i) {
      return networks.get(i.network()).driver() == Driver.MACVLAN;
    }

    // ---------------------------------------------------------------- published ports

    /** The endpoint's first interface on a network with a route out, where DNAT sends traffic. */
    private Optional<EndpointPlan.Interface> routeOut(EndpointPlan p) {
      return p.interfaces().stream().filter(i -> !networks.get(i.network()).internal() && !macvlan(i)).findFirst();
    }

    private void publish(Endpoint e, EndpointPlan plan) {
      Optional<EndpointPlan.Interface> out = routeOut(plan);
      for (int line = 0; line < e.publishes().size(); line++) {
        Publish p = e.publishes().get(line);
        String what = describe(p);
        if (out.isEmpty()) {
          Optional<String> unrealisedOut = e.attachments().stream().map(a -> networks.get(a.network()))
              .filter(n -> unrealised.contains(n.name()) && !n.internal()).map(Network::name).findFirst();
          notes.add("`" + e.name() + "` publishes " + what + ", which is not forwarded: "
              + unrealisedOut.map(n -> "its network with a route out, `" + n + "`, is not realised (NETC520)")
                  .orElse("it is on no network with a route out (the model agrees)"));
          continue;
        }
        int count = p.containerPorts().size();
        OptionalInt chosen = automatic.first(e, line);
        if (p.hostPorts().isEmpty() && chosen.isEmpty()) {
          throw new IllegalStateException("no free automatic host port for " + p.protocol().label());
        }
        int first = p.hostPorts().map(r -> r.first()).orElseGet(chosen::getAsInt);
        for (Scope s : scopes(e, p, what)) {
          Optional<IpAddress> target = out.get().addresses().stream()
              .filter(a -> a.family() == s.family).findFirst();
          if (target.isEmpty()) {
            if (p.hostAddress().isPresent()) {
              // the model gives this port a path; the kernel cannot translate between families
              diagnostics.add(Diagnostic.of(Code.NETC520, p.span(), "published port " + what
                      + " is not realised in the kernel: `" + e.name() + "` has no " + s.family.label()
                      + " address on network `" + out.get().network() + "`, and the kernel does not"
                      + " translate between address families")
                  .withHint("give `" + e.name() + "` an " + s.family.label() + " address on `"
                      + out.get().network() + "` (a subnet of that family), or publish on an "
                      + (s.family == IpAddress.Family.V4 ? "IPv6" : "IPv4") + " host address"));
            }
            continue;
          }
          for (int k = 0; k < count; k++) {
            published.add(new PublishedPort(s.scope, s.family, s.address, p.protocol(), first + k,
                target.get(), p.containerPorts().first() + k, out.get().bridge(), e.name(),
                p.hostPorts().isEmpty(), p.span()));
          }
        }
      }
    }

    private record Scope(PublishedPort.Scope scope, IpAddress.Family family, Optional<IpAddress> address) {}

    private List<Scope> scopes(Endpoint e, Publish p, String what) {
      if (p.hostAddress().isEmpty()) {
        return FAMILIES.stream().map(f -> new Scope(PublishedPort.Scope.ANY, f, Optional.<IpAddress>empty())).toList();
      }
      IpAddress a = p.hostAddress().get();
      if (a.equals(V4_ANY) || a.equals(V6_ANY)) {
        return List.of(new Scope(PublishedPort.Scope.ANY, a.family(), Optional.empty()));
      }
      if (a.equals(V6_LOOPBACK)) {
        notes.add("`" + e.name() + "` publishes " + what + ": IPv6 has no route_localnet, so the"
            + " kernel cannot forward ::1 to a container (NETC228; the model gives this port no path"
            + " from other nodes either)");
        return List.of();
      }
      if (a.isV4() && (a.lo() >>> 24) == 127) {
        return List.of(new Scope(PublishedPort.Scope.LOOPBACK, a.family(), Optional.of(a)));
      }
      return List.of(new Scope(PublishedPort.Scope.ADDRESS, a.family(), Optional.of(a)));
    }

    private String describe(Publish p) {
      String addr = p.hostAddress().map(x -> x.isV4() ? x + ":" : "[" + x + "]:").orElse("");
      return addr + p.hostPorts().map(Object::toString).orElse("(automatic)") + " -> "
          + p.containerPorts() + "/" + p.protocol().label();
    }

    // ---------------------------------------------------------------- routes

    private void routes(Endpoint e, EndpointPlan plan) {
      String ns = plan.namespace().get();
      // macvlan members have no route out and no way to their host (the model's paths)
      List<EndpointPlan.Interface> bridged = plan.interfaces().stream().filter(i -> !macvlan(i)).toList();
      for (IpAddress.Family f : FAMILIES) {
        Optional<EndpointPlan.Interface> def = bridged.stream()
            .filter(i -> !networks.get(i.network()).internal() && has(i, f)).findFirst();
        // (none on internal networks only: they reach no published port, the forward chain's
        // `iifname @internal_bridges ct status dnat drop`, and their host through the gateway)
        if (def.isPresent()) {
          routes.add(new Route(ns, Optional.empty(), gateway(def.get(), f), def.get().eth()));
        }
      }
    }

    private boolean has(EndpointPlan.Interface i, IpAddress.Family f) {
      return i.addresses().stream().anyMatch(a -> a.family() == f);
    }

    private IpAddress gateway(EndpointPlan.Interface i, IpAddress.Family f) {
      return bridges.get(i.network()).subnet(f).map(Subnet::gateway).orElseThrow();
    }

    // ---------------------------------------------------------------- sysctls and files

    private void hostSysctls() {
      if (bridges.isEmpty()) {
        return;
      }
      sysctls.add(new Sysctl(hostNs, Sysctl.IP_FORWARD, "1",
          "route between the bridges and out of the uplink"));
      if (bridges.values().stream().anyMatch(b -> b.subnet(IpAddress.Family.V6).isPresent())) {
        sysctls.add(new Sysctl(hostNs, Sysctl.IPV6_FORWARDING, "1", "the same for IPv6"));
      }
      sysctls.add(new Sysctl(hostNs, Sysctl.BRIDGE_NF_CALL_IPTABLES, "1",
          "bridged IPv4 traffic passes the inet forward hook, where isolation and policies are"));
      sysctls.add(new Sysctl(hostNs, Sysctl.BRIDGE_NF_CALL_IP6TABLES, "1",
          "the same for IPv6"));
      Set<String> localnet = new LinkedHashSet<>();
      for (Bridge b : bridges.values()) {
        for (PublishedPort p : published) {
          if (p.bridge().equals(b.name()) && p.family() == IpAddress.Family.V4
              && p.scope() != PublishedPort.Scope.ADDRESS) {
            localnet.add(b.name());
          }
        }
      }
      for (String b : localnet) {
        sysctls.add(new Sysctl(hostNs, "net.ipv4.conf." + b + ".route_localnet", "1",
            "the host's own connections to 127.0.0.1 may be forwarded to a container on this bridge"));
      }
      // set before the bridge gets its first port up, which is when the kernel gives it its
      // link-local address: in a namespace whose default detects duplicates (the real host, a
      // sandbox made with `ip netns add`), the address would stay tentative a second or two,
      // and the bridge, the containers' IPv6 router, would not resolve their neighbours
      // meanwhile (a bridge of an IPv4-only network routes no IPv6: its link-local address,
      // tentative or not, holds nothing up, and it may be under IPv6's minimum MTU)
      for (Bridge b : bridges.values()) {
        if (b.subnet(IpAddress.Family.V6).isEmpty()) {
          continue;
        }
        sysctls.add(new Sysctl(hostNs, "net.ipv6.conf." + b.name() + ".accept_dad", "0",
            "no duplicate address detection: the bridge's link-local address is from the MAC the plan fixes"));
      }
    }

    private void files(Endpoint viewer, String ns, EndpointPlan plan, ServicePlanner services) {
      // the parts, joined once at the end into a string of their exact length (a hosts file
      // names every member: 1,000 containers' files are 31 MB, which a growing builder copied
      // about twice over)
      List<String> hosts = new ArrayList<>();
      hosts.add(Ownership.file(t.name(), "hosts", viewer.name()) + "\n");
      hosts.add("# Written by netc: every member of this endpoint's networks with name resolution"
          + " on, by name and alias.\n");
      hosts.add("127.0.0.1\tlocalhost\n");
      hosts.add("::1\tlocalhost ip6-localhost ip6-loopback\n");
      List<Section> done = new ArrayList<>();
      Set<String> seen = null;
      for (EndpointPlan.Interface i : plan.interfaces()) {
        Network n = networks.get(i.network());
        if (!n.resolve()) {
          continue;
        }
        hosts.add("# network " + n.name() + "\n");
        Section section = section(n, viewer);
        if (done.isEmpty()) {
          hosts.add(section.text());
        } else {
          // a line an earlier network of this endpoint gave already is not repeated
          if (seen == null) {
            seen = new HashSet<>();
            for (Section d : done) {
              seen.addAll(d.lines());
            }
          }
          for (String line : section.lines()) {
            if (seen.add(line)) {
              hosts.add(line + "\n");
            }
          }
        }
        done.add(section);
      }
      ownName(viewer, plan, hosts);
      hosts.add(services.hostsLines(viewer));
      podMembers(viewer, hosts);
      files.add(new NetnsFile(ns, "hosts", String.join("", hosts)));
      files.add(new NetnsFile(ns, "resolv.conf", Ownership.file(t.name(), "resolv.conf", viewer.name())
          + "\n# Written by netc: names of the topology resolve from /etc/hosts; the topology runs"
          + " no DNS server.\noptions ndots:0 timeout:1 attempts:1\n"));
    }

    /** The lines of a network's members in a hosts file, each once, and the same joined (each ends with a newline). */
    private record Section(List<String> lines, String text) {}

    /** The sections made so far, by network and the viewer's namespace: the only parts of the viewer they depend on. */
    private final Map<String, Section> sections = new HashMap<>();

    /**
     * Network {@code n}'s members as {@code viewer} resolves them: an overlay network's members
     * on every host, the others' on this host; made once for all the viewers of one namespace
     * (every member's hosts file lists every member: made per viewer, 1,000 containers cost a
     * gigabyte of garbage).
     */
    private Section section(Network n, Endpoint viewer) {
      return sections.computeIfAbsent(n.name() + "\n" + viewer.namespace(), k -> {
        Set<String> lines = new LinkedHashSet<>();
        for (Endpoint m : t.endpoints()) {
          if (m.mode() != NetMode.BRIDGE || !m.host().equals(host.name()) && n.driver() != Driver.OVERLAY) {
            continue;
          }
          for (Attachment a : m.attachments()) {
            if (!a.network().equals(n.name())) {
              continue;
            }
            Set<String> names = new LinkedHashSet<>();
            // a Kubernetes pod named as a Service of its namespace leaves the name to the Service,
            // and so do the replicas of a container named as one (`web-1`, `web-2` and service `web`)
            if (m.resolvesByName()) {
              names.add(dnsName(m, viewer, m.localName()));
              m.replicaOf().filter(r -> !serviceNames().contains(scoped(m.namespace(), r)))
                  .ifPresent(r -> names.add(dnsName(m, viewer, r)));
            }
            names.addAll(a.aliases());
            if (names.isEmpty()) {
              continue;
            }
            for (IpAddress addr : a.addresses()) {
              lines.add(addr + "\t" + String.join(" ", names));
            }
          }
        }
        StringBuilder text = new StringBuilder();
        lines.forEach(l -> text.append(l).append('\n'));
        return new Section(List.copyOf(lines), text.toString());
      });
    }

    /**
     * A Kubernetes pod whose name a Service of its namespace has resolves its own name to itself,
     * in its own hosts file alone, as kubelet writes the pod's hostname into the pod's {@code
     * /etc/hosts} (and the name of the Service's line there is left to this one).
     */
    private void ownName(Endpoint viewer, EndpointPlan plan, List<String> hosts) {
      if (viewer.resolvesByName()) {
        return;
      }
      List<String> lines = new ArrayList<>();
      for (EndpointPlan.Interface i : plan.interfaces()) {
        if (!networks.get(i.network()).resolve()) {
          continue;
        }
        for (Attachment a : viewer.attachments()) {
          if (a.network().equals(i.network())) {
            a.addresses().forEach(addr -> lines.add(addr + "\t" + viewer.localName() + "\n"));
          }
        }
      }
      if (!lines.isEmpty()) {
        hosts.add("# this pod by its own name, as kubelet writes its hostname (elsewhere the name is the Service's)\n");
        hosts.addAll(lines);
      }
    }

    /**
     * A pod's members resolve each other by name on the loopback they share (a name some other
     * line of the file already gives is left to it).
     */
    private void podMembers(Endpoint pod, List<String> hosts) {
      if (pod.members().isEmpty()) {
        return;
      }
      Set<String> taken = new HashSet<>();
      String.join("", hosts).lines().filter(l -> !l.startsWith("#"))
          .forEach(l -> taken.addAll(List.of(l.split("\\s+")).subList(1, l.split("\\s+").length)));
      List<String> names = pod.members().stream().map(Endpoint.Member::name).filter(n -> !taken.contains(n)).toList();
      if (!names.isEmpty()) {
        hosts.add("# the containers of this pod, on its loopback\n");
        hosts.add("127.0.0.1\t" + String.join(" ", names) + "\n");
        hosts.add("::1\t" + String.join(" ", names) + "\n");
      }
    }

    /** The services' names, {@code name} or {@code namespace/name}, made once. */
    private Set<String> serviceNames;

    private Set<String> serviceNames() {
      if (serviceNames == null) {
        serviceNames = t.services().stream().map(Service::name).collect(java.util.stream.Collectors.toSet());
      }
      return serviceNames;
    }

    private static String scoped(String namespace, String local) {
      return namespace.isEmpty() ? local : namespace + "/" + local;
    }

    /** A member's name as another endpoint resolves it: {@code name}, or {@code name.namespace}. */
    private String dnsName(Endpoint member, Endpoint viewer, String local) {
      return member.namespace().isEmpty() || member.namespace().equals(viewer.namespace())
          ? local : local + "." + member.namespace();
    }
  }
}
