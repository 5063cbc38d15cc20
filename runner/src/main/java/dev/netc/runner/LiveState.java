package dev.netc.runner;

import dev.netc.backends.plan.ObjectId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the kernel holds now in a sandbox, as far as one topology is concerned: the identities of
 * the objects that carry its ownership marks, and what else is there that it must not touch.
 *
 * @param sandboxExists whether namespace {@code S} exists
 * @param outsideExists whether namespace {@code S-outside} exists
 * @param sandboxMark the alias of {@code S}'s loopback (netc's sandbox mark when netc made it)
 * @param namespaces every namespace named {@code S} or {@code S-*}
 * @param owned the identities of the topology's objects, every kind
 * @param foreign identities that the topology wants but someone else holds (a namespace or a
 *     link of that name without the topology's mark, a file without it), with what marks them
 * @param sandboxLinks the links of {@code S}: name to alias ({@code ""} without one)
 * @param tables the nftables tables of {@code S}, as {@code FAMILY NAME}
 * @param sysctls the values of the sysctls asked for, by {@link #key host namespace and key}
 *     (missing keys are absent)
 * @param files the content of the topology's files under {@code /etc/netns}, by identity
 * @param hostNamespaces {@code S} and the host namespaces ({@code S-host_HOST}) that exist
 * @param aliases the alias of every owned link
 * @param links the attributes of the owned links, by identity
 * @param notes what could not be read and how the plan takes it (host mode without root: the
 *     nftables tables), one sentence each
 * @param unfinished namespaces an apply of the topology made and had not marked yet when it
 *     ended without finishing (killed): its journal ({@code /run/netc/S.TOPOLOGY.unfinished})
 *     names them and their loopback has no alias. Neither owned nor foreign; their links are in
 *     {@code links}, so that the host ends of their veths are known. The next apply and destroy
 *     delete them first.
 * @param routes what each owned route goes through, {@code via GATEWAY dev DEVICE}, by identity,
 *     in the order the kernel lists them (the first of several of one destination, TOS, table
 *     and metric is the one it uses)
 * @param nftGenerations the generation of the nftables ruleset of each host namespace, {@code ID
 *     COOKIE}, as read with its tables (as root; absent otherwise): while it is the one recorded
 *     after apply loaded the topology's table, nothing in that ruleset changed
 * @param plumbing the addresses and routes of the sandbox's own devices ({@link Sandbox#plumbing}),
 *     by {@code NAMESPACE DEVICE}, for each such device that exists: {@code uplink} in {@code S}
 *     and in {@code S-outside}, {@code underlay} in {@code S} and in each host namespace
 * @param enclosing the namespaces that exist and whose names {@code S}'s extends at a dash
 *     ({@code xq8} for sandbox {@code xq8-a}), with their loopback's alias: a sandbox there holds
 *     every namespace named after it and a dash, {@code S}'s among them
 * @param otherRoutes by host namespace, the routes of its main table through links the topology
 *     does not own (another topology's bridges, the host's own networks such as {@code docker0}
 *     or the LAN, the sandbox's uplink), as {@code CIDR dev DEVICE}, with the device's mark when
 *     it has one: a network the plan adds must not overlap them
 * @param routeProtocols the protocol of each owned route of an endpoint's namespace ({@code boot},
 *     {@code static}, a number, ...), by identity: its deletion names it, so that it never takes
 *     the kernel's own route of the same identity ({@code proto kernel}, a subnet's)
 * @param kernelRulesMissing by endpoint namespace whose rules were read (over netlink, or through
 *     {@code ip rule show} and {@code ip -6 rule show}; not at the end of apply's batches), the
 *     kernel's own policy routing rules it lacks ({@link LiveReader#KERNEL_RULES}, as a {@code
 *     rule} identity's words: {@code pref 32766 from all lookup main}, {@code -6 pref 0 from all
 *     lookup local}): deleted by hand, they leave the endpoint without its tables
 * @param attributes the words that make an owned route or rule of an endpoint's namespace again
 *     as it is, beyond its identity, what it goes through and a route's protocol, when it has
 *     any ({@link LiveReader}): {@code src 10.1.0.10 mtu lock 1400 pref high}, {@code protocol
 *     static}, by identity: a rollback makes a route or rule it deleted again with them
 * @param tunnels the VXLAN devices of the host namespaces that the topology does not own
 *     (another topology's overlays), by identity, with what they are made of ({@link
 *     LiveLink#params}: {@code id=4096 port=4789 local=192.168.56.11 dev=underlay}): the kernel
 *     takes a VNI and port once per namespace, so a tunnel the plan adds must not take theirs
 * @param otherTables by host namespace, the nftables tables of the other topologies there
 *     ({@code inet netc_OTHER}, from the tables read anyway): their published ports and node
 *     ports take connections the topology's own must not ({@link PortClash})
 */
public record LiveState(
    boolean sandboxExists,
    boolean outsideExists,
    String sandboxMark,
    Set<String> namespaces,
    Set<ObjectId> owned,
    Map<ObjectId, String> foreign,
    Map<String, String> sandboxLinks,
    Set<String> tables,
    Map<String, String> sysctls,
    Map<ObjectId, String> files,
    Set<String> hostNamespaces,
    Map<ObjectId, String> aliases,
    Map<ObjectId, LiveLink> links,
    List<String> notes,
    Set<String> unfinished,
    Map<ObjectId, String> routes,
    Map<String, String> nftGenerations,
    Map<String, Set<String>> plumbing,
    Map<String, String> enclosing,
    Map<String, List<String>> otherRoutes,
    Map<ObjectId, String> routeProtocols,
    Map<String, List<String>> kernelRulesMissing,
    Map<ObjectId, String> attributes,
    Map<ObjectId, String> tunnels,
    Map<String, Set<String>> otherTables) {

  public LiveState {
    namespaces = Set.copyOf(namespaces);
    owned = Set.copyOf(owned);
    foreign = Map.copyOf(foreign);
    sandboxLinks = Map.copyOf(sandboxLinks);
    tables = Set.copyOf(tables);
    sysctls = Map.copyOf(sysctls);
    files = Map.copyOf(files);
    hostNamespaces = Set.copyOf(hostNamespaces);
    aliases = Map.copyOf(aliases);
    links = Map.copyOf(links);
    notes = List.copyOf(notes);
    unfinished = Set.copyOf(unfinished);
    routes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(routes));
    nftGenerations = Map.copyOf(nftGenerations);
    Map<String, Set<String>> p = new java.util.TreeMap<>();
    plumbing.forEach((k, v) -> p.put(k, Set.copyOf(v)));
    plumbing = java.util.Collections.unmodifiableMap(p);
    enclosing = Map.copyOf(enclosing);
    Map<String, List<String>> o = new java.util.TreeMap<>();
    otherRoutes.forEach((k, v) -> o.put(k, List.copyOf(v)));
    otherRoutes = java.util.Collections.unmodifiableMap(o);
    routeProtocols = Map.copyOf(routeProtocols);
    Map<String, List<String>> k = new java.util.TreeMap<>();
    kernelRulesMissing.forEach((n, v) -> k.put(n, List.copyOf(v)));
    kernelRulesMissing = java.util.Collections.unmodifiableMap(k);
    attributes = Map.copyOf(attributes);
    tunnels = Map.copyOf(tunnels);
    Map<String, Set<String>> ot = new java.util.TreeMap<>();
    otherTables.forEach((n, v) -> ot.put(n, Set.copyOf(v)));
    otherTables = java.util.Collections.unmodifiableMap(ot);
  }

  /** A builder of a state, every part empty (or false) until set: for the reader and tests. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder with every part of this state. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.sandboxExists = sandboxExists;
    b.outsideExists = outsideExists;
    b.sandboxMark = sandboxMark;
    b.namespaces = namespaces;
    b.owned = owned;
    b.foreign = foreign;
    b.sandboxLinks = sandboxLinks;
    b.tables = tables;
    b.sysctls = sysctls;
    b.files = files;
    b.hostNamespaces = hostNamespaces;
    b.aliases = aliases;
    b.links = links;
    b.notes = notes;
    b.unfinished = unfinished;
    b.routes = routes;
    b.nftGenerations = nftGenerations;
    b.plumbing = plumbing;
    b.enclosing = enclosing;
    b.otherRoutes = otherRoutes;
    b.routeProtocols = routeProtocols;
    b.kernelRulesMissing = kernelRulesMissing;
    b.attributes = attributes;
    b.tunnels = tunnels;
    b.otherTables = otherTables;
    return b;
  }

  /** Builds a {@link LiveState} part by part; {@link #build} copies what it was given. */
  public static final class Builder {
    private boolean sandboxExists = false;
    private boolean outsideExists = false;
    private String sandboxMark = "";
    private Set<String> namespaces = Set.of();
    private Set<ObjectId> owned = Set.of();
    private Map<ObjectId, String> foreign = Map.of();
    private Map<String, String> sandboxLinks = Map.of();
    private Set<String> tables = Set.of();
    private Map<String, String> sysctls = Map.of();
    private Map<ObjectId, String> files = Map.of();
    private Set<String> hostNamespaces = Set.of();
    private Map<ObjectId, String> aliases = Map.of();
    private Map<ObjectId, LiveLink> links = Map.of();
    private List<String> notes = List.of();
    private Set<String> unfinished = Set.of();
    private Map<ObjectId, String> routes = Map.of();
    private Map<String, String> nftGenerations = Map.of();
    private Map<String, Set<String>> plumbing = Map.of();
    private Map<String, String> enclosing = Map.of();
    private Map<String, List<String>> otherRoutes = Map.of();
    private Map<ObjectId, String> routeProtocols = Map.of();
    private Map<String, List<String>> kernelRulesMissing = Map.of();
    private Map<ObjectId, String> attributes = Map.of();
    private Map<ObjectId, String> tunnels = Map.of();
    private Map<String, Set<String>> otherTables = Map.of();

    private Builder() {}

    public Builder sandboxExists(boolean sandboxExists) {
      this.sandboxExists = sandboxExists;
      return this;
    }

    public Builder outsideExists(boolean outsideExists) {
      this.outsideExists = outsideExists;
      return this;
    }

    public Builder sandboxMark(String sandboxMark) {
      this.sandboxMark = sandboxMark;
      return this;
    }

    public Builder namespaces(Set<String> namespaces) {
      this.namespaces = namespaces;
      return this;
    }

    public Builder owned(Set<ObjectId> owned) {
      this.owned = owned;
      return this;
    }

    public Builder foreign(Map<ObjectId, String> foreign) {
      this.foreign = foreign;
      return this;
    }

    public Builder sandboxLinks(Map<String, String> sandboxLinks) {
      this.sandboxLinks = sandboxLinks;
      return this;
    }

    public Builder tables(Set<String> tables) {
      this.tables = tables;
      return this;
    }

    public Builder sysctls(Map<String, String> sysctls) {
      this.sysctls = sysctls;
      return this;
    }

    public Builder files(Map<ObjectId, String> files) {
      this.files = files;
      return this;
    }

    public Builder hostNamespaces(Set<String> hostNamespaces) {
      this.hostNamespaces = hostNamespaces;
      return this;
    }

    public Builder aliases(Map<ObjectId, String> aliases) {
      this.aliases = aliases;
      return this;
    }

    public Builder links(Map<ObjectId, LiveLink> links) {
      this.links = links;
      return this;
    }

    public Builder notes(List<String> notes) {
      this.notes = notes;
      return this;
    }

    public Builder unfinished(Set<String> unfinished) {
      this.unfinished = unfinished;
      return this;
    }

    public Builder routes(Map<ObjectId, String> routes) {
      this.routes = routes;
      return this;
    }

    public Builder nftGenerations(Map<String, String> nftGenerations) {
      this.nftGenerations = nftGenerations;
      return this;
    }

    public Builder plumbing(Map<String, Set<String>> plumbing) {
      this.plumbing = plumbing;
      return this;
    }

    public Builder enclosing(Map<String, String> enclosing) {
      this.enclosing = enclosing;
      return this;
    }

    public Builder otherRoutes(Map<String, List<String>> otherRoutes) {
      this.otherRoutes = otherRoutes;
      return this;
    }

    public Builder routeProtocols(Map<ObjectId, String> routeProtocols) {
      this.routeProtocols = routeProtocols;
      return this;
    }

    public Builder kernelRulesMissing(Map<String, List<String>> kernelRulesMissing) {
      this.kernelRulesMissing = kernelRulesMissing;
      return this;
    }

    public Builder attributes(Map<ObjectId, String> attributes) {
      this.attributes = attributes;
      return this;
    }

    public Builder tunnels(Map<ObjectId, String> tunnels) {
      this.tunnels = tunnels;
      return this;
    }

    public Builder otherTables(Map<String, Set<String>> otherTables) {
      this.otherTables = otherTables;
      return this;
    }

    public LiveState build() {
      return new LiveState(sandboxExists, outsideExists, sandboxMark, namespaces, owned, foreign, sandboxLinks, tables,
          sysctls, files, hostNamespaces, aliases, links, notes, unfinished, routes, nftGenerations, plumbing, enclosing,
          otherRoutes, routeProtocols, kernelRulesMissing, attributes, tunnels, otherTables);
    }
  }

  /** The words beyond its identity that make an owned route or rule again as it is ({@link #attributes}); empty when none. */
  public Optional<String> attributes(ObjectId id) {
    return Optional.ofNullable(attributes.get(id));
  }

  /** The generation of host namespace {@code namespace}'s nftables ruleset, when it was read. */
  public Optional<String> nftGeneration(String namespace) {
    return Optional.ofNullable(nftGenerations.get(namespace));
  }

  /** How {@link #sysctls} keys a sysctl of a host namespace. */
  static String key(String namespace, String sysctl) {
    return namespace + "|" + sysctl;
  }

  public boolean has(ObjectId id) {
    return owned.contains(id);
  }

  /** A sysctl's value in host namespace {@code namespace}. */
  public Optional<String> sysctl(String namespace, String key) {
    return Optional.ofNullable(sysctls.get(key(namespace, key)));
  }

  /** The attributes of an owned link. */
  public Optional<LiveLink> link(ObjectId id) {
    return Optional.ofNullable(links.get(id));
  }

  /**
   * What an owned route goes through, {@code via GATEWAY dev DEVICE}; empty when not known.
   */
  public Optional<String> route(ObjectId id) {
    return Optional.ofNullable(routes.get(id));
  }

  /** The protocol of an owned route of an endpoint's namespace ({@code boot}, {@code static}, ...); empty when not known. */
  public Optional<String> routeProtocol(ObjectId id) {
    return Optional.ofNullable(routeProtocols.get(id));
  }

  /** The owned identities of one kind. */
  public List<ObjectId> owned(ObjectId.Kind kind) {
    return owned.stream().filter(i -> i.kind() == kind).sorted().toList();
  }
}
