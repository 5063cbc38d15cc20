package dev.netc.runner;

import dev.netc.backends.plan.KernelNames;
import dev.netc.backends.plan.Planner;
import dev.netc.backends.plan.Underlay;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A sandbox: namespace {@code S}, the host's, and namespace {@code S-outside}, a client outside
 * the host ({@code @outside}), joined by a veth named {@code uplink} at both ends (a name no
 * topology object takes: bridges are {@code br-*}, veths {@code ve-*}, container ends {@code
 * ethN}). {@code S} has {@code 198.18.0.1/30} and {@code 2001:2::1/64} on it, {@code S-outside}
 * the model's outside addresses {@code 198.18.0.2/30} and {@code 2001:2::2/64}, and a default
 * route through {@code S}'s end in both families: IPv6 subnets leave a single host without NAT66
 * (a host of several masquerades them to its underlay address), so the outside must route
 * replies to them through the host, and the model's {@code @outside} reaches
 * a port published on any address of the host (a bridge's gateway too), as a client out on the
 * network would. The loopbacks and uplinks netc creates carry the alias
 * {@code netc-sandbox:S...}, so that {@code destroy} knows it may remove them.
 *
 * <p>A topology of several hosts plays each host in a namespace of its own, {@code S-host_HOST},
 * on an underlay: a bridge {@code underlay} in {@code S} (which routes between it and the uplink)
 * with one veth per host, {@code ul-HOST} in the bridge and {@code underlay} in the host's
 * namespace carrying its declared underlay address ({@link #underlayCreation}); the bridge has an
 * address of each family the hosts have, each host a default route of its own family.
 */
public final class Sandbox {
  public static final String UPLINK = "uplink";
  public static final String HOST_V4 = "198.18.0.1/30";
  public static final String OUTSIDE_V4 = "198.18.0.2/30";
  public static final String HOST_V6 = "2001:2::1/64";
  public static final String OUTSIDE_V6 = "2001:2::2/64";
  /** What every sandbox mark starts with; never a topology's ({@code netc:}). */
  public static final String MARK = "netc-sandbox:";

  /** What the files of host mode are named after in {@code /run/netc}: no sandbox is named so. */
  static final String HOST_FILES = "@host";

  private final String name;
  private final String prefix;

  public Sandbox(String name) {
    if (!KernelNames.sandbox(name).ok()) {
      throw new IllegalArgumentException("unchecked sandbox name `" + name + "`");
    }
    this.name = name;
    this.prefix = name + "-";
  }

  private Sandbox(String name, String prefix) {
    this.name = name;
    this.prefix = prefix;
  }

  /**
   * Host mode: the real host namespace ({@code ""}) plays {@code S}; the topology's endpoint
   * namespaces are {@code netc-TOPOLOGY-ENDPOINT}; there is no {@code S-outside} (the real
   * outside is outside) and nothing to create or delete for the "sandbox" itself.
   */
  public static Sandbox host(String topology) {
    return new Sandbox("", KernelNames.checkNetns("netc-" + topology) + "-");
  }

  public boolean isHost() {
    return name.isEmpty();
  }

  /** The host's namespace: {@code S}, or {@code ""} in host mode. */
  public String name() {
    return name;
  }

  /** {@code sandbox S} or {@code the host}, for messages. */
  public String label() {
    return isHost() ? "the host" : "sandbox " + name;
  }

  /** Whether a namespace of {@code ip netns list} belongs here: {@code S} and {@code S-*}, or {@code netc-TOPOLOGY-*}. */
  public boolean holds(String namespace) {
    return !isHost() && namespace.equals(name) || namespace.startsWith(prefix);
  }

  /** What the names of its endpoint namespaces start with: {@code S-} or {@code netc-TOPOLOGY-}. */
  String prefix() {
    return prefix;
  }

  /** The name the lock and table records in {@code /run/netc} start with. */
  String files() {
    return isHost() ? HOST_FILES : name;
  }

  /** {@code argv} run in the host's namespace: behind {@code ip netns exec S}, or as it is in host mode. */
  public List<String> in(List<String> argv) {
    return in(name, argv);
  }

  /** {@code argv} run in namespace {@code ns} ({@code ""}: the one netc runs in). */
  static List<String> in(String ns, List<String> argv) {
    List<String> out = new ArrayList<>();
    if (!ns.isEmpty()) {
      out.addAll(List.of("ip", "netns", "exec", KernelNames.checkNetns(ns)));
    }
    out.addAll(argv);
    return out;
  }

  public String outside() {
    if (isHost()) {
      throw new IllegalStateException("host mode has no outside namespace");
    }
    return KernelNames.checkNetns(name + "-" + Planner.SANDBOX_OUTSIDE);
  }

  /** The alias of {@code S}'s loopback when netc created {@code S}. */
  public String mark() {
    return MARK + name;
  }

  public String outsideMark() {
    return MARK + name + ":outside";
  }

  public String uplinkMark() {
    return MARK + name + ":uplink";
  }

  /** Whether the alias of {@code S}'s loopback says netc created it. */
  public boolean createdByNetc(String loAlias) {
    return !isHost() && mark().equals(loAlias);
  }

  /**
   * The {@code ip -batch} runs (namespace or "" for none, lines) that create the missing parts. A
   * new {@code S} gets its sysctls in the first run, before any link is made in it ({@code netns
   * exec S sysctl -qw}, a child of that {@code ip}): it routes ({@link #forwarding}) and its links
   * skip duplicate address detection ({@link #noDad}; in an {@code S} that was there, the uplink
   * alone, with its IPv6 on, before it comes up). The uplink is made when {@code S-outside}
   * is new or {@code S} has none ({@code uplinkExists}: a link {@code uplink} in {@code S}, which
   * the caller has checked is netc's); an old host end is deleted only when there is one.
   */
  public List<Run> creation(boolean hostExists, boolean outsideExists, boolean uplinkExists) {
    List<Run> runs = new ArrayList<>();
    List<String> add = new ArrayList<>();
    if (!hostExists) {
      add.add("netns add " + name);
      List<String> sysctls = new ArrayList<>(noDad());
      sysctls.addAll(forwarding());
      add.add(sysctls(name, sysctls));
    }
    if (!outsideExists) {
      add.add("netns add " + outside());
    }
    if (!add.isEmpty()) {
      runs.add(new Run("", add));
    }
    List<String> host = new ArrayList<>();
    if (!hostExists) {
      host.addAll(List.of("link set lo alias " + mark(), "link set lo up"));
    }
    boolean uplink = makesUplink(hostExists, outsideExists, uplinkExists);
    if (uplink) {
      // a new outside has no uplink: make it (a leftover host end in an old S is replaced)
      if (hostExists && uplinkExists) {
        host.add("link del " + UPLINK);
      }
      host.add("link add " + UPLINK + " type veth peer name " + UPLINK + " netns " + outside());
      if (hostExists) {
        // an S made by someone else may have IPv6 off for new links (its default disable_ipv6 1:
        // the uplink's IPv6 address would be refused), and may detect duplicates (the uplink's
        // link-local address, made when its peer comes up below, would stay tentative a second
        // or two)
        host.add(sysctls(name, List.of("net.ipv6.conf." + UPLINK + ".disable_ipv6=0", "net.ipv6.conf." + UPLINK + ".accept_dad=0")));
      }
      host.add("link set " + UPLINK + " alias " + uplinkMark());
      host.add("address add " + HOST_V4 + " dev " + UPLINK);
      host.add("address add " + HOST_V6 + " dev " + UPLINK + " nodad");
      host.add("link set " + UPLINK + " up");
    }
    if (!host.isEmpty()) {
      runs.add(new Run(name, host));
    }
    if (uplink) {
      runs.add(new Run(outside(), List.of(
          "link set lo alias " + outsideMark(),
          "link set lo up",
          "link set " + UPLINK + " alias " + uplinkMark(),
          "address add " + OUTSIDE_V4 + " dev " + UPLINK,
          "address add " + OUTSIDE_V6 + " dev " + UPLINK + " nodad",
          "link set " + UPLINK + " up",
          "route add default via " + HOST_V4.substring(0, HOST_V4.indexOf('/')) + " dev " + UPLINK,
          "route add ::/0 via " + HOST_V6.substring(0, HOST_V6.indexOf('/')) + " dev " + UPLINK)));
    }
    return runs;
  }

  /**
   * Whether {@link #creation} makes the uplink: {@code S-outside} is new (its end of the pair is
   * made with it), {@code S} is new, or {@code S} exists without one (deleted by hand: both ends
   * went).
   */
  public boolean makesUplink(boolean hostExists, boolean outsideExists, boolean uplinkExists) {
    // (a new S next to an S-outside left over: the pair died with the old S)
    return !isHost() && (!outsideExists || !hostExists || !uplinkExists);
  }

  /** The alias of the loopback of host namespace {@code S-host_HOST} (a topology of several hosts). */
  public String hostMark(String host) {
    return MARK + name + ":host:" + host;
  }

  public String underlayMark() {
    return MARK + name + ":" + Underlay.DEVICE;
  }

  /** Whether a link alias or loopback alias is one of this sandbox's own marks. */
  public boolean marks(String alias) {
    return alias != null && (alias.equals(mark()) || alias.startsWith(mark() + ":"));
  }

  /** The host namespace a loopback alias marks, if it is a host namespace's of this sandbox. */
  public Optional<String> hostOf(String loAlias) {
    String prefix = MARK + name + ":host:";
    return loAlias != null && loAlias.startsWith(prefix) ? Optional.of(loAlias.substring(prefix.length())) : Optional.empty();
  }

  /** The host a host namespace of the sandbox plays: {@code H} of {@code S-host_H}. */
  public String hostOfNamespace(String ns) {
    String prefix = name + "-host_";
    if (isHost() || !ns.startsWith(prefix)) {
      throw new IllegalArgumentException("not a host namespace of " + label() + ": " + ns);
    }
    return ns.substring(prefix.length());
  }

  /**
   * The runs that make host namespaces of the sandbox again as they were, each with its mark,
   * and with its underlay port in {@code S} when it had one ({@link #underlayCreation}, on the
   * bridge {@code underlay} that is there); of those {@code there} (still there, without their
   * port), only the port and the host's device {@code underlay}: a rollback gives back a host
   * namespace its apply removed.
   */
  public List<Run> hostsAgain(List<Underlay> underlays, List<String> bare, Set<String> there) {
    List<Run> runs = new ArrayList<>(underlays.isEmpty() ? List.of() : underlayCreation(underlays, true, underlays, there));
    List<String> add = new ArrayList<>();
    for (String ns : bare) {
      add.add("netns add " + KernelNames.checkNetns(ns));
      add.add(sysctls(ns, noDad()));
    }
    if (!add.isEmpty()) {
      runs.add(new Run("", add));
    }
    for (String ns : bare) {
      runs.add(new Run(ns, List.of("link set lo alias " + hostMark(hostOfNamespace(ns)), "link set lo up")));
    }
    return runs;
  }

  /** The underlay port in {@code S} of a host: {@code ul-HOST} (hashed when too long). */
  public String underlayPort(String host) {
    return KernelNames.ifname("ul-", host, "underlay:" + name + ":" + host, 0);
  }

  /**
   * The runs that put hosts on the sandbox's underlay ({@link Underlay}): their namespaces, the
   * bridge {@code underlay} in {@code S} with the router's address (when {@code bridgeExists} is
   * false, also a route in {@code S-outside} back to the underlay subnet), a veth per host with
   * the host's address at its end {@code underlay}, and the host's default route through
   * {@code S}. Runs after {@link #creation}.
   */
  public List<Run> underlayCreation(List<Underlay> missing, boolean bridgeExists, List<Underlay> all) {
    return underlayCreation(missing, bridgeExists, all, Set.of());
  }

  /** {@link #underlayCreation}, the namespaces {@code there} already made (and marked): their ports and devices only. */
  public List<Run> underlayCreation(List<Underlay> missing, boolean bridgeExists, List<Underlay> all, Set<String> there) {
    List<Run> runs = new ArrayList<>();
    if (missing.isEmpty() && (bridgeExists || all.isEmpty())) {
      return runs;
    }
    List<String> add = new ArrayList<>();
    for (Underlay u : missing) {
      if (!there.contains(u.namespace())) {
        add.add("netns add " + KernelNames.checkNetns(u.namespace()));
        add.add(sysctls(u.namespace(), noDad()));
      }
    }
    if (!add.isEmpty()) {
      runs.add(new Run("", add));
    }
    List<String> inS = new ArrayList<>();
    if (!bridgeExists) {
      inS.add("link add " + Underlay.DEVICE + " type bridge");
      inS.add("link set " + Underlay.DEVICE + " alias " + underlayMark());
      for (Underlay first : firstOfEachFamily(all)) {
        inS.add("address add " + first.router() + "/" + first.prefix() + " dev " + Underlay.DEVICE
            + (first.router().isV4() ? "" : " nodad"));
      }
      inS.add("link set " + Underlay.DEVICE + " up");
      // the ports of the hosts that are there (the bridge deleted by hand released them)
      for (Underlay u : all) {
        if (!missing.contains(u)) {
          inS.add("link set " + underlayPort(u.host()) + " master " + Underlay.DEVICE);
        }
      }
    }
    for (Underlay u : missing) {
      String port = underlayPort(u.host());
      inS.add("link add " + port + " type veth peer name " + Underlay.DEVICE + " netns " + u.namespace());
      inS.add("link set " + port + " alias " + underlayMark() + ":" + u.host());
      inS.add("link set " + port + " master " + Underlay.DEVICE);
      inS.add("link set " + port + " up");
    }
    runs.add(new Run(name, inS));
    if (!bridgeExists) {
      List<String> back = new ArrayList<>();
      for (Underlay first : firstOfEachFamily(all)) {
        String subnet = dev.netc.compiler.ir.Cidr.mask(first.address(), first.prefix()) + "/" + first.prefix();
        // (replace: a route left from a bridge deleted by hand)
        back.add("route replace " + subnet + " via " + (first.router().isV4() ? HOST_V4 : HOST_V6).replaceAll("/.*", ""));
      }
      runs.add(new Run(outside(), back));
    }
    for (Underlay u : missing) {
      List<String> lo = there.contains(u.namespace()) ? List.of() : List.of("link set lo alias " + hostMark(u.host()), "link set lo up");
      runs.add(new Run(u.namespace(), concat(lo, List.of(
          "link set " + Underlay.DEVICE + " alias " + underlayMark() + ":" + u.host(),
          "address add " + u.cidr() + " dev " + Underlay.DEVICE + (u.address().isV4() ? "" : " nodad"),
          "link set " + Underlay.DEVICE + " up",
          "route add " + (u.router().isV4() ? "default" : "::/0") + " via " + u.router()))));
    }
    return runs;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /**
   * The addresses and routes the sandbox's own devices have, by {@code NAMESPACE DEVICE}: each
   * address as {@code ADDRESS/LEN}, each route through the device as {@link #route}. The uplink
   * in {@code S} ({@link #HOST_V4}, {@link #HOST_V6}) and in {@code S-outside} ({@link
   * #OUTSIDE_V4}, {@link #OUTSIDE_V6}, the default routes through {@code S}, and with hosts on
   * an underlay the route back to its subnet when {@code outsideRoutesUnderlay}); with {@code
   * underlays}, the bridge {@code underlay} in {@code S} (the router's address) and the device
   * {@code underlay} of each host namespace (the host's address, its default route through {@code
   * S}). {@code liveUnderlay}: the addresses of the bridge {@code underlay} of {@code S} when it is
   * there (a topology without underlays keeps the route back to another's). What {@link
   * #creation} and {@link #underlayCreation} make; host mode has none.
   */
  public Map<String, Set<String>> plumbing(List<Underlay> underlays, Optional<Set<String>> liveUnderlay) {
    return plumbing(underlays, liveUnderlay, Optional.empty());
  }

  /**
   * {@link #plumbing(List, Optional)}, knowing the families of the underlay addresses of the
   * other hosts that stay on the bridge ({@code others}: the host namespaces of other topologies,
   * read): the router of a family neither {@code underlays} nor they have (its last host gone)
   * is not kept, nor the route of {@code S-outside} back to its subnet; without underlays, the
   * bridge's addresses are those routers. Empty: every router of a family {@code underlays}
   * lack is kept.
   */
  public Map<String, Set<String>> plumbing(List<Underlay> underlays, Optional<Set<String>> liveUnderlay,
      Optional<Set<dev.netc.compiler.ir.IpAddress.Family>> others) {
    boolean outsideRoutesUnderlay = liveUnderlay.isPresent();
    Map<String, Set<String>> out = new TreeMap<>();
    if (isHost()) {
      return out;
    }
    String v4 = HOST_V4.replaceAll("/.*", "");
    String v6 = HOST_V6.replaceAll("/.*", "");
    out.put(name + " " + UPLINK, Set.of(cidr(HOST_V4), cidr(HOST_V6)));
    Set<String> outside = new TreeSet<>(Set.of(cidr(OUTSIDE_V4), cidr(OUTSIDE_V6),
        route("0.0.0.0/0", v4), route("::/0", ip(v6))));
    if (!underlays.isEmpty()) {
      Set<String> routers = new TreeSet<>();
      for (Underlay first : firstOfEachFamily(underlays)) {
        routers.add(first.router() + "/" + first.prefix());
        if (outsideRoutesUnderlay) {
          outside.add(route(dev.netc.compiler.ir.Cidr.mask(first.address(), first.prefix()) + "/" + first.prefix(),
              first.router().isV4() ? v4 : ip(v6)));
        }
      }
      // the router of a family these hosts lack is another topology's (its hosts share the
      // bridge): kept, with the route of S-outside back to its subnet, or each apply of one would
      // delete what the other makes
      java.util.Set<dev.netc.compiler.ir.IpAddress.Family> have = new java.util.HashSet<>();
      underlays.forEach(u -> have.add(u.address().family()));
      for (String a : liveUnderlay.orElse(Set.of())) {
        dev.netc.compiler.ir.Parsed<dev.netc.compiler.ir.IpAddress> ip = dev.netc.compiler.ir.IpAddress.parse(a.replaceAll("/.*", ""));
        if (!a.startsWith("route ") && a.contains("/") && ip.ok() && !have.contains(ip.get().family())
            && others.map(f -> f.contains(ip.get().family())).orElse(true)) {
          int len = Integer.parseInt(a.substring(a.indexOf('/') + 1));
          routers.add(a);
          outside.add(route(dev.netc.compiler.ir.Cidr.mask(ip.get(), len) + "/" + len, ip.get().isV4() ? v4 : ip(v6)));
        }
      }
      out.put(name + " " + Underlay.DEVICE, routers);
    }
    if (underlays.isEmpty() && liveUnderlay.isPresent()) {
      // another topology's hosts are on the underlay: S-outside keeps its route back to them (to
      // those of a family a host still has, when known; the other routers go)
      Set<String> routers = new TreeSet<>();
      for (String a : liveUnderlay.get()) {
        dev.netc.compiler.ir.Parsed<dev.netc.compiler.ir.IpAddress> ip = dev.netc.compiler.ir.IpAddress.parse(a.replaceAll("/.*", ""));
        if (a.startsWith("route ")) {
          routers.add(a); // (routes through the bridge are not the routers')
        } else if (a.contains("/") && ip.ok() && others.map(f -> f.contains(ip.get().family())).orElse(true)) {
          int len = Integer.parseInt(a.substring(a.indexOf('/') + 1));
          routers.add(a);
          outside.add(route(dev.netc.compiler.ir.Cidr.mask(ip.get(), len) + "/" + len, ip.get().isV4() ? v4 : ip(v6)));
        }
      }
      if (others.isPresent()) {
        out.put(name + " " + Underlay.DEVICE, routers);
      }
    }
    out.put(outside() + " " + UPLINK, outside);
    for (Underlay u : underlays) {
      out.put(u.namespace() + " " + Underlay.DEVICE, Set.of(u.cidr(),
          route(u.router().isV4() ? "0.0.0.0/0" : "::/0", u.router().toString())));
      out.put(u.namespace() + " " + LOOPBACK, Set.of());
      out.put(name + " " + underlayPort(u.host()), Set.of(ON_UNDERLAY));
    }
    // the loopbacks of the sandbox's namespaces, up (nothing else of them is the sandbox's to set)
    out.put(name + " " + LOOPBACK, Set.of());
    out.put(outside() + " " + LOOPBACK, Set.of());
    return out;
  }

  /**
   * The first host of each family of the underlay: the hosts of one family share its subnet and
   * router, and an underlay of IPv4 and IPv6 hosts has one of each on the bridge of {@code S}, so
   * that every host reaches the outside in its family.
   */
  private static List<Underlay> firstOfEachFamily(List<Underlay> all) {
    Map<dev.netc.compiler.ir.IpAddress.Family, Underlay> out = new java.util.LinkedHashMap<>();
    all.forEach(u -> out.putIfAbsent(u.address().family(), u));
    return List.copyOf(out.values());
  }

  /** A route of {@link #plumbing}: {@code route DST via GATEWAY}. */
  static String route(String dst, String gateway) {
    return "route " + dst + " via " + gateway;
  }

  private static String cidr(String text) {
    return ip(text.replaceAll("/.*", "")) + text.substring(text.indexOf('/'));
  }

  private static String ip(String text) {
    return dev.netc.compiler.ir.IpAddress.parse(text).get().toString();
  }

  /** Whether an item of {@link #plumbing} is an address (not a route, nor a marker). */
  private static boolean isAddress(String x) {
    return !x.startsWith("route ") && !x.equals(IPV6_OFF) && !x.equals(LINK_DOWN) && !x.equals(ON_UNDERLAY);
  }

  /**
   * How the live addresses and routes of a device of the sandbox ({@code live}) differ from
   * {@code wanted} ({@link #plumbing}): {@code address 192.168.56.12/24 -> 192.168.56.22/24}
   * (one address instead of another), else {@code address 198.18.0.1/30 missing}, {@code address
   * 10.9.0.1/24 unexpected}, {@code route 0.0.0.0/0 via 198.18.0.1 missing}; empty when they
   * are the same.
   */
  public static Optional<String> plumbingDifference(Set<String> wanted, Set<String> read) {
    Set<String> live = ipv6OffMatters(wanted, read) ? read : withoutIpv6Off(read);
    List<String> missing = wanted.stream().filter(x -> !live.contains(x)).sorted().toList();
    List<String> unexpected = live.stream().filter(x -> !wanted.contains(x)).sorted().toList();
    List<String> parts = new ArrayList<>();
    // IPv6 switched off by hand (the kernel dropped the IPv6 addresses and refuses them until
    // it is on again), or, for a rollback, off again
    if (unexpected.contains(LINK_DOWN)) {
      parts.add("state down -> up");
    } else if (missing.contains(LINK_DOWN)) {
      parts.add("state up -> down");
    }
    if (missing.contains(ON_UNDERLAY)) {
      parts.add("master none -> " + Underlay.DEVICE);
    } else if (unexpected.contains(ON_UNDERLAY)) {
      parts.add("master " + Underlay.DEVICE + " -> none");
    }
    if (unexpected.contains(IPV6_OFF)) {
      parts.add("disable_ipv6 1 -> 0");
    } else if (missing.contains(IPV6_OFF)) {
      parts.add("disable_ipv6 0 -> 1");
    }
    List<String> missingAddresses = missing.stream().filter(Sandbox::isAddress).toList();
    List<String> unexpectedAddresses = unexpected.stream().filter(Sandbox::isAddress).toList();
    if (missingAddresses.size() == 1 && unexpectedAddresses.size() == 1) {
      parts.add("address " + unexpectedAddresses.get(0) + " -> " + missingAddresses.get(0));
    } else {
      missingAddresses.forEach(x -> parts.add("address " + x + " missing"));
      unexpectedAddresses.forEach(x -> parts.add("address " + x + " unexpected"));
    }
    missing.stream().filter(x -> x.startsWith("route ")).forEach(x -> parts.add(x + " missing"));
    unexpected.stream().filter(x -> x.startsWith("route ")).forEach(x -> parts.add(x + " unexpected"));
    return parts.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", parts));
  }

  /**
   * The runs that give each device of {@code live} ({@code NAMESPACE DEVICE} to its addresses
   * and routes, {@link #plumbing}) what {@code wanted} has for it, in place: the unexpected
   * routes deleted, then the unexpected addresses (in a forced run of their own: a primary
   * address deleted takes the secondaries of its subnet with it), the missing addresses added
   * (every wanted one once an address went), and the routes through it
   * made with {@code route replace}, those without a gateway (made by hand, given back by a
   * rollback) after them with {@code route append}: every one of them once an address changed
   * (the kernel drops a device's routes with its last address of their subnet), else the missing ones. A device
   * not in both is left alone (made whole with its namespace or link, or not the sandbox's).
   */
  public static List<Run> plumbingRuns(Map<String, Set<String>> wanted, Map<String, Set<String>> live) {
    Map<String, List<String>> deletions = new java.util.LinkedHashMap<>();
    Map<String, List<String>> byNs = new java.util.LinkedHashMap<>();
    List<String> ipv6On = new ArrayList<>();
    List<String> ipv6Off = new ArrayList<>();
    for (Map.Entry<String, Set<String>> read : live.entrySet()) {
      Set<String> want = wanted.get(read.getKey());
      Map.Entry<String, Set<String>> e = want == null || ipv6OffMatters(want, read.getValue()) ? read
          : Map.entry(read.getKey(), withoutIpv6Off(read.getValue()));
      if (want == null || want.equals(e.getValue())) {
        continue;
      }
      String ns = e.getKey().substring(0, e.getKey().indexOf(' '));
      String dev = e.getKey().substring(e.getKey().indexOf(' ') + 1);
      // IPv6 on before the addresses (the kernel refuses an IPv6 one while it is off); off
      // again (a rollback) after everything else
      if (e.getValue().contains(IPV6_OFF) && !want.contains(IPV6_OFF)) {
        ipv6On.add(sysctls(ns, List.of("net.ipv6.conf." + KernelNames.checkIfname(dev) + ".disable_ipv6=0")));
      } else if (want.contains(IPV6_OFF) && !e.getValue().contains(IPV6_OFF)) {
        ipv6Off.add(sysctls(ns, List.of("net.ipv6.conf." + KernelNames.checkIfname(dev) + ".disable_ipv6=1")));
      }
      List<String> gone = deletions.computeIfAbsent(ns, k -> new ArrayList<>());
      List<String> lines = byNs.computeIfAbsent(ns, k -> new ArrayList<>());
      // a device that is down is set up first (its routes went with it, and are set again below)
      if (e.getValue().contains(LINK_DOWN) && !want.contains(LINK_DOWN)) {
        lines.add("link set " + KernelNames.checkIfname(dev) + " up");
      }
      if (want.contains(ON_UNDERLAY) && !e.getValue().contains(ON_UNDERLAY)) {
        lines.add("link set " + KernelNames.checkIfname(dev) + " master " + Underlay.DEVICE);
      } else if (e.getValue().contains(ON_UNDERLAY) && !want.contains(ON_UNDERLAY)) {
        lines.add("link set " + KernelNames.checkIfname(dev) + " nomaster"); // (a rollback)
      }
      boolean addressGoes = false;
      for (String x : new TreeSet<>(e.getValue())) {
        if (x.equals(IPV6_OFF) || x.equals(LINK_DOWN) || x.equals(ON_UNDERLAY)) {
          continue;
        }
        if (!want.contains(x)) {
          if (x.startsWith("route ")) {
            gone.add(plumbingRouteDeletion(x, dev));
          } else {
            gone.add("address del " + x + " dev " + dev);
            addressGoes = true;
          }
        }
      }
      // (a deleted primary address takes the secondaries of its subnet with it, without
      // promote_secondaries: once an address went, every wanted one is set again)
      List<String> addresses = new ArrayList<>();
      for (String x : new TreeSet<>(want)) {
        if (isAddress(x) && (addressGoes || !e.getValue().contains(x))) {
          addresses.add("address replace " + x + " dev " + dev + (x.contains(":") ? " nodad" : ""));
        }
      }
      lines.addAll(addresses);
      // those through a gateway first, then those without (made by hand, given back by a
      // rollback) with `route append`: `route replace` replaces the first route of the
      // destination, netc's through a gateway, and one made after them would be replaced
      for (boolean gateway : List.of(true, false)) {
        for (String x : new TreeSet<>(want)) {
          if (x.startsWith("route ") && x.contains(" via ") == gateway && (!addresses.isEmpty() || !e.getValue().contains(x))) {
            lines.add("route " + (gateway ? "replace " : "append ") + numbered(x.substring("route ".length())) + " dev " + dev);
          }
        }
      }
      // (a rollback: down again, as it was)
      if (want.contains(LINK_DOWN) && !e.getValue().contains(LINK_DOWN)) {
        lines.add("link set " + KernelNames.checkIfname(dev) + " down");
      }
    }
    // the deletions first, forced: one taken with another (a secondary address with its
    // primary, a route with its device's address) is no error
    List<Run> runs = new ArrayList<>();
    if (!ipv6On.isEmpty()) {
      runs.add(new Run("", ipv6On));
    }
    deletions.forEach((ns, lines) -> {
      if (!lines.isEmpty()) {
        runs.add(new Run(ns, lines, true));
      }
    });
    byNs.forEach((ns, lines) -> {
      if (!lines.isEmpty()) {
        runs.add(new Run(ns, lines));
      }
    });
    if (!ipv6Off.isEmpty()) {
      runs.add(new Run("", ipv6Off));
    }
    return runs;
  }

  /**
   * The item of {@link #plumbing} read for a device of the sandbox whose IPv6 is switched off
   * ({@code disable_ipv6} 1): the kernel dropped its IPv6 addresses, and refuses them until it is
   * on again. Never wanted; it matters only on a device that should have an IPv6 address, or
   * where it is wanted (a rollback, which switches it off again).
   */
  public static final String IPV6_OFF = "disable_ipv6 1";

  /**
   * The item of {@link #plumbing} read for a device of the sandbox that is down (set down by
   * hand, or a namespace made with {@code ip netns add}, whose loopback starts down): never
   * wanted; apply sets the device up (a rollback down again).
   */
  public static final String LINK_DOWN = "state down";

  /** The loopback of a namespace. */
  public static final String LOOPBACK = "lo";

  /**
   * The item of {@link #plumbing} read for a host's underlay port in {@code S} that is a port of
   * the bridge {@code underlay}: wanted for every host of the topology (a port released by hand,
   * or by the bridge deleted and made again, is put back on it).
   */
  public static final String ON_UNDERLAY = "master " + Underlay.DEVICE;

  /** Whether {@link #IPV6_OFF} in {@code live} is a difference from {@code wanted}. */
  private static boolean ipv6OffMatters(Set<String> wanted, Set<String> live) {
    return !live.contains(IPV6_OFF) || wanted.contains(IPV6_OFF)
        || wanted.stream().anyMatch(x -> !x.startsWith("route ") && x.contains(":"));
  }

  private static Set<String> withoutIpv6Off(Set<String> items) {
    Set<String> out = new TreeSet<>(items);
    out.remove(IPV6_OFF);
    return out;
  }

  /**
   * The {@code ip} line that deletes route {@code item} of {@link #plumbing} through device {@code
   * dev}. One without a gateway (made by hand) is named by its protocol ({@code boot}, what {@code
   * ip route add} gives, unless the item says another) and, in IPv4, by its scope ({@code link}),
   * in IPv6 by the gateway {@code ::} (IPv6 routes have no scope; the kernel takes a gateway in the
   * line as one the route must have, {@code ::} for none): the kernel deletes the first route that
   * matches what the line names, and without those words that could be the kernel's own route of
   * the subnet (`proto kernel`) or netc's route of that destination through a gateway ({@code
   * scope global}; in IPv6 any route of that destination, metric and protocol on the device),
   * before the one made by hand.
   */
  static String plumbingRouteDeletion(String item, String dev) {
    String route = item.substring("route ".length());
    if (route.contains(" via ")) {
      return "route del " + route + " dev " + dev;
    }
    boolean v4 = !route.substring(0, route.indexOf('/') < 0 ? route.length() : route.indexOf('/')).contains(":");
    route = route.contains(" proto ") ? numbered(route) : route + " proto " + Runner.protocolNumber("boot");
    return "route del " + route + " dev " + dev + (v4 ? " scope link" : " via ::");
  }

  /** The words of a route of {@link #plumbing} with its protocol, if it names one, as a number ({@link Runner#protocolNumber}). */
  private static String numbered(String route) {
    java.util.regex.Matcher proto = java.util.regex.Pattern.compile(" proto (\\S+)").matcher(route);
    return proto.find() ? route.substring(0, proto.start()) + " proto " + Runner.protocolNumber(proto.group(1))
        + route.substring(proto.end()) : route;
  }

  /** The sysctls that make {@code S} a router: forwarding on, in both families. */
  public static List<String> forwarding() {
    return List.of("net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
  }

  /**
   * The sysctls of a namespace netc makes ({@code S}, {@code S-host_H}) so that the links made in
   * it afterwards skip IPv6 duplicate address detection: a link copies {@code default} when it is
   * made, and the kernel skips DAD when both {@code all} and the link's value are 0 ({@code all} is
   * 0 in a new namespace, set anyway). Without it, a new bridge's link-local address stays
   * tentative for a second or two, and a router sends no neighbour solicitation for the IPv6
   * packets it forwards until then. Never set in host mode: the host's default is not netc's.
   */
  public static List<String> noDad() {
    return List.of("net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
  }

  /**
   * The links of host {@code h}'s namespace that netc gives an IPv6 address (the bridges of
   * networks with an IPv6 subnet: their gateway).
   */
  public static List<String> ipv6Links(dev.netc.backends.plan.HostState h) {
    String ns = h.hostNamespace().name();
    return h.addresses().stream().filter(a -> a.namespace().equals(ns) && !a.address().isV4())
        .map(dev.netc.backends.plan.Address::device).distinct().toList();
  }

  /**
   * The links of host {@code h}'s namespace that route IPv6 for its topology, whose link-local
   * addresses must be usable (not tentative) for IPv6 to cross the host: {@link #ipv6Links}, the
   * uplink and the host's device on the underlay. Not a bridge of an IPv4-only network, nor a
   * link of someone else's.
   */
  public static Set<String> ipv6RoutingLinks(dev.netc.backends.plan.HostState h) {
    Set<String> out = new TreeSet<>(ipv6Links(h));
    out.addAll(ROUTER_LINKS);
    return out;
  }

  /** The links of {@code S} that route between the hosts of several and out: the uplink and the underlay bridge. */
  public static final Set<String> ROUTER_LINKS = Set.of(UPLINK, Underlay.DEVICE);

  /** An {@code ip -batch} line that sets {@code sysctls} in namespace {@code ns}. */
  private static String sysctls(String ns, List<String> sysctls) {
    return "netns exec " + KernelNames.checkNetns(ns) + " sysctl -qw " + String.join(" ", sysctls);
  }

  /**
   * One {@code ip [-6] [-force] [-n NS] -batch -} run; {@code inet6}: with {@code -6}, which
   * {@code ip rule} needs for IPv6 rules (a batch's line cannot name the family).
   */
  public record Run(String namespace, List<String> lines, boolean force, boolean inet6) {
    public Run {
      KernelNames.checkNetns(namespace);
      lines = List.copyOf(lines);
    }

    public Run(String namespace, List<String> lines) {
      this(namespace, lines, false);
    }

    public Run(String namespace, List<String> lines, boolean force) {
      this(namespace, lines, force, false);
    }

    public List<String> argv() {
      List<String> out = new ArrayList<>(List.of("ip"));
      if (inet6) {
        out.add("-6");
      }
      if (force) {
        out.add("-force");
      }
      if (!namespace.isEmpty()) {
        out.add("-n");
        out.add(namespace);
      }
      out.add("-batch");
      out.add("-");
      return out;
    }

    public String stdin() {
      return String.join("\n", lines) + "\n";
    }
  }
}
