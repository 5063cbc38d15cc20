package dev.netc.runner;

import dev.netc.backends.iproute2.IpBatch;
import dev.netc.backends.iproute2.IpPlan;
import dev.netc.backends.nftables.PortFilter;
import dev.netc.backends.plan.Address;
import dev.netc.backends.plan.DesiredState;
import dev.netc.backends.plan.FdbEntry;
import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.IpsecKeys;
import dev.netc.backends.plan.KernelNames;
import dev.netc.backends.plan.KernelObject;
import dev.netc.backends.plan.Link;
import dev.netc.backends.plan.Netns;
import dev.netc.backends.plan.NetnsFile;
import dev.netc.backends.plan.ObjectId;
import dev.netc.backends.plan.Ownership;
import dev.netc.backends.plan.Route;
import dev.netc.backends.plan.Sysctl;
import dev.netc.backends.plan.Underlay;
import dev.netc.backends.plan.XfrmPolicy;
import dev.netc.backends.plan.XfrmState;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Network;
import com.fasterxml.jackson.databind.JsonNode;
import dev.netc.runner.netlink.IpLines;
import dev.netc.runner.netlink.NativeFiles;
import dev.netc.runner.netlink.NetlinkNamespaces;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Plans, applies and destroys one host's part of a topology in a sandbox, or on the host itself
 * ({@link Sandbox#host}).
 *
 * <p>The diff is by identity ({@code kind:namespace:name}): what is desired and not live (with
 * the topology's mark) is created, what is live and owned but no longer desired is deleted, a
 * sysctl with another value, a file with other content and a table whose last applied content
 * differs are updated. An object the topology wants that someone else holds stops the apply
 * before any change. Apply runs the backends' {@code ip -batch} lines of the missing objects,
 * one process per namespace, one {@code sysctl} process, one {@code nft -f} transaction, writes
 * the files, then reads the state back; on any failure it undoes what it created.
 */
public final class Runner {
  /** Where named network namespaces are ({@code ip netns}). */
  static final Path RUN_NETNS = Path.of("/run/netns");

  /** Where {@code ip netns exec} finds the per-namespace files. */
  public static final Path ETC_NETNS = Path.of("/etc/netns");
  /** Lock files and records of applied tables. */
  public static final Path STATE_DIR = Path.of("/run/netc");
  /** The lock file of new sandboxes in {@link #STATE_DIR} ({@link #lockNewSandboxes}): no sandbox is named so. */
  static final String NEW_SANDBOXES = "@sandboxes.lock";
  /** The note of a table update that replaces the whole table. */
  static final String WHOLE_TABLE = "content, replaced atomically";

  private final CommandExecutor exec;
  private final Path etcNetns;
  private final Path stateDir;
  private final Duration lockWait;
  private final LiveReader reader;
  private final TableRecords records;
  /** The host namespaces each topology plays in a sandbox ({@code S.TOPOLOGY.hosts}). */
  private final HostRecords hostRecords;
  private final TableDrift tableDrift;
  /** netc's own rtnetlink reads and requests in the namespaces, as root; {@code null}: through processes. */
  private final NetlinkNamespaces netlink;
  /** Set by {@link #stop}: an apply under way rolls back at its next step. */
  private volatile boolean stopping;
  /** Whether the apply under way is past its point of no return ({@link #done(String)}); guarded by {@link #stopLock}. */
  private boolean done;
  private final Object stopLock = new Object();

  /**
   * What the last {@link #diff} found of each host namespace's table when only set and map
   * elements changed: the text apply kept of the loaded table, the desired text it was compared
   * with (the very string the apply then loads), their delta, and the SHA-256 of the desired
   * text for the table's record, worked out on a thread of its own meanwhile. {@link #hostTable}
   * takes it instead of reading, comparing and hashing the two again: some 5 MB each for a
   * table of 100,000 elements, a few hundred ms of a cold JVM (whose C1 code hashes at about 100
   * MB/s).
   */
  private record Found(String applied, String wanted, TableDelta delta,
      java.util.concurrent.CompletableFuture<String> wantedSha256) {}

  private final Map<String, Found> found = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * What the last {@link #diff} found of each host namespace's table when the ruleset's generation
   * was not the recorded one (someone changed another table there) but the table's rules and
   * elements were still the recorded ones: that generation, read before them. An apply, under its
   * lock, records it ({@link #recordGeneration}), so that the next plans skip the read again.
   */
  private final Map<String, String> heldSince = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * What the last {@link #diff} found of the host namespaces the topology played (its record,
   * {@link HostRecords}) and plays no more: an apply, under its lock, writes the topology's record
   * from it.
   */
  private volatile DroppedHosts dropped = DroppedHosts.NONE;

  /**
   * The record of a topology's hosts as read ({@link HostRecords}; empty: none), and the host
   * namespaces ({@code S-host_H}) it names and the topology's hosts no longer take, that exist:
   * those that go with the apply (no other topology's record names them, and nothing else is in
   * them), and those that stay with why ({@code ""}: another topology plays it, and its record
   * keeps it).
   */
  record DroppedHosts(Optional<Set<String>> record, Set<String> going, Map<String, String> kept) {
    static final DroppedHosts NONE = new DroppedHosts(Optional.empty(), Set.of(), Map.of());

    DroppedHosts {
      record = record.map(Set::copyOf);
      going = Set.copyOf(going);
      kept = Map.copyOf(kept);
    }
  }

  public Runner(CommandExecutor exec, Path etcNetns, Path stateDir, Duration lockWait) {
    this.exec = exec;
    this.etcNetns = etcNetns;
    this.stateDir = stateDir;
    this.lockWait = lockWait;
    // netc's own reads of the real kernel go through netlink (no process per namespace) when
    // they can; an executor that answers from a function keeps every read a command
    this.netlink = exec.reachesKernel() && etcNetns.equals(ETC_NETNS) && NetlinkNamespaces.root()
        ? new NetlinkNamespaces(RUN_NETNS) : null;
    if (netlink != null) {
      // binds the C library and runs the netlink read once in this process's namespace while
      // the caller compiles the topology (about 0.2 s of a cold JVM, not spent under the lock)
      NetlinkNamespaces.warmUp();
    }
    this.reader = new LiveReader(exec, etcNetns, stateDir, netlink);
    this.records = new TableRecords(stateDir);
    this.hostRecords = new HostRecords(stateDir);
    this.tableDrift = new TableDrift(exec, reader);
  }

  /**
   * Asks an apply under way (in another thread; the command line's on SIGINT or SIGTERM) to stop:
   * it makes no further change, rolls back what it made and throws {@link Stopped}; one still
   * waiting for the lock gives up. The read-back after its last change is part of it: a stop then
   * rolls back too. Once the read-back found the kernel as desired the apply is done: it only
   * records what it made, and a stop asked for then is refused (false), the apply ending as
   * applied. Deletions of a destroy are not undone: a destroy goes on. For good: every later
   * apply of this runner stops before its first change (the command line makes one runner a run).
   *
   * @return whether the apply will stop (and roll back); false when it is done already
   */
  public boolean stop() {
    synchronized (stopLock) {
      if (done) {
        return false;
      }
      stopping = true;
      return true;
    }
  }

  /**
   * The apply's point of no return, once its read-back found the kernel as desired (or its plan is
   * empty): a stop asked for before it throws {@link Stopped} with message {@code stopped} (the
   * rollback follows), one asked for after it is refused.
   */
  private void done(String stopped) {
    synchronized (stopLock) {
      if (stopping) {
        throw new Stopped(stopped);
      }
      done = true;
    }
  }

  /** An apply that {@link #stop} stopped: rolled back (the message says how it went). */
  public static final class Stopped extends RunnerException {
    Stopped(String message) {
      super(message);
    }
  }

  /** Between two steps of an apply: a stop asked for ends it here (and the rollback follows). */
  private void checkpoint() {
    if (stopping) {
      throw new Stopped("interrupted");
    }
  }

  /** The real machine: processes, {@code /etc/netns}, {@code /run/netc}. */
  public static Runner system(Duration lockWait) {
    return new Runner(new ProcessExecutor(), ETC_NETNS, STATE_DIR, lockWait);
  }

  /** The real machine, reporting every command it runs, with its time, to {@code trace}. */
  public static Runner system(Duration lockWait, java.util.function.Consumer<String> trace) {
    return new Runner(new TracingExecutor(new ProcessExecutor(), trace), ETC_NETNS, STATE_DIR, lockWait);
  }

  /**
   * One host of a desired state planned for a sandbox (or the host: sandbox {@code ""}), and its nftables file (empty when the
   * host needs no table).
   */
  public record Target(DesiredState state, HostState host, Optional<String> nft) {
    public String topology() {
      return state.topology();
    }

    /** The sandbox the state was planned for, or host mode ({@link Sandbox#host}). */
    public Sandbox sandbox() {
      return state.sandbox().isEmpty() ? Sandbox.host(state.topology()) : new Sandbox(state.sandbox());
    }

    /** The keys of the host namespace's sysctls. */
    List<String> sysctlKeys() {
      List<String> keys = new ArrayList<>(host.hostSysctls().stream().map(Sysctl::key).toList());
      // and route_localnet of every bridge: one no published port needs any more is set back
      bridgesNotRoutingLocalnet().forEach(b -> keys.add(routeLocalnet(b)));
      // and disable_ipv6 of every link given an IPv6 address (a bridge's gateway): switched off
      // by hand, the kernel drops the addresses and refuses new ones (read from the link dump);
      // and the namespace's default, which a new link takes (apply switches a new bridge on)
      ipv6Links().forEach(d -> keys.add(disableIpv6(d)));
      if (!ipv6Links().isEmpty()) {
        keys.add(DEFAULT_DISABLE_IPV6);
      }
      return keys;
    }

    /**
     * The links of the host namespace that netc gives an IPv6 address (the bridges of networks
     * with an IPv6 subnet: their gateway); their IPv6 is on, as the kernel makes a new link.
     */
    List<String> ipv6Links() {
      return Sandbox.ipv6Links(host);
    }

    /** The host's bridges that route no published port from 127.0.0.0/8 ({@code route_localnet} not wanted). */
    List<String> bridgesNotRoutingLocalnet() {
      Set<String> wanted = host.hostSysctls().stream().map(Sysctl::key).collect(Collectors.toSet());
      return host.links().stream().filter(l -> l.type() == Link.Type.BRIDGE && l.namespace().equals(hostNs()))
          .map(Link::name).filter(b -> !wanted.contains(routeLocalnet(b))).toList();
    }

    /** The namespace the host plays in: {@code S}, or {@code S-host_HOST} for one of several hosts. */
    public String hostNs() {
      return host.hostNamespace().name();
    }
  }

  /** The tables of table object {@code id} ({@code inet NAME}): it, and its bridge companion ({@link PortFilter}). */
  private static List<ObjectId> tablesOf(ObjectId id) {
    String name = id.name().substring(id.name().indexOf(' ') + 1);
    return List.of(id, new ObjectId(ObjectId.Kind.TABLE, id.namespace(), PortFilter.FAMILY + " " + name));
  }

  /** The sysctl that lets bridge {@code b} route 127.0.0.0/8 (a port published on the host's loopback). */
  static String routeLocalnet(String b) {
    return "net.ipv4.conf." + b + ".route_localnet";
  }

  /**
   * The device of a per-device sysctl ({@code net.ipv4.conf.DEV.KEY}, {@code net.ipv6.conf.DEV.KEY});
   * empty for a namespace-wide one ({@code all}, {@code default}, or any other key).
   */
  static Optional<String> deviceOf(String key) {
    for (String conf : List.of("net.ipv4.conf.", "net.ipv6.conf.")) {
      int dot = key.indexOf('.', conf.length());
      if (key.startsWith(conf) && dot > conf.length() && key.indexOf('.', dot + 1) < 0) {
        String dev = key.substring(conf.length(), dot);
        return dev.equals("all") || dev.equals("default") ? Optional.empty() : Optional.of(dev);
      }
    }
    return Optional.empty();
  }

  /** Whether a link made in the namespace has IPv6 off (1: the host's or an {@code S} of someone else's set so). */
  static final String DEFAULT_DISABLE_IPV6 = "net.ipv6.conf.default.disable_ipv6";

  /** The sysctl that switches IPv6 off on link {@code dev} (1: the kernel drops its IPv6 addresses and refuses new ones). */
  static String disableIpv6(String dev) {
    return "net.ipv6.conf." + dev + ".disable_ipv6";
  }

  static Sandbox sandbox(List<Target> ts) {
    // by identity first: a desired state's hash walks all its objects and files (megabytes)
    if (ts.isEmpty() || !ts.stream().allMatch(x -> x.state() == ts.get(0).state() || x.state().equals(ts.get(0).state()))) {
      throw new IllegalArgumentException("targets of one desired state, at least one");
    }
    return ts.get(0).sandbox();
  }

  /** The sysctls to read, by namespace: each host namespace's, and the endpoints' interfaces'. */
  private static Map<String, List<String>> sysctlKeys(List<Target> ts) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    ts.forEach(x -> out.put(x.hostNs(), x.sysctlKeys()));
    ts.forEach(x -> x.host().endpointSysctls().forEach((ns, l) -> out.put(ns, l.stream().map(Sysctl::key).toList())));
    return out;
  }

  /**
   * Whether a sysctl of an endpoint's interface needs no change: read, it has its value; not
   * read, its interface is new (the namespace or the link is made by this apply) and the value is
   * the kernel's for a new interface ({@link Sysctl#newInterfaceValue}); or its interface exists but was read without
   * sysctls (by {@code ip}: without root, or without the C library), taken as it should be.
   */
  private static boolean endpointSysctlHolds(Sysctl s, LiveState live) {
    Optional<String> now = live.sysctl(s.namespace(), s.key());
    if (now.isPresent()) {
      return now.get().equals(s.value());
    }
    // an existing interface whose sysctl was not read: its namespace was read by ip, not by netc
    return !freshInterface(s, live) || s.newInterfaceValue().filter(s.value()::equals).isPresent();
  }

  /**
   * Whether an interface setting ({@code net.ipv6.conf.DEV.KEY}: an endpoint's, or a host
   * namespace bridge's {@code accept_dad}) is on a link that has no IPv6 state now, its MTU under
   * IPv6's minimum of 1280, and gets it back with this apply, its MTU raised in place to 1280 or
   * more: the kernel then makes the state anew with a new interface's defaults, whatever was set
   * before.
   */
  private static boolean ipv6Returns(Sysctl s, LiveState live, Map<ObjectId, Link> desiredLinks) {
    Optional<Sysctl.InterfaceSetting> is = Sysctl.interfaceSetting(s.key());
    if (is.isEmpty() || !s.key().startsWith("net.ipv6.")) {
      return false;
    }
    ObjectId id = new ObjectId(ObjectId.Kind.LINK, s.namespace(), is.get().device());
    Link l = desiredLinks.get(id);
    Optional<LiveLink> now = live.link(id);
    return l != null && now.isPresent() && now.get().mtu() < Network.IPV6_MIN_MTU && l.mtu().orElse(LiveLink.DEFAULT_MTU) >= Network.IPV6_MIN_MTU
        && Rebuild.kind(l.type()).equals(now.get().kind());
  }

  /** Whether the interface of an endpoint's sysctl ({@code net.ipv6.conf.DEV.KEY}) is not there yet. */
  private static boolean freshInterface(Sysctl s, LiveState live) {
    String device = Sysctl.interfaceSetting(s.key()).orElseThrow().device();
    return !live.namespaces().contains(s.namespace()) || !live.has(new ObjectId(ObjectId.Kind.LINK, s.namespace(), device));
  }

  private LiveState read(List<Target> ts) {
    return reader.read(sandbox(ts), ts.get(0).topology(), sysctlKeys(ts), Map.of(), Map.of(), desired(ts));
  }

  /**
   * The content of every file the targets want, and what every route they want goes through
   * ({@link #nexthop}: the read tells netc's own route of an identity by it, wherever the kernel
   * lists it), by identity.
   */
  private static Map<ObjectId, String> desired(List<Target> ts) {
    Map<ObjectId, String> out = new java.util.HashMap<>();
    ts.forEach(x -> x.host().files().forEach(f -> out.put(f.id(), f.content())));
    ts.forEach(x -> x.host().routes().forEach(r -> out.put(r.id(), nexthop(r))));
    return out;
  }

  private static Set<String> hostNamespaces(List<Target> ts) {
    return ts.stream().map(Target::hostNs).collect(Collectors.toSet());
  }

  /**
   * Whether {@code t} plays in an {@code S} that someone else made: its host-wide sysctls are
   * recorded before netc changes them and given back by the last destroy, as in host mode.
   */
  private static boolean foreignSandbox(Target t, LiveState before) {
    Sandbox sb = t.sandbox();
    return !sb.isHost() && t.hostNs().equals(sb.name()) && before.sandboxExists() && !sb.createdByNetc(before.sandboxMark());
  }

  /** Whether {@code S} and {@code S-outside} exist but the uplink between them does not. */
  private static boolean uplinkMissing(Sandbox sb, LiveState live) {
    return !sb.isHost() && live.sandboxExists() && live.outsideExists()
        && !live.sandboxLinks().containsKey(Sandbox.UPLINK);
  }

  /**
   * Why sandbox {@code sb} would mix its namespaces with another sandbox's, if it would: {@code S}
   * is a namespace of another sandbox (an endpoint's, marked by its topology, or one of the
   * sandbox's own), another sandbox {@code P} exists for {@code S = P-REST} (it holds every
   * {@code P-*} namespace, {@code S}'s among them), or a namespace {@code S-*} carries another
   * sandbox's mark (sandbox {@code S-X} and its namespaces, which {@code S} would take for its
   * own). Empty in host mode.
   */
  static Optional<String> clash(Sandbox sb, LiveState live) {
    if (sb.isHost()) {
      return Optional.empty();
    }
    String mark = live.sandboxMark();
    if (live.sandboxExists() && mark.startsWith(Ownership.PREFIX)) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("netc:(.+):namespace:(.+)").matcher(mark);
      String inSandbox = live.enclosing().entrySet().stream().filter(e -> e.getValue().equals(Sandbox.MARK + e.getKey()))
          .map(e -> " in sandbox " + e.getKey()).findFirst().orElse("");
      return Optional.of("namespace " + sb.name() + (m.matches() ? " is endpoint " + m.group(2) + " of topology " + m.group(1)
          + inSandbox : " is marked `" + mark + "`"));
    }
    if (live.sandboxExists() && mark.startsWith(Sandbox.MARK) && !sb.createdByNetc(mark)) {
      return Optional.of("namespace " + sb.name() + " is another sandbox's (marked `" + mark + "`)");
    }
    for (Map.Entry<String, String> e : live.enclosing().entrySet()) {
      if (e.getValue().equals(Sandbox.MARK + e.getKey())) {
        return Optional.of("sandbox " + e.getKey() + " holds every namespace named " + e.getKey() + "-*, this one's among them");
      }
    }
    return live.foreign().entrySet().stream()
        .filter(e -> e.getKey().kind() == ObjectId.Kind.NAMESPACE && e.getValue().startsWith(Sandbox.MARK) && !sb.marks(e.getValue()))
        .sorted(Map.Entry.comparingByKey())
        .map(e -> "namespace " + e.getKey().name() + " is another sandbox's (marked `" + e.getValue() + "`), and "
            + sb.name() + " would take every namespace named " + sb.name() + "-* for its own")
        .findFirst();
  }

  /** Where a host plays, for messages: {@code sandbox S}, {@code S-host_H} or {@code the host}. */
  private static String where(Target t) {
    return t.hostNs().isEmpty() ? "the host" : t.hostNs().equals(t.sandbox().name()) ? t.sandbox().label() : t.hostNs();
  }

  /**
   * What the sandbox's own devices should have ({@link Sandbox#plumbing}): the route of {@code
   * S-outside} back to the underlay only when the underlay's bridge is there ({@link
   * Sandbox#underlayCreation} makes both otherwise), also for a topology of one host when
   * another topology's hosts are on it; the underlay devices of the hosts chosen only.
   */
  private static Map<String, Set<String>> plumbing(List<Target> ts, LiveState live, Set<String> going) {
    Sandbox sb = sandbox(ts);
    Map<String, Set<String>> out = new LinkedHashMap<>(sb.plumbing(underlays(ts),
        Optional.ofNullable(live.plumbing().get(sb.name() + " " + Underlay.DEVICE)),
        Optional.of(underlayFamilies(sb, live, plays(ts.get(0)), going))));
    // the underlay's bridge deleted by hand, the route of S-outside back to its subnet left: kept
    // (apply makes the bridge again, and that route with it; deleting it here undid that)
    String outsideKey = sb.isHost() ? "" : sb.outside() + " " + Sandbox.UPLINK;
    if (!sb.isHost() && !underlays(ts).isEmpty() && live.sandboxExists() && !live.sandboxLinks().containsKey(Underlay.DEVICE)
        && out.containsKey(outsideKey) && live.plumbing().containsKey(outsideKey)) {
      Set<String> want = new java.util.TreeSet<>(out.get(outsideKey));
      sb.plumbing(underlays(ts), Optional.of(Set.of())).getOrDefault(outsideKey, Set.of()).stream()
          .filter(x -> x.startsWith("route ") && live.plumbing().get(outsideKey).contains(x)).forEach(want::add);
      out.put(outsideKey, want);
    }
    // the bridge gone: made again with the ports on it (`+ link:S:underlay`), so they are not
    // told apart as off it
    if (!sb.isHost() && live.sandboxExists() && !live.sandboxLinks().containsKey(Underlay.DEVICE)) {
      underlays(ts).forEach(u -> out.remove(sb.name() + " " + sb.underlayPort(u.host())));
    }
    // the loopbacks of the host namespaces on no underlay, up as the others'
    bareHosts(ts).forEach(ns -> out.put(ns + " " + Sandbox.LOOPBACK, Set.of()));
    // `--host H`: the other hosts' underlay devices are theirs to change (what they want is left alone)
    Set<String> chosen = ts.stream().map(Target::hostNs).collect(Collectors.toSet());
    ts.get(0).state().hosts().stream().flatMap(h -> h.underlay().stream()).filter(u -> !chosen.contains(u.namespace()))
        .forEach(u -> {
          out.remove(u.namespace() + " " + Underlay.DEVICE);
          out.remove(sb.name() + " " + sb.underlayPort(u.host()));
        });
    return out;
  }

  /**
   * The families of the underlay addresses of the host namespaces {@code live} has, but those of
   * {@code plays} (the topology's own: what it wants counts) and those {@code going}: the
   * families other topologies' hosts still use on the sandbox's underlay.
   */
  static Set<IpAddress.Family> underlayFamilies(Sandbox sb, LiveState live, Set<String> plays, Set<String> going) {
    Set<IpAddress.Family> out = java.util.EnumSet.noneOf(IpAddress.Family.class);
    for (String ns : live.hostNamespaces()) {
      if (!ns.startsWith(sb.name() + "-host_") || plays.contains(ns) || going.contains(ns)) {
        continue;
      }
      for (String a : live.plumbing().getOrDefault(ns + " " + Underlay.DEVICE, Set.of())) {
        var ip = IpAddress.parse(a.replaceAll("/.*", ""));
        if (!a.startsWith("route ") && a.contains("/") && ip.ok()) {
          out.add(ip.get().family());
        }
      }
    }
    return out;
  }

  /** The underlays of every host of the state (a sandbox that plays several hosts). */
  static List<Underlay> underlays(List<Target> ts) {
    return ts.get(0).state().hosts().stream().flatMap(h -> h.underlay().stream()).toList();
  }

  /**
   * The underlays whose host namespace is there but whose port in {@code S} is not: deleted by
   * hand (the veth's other end, the host's device {@code underlay}, went with it). Apply makes
   * both again.
   */
  static List<Underlay> portless(List<Target> ts, LiveState live) {
    Sandbox sb = sandbox(ts);
    if (sb.isHost() || !live.sandboxExists()) {
      return List.of();
    }
    return underlays(ts).stream().filter(u -> live.hostNamespaces().contains(u.namespace())
        && !live.sandboxLinks().containsKey(sb.underlayPort(u.host()))).toList();
  }

  /**
   * The host namespaces of the hosts that declare no underlay address (a sandbox of several
   * hosts) and whose port is in {@code S} still: they leave the underlay. With {@code --host H},
   * H's alone (the other hosts' are theirs to change).
   */
  static List<String> unplugged(List<Target> ts, LiveState live) {
    Sandbox sb = sandbox(ts);
    Set<String> chosen = ts.stream().map(Target::hostNs).collect(Collectors.toSet());
    return bareHosts(ts).stream().filter(ns -> chosen.contains(ns) && live.hostNamespaces().contains(ns)
        && live.sandboxLinks().containsKey(sb.underlayPort(sb.hostOfNamespace(ns)))).toList();
  }

  /** Whether {@code S-outside} had a route back to the subnet of underlay {@code u} in {@code live}. */
  private static boolean hadRouteBack(Sandbox sb, LiveState live, Underlay u) {
    String subnet = dev.netc.compiler.ir.Cidr.mask(u.address(), u.prefix()) + "/" + u.prefix();
    return live.plumbing().getOrDefault(sb.outside() + " " + Sandbox.UPLINK, Set.of()).stream()
        .anyMatch(x -> x.startsWith("route " + subnet + " "));
  }

  /** Whether the underlay's bridge in {@code S} is gone while hosts of {@code ts} are on it (deleted by hand). */
  static boolean bridgeGone(List<Target> ts, LiveState live) {
    return !sandbox(ts).isHost() && !underlays(ts).isEmpty() && live.sandboxExists()
        && !live.sandboxLinks().containsKey(Underlay.DEVICE)
        && underlays(ts).stream().anyMatch(u -> live.hostNamespaces().contains(u.namespace()));
  }

  /**
   * The host namespaces of the hosts without an underlay address (a sandbox that plays several
   * hosts): made bare, with their mark and sysctls, and on no underlay ({@link Sandbox#hostsAgain}).
   */
  public static List<String> bareHosts(List<Target> ts) {
    Sandbox sb = sandbox(ts);
    if (sb.isHost()) {
      return List.of();
    }
    return ts.get(0).state().hosts().stream().filter(h -> h.underlay().isEmpty())
        .map(h -> h.hostNamespace().name()).filter(n -> !n.equals(sb.name())).toList();
  }

  /** What an apply or destroy did. */
  public record Outcome(Plan plan, int processes, long millis, List<String> notes) {
    public Outcome {
      notes = List.copyOf(notes);
    }
  }

  // ------------------------------------------------------------------ exec

  /**
   * Runs {@code command} in {@code namespace} of the sandbox of {@code t} ({@code S}, {@code
   * S-outside} or an endpoint's), through {@code ip netns exec}, so that the namespace's {@code
   * /etc/netns} files are mounted over {@code /etc/hosts} and {@code /etc/resolv.conf}; the
   * command shares this process's standard input, output and error. Returns its exit status.
   *
   * @throws RunnerException when the namespace does not exist
   */
  public int exec(Target t, String namespace, List<String> command) {
    KernelNames.checkNetns(namespace);
    if (command.isEmpty()) {
      throw new IllegalArgumentException("no command");
    }
    if (!reader.namespaces().contains(namespace)) {
      throw new RunnerException("namespace " + namespace + " does not exist: is topology " + t.topology()
          + " applied in sandbox " + t.sandbox().name() + "? (`netc apply`)");
    }
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    argv.addAll(command);
    return exec.runAttached(argv);
  }

  /**
   * The base chains of every nftables table of namespace {@code ns} ({@code ""}: the host's),
   * netc's and others' alike ({@link LiveReader#baseChains}).
   *
   * @throws RunnerException when they cannot be read
   */
  public List<dev.netc.runner.netlink.NftDump.BaseChain> baseChains(String ns) {
    return reader.baseChains(ns);
  }

  // ------------------------------------------------------------------ plan

  /** What {@link #apply} would do now. */
  public Plan plan(Target t) {
    return plan(List.of(t));
  }

  /** What {@link #apply(List)} would do now, for several hosts of one state. */
  public Plan plan(List<Target> ts) {
    return diff(ts, read(ts));
  }

  /**
   * A plan to save ({@code plan --out}): what {@link #plan} gives, with the fingerprint of the
   * live state it was made against ({@link #fingerprint}).
   */
  public SavedPlan planToSave(Target t, String netcVersion) {
    return planToSave(List.of(t), netcVersion);
  }

  /**
   * As above, for the targets of a command; a topology of several hosts is refused (a saved plan
   * carries one host's desired state, not the sandbox's underlay, tunnels and IPsec objects).
   */
  public SavedPlan planToSave(List<Target> ts, String netcVersion) {
    Target t = ts.get(0);
    if (ts.size() != 1 || t.state().hosts().size() > 1) {
      throw new RunnerException("saved plans cover topologies of one host only, and " + t.topology() + " has "
          + t.state().hosts().size() + ": plan and apply it from its file (`netc apply FILE`)");
    }
    LiveState live = read(ts);
    Plan plan = diff(t, live);
    return new SavedPlan(netcVersion, plan, t.host().host(), fingerprint(t, live), t);
  }

  /**
   * The SHA-256 of what a plan read, canonicalised: whether {@code S} and {@code S-outside} exist,
   * the owned objects (links with their attributes and ifindex, files by the hash of their
   * content), the objects the topology wants that others hold, the values of its sysctls, the
   * record of the applied table, the file apply kept of it (an element delta starts from it) and
   * its number of rules. Objects of others that the topology does
   * not want are left out: they do not change the plan.
   */
  String fingerprint(Target t, LiveState live) {
    Set<ObjectId> wanted = t.host().objects().stream().map(KernelObject::id).collect(Collectors.toSet());
    List<String> lines = new ArrayList<>();
    lines.add("sandbox " + live.sandboxExists() + " outside " + live.outsideExists()
        + (uplinkMissing(sandbox(List.of(t)), live) ? " no uplink" : ""));
    for (ObjectId id : live.owned().stream().sorted().toList()) {
      String content = live.files().get(id);
      lines.add("owned " + id + live.link(id).map(l -> " " + l.canonical()).orElse("") + live.route(id).map(v -> " " + v).orElse("")
          + (content == null ? "" : " sha256=" + sha256(content)));
    }
    live.foreign().entrySet().stream().filter(e -> wanted.contains(e.getKey()))
        .map(e -> "foreign " + e.getKey() + " " + e.getValue()).sorted().forEach(lines::add);
    new java.util.TreeMap<>(live.sysctls()).forEach((k, v) -> lines.add("sysctl " + k + "=" + v));
    live.plumbing().forEach((k, v) -> lines.add("plumbing " + k + " " + String.join(" ", new java.util.TreeSet<>(v))));
    if (!live.unfinished().isEmpty()) {
      lines.add("unfinished " + String.join(" ", new java.util.TreeSet<>(live.unfinished())));
    }
    records.lines(t).forEach(l -> lines.add("table record " + l));
    // the file an element delta starts from
    records.applied(t).ifPresent(text -> lines.add("table applied sha256=" + sha256(text)));
    Optional<ObjectId> table = t.host().table().map(KernelObject::id).filter(live::has);
    if (table.isPresent() && !records.lines(t).isEmpty()) {
      boolean elements = records.rules(t).flatMap(TableRules::elements).isPresent();
      lines.add("table rules " + reader.tableRules(t.hostNs(), table.get().name(), elements)
          .map(TableRules::text)
          .orElse("unknown"));
    }
    return sha256(String.join("\n", lines) + "\n");
  }

  /**
   * Drift: the live state of what the topology owns against its desired state, object by
   * object. The same reading and diff as {@link #plan}; nothing is touched and no lock is taken.
   */
  public Drift drift(Target t) {
    return new Drift(plan(t));
  }

  /** Drift of several hosts of one state. */
  public Drift drift(List<Target> ts) {
    return new Drift(plan(ts));
  }

  Plan diff(Target t, LiveState live) {
    return diff(List.of(t), live);
  }

  /**
   * The changes that make the sandbox match the hosts {@code ts}: the sandbox's own parts first
   * (S, S-outside, the host namespaces on the underlay), each host's missing and changed objects,
   * then deletions of what the topology owns and no host of the state wants (the objects of a
   * host that is not among {@code ts} are left alone).
   */
  Plan diff(List<Target> ts, LiveState live) {
    found.clear();
    heldSince.clear();
    dropped = DroppedHosts.NONE;
    Sandbox sb = sandbox(ts);
    Target t = ts.get(0);
    clash(sb, live).ifPresent(why -> {
      throw new RunnerException(sb.label() + " cannot be used: " + why + "; choose another sandbox name");
    });
    List<KernelObject> desired = new ArrayList<>();
    ts.forEach(x -> desired.addAll(x.host().objects()));
    // each identity made once (an address's or a file's is text made anew by every call)
    List<ObjectId> ids = new ArrayList<>(desired.size());
    desired.forEach(o -> ids.add(o.id()));
    List<String> conflicts = new ArrayList<>();
    Set<String> others = new java.util.TreeSet<>(); // the other topologies whose marks they carry
    for (ObjectId desiredId : ids) {
      // (a table is the inet one and its bridge companion: either may be someone else's)
      for (ObjectId id : desiredId.kind() == ObjectId.Kind.TABLE ? tablesOf(desiredId) : List.of(desiredId)) {
        String mark = live.foreign().get(id);
        if (mark != null) {
          // (a file's mark is its first line: one not of netc's is no mark, only a line)
          boolean line = id.kind() == ObjectId.Kind.FILE && !mark.startsWith("# " + Ownership.PREFIX);
          conflicts.add(id + (mark.isEmpty() ? " (no mark)" : line ? " (no mark, its first line `"
              + (mark.length() > 60 ? mark.substring(0, 60) + "..." : mark) + "`)" : " (marked `" + mark + "`)"));
          Ownership.topologyOfMark(line ? "" : mark.replaceFirst("^# ", "")).filter(x -> !x.equals(t.topology())).ifPresent(others::add);
        }
      }
    }
    // the sandbox's own namespaces (S-outside, S-host_H) made by someone else: never used or deleted
    Set<String> own = new java.util.TreeSet<>();
    if (!sb.isHost()) {
      own.add(sb.outside());
      ts.forEach(x -> own.add(x.hostNs()));
      own.remove(sb.name());
    }
    for (String n : own) {
      String mark = live.foreign().get(new ObjectId(ObjectId.Kind.NAMESPACE, "", n));
      if (mark != null) {
        conflicts.add("namespace " + n + ", the sandbox's own" + (mark.isEmpty() ? " (no mark)" : " (marked `" + mark + "`)"));
      }
    }
    String uplink = live.sandboxLinks().get(Sandbox.UPLINK);
    if (!sb.isHost() && live.sandboxExists() && uplink != null && !sb.marks(uplink)) {
      conflicts.add("link " + Sandbox.UPLINK + " of " + sb.label() + ", the sandbox's own"
          + (uplink.isEmpty() ? " (no mark)" : " (marked `" + uplink + "`)"));
    }
    if (!conflicts.isEmpty()) {
      // (the sandbox's own objects are not named by the topology: no renaming in it frees them)
      boolean sandboxOnly = conflicts.stream().allMatch(c -> c.contains(", the sandbox's own"));
      // a long list stays one readable line: the first ten, and how many more
      throw new RunnerException("objects of topology " + t.topology() + " are taken by others, not"
          + " touching them: " + String.join(", ", conflicts.subList(0, Math.min(10, conflicts.size())))
          + (conflicts.size() > 10 ? " and " + (conflicts.size() - 10) + " more" : "")
          + (sandboxOnly ? "; remove them, or choose another sandbox name"
              : others.isEmpty() ? "; if netc made them and their marks were changed by hand, put the marks back; else remove"
              + " them, or rename what this topology names so" : "; they are topology " + String.join(" and ", others)
              + "'s, applied in " + sb.label() + ": destroy it there first (`netc destroy` with its file), or rename what"
              + " this topology names so"));
    }
    Overlaps.check(ts, live);
    List<Change> changes = new ArrayList<>();
    if (!live.sandboxExists()) {
      changes.add(new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.NAMESPACE, "", sb.name()), "sandbox"));
    }
    if (!live.outsideExists()) {
      changes.add(new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.NAMESPACE, "", sb.outside()),
          "@outside, uplink " + Sandbox.OUTSIDE_V4 + " " + Sandbox.OUTSIDE_V6));
    } else if (uplinkMissing(sb, live)) {
      changes.add(new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.LINK, sb.name(), Sandbox.UPLINK),
          "sandbox uplink to @outside, " + Sandbox.HOST_V4 + " " + Sandbox.HOST_V6));
    }
    for (Underlay u : underlays(ts)) {
      if (!live.hostNamespaces().contains(u.namespace())) {
        changes.add(new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.NAMESPACE, "", u.namespace()),
            "host " + u.host() + ", underlay " + u.cidr()));
      }
    }
    if (bridgeGone(ts, live)) {
      changes.add(new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.LINK, sb.name(), Underlay.DEVICE),
          "the sandbox's underlay bridge, with the hosts' ports"));
    }
    for (Underlay u : portless(ts, live)) {
      changes.add(new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.LINK, sb.name(), sb.underlayPort(u.host())),
          "underlay port of host " + u.host() + ", " + u.cidr()));
    }
    for (String ns : bareHosts(ts)) {
      if (!live.hostNamespaces().contains(ns)) {
        changes.add(new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.NAMESPACE, "", ns),
            "host " + sb.hostOfNamespace(ns) + ", no underlay"));
      }
    }
    // the addresses and routes of the sandbox's own devices (an uplink address deleted by hand,
    // a host given another underlay address): set in place
    // the host namespaces the topology played before (its record) and plays no more: each that
    // no other topology's record names, and that holds nothing else, goes with its underlay port
    // (and the router of a family no host is left with: plumbing)
    DroppedHosts hosts = droppedHosts(sb, t.topology(), plays(t), live);
    dropped = hosts;
    Map<String, Set<String>> plumbing = plumbing(ts, live, hosts.going());
    // the underlay is every topology's of the sandbox whose hosts are on it: one that has another
    // address for it would take it from the others (each apply undoing the other's)
    // (by host namespace: the other topologies with links there; S's underlay, the subnet's, is
    // every host's)
    Map<String, Set<String>> sharingBy = new java.util.TreeMap<>();
    live.foreign().forEach((id, mark) -> {
      Optional<String> m = Ownership.topologyOfMark(mark);
      if (id.kind() == ObjectId.Kind.LINK && !id.namespace().equals(sb.name()) && live.hostNamespaces().contains(id.namespace())
          && m.isPresent() && !m.get().equals(t.topology())) {
        sharingBy.computeIfAbsent(id.namespace(), k -> new java.util.TreeSet<>()).add(m.get());
        sharingBy.computeIfAbsent(sb.name(), k -> new java.util.TreeSet<>()).add(m.get());
      }
    });
    Set<String> sharing = new java.util.TreeSet<>();
    List<String> taken = new ArrayList<>();
    live.plumbing().forEach((key, now) -> {
      Set<String> want = plumbing.get(key);
      if (want != null) {
        Sandbox.plumbingDifference(want, now).ifPresent(d -> {
          Set<String> users = sharingBy.getOrDefault(key.substring(0, key.indexOf(' ')), Set.of());
          // (another address in place of the one there; an address missing alone, or one added
          // by hand, is set right for every topology alike)
          if (key.endsWith(" " + Underlay.DEVICE) && !users.isEmpty() && replacesAddress(d)) {
            taken.add(key.substring(0, key.indexOf(' ')) + "'s underlay (" + d + ")");
            sharing.addAll(users);
          }
          changes.add(new Change(Change.Action.UPDATE,
              new ObjectId(ObjectId.Kind.LINK, key.substring(0, key.indexOf(' ')), key.substring(key.indexOf(' ') + 1)), d));
        });
      }
    });
    // a host that declares no underlay address now, whose namespace is on the underlay still: its
    // port goes (the host's device with it), unless another topology shares the host
    for (String ns : unplugged(ts, live)) {
      Set<String> users = sharingBy.getOrDefault(ns, Set.of());
      if (!users.isEmpty()) {
        taken.add(ns + "'s underlay (declared by none of topology " + t.topology() + "'s hosts)");
        sharing.addAll(users);
        continue;
      }
      String host = sb.hostOfNamespace(ns);
      changes.add(new Change(Change.Action.DELETE, new ObjectId(ObjectId.Kind.LINK, sb.name(), sb.underlayPort(host)),
          "underlay port of host " + host + ", which declares no underlay address"));
    }
    if (!taken.isEmpty()) {
      throw new RunnerException("topology " + t.topology() + " would change " + String.join(", ", taken) + ", which topology "
          + String.join(" and ", sharing) + " uses too in " + sb.label() + ": topologies that share a host must give it one"
          + " underlay address, and one subnet");
    }
    tunnelClash(t.topology(), sb, desired, live).ifPresent(why -> {
      throw new RunnerException(why);
    });
    PortClash.check(t.topology(), sb, ts, otherTableFiles(ts, live)).ifPresent(why -> {
      throw new RunnerException(why);
    });
    Map<String, Target> byNs = new LinkedHashMap<>();
    ts.forEach(x -> byNs.put(x.hostNs(), x));
    Rebuild rebuild = Rebuild.of(ts.stream().map(Target::host).toList(), live);
    Map<ObjectId, Link> desiredLinks = new java.util.HashMap<>();
    desired.forEach(o -> {
      if (o instanceof Link l) {
        desiredLinks.put(l.id(), l);
      }
    });
    for (int k = 0; k < desired.size(); k++) {
      KernelObject o = desired.get(k);
      ObjectId id = ids.get(k);
      if (rebuild.replace().containsKey(id)) {
        changes.add(new Change(Change.Action.REPLACE, id, "forces replacement: " + rebuild.replace().get(id)));
      } else if (rebuild.follow().containsKey(id)) {
        Change.Action a = o instanceof Sysctl || o instanceof Link ? Change.Action.UPDATE : Change.Action.CREATE;
        changes.add(new Change(a, id, rebuild.follow().get(id)));
      } else if (o instanceof Route r && live.has(id) && live.route(id).filter(v -> !v.equals(nexthop(r))).isPresent()) {
        // another gateway or device: changed in place (`route replace`)
        changes.add(new Change(Change.Action.UPDATE, id, live.route(id).get() + " -> " + nexthop(r)));
      } else if (o instanceof Link l && live.has(id)) {
        List<String> attributes = attributeChanges(l, live.link(id).orElseThrow());
        if (!attributes.isEmpty()) {
          changes.add(new Change(Change.Action.UPDATE, id, String.join(", ", attributes)));
        }
      } else if (o instanceof Sysctl s && ipv6Returns(s, live, desiredLinks)) {
        // the interface's MTU rises to 1280 or more: the kernel makes its IPv6 state anew, with
        // the defaults of a new interface, and the setting is written again after the MTU (an
        // endpoint's interface, or a host namespace's bridge: its accept_dad)
        if (byNs.containsKey(s.namespace())) {
          // a host namespace's new interface takes its default, which netc sets in an S it makes
          // and leaves as it is elsewhere: written again, whatever it is
          changes.add(new Change(Change.Action.UPDATE, id, s.value() + ", " + IPV6_BACK));
        } else {
          String fresh = s.newInterfaceValue().orElseThrow();
          if (!fresh.equals(s.value())) {
            changes.add(new Change(Change.Action.UPDATE, id, fresh + " -> " + s.value() + ", " + IPV6_BACK));
          }
        }
      } else if (o instanceof Sysctl s && !byNs.containsKey(s.namespace())) {
        if (!endpointSysctlHolds(s, live)) {
          // set on an interface about to be made: the sysctl is made with it
          Optional<String> now = live.sysctl(s.namespace(), s.key());
          changes.add(new Change(freshInterface(s, live) ? Change.Action.CREATE : Change.Action.UPDATE, id,
              now.map(v -> v + " -> ").orElse("") + s.value()));
        }
      } else if (o instanceof Sysctl s) {
        Optional<String> now = live.sysctl(s.namespace(), s.key());
        if (now.isEmpty() || !now.get().equals(s.value())) {
          // a setting of a device not there yet (a bridge's route_localnet), or of a namespace
          // not there yet (a sandbox's ip_forward before it is made): made with it
          boolean fresh = now.isEmpty() && (deviceOf(s.key())
              .filter(d -> !live.has(new ObjectId(ObjectId.Kind.LINK, s.namespace(), d))).isPresent()
              || !s.namespace().isEmpty() && !live.namespaces().contains(s.namespace()));
          changes.add(new Change(fresh ? Change.Action.CREATE : Change.Action.UPDATE, id, now.map(v -> v + " -> ").orElse("") + s.value()));
        }
      } else if (o instanceof NetnsFile f) {
        String now = live.files().get(id);
        if (now == null) {
          changes.add(new Change(Change.Action.CREATE, id, ""));
        } else if (!now.equals(f.content())) {
          changes.add(new Change(Change.Action.UPDATE, id, "content"));
        }
      } else if (id.kind() == ObjectId.Kind.TABLE) {
        Target owner = byNs.get(id.namespace());
        // the text apply kept of the table it loaded last, read once
        Optional<String> applied = live.has(id) ? records.applied(owner) : Optional.empty();
        if (!live.has(id)) {
          changes.add(new Change(Change.Action.CREATE, id, ""));
        } else if (!records.asApplied(owner, applied)) {
          changes.add(new Change(Change.Action.UPDATE, id, tableUpdate(owner, applied, live)));
        } else {
          // applied as desired: still the rules apply left there (a hand-made flush or edit)?
          Optional<TableRules> rules = records.rules(owner);
          if (rules.isPresent() && !records.generationHolds(owner, live)) {
            Optional<TableRules> now = reader.tableRules(id.namespace(), id.name(), rules.get().elements().isPresent());
            Optional<String> edited = now.flatMap(rules.get()::differenceTo).map(why -> tableDrift.named(owner, applied, rules.get(), now.get(), why));
            edited.ifPresent(why -> changes.add(new Change(Change.Action.UPDATE, id, why + "; replaced atomically")));
            if (now.isPresent() && edited.isEmpty() && rules.get().sha256().isPresent()) {
              live.nftGeneration(owner.hostNs()).ifPresent(g -> heldSince.put(owner.hostNs(), g));
            }
          }
        }
      } else if (!live.has(id)) {
        changes.add(new Change(Change.Action.CREATE, id, ""));
      }
    }
    // the kernel's own policy routing rules deleted by hand in an endpoint that stays (without
    // `pref 32766` it has no route at all): made again
    Set<String> endpointsWanted = ids.stream().filter(i -> i.kind() == ObjectId.Kind.NAMESPACE).map(ObjectId::name)
        .collect(Collectors.toSet());
    live.kernelRulesMissing().forEach((ns, rules) -> {
      if (endpointsWanted.contains(ns) && live.has(new ObjectId(ObjectId.Kind.NAMESPACE, "", ns))) {
        rules.forEach(r -> changes.add(new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.RULE, ns, r),
            "the kernel's own rule, deleted by hand")));
      }
    });
    // a bridge that routed a published port from 127.0.0.0/8 and no longer does: route_localnet
    // back to 0 (left at 1, the bridge would go on taking packets from and to loopback addresses)
    for (Target x : ts) {
      for (String b : x.bridgesNotRoutingLocalnet()) {
        if (live.sysctl(x.hostNs(), routeLocalnet(b)).filter("1"::equals).isPresent()
            && live.has(new ObjectId(ObjectId.Kind.LINK, x.hostNs(), b))) {
          changes.add(new Change(Change.Action.UPDATE, new ObjectId(ObjectId.Kind.SYSCTL, x.hostNs(), routeLocalnet(b)),
              "1 -> 0, no published port needs it"));
        }
      }
      // IPv6 switched off by hand on a link of the host namespace that has an IPv6 address (a
      // bridge): the kernel dropped its IPv6 addresses and refuses them ("IPv6 is disabled on this
      // device") until it is switched on, which apply does before the host's batches. A link
      // replaced is made anew with IPv6 on
      for (String d : x.ipv6Links()) {
        ObjectId link = new ObjectId(ObjectId.Kind.LINK, x.hostNs(), d);
        if (live.sysctl(x.hostNs(), disableIpv6(d)).filter("1"::equals).isPresent() && live.has(link)
            && !rebuild.replace().containsKey(link)) {
          changes.add(new Change(Change.Action.UPDATE, new ObjectId(ObjectId.Kind.SYSCTL, x.hostNs(), disableIpv6(d)), "1 -> 0"));
        }
      }
    }
    // what any host of the state wants stays, even when only some hosts are applied
    Set<ObjectId> wanted = ts.size() == t.state().hosts().size() ? new java.util.HashSet<>(ids)
        : t.state().objects().stream().map(KernelObject::id).collect(Collectors.toSet());
    // an address replaced on a device (a static address changed, a pool renumbered, another
    // subnet): apply deletes the old one first, and with a device's last IPv4 address the kernel
    // drops every route through it. Those routes are made again after the new address
    // the owned objects no host wants, found once (three sorted lists of them by kind cost the
    // no-op plan of 1,000 containers some 15 ms)
    List<ObjectId> unwanted = live.owned().stream().filter(i -> !wanted.contains(i)).toList();
    Set<String> readdressed = readdressed(changes, unwanted.stream().filter(i -> i.kind() == ObjectId.Kind.ADDRESS).toList());
    Set<ObjectId> changing = changes.stream().map(Change::id).collect(Collectors.toSet());
    for (int k = 0; k < desired.size(); k++) {
      if (desired.get(k) instanceof Route r && live.has(ids.get(k)) && !changing.contains(ids.get(k))
          && readdressed.contains(r.namespace() + "/" + r.device())) {
        changes.add(new Change(Change.Action.UPDATE, ids.get(k), AGAIN_AFTER + "the address of " + r.device() + " is replaced"));
      }
    }
    // what the kernel took with another change of a live link, made again after it: the IPv4
    // routes through a device whose IPv4 address is replaced (dropped with its last IPv4
    // address), the IPv6 addresses and the routes of a link set down (deleted when it went
    // down), the IPv6 addresses and routes of a link whose MTU is under 1280 (its IPv6 state went
    // with the MTU) or whose IPv6 is switched off (disable_ipv6). Created as any missing object,
    // with a note that says so: they follow that change, and are no drift of their own
    // (Drift#follows)
    Map<ObjectId, Integer> made = new java.util.HashMap<>();
    for (int i = 0; i < changes.size(); i++) {
      Change c = changes.get(i);
      if (c.action() == Change.Action.CREATE && c.detail().isEmpty()
          && (c.id().kind() == ObjectId.Kind.ADDRESS || c.id().kind() == ObjectId.Kind.ROUTE)) {
        made.put(c.id(), i);
      }
    }
    if (!made.isEmpty()) {
      Set<String> readdressed4 = readdressed(changes.stream().filter(c -> c.id().kind() != ObjectId.Kind.ADDRESS || v4Address(c.id())).toList(),
          unwanted.stream().filter(i -> i.kind() == ObjectId.Kind.ADDRESS && v4Address(i)).toList());
      Set<String> v6SubnetLive = v6SubnetLive(desired, live);
      // the devices that get an IPv4 address back with none left live (deleted by hand): the
      // kernel dropped their IPv4 routes through a gateway with the last one
      Set<String> withAddress4 = new java.util.HashSet<>();
      java.util.stream.Stream.concat(live.owned().stream(), live.foreign().keySet().stream())
          .filter(i -> i.kind() == ObjectId.Kind.ADDRESS && v4Address(i))
          .forEach(i -> withAddress4.add(i.namespace() + "/" + device(i)));
      Set<String> addressless4 = changes.stream()
          .filter(c -> c.action() == Change.Action.CREATE && c.id().kind() == ObjectId.Kind.ADDRESS && v4Address(c.id()))
          .map(c -> c.id().namespace() + "/" + device(c.id())).filter(d -> !withAddress4.contains(d))
          .collect(Collectors.toSet());
      for (int k = 0; k < desired.size(); k++) {
        Integer i = made.get(ids.get(k));
        Optional<String> why = i == null ? Optional.empty()
            : desired.get(k) instanceof Route r
                ? madeAgain(r.namespace(), r.device(), r.via().isV4(), true, live, desiredLinks, v6SubnetLive, rebuild, readdressed4,
                    addressless4)
            : desired.get(k) instanceof Address a
                ? madeAgain(a.namespace(), a.device(), a.address().isV4(), false, live, desiredLinks, v6SubnetLive, rebuild, readdressed4,
                    addressless4)
            : Optional.empty();
        if (why.isPresent()) {
          changes.set(i, new Change(Change.Action.CREATE, ids.get(k), why.get()));
        }
      }
    }
    Set<String> goneNamespaces = unwanted.stream().filter(i -> i.kind() == ObjectId.Kind.NAMESPACE)
        .map(ObjectId::name).collect(Collectors.toSet());
    Set<String> goneLinks = unwanted.stream().filter(i -> i.kind() == ObjectId.Kind.LINK)
        .map(i -> i.namespace() + "/" + i.name()).collect(Collectors.toSet());
    Set<ObjectId> unwantedLinks = unwanted.stream().filter(i -> i.kind() == ObjectId.Kind.LINK).collect(Collectors.toSet());
    List<Change> deletions = new ArrayList<>();
    for (ObjectId id : unwanted) {
      if (goneNamespaces.contains(id.namespace()) && id.kind() != ObjectId.Kind.FILE) {
        continue;
      }
      if ((id.kind() == ObjectId.Kind.ADDRESS || id.kind() == ObjectId.Kind.FDB)
          && (goneLinks.contains(id.namespace() + "/" + device(id)) || rebuild.replaced(id.namespace(), device(id)))) {
        continue; // goes with its link
      }
      if (id.kind() == ObjectId.Kind.ROUTE && live.route(id).map(v -> rebuild.replaced(id.namespace(), routeDevice(v)))
          .orElseGet(() -> rebuild.replace().keySet().stream().anyMatch(i -> i.namespace().equals(id.namespace())))) {
        continue; // a route through a replaced link goes with it (a blackhole goes through none)
      }
      if (id.kind() == ObjectId.Kind.ROUTE && live.route(id).map(v -> goneLinks.contains(id.namespace() + "/" + routeDevice(v))).orElse(false)) {
        continue; // a route through a link that goes goes with it
      }
      if (id.kind() == ObjectId.Kind.LINK && goesWithItsPeer(t.topology(), live.aliases().getOrDefault(id, ""))) {
        // a container end goes with its host end (a veth pair dies whole)
        continue;
      }
      if (id.kind() == ObjectId.Kind.LINK && (!rebuild.replace().isEmpty() || !unwantedLinks.isEmpty())
          && diesWith(live, id, rebuild.replace().keySet(), unwantedLinks)) {
        // the old end of a pair whose other end is replaced (a container moved to another host),
        // a sub-interface whose parent goes: the kernel deletes it with that link
        continue;
      }
      deletions.add(new Change(Change.Action.DELETE, id, ""));
    }
    for (String ns : hosts.going()) {
      deletions.add(new Change(Change.Action.DELETE, new ObjectId(ObjectId.Kind.NAMESPACE, "", ns),
          "host " + sb.hostOfNamespace(ns) + ", with its underlay port: no topology applied in " + sb.label() + " plays it"));
    }
    List<ObjectId.Kind> order = List.of(ObjectId.Kind.RULE, ObjectId.Kind.ROUTE, ObjectId.Kind.ADDRESS, ObjectId.Kind.FDB,
        ObjectId.Kind.XFRM, ObjectId.Kind.LINK, ObjectId.Kind.TABLE, ObjectId.Kind.FILE, ObjectId.Kind.NAMESPACE,
        ObjectId.Kind.SYSCTL);
    deletions.sort(Comparator.comparing((Change c) -> order.indexOf(c.id().kind())).thenComparing(Change::id));
    changes.addAll(deletions);
    List<String> notes = new ArrayList<>(live.notes());
    notes.addAll(keptHosts(sb, t.topology(), hosts));
    if (!live.unfinished().isEmpty()) {
      notes.add(unfinished(t.topology(), live, "apply deletes the", " first", "makes "
          + (live.unfinished().size() == 1 ? "it" : "them") + " as listed"));
    }
    return new Plan(t.topology(), sb.name(), changes, notes);
  }

  /** What plan and apply say of the host namespaces {@code topology} no longer plays that stay for something else in them. */
  private static List<String> keptHosts(Sandbox sb, String topology, DroppedHosts hosts) {
    List<String> out = new ArrayList<>();
    new java.util.TreeMap<>(hosts.kept()).forEach((ns, why) -> {
      if (!why.isEmpty()) {
        out.add("kept " + ns + " (host " + sb.hostOfNamespace(ns) + ", which topology " + topology + " no longer plays): " + why);
      }
    });
    return out;
  }

  /** The host namespaces ({@code S-host_H}) topology {@code t} plays: none for a topology of one host, played in {@code S}. */
  private static Set<String> plays(Target t) {
    Sandbox sb = t.sandbox();
    Set<String> out = new java.util.TreeSet<>();
    if (!sb.isHost()) {
      t.state().hosts().forEach(h -> out.add(h.hostNamespace().name()));
      out.remove(sb.name());
    }
    return out;
  }

  /**
   * The host namespaces {@code topology}'s record names ({@link HostRecords}) and {@code plays}
   * does not, that {@code live} has: each goes when no other topology's record names it (or
   * cannot be read: it might), no topology seen in the sandbox lacks a record (one
   * applied by an older netc: it may play it), and nothing but the sandbox's own and {@code
   * topology}'s is in it ({@link #hostUsers}); else it stays, with why. No record: nothing is
   * known of what the topology played, and nothing goes. Reads the other records, the tables of
   * those namespaces and which processes run in them only when there is one.
   */
  private DroppedHosts droppedHosts(Sandbox sb, String topology, Set<String> plays, LiveState live) {
    if (sb.isHost()) {
      return DroppedHosts.NONE;
    }
    Optional<Set<String>> record = hostRecords.read(sb, topology);
    List<String> candidates = record.orElse(Set.of()).stream()
        .filter(n -> !plays.contains(n) && n.startsWith(sb.name() + "-host_") && live.hostNamespaces().contains(n)).sorted().toList();
    if (candidates.isEmpty()) {
      return new DroppedHosts(record, Set.of(), Map.of());
    }
    Map<String, Optional<Set<String>>> others = hostRecords.others(sb, topology);
    Set<String> unrecorded = topologiesSeen(sb, topology, live);
    unrecorded.removeAll(others.keySet());
    Set<String> held = exec.reachesKernel() && etcNetns.equals(ETC_NETNS)
        ? DyingPeers.heldByProcesses(RUN_NETNS, new java.util.HashSet<>(candidates)) : Set.of();
    Set<String> going = new java.util.TreeSet<>();
    Map<String, String> kept = new java.util.TreeMap<>();
    for (String ns : candidates) {
      if (others.values().stream().anyMatch(r -> r.filter(x -> x.contains(ns)).isPresent())) {
        kept.put(ns, "");
        continue;
      }
      List<String> users = hostUsers(ns, topology, live);
      others.forEach((x, r) -> {
        if (r.isEmpty()) {
          users.add("the record of topology " + x + "'s hosts cannot be read (" + hostRecords.path(sb, x) + ")");
        }
      });
      if (held.contains(ns)) {
        users.add("a process runs in it");
      }
      if (!unrecorded.isEmpty()) {
        users.add((unrecorded.size() == 1 ? "topology " : "topologies ") + String.join(" and ", unrecorded) + ", applied in "
            + sb.label() + " without a record of " + (unrecorded.size() == 1 ? "its" : "their") + " hosts (by an older netc?),"
            + " may play it: apply " + (unrecorded.size() == 1 ? "it" : "them") + " again first");
      }
      if (users.isEmpty()) {
        going.add(ns);
      } else {
        kept.put(ns, String.join(", ", users));
      }
    }
    return new DroppedHosts(record, going, kept);
  }

  /**
   * The other netc topologies {@code live} sees in the sandbox: by the marks of namespaces and
   * links that are not {@code topology}'s, the tables of {@code S} ({@code netc_NAME}, {@code -}
   * written {@code _}), and the records of tables apply keeps for a host namespace of the
   * sandbox ({@code /run/netc/NS.TOPOLOGY.nft.sha256}).
   */
  private Set<String> topologiesSeen(Sandbox sb, String topology, LiveState live) {
    Set<String> out = new java.util.TreeSet<>();
    live.foreign().values().forEach(mark -> Ownership.topologyOfMark(mark).ifPresent(out::add));
    live.tables().forEach(x -> Ownership.topologyOfTable(x.substring(x.indexOf(' ') + 1)).ifPresent(out::add));
    try (java.nio.file.DirectoryStream<Path> files = Files.newDirectoryStream(stateDir, "*.nft.sha256")) {
      for (Path p : files) {
        String name = p.getFileName().toString();
        String rest = name.substring(0, name.length() - ".nft.sha256".length());
        int dot = rest.lastIndexOf('.');
        if (dot > 0 && live.hostNamespaces().contains(rest.substring(0, dot))) {
          out.add(rest.substring(dot + 1));
        }
      }
    } catch (IOException | java.nio.file.DirectoryIteratorException e) {
      // no state folder: no records
    }
    out.remove(topology);
    return out;
  }

  /**
   * What keeps host namespace {@code ns}, which {@code topology} no longer plays, from going
   * with its underlay port: the other topologies whose links or tables it holds ({@code topology
   * mhy's links or table}), and what is not netc's ({@code link eth9 (no mark)}, {@code table
   * inet filter}). Empty: nothing but the sandbox's own and what {@code topology} owns there
   * (which goes first).
   */
  private List<String> hostUsers(String ns, String topology, LiveState live) {
    Set<String> topologies = new java.util.TreeSet<>();
    List<String> others = new ArrayList<>();
    live.foreign().entrySet().stream().filter(e -> e.getKey().kind() == ObjectId.Kind.LINK && e.getKey().namespace().equals(ns))
        .sorted(Map.Entry.comparingByKey()).forEach(e -> {
          Optional<String> m = Ownership.topologyOfMark(e.getValue());
          if (m.isPresent()) {
            topologies.add(m.get());
          } else {
            others.add("link " + e.getKey().name() + (e.getValue().isEmpty() ? " (no mark)" : " (marked `" + e.getValue() + "`)"));
          }
        });
    String own = Ownership.table(topology);
    for (String table : reader.tables(ns)) {
      String name = table.substring(table.indexOf(' ') + 1);
      if (name.equals(own)) {
        continue;
      }
      Optional<String> of = Ownership.topologyOfTable(name);
      if (of.isPresent()) {
        topologies.add(of.get());
      } else {
        others.add("table " + table);
      }
    }
    List<String> out = new ArrayList<>();
    topologies.forEach(x -> out.add("it holds topology " + x + "'s links or table"));
    if (!others.isEmpty()) {
      out.add("it holds " + String.join(", ", others));
    }
    return out;
  }

  /**
   * Why the VXLAN devices {@code desired} has cannot be made in the sandbox, if they cannot: the
   * kernel takes a VNI and port (of one underlay family) once per namespace ("A VXLAN device with
   * the specified VNI already exists"), and another topology's overlay has one of them on a host
   * the topology shares with it (two topologies that leave {@code vni} out both take the first
   * free one from 4096). One line: each network of the topology that clashes, the other's network
   * and hosts, and a VNI free in the whole sandbox to give one of them. Empty when none clashes.
   */
  static Optional<String> tunnelClash(String topology, Sandbox sb, List<KernelObject> desired, LiveState live) {
    if (live.tunnels().isEmpty()) {
      return Optional.empty();
    }
    // (the VNIs taken: every tunnel read, and the topology's own)
    Set<Integer> taken = new java.util.TreeSet<>();
    live.tunnels().values().forEach(p -> tunnelParam(p, "id").map(Integer::valueOf).ifPresent(taken::add));
    // by the network of the topology: its VNI and port, and what it clashes with, by holder
    Map<String, String> ours = new java.util.TreeMap<>();
    Map<String, Map<String, Set<String>>> clashes = new java.util.TreeMap<>();
    for (KernelObject o : desired) {
      if (!(o instanceof Link l) || !(l.params().orElse(null) instanceof Link.Vxlan v)) {
        continue;
      }
      taken.add(v.vni());
      String network = l.alias().startsWith(Ownership.vxlan(topology, "")) ? l.alias().substring(Ownership.vxlan(topology, "").length())
          : l.name();
      boolean v6 = v.local().filter(a -> !a.isV4()).isPresent();
      live.tunnels().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
        ObjectId id = e.getKey();
        if (!id.namespace().equals(l.namespace()) || id.name().equals(l.name())
            || !tunnelParam(e.getValue(), "id").equals(Optional.of(String.valueOf(v.vni())))
            || !tunnelParam(e.getValue(), "port").equals(Optional.of(String.valueOf(v.port())))
            || tunnelParam(e.getValue(), "local").filter(a -> a.contains(":") != v6).isPresent()) {
          return;
        }
        String mark = live.foreign().getOrDefault(id, "");
        String[] m = mark.split(":", 4);
        String holder = m.length == 4 && m[0].equals("netc") && m[2].equals("vxlan")
            ? "network " + m[3] + " of topology " + m[1]
            : "VXLAN device " + id.name() + (mark.isEmpty() ? " (no mark)" : " (marked `" + mark + "`)");
        ours.put(network, "VNI " + v.vni() + " (port " + v.port() + ")");
        clashes.computeIfAbsent(network, k -> new java.util.TreeMap<>()).computeIfAbsent(holder, k -> new java.util.TreeSet<>())
            .add(id.namespace());
      });
    }
    if (clashes.isEmpty()) {
      return Optional.empty();
    }
    List<String> parts = new ArrayList<>();
    List<String> fixes = new ArrayList<>();
    int free = 4096;
    for (Map.Entry<String, Map<String, Set<String>>> c : clashes.entrySet()) {
      List<String> holders = new ArrayList<>();
      c.getValue().forEach((holder, where) -> holders.add(holder + " has on " + String.join(" and ", where)));
      parts.add("overlay network " + c.getKey() + " would take " + ours.get(c.getKey()) + ", which " + String.join(", and ", holders));
      while (taken.contains(free)) {
        free++;
      }
      taken.add(free);
      fixes.add("`vni " + free + "` in network " + c.getKey());
    }
    return Optional.of("topology " + topology + " cannot make its tunnels in " + sb.label() + ": " + String.join("; ", parts)
        + "; the kernel gives a VNI and port to one VXLAN device per host: set `vni` in one of them ("
        + String.join(", ", fixes) + ", say)");
  }

  /**
   * By host namespace of {@code ts}, the table files apply kept of the other topologies whose
   * tables are there ({@link LiveState#otherTables}), by topology: read only where the topology
   * publishes a port and another topology has a table (a topology alone in its sandbox reads
   * nothing more). A table whose file is not kept (gone by hand) is left out: nothing is known
   * of its ports.
   */
  private Map<String, Map<String, String>> otherTableFiles(List<Target> ts, LiveState live) {
    Map<String, Map<String, String>> out = new java.util.TreeMap<>();
    for (Target t : ts) {
      Set<String> others = live.otherTables().getOrDefault(t.hostNs(), Set.of());
      if (others.isEmpty() || PortClash.desired(t.host()).isEmpty()) {
        continue;
      }
      // the kept files are NS.TOPOLOGY.nft: the topology of table netc_X is the X whose table it is
      Path ownFile = records.appliedPath(t.hostNs(), t.topology());
      String prefix = ownFile.getFileName().toString().substring(0, ownFile.getFileName().toString().length()
          - (t.topology() + ".nft").length());
      try (java.util.stream.Stream<Path> files = Files.list(stateDir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          String n = f.getFileName().toString();
          if (!n.startsWith(prefix) || !n.endsWith(".nft")) {
            continue;
          }
          String other = n.substring(prefix.length(), n.length() - ".nft".length());
          if (!other.isEmpty() && !other.equals(t.topology()) && !other.contains(".") && others.contains(Ownership.table(other))) {
            out.computeIfAbsent(t.hostNs(), k -> new java.util.TreeMap<>()).put(other, Files.readString(f));
          }
        }
      } catch (java.io.IOException e) {
        // no state folder, or a file gone meanwhile: nothing known of the other tables' ports
      }
    }
    return out;
  }

  /** The value of {@code key} among a tunnel's {@link LiveLink#params} ({@code id=4096 port=4789 ...}). */
  private static Optional<String> tunnelParam(String params, String key) {
    for (String w : params.split(" ")) {
      if (w.startsWith(key + "=")) {
        return Optional.of(w.substring(key.length() + 1));
      }
    }
    return Optional.empty();
  }

  /**
   * Whether a difference of a sandbox's device ({@link Sandbox#plumbingDifference}) puts another
   * address in place of one there: {@code address A -> B}, or addresses both missing and
   * unexpected.
   */
  static boolean replacesAddress(String difference) {
    List<String> parts = List.of(difference.split(", "));
    return parts.stream().anyMatch(p -> p.startsWith("address ") && p.contains(" -> "))
        || parts.stream().anyMatch(p -> p.startsWith("address ") && p.endsWith(" missing"))
        && parts.stream().anyMatch(p -> p.startsWith("address ") && p.endsWith(" unexpected"));
  }

  /** What a route goes through, as {@link LiveState#route} has it: {@code via GATEWAY dev DEVICE}. */
  static String nexthop(Route r) {
    return "via " + r.via() + " dev " + r.device();
  }

  /**
   * The {@code ip route} line that makes a route to {@code to} as {@link LiveState#route} has it:
   * {@code route add TO via GATEWAY dev DEVICE}, {@code route add TO dev DEVICE}, {@code route add
   * blackhole TO}, {@code route add local TO dev DEVICE} (a route of another type, made by hand:
   * its type goes before the destination), {@code route add TO nexthop via A dev D nexthop ...}
   * (a multipath route, made by hand).
   */
  static String routeLine(String verb, String to, String how) {
    if (how.startsWith("via ") || how.startsWith("dev ") || how.startsWith("nexthop ") || how.startsWith("nhid ")) {
      return "route " + verb + " " + to + " " + how;
    }
    int type = how.indexOf(' ');
    return "route " + verb + " " + (type < 0 ? how + " " + to : how.substring(0, type) + " " + to + how.substring(type));
  }

  /**
   * The {@code ip route} line that deletes the route {@code id} names and no other: its name's
   * words ({@code DST [table T] [metric N]}), and for IPv6 without a metric the one {@code ip}
   * gives (1024; without it the kernel deletes the first route to the destination, whatever its
   * metric, as IPv4 does, where a metric of 0 comes first anyway).
   */
  static String routeDeletion(ObjectId id) {
    return routeDeletion(id, Optional.empty());
  }

  /**
   * As above, with the route's protocol when it is known ({@code proto boot}): the kernel's own
   * route of the same identity ({@code proto kernel}: a subnet's prefix route, before which a
   * route appended by hand, {@code ip route append 10.1.0.0/24 via 10.1.0.99}, comes second)
   * is then never the one deleted.
   */
  static String routeDeletion(ObjectId id, Optional<String> protocol) {
    String name = id.name();
    return "route del " + name + (name.contains(":") && !name.contains(" metric ") ? " metric " + LiveReader.defaultMetric(true) : "")
        + protocol.map(p -> " proto " + protocolNumber(p)).orElse("");
  }

  /**
   * The {@code ip route} line that deletes the route {@code id} names as {@code live} read it, and
   * no other. A route through a gateway (or nexthops) is deleted by them, its gateway and device
   * ({@code route del 10.9.0.0/16 proto 3 via 10.1.0.99 dev eth0}): the kernel deletes the first
   * route of the line's identity that matches, and one without a gateway that the kernel lists
   * before it ({@code ip route add 10.9.0.0/16 dev eth0}, then {@code ip route append 10.9.0.0/16
   * via 10.1.0.99}) would otherwise be the one deleted. A route of an identity another route has
   * too, which the read told apart by what it goes through ({@code 10.9.0.0/16 via 10.1.0.99 dev
   * eth0}: {@code ip route append}), is deleted by that: its gateway and device, or its type;
   * without a gateway, in IPv4 by its scope too ({@code dev eth0 scope link}: the kernel deletes
   * the first route of the line's device, one through a gateway, {@code scope global}, as well).
   * An IPv6 route without a gateway is deleted by the gateway {@code ::} (and its device, {@code
   * lo} for a blackhole): IPv6 routes have no scope, and the kernel takes a gateway in the line as
   * one the route must have, {@code ::} for none, so that a route of that destination and metric
   * through a gateway (netc's), or without one through another device, which it would find first,
   * is never the one deleted. Every other route (IPv4 without a gateway, the first of its
   * identity): {@link #routeDeletion(ObjectId, Optional)}.
   */
  static String routeDeletion(ObjectId id, LiveState live) {
    Optional<String> via = live.route(id);
    if (via.isEmpty()) {
      return routeDeletion(id, live.routeProtocol(id));
    }
    String how = via.get();
    String apart = apartBase(id, how);
    String base = apart != null ? apart : id.name();
    Optional<String> object = nexthopObject(live, id);
    if (object.isPresent()) {
      return routeDeletion(new ObjectId(ObjectId.Kind.ROUTE, id.namespace(), base), live.routeProtocol(id)) + " " + object.get();
    }
    boolean v6 = base.contains(":");
    boolean gatewayless = !how.startsWith("via ") && !how.startsWith("nexthop ");
    if (apart == null && gatewayless && !v6) {
      return routeDeletion(id, live.routeProtocol(id));
    }
    String words = routeDeletion(new ObjectId(ObjectId.Kind.ROUTE, id.namespace(), base), live.routeProtocol(id))
        .substring("route del ".length());
    if (gatewayless && v6) {
      words += " via ::" + (how.contains("dev ") ? "" : " dev lo");
    } else if (gatewayless && how.startsWith("dev ")) {
      java.util.regex.Matcher scope = java.util.regex.Pattern.compile("(?:^| )scope (\\S+)").matcher(live.attributes(id).orElse(""));
      words += " scope " + (scope.find() ? scope.group(1) : "link");
    }
    if (!v6) {
      words += matched(live.attributes(id).orElse(""), !words.contains(" scope "));
    }
    return routeLine("del", words, how);
  }

  /**
   * The nexthop object route {@code id} goes through as {@code live} read it ({@code nhid 5}: made
   * by {@code ip route add 10.9.0.0/16 nhid 5} after {@code ip nexthop add id 5 via 10.1.0.99 dev
   * eth0}), from its {@link LiveState#attributes}; empty when it goes through none. The kernel
   * lists such a route with the gateway and device of its nexthop, but deletes it only by a line
   * without them: in IPv4 a route on a nexthop object matches no line with a gateway, a device or
   * nexthops ({@code fib_nh_match}), and in IPv6 it matches any line of its destination and
   * metric whatever its gateway ({@code ip6_route_del}); with {@code nhid N} alone, each deletes
   * that route and no other.
   */
  static Optional<String> nexthopObject(LiveState live, ObjectId id) {
    java.util.regex.Matcher m = NHID.matcher(live.attributes(id).orElse(""));
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static final java.util.regex.Pattern NHID = java.util.regex.Pattern.compile("(?:^| )(nhid [0-9]+)(?= |$)");

  /**
   * The words of an IPv4 route's {@link LiveState#attributes} that the kernel matches a deletion
   * by ({@code fib_table_delete}: the scope, the preferred source, the realms, each metric given,
   * and the metrics' locks when the line has one), so that routes through one gateway that differ
   * only in them ({@code ip route append default via 10.1.0.1 dev eth0 mtu 1400} beside netc's,
   * which has none) are each deleted alone: {@code scope S} ({@code scope}: unless the line has
   * its scope already), {@code src A}, {@code realm(s) R}, the metrics' values, each after a
   * space. The locks ({@code mtu lock 1400}) only with {@code rto_min}, which ip locks itself:
   * the kernel then compares the line's locks, all of them, with the route's (without one it
   * compares none). rtt and rttvar as read: read over netlink, exact ({@code rtt 100ms} when
   * milliseconds give the kernel's value back, else that value without unit, {@code rtt 801});
   * read through ip, in milliseconds rounded down: exact when they were given in milliseconds,
   * else the line finds no route and the apply fails and rolls back, rather than delete netc's
   * route in its place. Not onlink (the kernel does not
   * compare it), a nexthop object ({@link #nexthopObject}) or an IPv6 preference.
   */
  static String matched(String attributes, boolean scope) {
    StringBuilder b = new StringBuilder();
    List<String> w = List.of(attributes.split(" "));
    boolean locks = w.contains("rto_min");
    for (int i = 0; i < w.size(); i++) {
      String word = w.get(i);
      if (word.isEmpty() || word.equals("onlink")) {
        continue;
      }
      boolean locked = i + 1 < w.size() && w.get(i + 1).equals("lock");
      int value = locked ? i + 2 : i + 1;
      if (value >= w.size()) {
        break;
      }
      if (!List.of("pref", "nhid").contains(word) && (scope || !word.equals("scope"))) {
        b.append(' ').append(word).append(locked && locks ? " lock" : "").append(' ').append(w.get(value));
      }
      i = value;
    }
    return b.toString();
  }

  /**
   * The words of route {@code id}'s identity ({@code DST [tos T] [table T] [metric N]}) when the
   * read told it apart from another route of that identity by what it goes through, {@code how}
   * ({@code 10.9.0.0/16 via 10.1.0.99 dev eth0}, {@code 10.9.0.0/16 proto static via 10.1.0.97
   * dev eth0}: {@code 10.9.0.0/16}); null when it is the first of its identity.
   */
  static String apartBase(ObjectId id, String how) {
    String name = id.name();
    int at = name.lastIndexOf(" " + how);
    if (at <= 0 || at + 1 + how.length() != name.length()) {
      return null;
    }
    String base = name.substring(0, at);
    int proto = base.indexOf(" proto ");
    return proto < 0 ? base : base.substring(0, proto);
  }

  /**
   * The {@code ip route} line that makes route {@code id} again as {@code live} read it, through
   * {@code via}, with what else it was made of ({@link #remade}): {@code route add}, and {@code
   * route append} for a route the read told apart from another of its identity by what it goes
   * through ({@link #routeDeletion(ObjectId, LiveState)}), which the kernel keeps after it, and
   * for the first of its identity when one told apart came before it in the read (one without a
   * gateway that the kernel lists before the one through a gateway that keeps the identity: it
   * is made again first, and {@code route add} would find the identity taken); {@code route
   * prepend} for one told apart that came before the one keeping the identity ({@link
   * #prepended}: {@code route append} would make it again after netc's route, which then comes
   * first where the hand-made one did).
   */
  static String routeMaking(LiveState live, ObjectId id, String via) {
    String apart = apartBase(id, via);
    boolean after = false;
    if (apart == null) {
      for (Map.Entry<ObjectId, String> r : live.routes().entrySet()) {
        if (r.getKey().equals(id)) {
          break;
        }
        after |= r.getKey().namespace().equals(id.namespace()) && id.name().equals(apartBase(r.getKey(), r.getValue()));
      }
    }
    return routeLine(prepended(live, id, via) ? "prepend" : apart != null || after ? "append" : "add",
        (apart != null ? apart : id.name()) + remade(live, id), nexthopObject(live, id).orElse(via));
  }

  /**
   * Whether route {@code id}, through {@code via} as {@code live} read it, was named apart from
   * the route keeping its identity and found before it ({@code ip route prepend default via
   * 10.1.0.99 dev eth0} before netc's default route): {@link #routeMaking} makes it again with
   * {@code route prepend}, which in IPv4 puts it before the routes of its identity there (IPv6
   * puts a route after those of its destination and metric whatever the line says, so an IPv6
   * route is never prepended), and {@link #inMakingOrder} makes such routes in the reverse of the
   * read's order.
   */
  static boolean prepended(LiveState live, ObjectId id, String via) {
    String apart = apartBase(id, via);
    // (IPv6 puts every route after those of its destination and metric: there the read's order
    // is the making order, route append)
    if (apart == null || apart.contains(":")) {
      return false;
    }
    ObjectId keeping = new ObjectId(ObjectId.Kind.ROUTE, id.namespace(), apart);
    if (!live.routes().containsKey(keeping)) {
      return false;
    }
    for (ObjectId r : live.routes().keySet()) {
      if (r.equals(keeping)) {
        return false;
      }
      if (r.equals(id)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The routes {@code ids} in the order in which {@link #routeMaking}'s lines make them again as
   * {@code live} read them: those made with {@code route prepend} ({@link #prepended}) first, the
   * last the read found first (each then goes before the one found after it), then the others in
   * the read's order (each {@code route append}ed after the one before); one {@code live} has no
   * route of, last.
   */
  static List<ObjectId> inMakingOrder(LiveState live, java.util.Collection<ObjectId> ids) {
    Map<ObjectId, Integer> order = new java.util.HashMap<>();
    live.routes().keySet().forEach(i -> order.putIfAbsent(i, order.size()));
    Map<ObjectId, Long> key = new java.util.HashMap<>();
    for (ObjectId i : ids) {
      Integer at = order.get(i);
      key.put(i, at == null ? Long.MAX_VALUE : prepended(live, i, live.routes().get(i)) ? -1L - at : at);
    }
    return ids.stream().sorted(Comparator.comparingLong(key::get)).toList();
  }

  /**
   * iproute2's own names of route protocols ({@code rt_names.c}), by name: what {@link
   * #protocolNumber} writes as numbers.
   */
  private static final Map<String, Integer> PROTOCOLS = Map.ofEntries(Map.entry("unspec", 0), Map.entry("redirect", 1),
      Map.entry("kernel", 2), Map.entry("boot", 3), Map.entry("static", 4), Map.entry("gated", 8), Map.entry("ra", 9),
      Map.entry("mrt", 10), Map.entry("zebra", 11), Map.entry("bird", 12), Map.entry("dnrouted", 13),
      Map.entry("xorp", 14), Map.entry("ntk", 15), Map.entry("dhcp", 16), Map.entry("keepalived", 18),
      Map.entry("babel", 42), Map.entry("openr", 99), Map.entry("bgp", 186), Map.entry("isis", 187),
      Map.entry("ospf", 188), Map.entry("rip", 189), Map.entry("eigrp", 192));

  /**
   * A route's or rule's protocol as a number for an {@code ip -batch} line ({@code boot}: {@code
   * 3}); a name iproute2 does not know of itself as it is. In a batch, ip 6.1 reads a name it has
   * read before as the last protocol it read (its cache of names keeps the name and takes the
   * number): {@code proto static} after {@code proto 99} is 99, and a deletion found nothing.
   */
  static String protocolNumber(String protocol) {
    Integer n = PROTOCOLS.get(protocol);
    return n == null ? protocol : n.toString();
  }

  /**
   * What else than its identity and what it goes through route {@code id} was made of in {@code
   * live}, as words after the destination of a {@link #routeLine} (not at its end: a multipath
   * route's nexthops end the line): {@code proto P} when known, then its {@link
   * LiveState#attributes} ({@code src A}, {@code mtu lock N}, ...); empty when neither is known.
   */
  static String remade(LiveState live, ObjectId id) {
    // (not its nexthop object: a line with one takes no gateway, {@link #routeMaking})
    return live.routeProtocol(id).map(p -> " proto " + protocolNumber(p)).orElse("")
        + live.attributes(id).map(w -> NHID.matcher(w).replaceAll("").strip()).filter(w -> !w.isEmpty()).map(w -> " " + w).orElse("");
  }

  /**
   * The {@code ip rule} line ({@code verb}: {@code add}, {@code del}) of the rule {@code id}
   * names: its words, without the {@code -6} of an IPv6 rule (its batch runs with {@code ip -6}).
   */
  static String ruleLine(String verb, ObjectId id) {
    return "rule " + verb + " " + (id.name().startsWith("-6 ") ? id.name().substring(3) : id.name());
  }

  /** The device of {@link #nexthop}'s text. */
  private static String routeDevice(String nexthop) {
    return nexthop.substring(nexthop.lastIndexOf(' ') + 1);
  }

  /** How the note of a change that makes again what another change of a live link took begins ({@link Drift#follows}). */
  static final String AGAIN_AFTER = "again, after ";

  /** How the note of an IPv6 object or setting made again when a link's MTU rises to 1280 or more ends. */
  static final String IPV6_BACK = "IPv6 back with the MTU";

  /**
   * Why an address or route missing on the live link {@code NS/DEV} is made again after another
   * change of that link, if it is: the link is down (the kernel deletes its IPv6 addresses and
   * its routes when it goes down, and keeps its IPv4 addresses), its MTU is under 1280 and rises
   * (its IPv6 addresses and routes went with its IPv6 state), its IPv6 is switched off ({@code
   * disable_ipv6} 1: the kernel deletes its IPv6 addresses and routes) while its subnet was there
   * ({@link #v6SubnetLive}), or, for an IPv4 route, its IPv4 address is replaced ({@code
   * readdressed4}: the kernel drops the device's IPv4 routes with its last IPv4 address), or is
   * added back to a device left without any ({@code addressless4}: its last one deleted by hand,
   * the kernel dropped its routes with it). Empty for a link that is not live, or is replaced
   * ({@link Rebuild}).
   */
  private static Optional<String> madeAgain(String ns, String dev, boolean v4, boolean route, LiveState live,
      Map<ObjectId, Link> desiredLinks, Set<String> v6SubnetLive, Rebuild rebuild, Set<String> readdressed4,
      Set<String> addressless4) {
    ObjectId id = new ObjectId(ObjectId.Kind.LINK, ns, dev);
    Optional<LiveLink> now = live.link(id);
    Link l = desiredLinks.get(id);
    if (now.isEmpty() || l == null || rebuild.replaced(ns, dev) || live.unfinished().contains(ns)) {
      // (the namespace of an apply that did not end goes first, with the link: all is made anew)
      return Optional.empty();
    }
    if (!now.get().up() && (route || !v4)) {
      return Optional.of(AGAIN_AFTER + dev + " is set up");
    }
    if (!v4 && now.get().mtu() < Network.IPV6_MIN_MTU && l.mtu().orElse(LiveLink.DEFAULT_MTU) >= Network.IPV6_MIN_MTU
        && mtuLoweredByHand(l, live, desiredLinks)) {
      return Optional.of("again, " + IPV6_BACK);
    }
    if (!v4 && live.sysctl(ns, "net.ipv6.conf." + dev + ".disable_ipv6").filter("1"::equals).isPresent()
        && v6SubnetLive.contains(ns + "/" + dev)) {
      return Optional.of(AGAIN_AFTER + "the IPv6 of " + dev + " is switched on");
    }
    if (route && v4 && readdressed4.contains(ns + "/" + dev)) {
      return Optional.of(AGAIN_AFTER + "the address of " + dev + " is replaced");
    }
    if (route && v4 && addressless4.contains(ns + "/" + dev)) {
      return Optional.of(AGAIN_AFTER + "the address of " + dev + " is added back");
    }
    return Optional.empty();
  }

  /**
   * Whether the MTU under 1280 of the live link {@code l} was set by hand, not by an apply of a
   * network under 1280 bytes (which has no IPv6 subnet, NETC206, so that its IPv6 addresses are
   * new, not made again): netc gives the links of a network one MTU, and a link next to it (its
   * veth peer, a port of the bridge) has 1280 or more.
   */
  private static boolean mtuLoweredByHand(Link l, LiveState live, Map<ObjectId, Link> desiredLinks) {
    return desiredLinks.values().stream()
        .filter(n -> n.peer().filter(l.ref()::equals).isPresent() || l.peer().filter(n.ref()::equals).isPresent()
            || l.type() == Link.Type.BRIDGE && n.namespace().equals(l.namespace()) && n.master().filter(l.name()::equals).isPresent())
        .anyMatch(n -> live.link(n.id()).filter(x -> x.mtu() >= Network.IPV6_MIN_MTU).isPresent());
  }

  /**
   * The links ({@code NS/DEV}) whose IPv6 subnet was there before their IPv6 was switched off by
   * hand: an address the topology wants in that subnet (the bridge's gateway, another member's)
   * is live. Not so when the network gains its IPv6 subnet: the members of an IPv4-only network
   * have their IPv6 switched off ({@code disable_ipv6} 1), and one made dual stack switches it on
   * with addresses that are new.
   */
  private static Set<String> v6SubnetLive(List<KernelObject> desired, LiveState live) {
    List<Address> v6 = desired.stream().filter(o -> o instanceof Address a && !a.address().isV4()).map(Address.class::cast).toList();
    Set<dev.netc.compiler.ir.Cidr> subnets = v6.stream().filter(a -> live.has(a.id())).map(Address::subnet).collect(Collectors.toSet());
    return v6.stream().filter(a -> subnets.contains(a.subnet())).map(a -> a.namespace() + "/" + a.device()).collect(Collectors.toSet());
  }

  /** Whether the address {@code DEV/ADDRESS/PREFIX} is an IPv4 one. */
  static boolean v4Address(ObjectId address) {
    return !address.name().substring(address.name().indexOf('/') + 1).contains(":");
  }

  /**
   * The devices ({@code NS/DEV}) that get a new address in {@code changes} while an address of
   * theirs among {@code goneAddresses} goes: apply deletes those first (deleting a primary
   * address takes the secondaries of its subnet with it).
   */
  private static Set<String> readdressed(List<Change> changes, List<ObjectId> goneAddresses) {
    Set<String> getting = changes.stream()
        .filter(c -> c.action() == Change.Action.CREATE && c.id().kind() == ObjectId.Kind.ADDRESS)
        .map(c -> c.id().namespace() + "/" + device(c.id())).collect(Collectors.toSet());
    return goneAddresses.stream().map(i -> i.namespace() + "/" + device(i)).filter(getting::contains)
        .collect(Collectors.toSet());
  }

  /**
   * What differs between a desired link and the live one, each as {@code attribute now -> wanted}:
   * the MTU (the kernel's 1500 when the desired state sets none; a loopback's, a VXLAN device's
   * and a macvlan or VLAN sub-interface's only when set: the kernel derives theirs from the
   * underlay or the parent), the bridge it is enslaved to, a MAC address the topology fixes or
   * netc derives, the state (always up), a bridge port's hairpin mode. All are changed in place ({@code ip link set}); what a
   * VXLAN, macvlan or VLAN link is made of is not ({@link Rebuild#paramsChange}).
   */
  static List<String> attributeChanges(Link l, LiveLink now) {
    List<String> out = new ArrayList<>();
    if (comparesMtu(l)) {
      int mtu = l.mtu().orElse(LiveLink.DEFAULT_MTU);
      if (now.mtu() != mtu) {
        out.add("mtu " + now.mtu() + " -> " + mtu);
      }
    }
    String master = l.master().orElse("");
    if (l.type() != Link.Type.LOOPBACK && !now.master().equals(master)) {
      out.add("master " + (now.master().isEmpty() ? "none" : now.master()) + " -> " + (master.isEmpty() ? "none" : master));
    }
    if (l.mac().isPresent() && !l.mac().get().equalsIgnoreCase(now.mac())) {
      out.add("address " + now.mac() + " -> " + l.mac().get());
    }
    if (!now.up()) {
      out.add("state down -> up");
    }
    if (l.master().isPresent() && l.hairpin() != now.hairpin()) {
      out.add("hairpin " + (now.hairpin() ? "on" : "off") + " -> " + (l.hairpin() ? "on" : "off"));
    }
    return out;
  }

  /** Whether a link's MTU is the desired state's: a set one, or the kernel's 1500 for a bridge or veth. */
  private static boolean comparesMtu(Link l) {
    return l.mtu().isPresent() || l.type() == Link.Type.BRIDGE || l.type() == Link.Type.VETH;
  }

  /** The {@code ip -batch} lines that give a link its desired attributes in place. */
  static List<String> linkSettings(Link l) {
    return linkSettings(l, Optional.empty());
  }

  /**
   * The same, for a link that is {@code now}: a bridge port whose MTU rises from under 1280 to
   * 1280 or more gets its IPv6 state back from the kernel, with a new interface's address
   * generation; it is taken down for the change and made to generate no address before it is up
   * again, as when netc made it (no link-local address, no duplicate address detection).
   */
  static List<String> linkSettings(Link l, Optional<LiveLink> now) {
    List<String> out = new ArrayList<>();
    String dev = "link set dev " + KernelNames.checkIfname(l.name());
    int mtu = l.mtu().orElse(LiveLink.DEFAULT_MTU);
    boolean portRegainsIpv6 = l.type() == Link.Type.VETH && l.master().isPresent() && comparesMtu(l)
        && now.filter(n -> n.mtu() < Network.IPV6_MIN_MTU).isPresent() && mtu >= Network.IPV6_MIN_MTU;
    if (portRegainsIpv6) {
      out.add(dev + " down");
    }
    if (comparesMtu(l)) {
      out.add(dev + " mtu " + mtu);
    }
    if (portRegainsIpv6) {
      out.add(dev + " addrgenmode none");
    }
    if (l.type() != Link.Type.LOOPBACK) {
      out.add(dev + l.master().map(m -> " master " + KernelNames.checkIfname(m)).orElse(" nomaster"));
    }
    l.mac().ifPresent(m -> out.add(dev + " address " + m));
    if (l.master().isPresent()) {
      out.add(dev + " type bridge_slave hairpin " + (l.hairpin() ? "on" : "off"));
    }
    out.add(dev + " up");
    return out;
  }

  /** The {@code ip -batch} lines that give a link back the attributes it had (a rollback). */
  static List<String> linkRestore(Link l, LiveLink was) {
    List<String> out = new ArrayList<>();
    String dev = "link set dev " + KernelNames.checkIfname(l.name());
    out.add(dev + " mtu " + was.mtu());
    if (l.type() != Link.Type.LOOPBACK) {
      out.add(dev + (was.master().isEmpty() ? " nomaster" : " master " + KernelNames.checkIfname(was.master())));
    }
    if (l.mac().isPresent() && was.mac().matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
      out.add(dev + " address " + was.mac());
    }
    if (l.master().isPresent() && !was.master().isEmpty()) {
      out.add(dev + " type bridge_slave hairpin " + (was.hairpin() ? "on" : "off"));
    }
    out.add(dev + (was.up() ? " up" : " down"));
    return out;
  }

  /**
   * Whether the owned link {@code id} dies with links that are deleted: a veth whose peer is among
   * {@code replaced} (the pair dies whole), a macvlan sub-interface whose parent is among {@code
   * replaced} or {@code unwanted}. Ifindexes are per namespace, so it counts only when every live
   * link that could be that peer (its index, and its peer's index this link's) or that parent
   * (its index, in a host namespace) goes; in doubt it is deleted on its own.
   */
  static boolean diesWith(LiveState live, ObjectId id, Set<ObjectId> replaced, Set<ObjectId> unwanted) {
    LiveLink l = live.link(id).orElse(null);
    if (l == null || l.peer() < 0 || !l.kind().equals("veth") && !l.kind().equals("macvlan")) {
      return false;
    }
    boolean veth = l.kind().equals("veth");
    List<ObjectId> candidates = veth ? peers(live, id) : live.links().entrySet().stream()
        .filter(e -> !e.getKey().equals(id) && e.getValue().ifindex() == l.peer()
            && live.hostNamespaces().contains(e.getKey().namespace()))
        .map(Map.Entry::getKey).toList();
    return !candidates.isEmpty() && candidates.stream().allMatch(c -> replaced.contains(c) || !veth && unwanted.contains(c));
  }

  /**
   * The owned links of {@code live} that could be the peer of veth {@code id}: its index is the
   * veth's peer's and its peer's the veth's index, and, for the ends of an endpoint's pair, it
   * carries the other end's mark (small ifindexes repeat in every namespace: the ends of other
   * pairs can match both ways).
   */
  static List<ObjectId> peers(LiveState live, ObjectId id) {
    LiveLink l = live.link(id).orElse(null);
    if (l == null || l.peer() < 0) {
      return List.of();
    }
    Optional<String> partner = pairedAlias(live.aliases().getOrDefault(id, ""));
    return live.links().entrySet().stream()
        .filter(e -> !e.getKey().equals(id) && e.getValue().ifindex() == l.peer() && e.getValue().peer() == l.ifindex()
            && partner.map(a -> a.equals(live.aliases().get(e.getKey()))).orElse(true))
        .map(Map.Entry::getKey).toList();
  }

  /** The mark of a veth's other end: {@code netc:T:eth:E:N} for {@code netc:T:veth:E:N} and back; empty for other marks. */
  private static Optional<String> pairedAlias(String alias) {
    java.util.regex.Matcher m = PAIRED.matcher(alias);
    return m.matches() ? Optional.of(m.group(1) + (m.group(2).equals("veth") ? "eth" : "veth") + m.group(3)) : Optional.empty();
  }

  private static final java.util.regex.Pattern PAIRED = java.util.regex.Pattern.compile("(netc:[^:]+:)(veth|eth)(:[^:]+:[0-9]+)");

  /**
   * Whether an owned link is deleted with another: the container end of a veth with its host
   * end, the second end of a sandbox's macvlan parent with the first.
   */
  private static boolean goesWithItsPeer(String topology, String alias) {
    return alias.startsWith(Ownership.of(topology) + "eth:") || alias.startsWith(Ownership.of(topology) + "namespace:")
        || alias.startsWith(Ownership.of(topology) + "parent:") && alias.endsWith(":peer");
  }

  // ------------------------------------------------------------------ apply

  /** Makes the sandbox match the target; on failure, leaves it as it was and throws. */
  public Outcome apply(Target t) {
    return apply(List.of(t));
  }

  /**
   * Makes the sandbox match several hosts of one state under one lock (a topology of several
   * hosts: every host at once); on failure, leaves the sandbox as it was and throws.
   */
  public Outcome apply(List<Target> ts) {
    return apply(ts, Optional.empty());
  }

  /**
   * Applies a saved plan: exactly its changes, after checking under the lock that the live state
   * is still the one it was made against; a {@link StalePlanException} when it is not.
   */
  public Outcome apply(SavedPlan saved) {
    return apply(List.of(saved.target()), Optional.of(saved));
  }

  private Outcome apply(List<Target> ts, Optional<SavedPlan> saved) {
    long start = System.nanoTime();
    synchronized (stopLock) {
      done = false;
    }
    int processes = exec.processes();
    Sandbox sb = sandbox(ts);
    try (StateLock lock = lock(sb); Held newSandbox = new Held()) {
      LiveState before = read(ts);
      if (!sb.isHost() && !(before.sandboxExists() && before.outsideExists())) {
        // it makes S or S-outside: under the lock of new sandboxes too until their marks are
        // there, read again, so that the name check sees the marks of any sandbox made meanwhile
        // and one made now sees this one's (sandboxes S and S-x applied together: one is refused)
        newSandbox.take(lockNewSandboxes());
        before = read(ts);
      }
      if (!before.notes().isEmpty()) {
        throw new RunnerException(before.notes().get(0));
      }
      if (saved.isPresent()) {
        // against the state the plan was made from: before the leftovers of an unfinished apply
        // go (the plan lists their namespaces as to be made, and says they go first)
        String now = fingerprint(ts.get(0), before);
        if (!now.equals(saved.get().liveSha256())) {
          // a plan applied a second time finds what it made: said so, since 'changed' alone sounds like drift
          boolean done = before.unfinished().isEmpty() && diff(ts, before).empty();
          throw new StalePlanException("the live state of " + sb.label() + " changed since the plan was made (fingerprint "
              + saved.get().liveSha256().substring(0, 12) + ", now " + now.substring(0, 12) + ")"
              + (done ? ", and matches topology " + ts.get(0).topology() + " already: was the plan applied?" : ""));
        }
      }
      List<String> notes = new ArrayList<>();
      if (!before.unfinished().isEmpty()) {
        notes.add(finishUnfinished(ts, before));
        before = read(ts);
      }
      Plan plan = diff(ts, before);
      if (stopping) {
        throw new Stopped("interrupted before any change; " + sb.label() + " is as it was");
      }
      if (saved.isPresent()) {
        if (!plan.changes().equals(saved.get().plan().changes())) {
          throw new StalePlanException("the changes it lists are not the ones the live state of " + sb.label() + " needs"
              + firstDifference(saved.get().plan().changes(), plan.changes()));
        }
        plan = saved.get().plan();
      }
      // tables found as applied in a ruleset that changed since: their records take its generation
      Set<ObjectId> changing = plan.changes().stream().map(Change::id).collect(Collectors.toSet());
      ts.stream().filter(t -> t.host().table().isPresent() && !changing.contains(t.host().table().get().id()))
          .forEach(this::recordGeneration);
      // the record of the hosts the topology plays: the ones it has, and those it played that stay
      // for no other topology (something else is in them); before the changes, also every one
      // it played, so that no other topology's apply takes a host this one still has for free
      notes.addAll(keptHosts(sb, ts.get(0).topology(), dropped));
      Optional<Set<String>> hostsBefore = dropped.record();
      Set<String> hostsAfter = new java.util.TreeSet<>(plays(ts.get(0)));
      dropped.kept().forEach((ns, why) -> {
        if (!why.isEmpty()) {
          hostsAfter.add(ns);
        }
      });
      if (plan.empty()) {
        done("interrupted before any change; " + sb.label() + " is as it was");
        // nothing of an unfinished apply is left (every namespace it names is marked, or gone):
        // a journal still there would only mislead a later read
        removeJournal(LiveReader.unfinishedJournal(stateDir, sb, ts.get(0).topology()));
        if (!sb.isHost() && !hostsBefore.equals(Optional.of(hostsAfter))) {
          hostRecords.write(sb, ts.get(0).topology(), Optional.of(hostsAfter));
        }
        return new Outcome(plan, exec.processes() - processes, millis(start), notes);
      }
      // the interface settings of the endpoints' links it replaces, which the read may lack: the
      // rollback makes such a link again with them
      Map<String, Map<String, String>> settings = replacedSettings(ts, before, plan);
      // and the sysctls of the host namespaces it removes, which the read (of the desired hosts'
      // namespaces) lacks: the rollback makes such a namespace again with them
      droppedHostSettings(before, plan).forEach((ns, values) -> settings.computeIfAbsent(ns, k -> new LinkedHashMap<>()).putAll(values));
      Undo undo = new Undo(ts, withSysctls(before, settings), plan);
      undo.settingsRead = settings;
      Optional<Set<String>> recorded = hostsBefore;
      if (!sb.isHost()) {
        Set<String> meanwhile = new java.util.TreeSet<>(hostsAfter);
        hostsBefore.ifPresent(meanwhile::addAll);
        if (!hostsBefore.equals(Optional.of(meanwhile))) {
          undo.hostRecord = hostsBefore;
          hostRecords.write(sb, ts.get(0).topology(), Optional.of(meanwhile));
          recorded = Optional.of(meanwhile);
        }
      }
      // the endpoint namespaces it makes are journaled until it ends: they get their mark (their
      // loopback's alias) only with their own configuration, and an apply killed before that
      // leaves namespaces that would otherwise look like someone else's
      Set<String> endpointNamespaces = new java.util.HashSet<>();
      ts.forEach(x -> x.host().namespaces().forEach(n -> endpointNamespaces.add(n.name())));
      List<String> making = plan.changes().stream()
          .filter(c -> c.action() == Change.Action.CREATE && c.id().kind() == ObjectId.Kind.NAMESPACE
              && endpointNamespaces.contains(c.id().name()))
          .map(c -> c.id().name()).toList();
      Path journal = LiveReader.unfinishedJournal(stateDir, sb, ts.get(0).topology());
      if (!making.isEmpty()) {
        TableRecords.writeFile(journal, Optional.of("# netc: the endpoint namespaces an apply of " + ts.get(0).topology()
            + " is making; removed when it ends\n" + String.join("\n", making)));
      }
      try {
        Map<String, Map<String, String>> readBackSysctls = new LinkedHashMap<>();
        Map<String, List<JsonNode>> readBack = execute(ts, before, plan, undo, readBackSysctls, newSandbox::close);
        readBackSysctls.keySet().retainAll(readBack.keySet());
        LiveState after = reader.read(sb, ts.get(0).topology(), sysctlKeys(ts), readBack, readBackSysctls, desired(ts));
        List<String> missing = new ArrayList<>();
        boolean tunnelMtu = false;
        Set<String> hosts = hostNamespaces(ts);
        for (KernelObject o : ts.stream().flatMap(x -> x.host().objects().stream()).toList()) {
          boolean ok = o instanceof Sysctl s && !hosts.contains(s.namespace()) ? endpointSysctlHolds(s, after)
              : o instanceof Sysctl s ? after.sysctl(s.namespace(), s.key()).filter(s.value()::equals).isPresent()
              : o instanceof NetnsFile f ? f.content().equals(after.files().get(o.id()))
              : o instanceof Link l ? after.link(o.id()).filter(n -> n.kind().equals(Rebuild.kind(l.type()))
                  && attributeChanges(l, n).isEmpty()).isPresent()
              : after.has(o.id());
          if (!ok) {
            // a link that is there but not as desired: how, in the plan's words (`mtu 1430 -> 1450`)
            List<String> how = o instanceof Link l ? after.link(o.id()).filter(n -> n.kind().equals(Rebuild.kind(l.type())))
                .map(n -> attributeChanges(l, n)).orElse(List.of()) : List.of();
            missing.add(o.id() + (how.isEmpty() ? "" : " (" + String.join(", ", how) + ")"));
            tunnelMtu |= o instanceof Link l && l.type() == Link.Type.VXLAN && how.stream().anyMatch(x -> x.startsWith("mtu "));
          }
        }
        // (and every endpoint has the kernel's own rules: those deleted by hand were made again)
        after.kernelRulesMissing().forEach((ns, rules) -> {
          if (endpointNamespaces.contains(ns)) {
            rules.forEach(r -> missing.add(new ObjectId(ObjectId.Kind.RULE, ns, r).toString()));
          }
        });
        if (!missing.isEmpty()) {
          throw new RunnerException("read back after apply, " + missing.size() + " object"
              + (missing.size() == 1 ? " is" : "s are") + " missing or not as desired: " + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
              + (tunnelMtu ? "; " + TUNNEL_MTU : ""));
        }
        // a stop asked for during the read-back rolls back as any other; from here on, none does
        done("interrupted");
        undo.loadedTables.forEach(this::recordElements);
        // (inside the rollback's guard, as the tables' records: one that cannot be written undoes the apply)
        if (!sb.isHost() && !recorded.equals(Optional.of(hostsAfter))) {
          undo.hostRecord = hostsBefore;
          hostRecords.write(sb, ts.get(0).topology(), Optional.of(hostsAfter));
        }
      } catch (RuntimeException e) {
        List<String> problems = undo.run();
        removeJournal(journal);
        // stopped (a signal also ends the process running at that moment: its failure is the stop's)
        String msg = stopping ? "interrupted" : e instanceof RunnerException ? e.getMessage() : e.toString();
        String text = msg + "; rolled back"
            + (problems.isEmpty() ? ", " + sb.label() + " is as before" : " with problems: " + String.join("; ", problems));
        throw stopping ? new Stopped(text) : new RunnerException(text);
      }
      removeJournal(journal);
      notes.addAll(undo.notes);
      if (!sb.isHost() && !plan.empty()) {
        settle(routers(ts, sb), notes);
      }
      return new Outcome(plan, exec.processes() - processes, millis(start), notes);
    }
  }

  /** How long an apply waits at most for the IPv6 addresses of a sandbox's host namespaces. */
  static final Duration SETTLE = Duration.ofSeconds(3);

  /**
   * The links of the sandbox's routers whose IPv6 addresses an apply waits for ({@link #settle}),
   * by namespace: in each host namespace, {@link Sandbox#ipv6RoutingLinks}; in {@code S}, the
   * router between the hosts of several, the uplink and the underlay bridge.
   */
  private static Map<String, Set<String>> routers(List<Target> ts, Sandbox sb) {
    Map<String, Set<String>> out = new java.util.TreeMap<>();
    for (Target x : ts) {
      out.computeIfAbsent(x.hostNs(), k -> new java.util.TreeSet<>()).addAll(Sandbox.ipv6RoutingLinks(x.host()));
    }
    out.computeIfAbsent(sb.name(), k -> new java.util.TreeSet<>()).addAll(Sandbox.ROUTER_LINKS);
    return out;
  }

  /**
   * Waits, at most {@link #SETTLE}, until no IPv6 address of the links {@code routers} of the
   * sandbox's routers ({@link #routers}) is tentative, so that IPv6 crosses them as soon as apply
   * returns: links made there skip duplicate address detection ({@link Sandbox#noDad}, or their
   * own {@code accept_dad}), but a new bridge's addresses stay tentative until it has a carrier,
   * which it gets from its ports through the kernel's link watch, batched up to a second on a
   * busy machine; and a bridge made again under ports that are up already, in an {@code S} made
   * by someone else, runs DAD, one to two seconds. A router without a usable link-local address
   * sends no neighbour solicitation for what it forwards. One read of each namespace when
   * nothing is tentative; a note when something still is after the wait. Only over netlink (as
   * root), never in host mode (the host's addresses are not netc's to wait for).
   */
  private void settle(Map<String, Set<String>> routers, List<String> notes) {
    if (netlink == null || !NetlinkNamespaces.usable()) {
      return;
    }
    long deadline = System.nanoTime() + SETTLE.toNanos();
    for (Map.Entry<String, Set<String>> r : routers.entrySet()) {
      String ns = r.getKey();
      try {
        while (!stopping && netlink.tentative(ns, r.getValue())) {
          if (System.nanoTime() >= deadline) {
            notes.add("IPv6 addresses of " + ns + " are still tentative " + SETTLE.toSeconds()
                + " s after apply: the first IPv6 connections through it may fail until they are not");
            break;
          }
          Thread.sleep(20);
        }
      } catch (IOException | RuntimeException e) {
        return; // a read that fails says nothing about the apply, which is done
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * The interface settings ({@link Sysctl#interfaceSettings}: {@code disable_ipv6}, {@code
   * accept_ra}, ...) of the endpoints' links {@code plan} replaces that {@code live} lacks, read
   * now, by namespace: a read through {@code ip} has none of an endpoint's, and a read over netlink
   * only those the desired state names (not the {@code accept_ra} of an interface that leaves a
   * network with IPv6 for one without); and the {@code route_localnet} of the host namespaces'
   * bridges it deletes or replaces, which the desired state no longer names. The rollback makes
   * such a link again with them. As root
   * with the C library, read by a thread in each namespace (no process); else one {@code grep} per
   * namespace. A namespace that cannot be read is left out: its links come back with the settings
   * the read has.
   */
  private Map<String, Map<String, String>> replacedSettings(List<Target> ts, LiveState live, Plan plan) {
    Set<String> hosts = hostNamespaces(ts);
    Map<String, List<String>> keys = new LinkedHashMap<>();
    for (Change c : plan.changes()) {
      ObjectId id = c.id();
      if (id.kind() != ObjectId.Kind.LINK || id.namespace().isEmpty() || id.name().equals("lo") || live.link(id).isEmpty()) {
        continue;
      }
      if (c.action() == Change.Action.REPLACE && !hosts.contains(id.namespace())) {
        Sysctl.interfaceSettings(id.name()).stream().filter(k -> live.sysctl(id.namespace(), k).isEmpty())
            .forEach(k -> keys.computeIfAbsent(id.namespace(), x -> new ArrayList<>()).add(k));
      } else if ((c.action() == Change.Action.REPLACE || c.action() == Change.Action.DELETE) && hosts.contains(id.namespace())
          && live.link(id).get().kind().equals("bridge") && live.sysctl(id.namespace(), routeLocalnet(id.name())).isEmpty()) {
        // (and a bridge of a host that goes: its route_localnet, which the desired state no longer names)
        keys.computeIfAbsent(id.namespace(), x -> new ArrayList<>()).add(routeLocalnet(id.name()));
      }
    }
    return readSysctls(keys);
  }

  /**
   * The sysctls netc sets in a host namespace ({@link Sysctl#HOST_KEYS}, and the {@code
   * route_localnet} and {@code disable_ipv6} of its bridges) of each host namespace {@code plan}
   * removes (one no topology plays any more: {@link #dropped}), read now, by namespace: the read
   * has only the desired hosts' (a rollback that makes such a namespace again gives them back,
   * and reads them again to compare). A key the kernel lacks ({@code net.bridge.*} without
   * {@code br_netfilter}) is left out, as a namespace that cannot be read.
   */
  private Map<String, Map<String, String>> droppedHostSettings(LiveState live, Plan plan) {
    Map<String, List<String>> keys = new LinkedHashMap<>();
    for (Change c : plan.changes()) {
      String ns = c.id().name();
      if (c.action() == Change.Action.DELETE && c.id().kind() == ObjectId.Kind.NAMESPACE && dropped.going().contains(ns)) {
        List<String> k = new ArrayList<>(Sysctl.HOST_KEYS);
        live.links().entrySet().stream().filter(e -> e.getKey().namespace().equals(ns) && e.getValue().kind().equals("bridge"))
            .map(e -> e.getKey().name()).sorted().forEach(b -> {
              k.add(routeLocalnet(b));
              k.add(disableIpv6(b));
            });
        keys.put(ns, k);
      }
    }
    return readSysctls(keys);
  }

  /** The sysctls {@code keys} of endpoint namespaces (by namespace), as {@link #replacedSettings} reads them. */
  private Map<String, Map<String, String>> readSysctls(Map<String, List<String>> keys) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    if (keys.isEmpty()) {
      return out;
    }
    if (netlink != null && NetlinkNamespaces.usable()) {
      try {
        netlink.read(keys).read().forEach((ns, r) -> out.put(ns, new LinkedHashMap<>(r.sysctls())));
        return out;
      } catch (RuntimeException e) {
        out.clear(); // through grep then
      }
    }
    keys.forEach((ns, k) -> {
      try {
        out.put(ns, reader.sysctls(ns, k));
      } catch (RuntimeException e) {
        // left out
      }
    });
    return out;
  }

  /** {@code live} with the sysctls {@code more} (by namespace) besides its own. */
  private static LiveState withSysctls(LiveState live, Map<String, Map<String, String>> more) {
    if (more.isEmpty()) {
      return live;
    }
    Map<String, String> sysctls = new LinkedHashMap<>(live.sysctls());
    more.forEach((ns, values) -> values.forEach((k, v) -> sysctls.put(LiveState.key(ns, k), v)));
    return live.toBuilder().sysctls(sysctls).build();
  }

  /** Runs each task on a daemon thread of its own, named {@code name}, that ends with it. */
  private static java.util.concurrent.Executor threadOfItsOwn(String name) {
    return r -> {
      Thread th = new Thread(r, name);
      th.setDaemon(true);
      th.start();
    };
  }

  /** Removes an apply's journal once it ended (done, or rolled back: the undo read the rest). */
  private static void removeJournal(Path journal) {
    try {
      Files.deleteIfExists(journal);
    } catch (IOException e) {
      // left: the next read finds only namespaces with marks, or none, under the names it lists
    }
  }

  /**
   * Deletes the namespaces an apply of the topology made and did not live to mark ({@link
   * LiveState#unfinished}), with the host ends of their veths (the kernel takes those with the
   * namespaces; {@link DyingPeers} waits for it), and the journal; returns what it did, for the
   * user.
   */
  private String finishUnfinished(List<Target> ts, LiveState live) {
    Target t = ts.get(0);
    List<ObjectId> ids = new ArrayList<>();
    live.unfinished().stream().sorted().forEach(n -> ids.add(new ObjectId(ObjectId.Kind.NAMESPACE, "", n)));
    ids.addAll(LiveReader.dyingWithUnfinished(live));
    deletions(t, ids, true, live);
    removeUnfinishedFiles(live);
    removeJournal(LiveReader.unfinishedJournal(stateDir, sandbox(ts), t.topology()));
    return unfinished(t.topology(), live, "deleted the", "", "applied as usual");
  }

  /**
   * Removes the files under {@code /etc/netns} of an unfinished apply's namespaces, and their
   * folders when empty: the apply writes them beside the kernel's changes, so a kill can leave
   * a folder without files, or a file half written (without its mark, it would pass for
   * someone else's). The journal names those namespaces as netc's, and so their files.
   */
  private void removeUnfinishedFiles(LiveState live) {
    for (String ns : live.unfinished()) {
      Path dir = etcNetns.resolve(KernelNames.checkNetns(ns));
      try {
        for (String f : List.of("hosts", "resolv.conf")) {
          Files.deleteIfExists(dir.resolve(f));
        }
        removeIfEmpty(dir);
      } catch (IOException e) {
        throw new RunnerException("cannot remove the files of " + ns + " under " + etcNetns + ": " + e.getMessage());
      }
    }
  }

  /**
   * What the plan says of, and apply did with, the namespaces of an unfinished apply: {@code
   * an earlier apply of T did not end (killed?): VERB N namespaces it had made and not yet marked
   * WHEN (the first three, ...), then THEN}.
   */
  private static String unfinished(String topology, LiveState live, String verb, String when, String then) {
    List<String> names = live.unfinished().stream().sorted().toList();
    return "an earlier apply of " + topology + " did not end (killed?): " + verb + " " + names.size() + " namespace"
        + (names.size() == 1 ? "" : "s") + " it had made and not yet marked" + when + " ("
        + String.join(", ", names.subList(0, Math.min(3, names.size()))) + (names.size() > 3 ? ", ..." : "")
        + "), then " + then;
  }

  /**
   * Makes the changes; returns the state of the endpoint namespaces it configured, read at the
   * end of their batches ({@link NetnsBatches#READ}), for those nothing changed since. {@code
   * marked} runs once {@code S} and {@code S-outside} are there with their marks.
   */
  private Map<String, List<JsonNode>> execute(List<Target> ts, LiveState before, Plan plan, Undo undo,
      Map<String, Map<String, String>> readSysctls, Runnable marked) {
    Sandbox sb = sandbox(ts);
    // each host's ip lines are worked out while the sandbox is made (its processes leave the JVM
    // idle: a first apply of 100 containers, some 10 ms sooner)
    Map<Target, java.util.concurrent.CompletableFuture<IpPlan>> ipPlans = new java.util.IdentityHashMap<>();
    ts.forEach(t -> ipPlans.put(t, java.util.concurrent.CompletableFuture.supplyAsync(() -> IpPlan.of(t.host()),
        threadOfItsOwn("netc-ip-plan"))));
    Map<ObjectId, Change> byId = new LinkedHashMap<>();
    plan.changes().forEach(c -> byId.put(c.id(), c));
    // when the plan only makes things (a first apply, a topology that grew), the table of each host
    // whose namespace is there once the sandbox's first batch ran (S itself, or one that existed)
    // is loaded from then on, beside the rest of the sandbox, the ip plans and the host's batches:
    // the JVM waits for processes there, and nft parses its file on the idle core (a first apply
    // of 100 containers: its 25 ms of parsing no longer all beside `netns add`). Otherwise (links
    // updated in place, replaced or deleted first) it loads in its place in executeHost.
    boolean onlyMakes = plan.changes().stream().noneMatch(c -> c.action() == Change.Action.REPLACE
        || c.action() == Change.Action.DELETE || c.action() == Change.Action.UPDATE && c.id().kind() == ObjectId.Kind.LINK);
    Map<Target, java.util.concurrent.CompletableFuture<Void>> tables = new java.util.IdentityHashMap<>();
    // likewise the endpoints' namespaces: they need nothing of the sandbox, and are made from then
    // on beside it (a first apply of 1,000 containers: some 340 ms sooner)
    List<java.util.concurrent.CompletableFuture<Void>> namespaces = new ArrayList<>();
    Set<ObjectId> madeEarly = new java.util.HashSet<>();
    Runnable startTables = () -> {
      for (Target t : ts) {
        if (onlyMakes && !tables.containsKey(t) && (t.hostNs().equals(sb.name()) || before.hostNamespaces().contains(t.hostNs()))) {
          tables.put(t, java.util.concurrent.CompletableFuture.runAsync(() -> hostTable(t, byId, undo), threadOfItsOwn("netc-table")));
        }
      }
      if (onlyMakes && namespaces.isEmpty()) {
        namespaces.addAll(makeNamespaces(ts, byId, madeEarly));
      }
    };
    try {
      makeSandbox(sb.creation(before.sandboxExists(), before.outsideExists(),
          before.sandboxLinks().containsKey(Sandbox.UPLINK)), startTables);
      marked.run();
      startTables.run(); // (S existed: nothing was made)
      List<Underlay> all = underlays(ts);
      List<Underlay> missing = new ArrayList<>(all.stream().filter(u -> !before.hostNamespaces().contains(u.namespace())).toList());
      // (and the ports deleted by hand, in the namespaces that are there)
      List<Underlay> portless = portless(ts, before);
      missing.addAll(portless);
      makeSandbox(sb.underlayCreation(missing, before.sandboxLinks().containsKey(Underlay.DEVICE)
          || !before.sandboxExists() && all.isEmpty(), all,
          portless.stream().map(Underlay::namespace).collect(Collectors.toSet())), () -> { });
      makeSandbox(sb.hostsAgain(List.of(), bareHosts(ts).stream()
          .filter(n -> !before.hostNamespaces().contains(n)).toList(), Set.of()), () -> { });
      // the sandbox's devices that were there get their addresses and routes in place; a
      // rollback gives them back those they had
      Map<String, Set<String>> plumbing = plumbing(ts, before, dropped.going());
      undo.plumbing = Sandbox.plumbingRuns(before.plumbing(), plumbing);
      makeSandbox(Sandbox.plumbingRuns(plumbing, before.plumbing()), () -> { });
      return executeAll(ts, before, plan, undo, readSysctls, ipPlans, byId, tables,
          new EarlyNamespaces(madeEarly, namespaces));
    } catch (RuntimeException e) {
      // nothing of a table's load or of the namespaces' batches outlives the failure: the rollback comes next
      tables.values().forEach(f -> f.handle((x, y) -> null).join());
      namespaces.forEach(f -> f.handle((x, y) -> null).join());
      throw e;
    }
  }

  /**
   * The endpoints' namespaces made from the start of an apply ({@link #makeNamespaces}): their
   * objects (left out of the host's batches) and the batches making them, which the host's
   * batches wait for.
   */
  private record EarlyNamespaces(Set<ObjectId> objects, List<java.util.concurrent.CompletableFuture<Void>> batches) {
    void await() {
      for (java.util.concurrent.CompletableFuture<Void> f : batches) {
        try {
          f.join();
        } catch (java.util.concurrent.CompletionException e) {
          throw e.getCause() instanceof RuntimeException re ? re : e;
        }
      }
    }
  }

  /** Whether {@code dir} is a mount point of this process's mount namespace ({@code /proc/self/mountinfo}); false when unknown. */
  private static boolean mountPoint(Path dir) {
    try {
      return mountPoint(Files.readString(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8), dir.toString());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Whether {@code mountinfo} (the text of {@code /proc/PID/mountinfo}) has a mount at {@code dir}: its fifth field. */
  static boolean mountPoint(String mountinfo, String dir) {
    for (String line : mountinfo.split("\n")) {
      String[] f = line.split(" ", 6);
      if (f.length > 4 && f[4].equals(dir)) {
        return true;
      }
    }
    return false;
  }

  /** At most this many {@code ip -batch} processes make the endpoints' namespaces side by side ({@link #makeNamespaces}). */
  static final int NAMESPACE_BATCHES = 4;

  /**
   * How many {@code ip -batch} processes make {@code namespaces} endpoint namespaces side by side
   * once {@code /run/netns} is a mount point: one per processor, at most {@link
   * #NAMESPACE_BATCHES}, each with at least 32.
   */
  public static int namespaceBatches(int namespaces) {
    return Math.max(1, Math.min(Math.min(NAMESPACE_BATCHES, Runtime.getRuntime().availableProcessors()), namespaces / 32));
  }

  /**
   * Starts making the endpoint namespaces the plan makes, with {@code ip -batch} processes side
   * by side, one per processor up to {@link #NAMESPACE_BATCHES}, each with at least 32 of them:
   * the kernel makes namespaces in parallel (100 on 2 processors: 40 ms by two processes, 70 ms by
   * one). Only once {@code /run/netns} is a mount point (it is when the sandbox or any named
   * namespace exists): the first {@code ip netns add} makes it one, and two that race there could
   * each mount it. Adds the namespaces' objects to {@code made}.
   */
  private List<java.util.concurrent.CompletableFuture<Void>> makeNamespaces(List<Target> ts, Map<ObjectId, Change> byId,
      Set<ObjectId> made) {
    List<String> lines = new ArrayList<>();
    for (Target t : ts) {
      for (Netns n : t.host().namespaces()) {
        Change c = byId.get(n.id());
        if (c != null && c.action() == Change.Action.CREATE && KernelNames.validNetns(n.name())) {
          lines.add("netns add " + n.name());
          made.add(n.id());
        }
      }
    }
    if (lines.isEmpty()) {
      return List.of();
    }
    int batches = !mountPoint(RUN_NETNS) ? 1 : namespaceBatches(lines.size());
    List<String> argv = new IpBatch(Optional.empty(), "namespaces", List.of()).argv(false);
    List<java.util.concurrent.CompletableFuture<Void>> out = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      String stdin = String.join("\n", lines.subList(lines.size() * b / batches, lines.size() * (b + 1) / batches)) + "\n";
      out.add(java.util.concurrent.CompletableFuture.runAsync(() -> check(exec.run(argv, stdin), String.join(" ", argv), stdin),
          threadOfItsOwn("netc-namespaces")));
    }
    return out;
  }

  /** {@link #execute} once the sandbox is made, with the tables that already load ({@code tables}). */
  private Map<String, List<JsonNode>> executeAll(List<Target> ts, LiveState before, Plan plan, Undo undo,
      Map<String, Map<String, String>> readSysctls, Map<Target, java.util.concurrent.CompletableFuture<IpPlan>> ipPlans,
      Map<ObjectId, Change> byId, Map<Target, java.util.concurrent.CompletableFuture<Void>> tables, EarlyNamespaces namespaces) {
    // an address changed by hand: the unexpected one goes first, as deleting a primary address
    // takes the secondaries of its subnet (the one about to be added) with it
    Set<String> devicesGettingAddresses = plan.changes().stream()
        .filter(c -> c.action() == Change.Action.CREATE && c.id().kind() == ObjectId.Kind.ADDRESS)
        .map(c -> c.id().namespace() + "/" + device(c.id())).collect(Collectors.toSet());
    // (and a route through such a device that goes goes before it: the kernel may drop it with
    // the address, and a later `route del` would find nothing)
    List<ObjectId> early = new ArrayList<>();
    plan.changes().stream()
        .filter(c -> c.action() == Change.Action.DELETE && c.id().kind() == ObjectId.Kind.ROUTE
            && before.route(c.id()).filter(v -> devicesGettingAddresses.contains(c.id().namespace() + "/" + routeDevice(v))).isPresent())
        .map(Change::id).forEach(early::add);
    plan.changes().stream()
        .filter(c -> c.action() == Change.Action.DELETE && c.id().kind() == ObjectId.Kind.ADDRESS
            && devicesGettingAddresses.contains(c.id().namespace() + "/" + device(c.id())))
        .map(Change::id).forEach(early::add);
    // and the IPv6 addresses and routes of a link whose MTU falls under 1280 in place (its network
    // loses its IPv6 subnet for it): the kernel drops its IPv6 state with them, and a later
    // deletion would fail ("IPv6 is disabled on this device")
    Set<String> losingIpv6 = ts.stream().flatMap(t -> t.host().links().stream())
        .filter(l -> byId.containsKey(l.id()) && byId.get(l.id()).action() == Change.Action.UPDATE
            && l.mtu().orElse(LiveLink.DEFAULT_MTU) < Network.IPV6_MIN_MTU
            && before.link(l.id()).filter(n -> n.mtu() >= Network.IPV6_MIN_MTU).isPresent())
        .map(l -> l.namespace() + "/" + l.name()).collect(Collectors.toSet());
    plan.changes().stream()
        .filter(c -> c.action() == Change.Action.DELETE && c.id().name().contains(":") && !early.contains(c.id())
            && (c.id().kind() == ObjectId.Kind.ROUTE && before.route(c.id())
                    .filter(v -> losingIpv6.contains(c.id().namespace() + "/" + routeDevice(v))).isPresent()
                || c.id().kind() == ObjectId.Kind.ADDRESS && losingIpv6.contains(c.id().namespace() + "/" + device(c.id()))))
        .map(Change::id).forEach(early::add);
    if (!early.isEmpty()) {
      checkpoint();
      undo.deleted.addAll(early);
      deletions(ts.get(0), early, false, before);
    }
    // links the kernel cannot change in place: deleted here, made again below (host namespaces first)
    Set<String> hostNamespaces = ts.stream().map(Target::hostNs).collect(Collectors.toSet());
    Map<String, List<String>> replaced = new LinkedHashMap<>();
    // (not a link that dies with one deleted before it: the other end of a pair replaced whole,
    // a sub-interface of a replaced parent)
    Set<ObjectId> deletedFirst = new java.util.HashSet<>();
    plan.changes().stream().filter(c -> c.action() == Change.Action.REPLACE && c.id().kind() == ObjectId.Kind.LINK)
        .sorted(Comparator.comparing((Change c) -> !hostNamespaces.contains(c.id().namespace())))
        .filter(c -> !diesWith(before, c.id(), deletedFirst, Set.of()))
        .forEach(c -> {
          deletedFirst.add(c.id());
          replaced.computeIfAbsent(c.id().namespace(), k -> new ArrayList<>())
              .add("link del " + KernelNames.checkIfname(c.id().name()));
        });
    replaced.forEach((ns, lines) -> {
      checkpoint();
      ip(new Sandbox.Run(ns, lines));
    });
    Map<String, List<JsonNode>> readBack = new LinkedHashMap<>();
    Set<String> touchedSince = new java.util.HashSet<>();
    Map<String, Map<String, String>> afterDeletions = new LinkedHashMap<>();
    for (Target t : ts) {
      IpPlan ipPlan;
      try {
        ipPlan = ipPlans.get(t).join();
      } catch (java.util.concurrent.CompletionException e) {
        throw e.getCause() instanceof RuntimeException re ? re : e;
      }
      readBack.putAll(executeHost(t, ipPlan, before, byId, undo, touchedSince, readSysctls, afterDeletions, tables.get(t),
          namespaces));
    }
    List<ObjectId> late = plan.changes().stream().filter(c -> c.action() == Change.Action.DELETE).map(Change::id)
        .filter(i -> !early.contains(i)).toList();
    checkpoint();
    undo.deleted.addAll(late);
    late.stream().filter(i -> i.kind() == ObjectId.Kind.TABLE)
        .forEach(i -> undo.tablesDeleted.put(i.namespace(), kept(i.namespace(), ts.get(0).topology())));
    deletions(ts.get(0), late, false, before);
    if (!afterDeletions.isEmpty()) {
      writeSysctls(afterDeletions);
      touchedSince.addAll(afterDeletions.keySet());
    }
    // the kernel's own rules deleted by hand, made again (after the rules that go: one made by
    // hand may hold the very priority)
    List<ObjectId> kernelRules = plan.changes().stream()
        .filter(c -> c.action() == Change.Action.CREATE && c.id().kind() == ObjectId.Kind.RULE).map(Change::id).toList();
    if (!kernelRules.isEmpty()) {
      checkpoint();
      undo.kernelRulesMade.addAll(kernelRules);
      for (boolean inet6 : List.of(false, true)) {
        Map<String, List<String>> lines = new LinkedHashMap<>();
        kernelRules.stream().filter(i -> i.name().startsWith("-6 ") == inet6)
            .forEach(i -> lines.computeIfAbsent(i.namespace(), k -> new ArrayList<>()).add(ruleLine("add", i)));
        lines.forEach((ns, l) -> ip(new Sandbox.Run(ns, l, false, inet6)));
      }
      kernelRules.forEach(i -> touchedSince.add(i.namespace()));
    }
    forgetMoved(ts, plan);
    // a namespace changed since its batch's read is read again
    late.forEach(i -> touchedSince.add(i.namespace()));
    touchedSince.forEach(readBack::remove);
    return readBack;
  }

  /**
   * A container moved to another host (its veth pair replaced whole, {@code forces replacement:
   * peer}) keeps its MAC address, which the bridges of the other hosts learned behind their
   * VXLAN devices while it was away: the bridge of its new host would drop the frames the tunnel
   * brings it (they arrive on the port it thinks the address is behind) until it forgets, some
   * 300 s, unless the container speaks first. Its learned entries on every host's VXLAN devices
   * are deleted ({@code bridge fdb del MAC dev VX master}, missing ones passed over), so each
   * bridge learns it anew from the next frame.
   */
  private void forgetMoved(List<Target> ts, Plan plan) {
    if (ts.size() < 2) {
      return;
    }
    Set<String> moved = new java.util.TreeSet<>();
    Set<ObjectId> replaced = plan.changes().stream().filter(c -> c.action() == Change.Action.REPLACE && c.detail().contains("peer"))
        .map(Change::id).collect(Collectors.toSet());
    ts.forEach(x -> x.host().links().stream().filter(l -> replaced.contains(l.id()) && l.type() == Link.Type.VETH)
        .forEach(l -> l.mac().ifPresent(moved::add)));
    if (moved.isEmpty()) {
      return;
    }
    for (Target x : ts) {
      List<String> lines = new ArrayList<>();
      x.host().links().stream().filter(l -> l.type() == Link.Type.VXLAN && l.namespace().equals(x.hostNs()))
          .forEach(vx -> moved.forEach(mac -> lines.add("fdb del " + mac + " dev " + KernelNames.checkIfname(vx.name()) + " master")));
      if (!lines.isEmpty()) {
        IpBatch b = new IpBatch(Optional.of(x.hostNs()), "fdb", List.of(), "bridge");
        exec.run(b.argv(true), String.join("\n", lines) + "\n"); // an entry not learned is no error
      }
    }
  }

  /** {@code netns exec NS sysctl -qw KEY=VALUE ...}, a line of {@link Sandbox#creation}'s batch of the host namespace. */
  private static final java.util.regex.Pattern SYSCTL_LINE = java.util.regex.Pattern.compile("netns exec (\\S+) sysctl -qw ((?:\\S+=\\S*)(?: \\S+=\\S*)*)");

  /**
   * Runs the batches that make the sandbox ({@link Sandbox#creation}, {@link
   * Sandbox#underlayCreation}). As root with the C library, what needs no process of its own
   * gets none: the sysctls of a namespace just made are written by a thread in it (not by a
   * {@code sysctl} that {@code ip netns exec} starts from the batch), and a batch of lines {@link
   * IpLines} sends ({@code S-outside}'s) goes as rtnetlink requests: the sandbox takes two
   * processes. {@code afterFirst} runs once the first run is done (a new {@code S} exists then,
   * with its own sysctls), before the next.
   */
  private void makeSandbox(List<Sandbox.Run> runs, Runnable afterFirst) {
    boolean inJvm = netlink != null && NetlinkNamespaces.usable();
    boolean first = true;
    for (Sandbox.Run r : runs) {
      if (!first) {
        afterFirst.run();
      }
      first = false;
      checkpoint();
      if (!inJvm) {
        ipUnlessForced(r);
        continue;
      }
      List<String> lines = new ArrayList<>();
      Map<String, Map<String, String>> writes = new LinkedHashMap<>();
      for (String l : r.lines()) {
        java.util.regex.Matcher m = SYSCTL_LINE.matcher(l);
        if (r.namespace().isEmpty() && m.matches()) {
          Map<String, String> w = writes.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>());
          for (String kv : m.group(2).split(" ")) {
            w.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
          }
        } else {
          lines.add(l);
        }
      }
      Optional<IpLines> requests = r.namespace().isEmpty() || lines.isEmpty() ? Optional.empty() : IpLines.parse(lines);
      if (requests.isPresent()) {
        long start = System.nanoTime();
        NetlinkNamespaces.Outcome o = netlink.configure(Map.of(r.namespace(), requests.get()));
        exec.note("netlink requests in " + r.namespace(), System.nanoTime() - start);
        if (!o.failed().isEmpty()) {
          throw new RunnerException("the requests in " + r.namespace() + " failed: " + o.failed().values().iterator().next());
        }
      } else if (!lines.isEmpty()) {
        ipUnlessForced(new Sandbox.Run(r.namespace(), lines, r.force()));
      }
      if (!writes.isEmpty()) {
        writeSysctls(writes);
      }
    }
  }

  /**
   * Whether {@code object} is an IPv6 address of a link updated in place whose MTU is under
   * 1280, IPv6's minimum, before the update: the link has no IPv6 state until its MTU rises.
   */
  private static boolean v6UnderMinimum(ObjectId object, LiveState before, Map<ObjectId, Change> byId) {
    if (object.kind() != ObjectId.Kind.ADDRESS) {
      return false;
    }
    int slash = object.name().indexOf('/');
    if (slash < 0 || !object.name().substring(slash + 1).contains(":")) {
      return false;
    }
    ObjectId link = new ObjectId(ObjectId.Kind.LINK, object.namespace(), object.name().substring(0, slash));
    Change c = byId.get(link);
    return c != null && c.action() == Change.Action.UPDATE
        && before.link(link).filter(l -> l.mtu() < Network.IPV6_MIN_MTU).isPresent();
  }

  /**
   * The bridge of {@code object} when it is an IPv6 address of a bridge this apply makes (or makes
   * again) in the host namespace of {@code t}, whose new links have IPv6 off ({@link
   * #DEFAULT_DISABLE_IPV6} 1 as {@code before} read it): the bridge's IPv6 must be switched on
   * before the address is added.
   */
  private static Optional<String> newBridgeOfIpv6Address(ObjectId object, Target t, LiveState before, Map<ObjectId, Change> byId) {
    if (object.kind() != ObjectId.Kind.ADDRESS || !object.namespace().equals(t.hostNs())
        || !before.sysctl(t.hostNs(), DEFAULT_DISABLE_IPV6).filter("1"::equals).isPresent()) {
      return Optional.empty();
    }
    int slash = object.name().indexOf('/');
    if (slash < 0 || !object.name().substring(slash + 1).contains(":")) {
      return Optional.empty();
    }
    String device = object.name().substring(0, slash);
    Change c = byId.get(new ObjectId(ObjectId.Kind.LINK, object.namespace(), device));
    boolean bridge = t.host().links().stream().anyMatch(l -> l.type() == Link.Type.BRIDGE && l.name().equals(device)
        && l.namespace().equals(object.namespace()));
    return bridge && c != null && (c.action() == Change.Action.CREATE || c.action() == Change.Action.REPLACE)
        ? Optional.of(device) : Optional.empty();
  }

  /**
   * Makes the changes of one host: the namespaces, then its host namespace (bridges, tunnels,
   * veths with their peers made in the endpoints' namespaces), then every endpoint namespace:
   * those batches are independent of each other and run with a few processes ({@link
   * NetnsBatches}), each ending with the read that checks it (returned, by namespace). The
   * namespaces changed after their read are added to {@code touchedSince}.
   */
  private Map<String, List<JsonNode>> executeHost(Target t, IpPlan ipPlan, LiveState before, Map<ObjectId, Change> byId, Undo undo,
      Set<String> touchedSince, Map<String, Map<String, String>> readSysctls, Map<String, Map<String, String>> afterDeletions,
      java.util.concurrent.CompletableFuture<Void> loading, EarlyNamespaces namespaces) {
    String s = t.hostNs();
    Map<String, List<String>> endpoints = new LinkedHashMap<>();
    // the batches of the host (its namespace and the endpoints' namespaces made, its links),
    // run in order below
    List<Map.Entry<List<String>, String>> hostRuns = new ArrayList<>();
    // the lines of those batches that wait for the links updated in place (below)
    List<Map.Entry<List<String>, String>> hostLateRuns = new ArrayList<>();
    // the lines that wait for the IPv6 of the new bridges switchOn to be switched on
    List<Map.Entry<List<String>, String>> afterSwitch = new ArrayList<>();
    Set<String> switchOn = new java.util.TreeSet<>();
    for (IpBatch b : ipPlan.batches()) {
      // a route updated (another gateway or device, or made again after its device's address
      // is replaced) is replaced in place: `route replace`, whether the kernel still has it or not
      List<IpBatch.Line> kept = b.lines().stream()
          .filter(l -> byId.containsKey(l.object()) && !namespaces.objects().contains(l.object())
              && (byId.get(l.object()).action() == Change.Action.CREATE
              || byId.get(l.object()).action() == Change.Action.REPLACE
              || byId.get(l.object()).action() == Change.Action.UPDATE && l.object().kind() == ObjectId.Kind.ROUTE))
          .toList();
      List<String> lines = kept.stream()
          .map(l -> byId.get(l.object()).action() == Change.Action.UPDATE && l.command().startsWith("route add ")
              ? "route replace " + l.command().substring("route add ".length()) : l.command())
          .map(l -> keys(t, l)).map(Runner::withIpv6).toList();
      if (lines.isEmpty()) {
        continue;
      }
      String ns = b.namespace().orElse("");
      if (ns.isEmpty() || ns.equals(s) || !b.tool().equals("ip") || !KernelNames.validNetns(ns)) {
        IpBatch run = new IpBatch(b.namespace(), b.title(), List.of(), b.tool());
        // an IPv6 address of a link whose MTU rises from under 1280 in place waits for the
        // link's settings: under IPv6's minimum the link has no IPv6 state, and the kernel
        // refuses the address ("Invalid argument")
        List<String> now = new ArrayList<>();
        List<String> late = new ArrayList<>();
        List<String> switched = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
          ObjectId o = kept.get(i).object();
          // an IPv6 address of a bridge this batch makes, in a namespace whose new links have
          // IPv6 off (the host's or an S of someone else's default): after the bridge's IPv6 is
          // switched on, below (the kernel refuses it before: "IPv6 is disabled on this device")
          Optional<String> bridge = newBridgeOfIpv6Address(o, t, before, byId);
          bridge.ifPresent(switchOn::add);
          (v6UnderMinimum(o, before, byId) ? late : bridge.isPresent() ? switched : now).add(lines.get(i));
        }
        if (!now.isEmpty()) {
          hostRuns.add(Map.entry(run.argv(false), String.join("\n", now) + "\n"));
        }
        if (!switched.isEmpty()) {
          afterSwitch.add(Map.entry(run.argv(false), String.join("\n", switched) + "\n"));
        }
        if (!late.isEmpty()) {
          hostLateRuns.add(Map.entry(run.argv(false), String.join("\n", late) + "\n"));
        }
      } else {
        List<String> withRead = new ArrayList<>(lines);
        withRead.addAll(NetnsBatches.READ);
        endpoints.put(ns, withRead);
      }
    }
    // the endpoints' interface sysctls (IPv6 off on an IPv4-only network) are written in their
    // namespace before its lines bring the interfaces up; a namespace with only those gets a batch too
    // (IPv6 switched off on an interface that exists waits for the deletions: it takes the
    // interface's IPv6 addresses and routes with it, which the deletions name)
    Map<String, Map<String, String>> writes = new LinkedHashMap<>();
    Map<String, List<String>> keys = new LinkedHashMap<>();
    t.host().endpointSysctls().forEach((ns, xs) -> {
      keys.put(ns, xs.stream().map(Sysctl::key).toList());
      xs.stream().filter(x -> byId.containsKey(x.id())).forEach(x -> {
        Optional<Sysctl.InterfaceSetting> is = Sysctl.interfaceSetting(x.key());
        Change link = is.map(i -> byId.get(new ObjectId(ObjectId.Kind.LINK, ns, i.device()))).orElse(null);
        boolean later = is.filter(i -> i.setting().equals("disable_ipv6")).isPresent() && x.value().equals("1") && byId.get(x.id()).action() == Change.Action.UPDATE
            && link == null
            && before.sysctl(ns, x.key()).isPresent() && byId.values().stream().anyMatch(c -> c.action() == Change.Action.DELETE
                && c.id().namespace().equals(ns) && (c.id().kind() == ObjectId.Kind.ADDRESS || c.id().kind() == ObjectId.Kind.ROUTE));
        (later ? afterDeletions : writes).computeIfAbsent(ns, k -> new LinkedHashMap<>()).put(x.key(), x.value());
        if (is.filter(i -> i.setting().equals("disable_ipv6")).isPresent() && x.value().equals("1")
            && before.sysctl(ns, x.key()).filter("0"::equals).isPresent()
            && (link == null || link.action() != Change.Action.REPLACE)) {
          // IPv6 switched off on an interface that stays: the kernel takes its IPv6 addresses and
          // routes along, which the deletions may not have reached when the apply fails; recorded
          // as deleted, so that a rollback makes them again (after IPv6 is back on)
          String device = is.get().device();
          before.owned().stream().filter(i -> i.namespace().equals(ns) && i.name().contains(":")
                  && (i.kind() == ObjectId.Kind.ADDRESS && device(i).equals(device)
                      || i.kind() == ObjectId.Kind.ROUTE && before.route(i).filter(v -> routeDevice(v).equals(device)).isPresent()))
              .sorted().filter(i -> !undo.deleted.contains(i)).forEach(undo.deleted::add);
        }
      });
    });
    writes.keySet().forEach(ns -> endpoints.computeIfAbsent(ns, k -> new ArrayList<>(NetnsBatches.READ)));
    // links updated in place (MTU, master, MAC, state), one batch per namespace, before the
    // table: a container's MAC address changed in place (one netc fixes now, on the first apply
    // after an upgrade) is the one the port filter then admits, and the kernel announces it
    // (arp_notify, ndisc_notify), so that the host and the other members do not keep sending to
    // the old one until their neighbour entries expire
    Map<String, List<String>> settings = new LinkedHashMap<>();
    Map<String, Map<String, String>> announce = new LinkedHashMap<>();
    List<Link> updated = new ArrayList<>();
    for (Link l : t.host().links()) {
      Change c = byId.get(l.id());
      if (c != null && c.action() == Change.Action.UPDATE) {
        settings.computeIfAbsent(l.namespace(), k -> new ArrayList<>()).addAll(linkSettings(l, before.link(l.id())));
        updated.add(l);
        boolean endpoint = !hostNamespaces(List.of(t)).contains(l.namespace());
        // a bridge given its fixed MAC address (one an older netc left to the kernel) announces
        // the gateway's new one the same way: netc's own link, so its own settings
        if (c.detail().contains("address ") && (endpoint || l.type() == Link.Type.BRIDGE)) {
          Map<String, String> w = announce.computeIfAbsent(l.namespace(), k -> new LinkedHashMap<>());
          w.put("net.ipv4.conf." + l.name() + ".arp_notify", "1");
          boolean v6 = t.host().addresses().stream().anyMatch(a -> a.namespace().equals(l.namespace())
              && a.device().equals(l.name()) && !a.address().isV4());
          if (v6) {
            w.put("net.ipv6.conf." + l.name() + ".ndisc_notify", "1");
          }
          // an interface whose IPv6 is off (its network gains an IPv6 subnet in this apply) has
          // no link-local address to replace, and takes none before the endpoint's sysctls switch
          // IPv6 on ("IPv6 is disabled on this device"); the kernel then makes it from the new
          // MAC address (addr_gen_mode 0)
          boolean v6Off = before.sysctl(l.namespace(), "net.ipv6.conf." + l.name() + ".disable_ipv6")
              .filter("1"::equals).isPresent();
          if (endpoint && v6 && !v6Off) {
            // the kernel keeps the link-local address it made from the old MAC address, which the
            // port filter no longer admits (it admits the one of the new): the new one instead
            l.mac().ifPresent(mac -> settings.get(l.namespace()).addAll(List.of(
                "address flush dev " + KernelNames.checkIfname(l.name()) + " scope link",
                "address add " + PortFilter.linkLocal(mac) + "/64 dev " + KernelNames.checkIfname(l.name()) + " nodad")));
          }
        }
      }
    }
    // the files are written beside the kernel's changes (they need none of them)
    java.util.concurrent.CompletableFuture<List<String>> files = writeFiles(t, before, byId, undo);
    Map<String, List<JsonNode>> configured;
    try {
      // the host namespace's sysctls and its table before any container's link comes up: bridged
      // traffic passes the forward hook (bridge-nf-call) and the topology's rules from its first
      // packet, and the routers' messages the rules drop are never copied into the containers.
      // The table needs nothing the host's batches make (its rules name interfaces by name, never
      // by index), so it is loaded while they run (a first apply of 100 containers: some 25 ms
      // sooner), unless links are updated in place: those come after the batches (a port may move
      // to a bridge made there) and before the table (whose port filter admits a container's new
      // MAC address). The sysctls come after the batches (some are a bridge's).
      java.util.concurrent.CompletableFuture<Void> table = loading != null ? loading : settings.isEmpty()
          ? java.util.concurrent.CompletableFuture.runAsync(() -> hostTable(t, byId, undo), threadOfItsOwn("netc-table"))
          : null;
      boolean batchesDone = false;
      try {
        checkpoint();
        ipv6On(t, byId);
        namespaces.await();
        for (Map.Entry<List<String>, String> run : hostRuns) {
          checkpoint();
          check(exec.run(run.getKey(), run.getValue()), String.join(" ", run.getKey()), run.getValue());
        }
        if (!switchOn.isEmpty()) {
          checkpoint();
          switchIpv6On(t, switchOn.stream().map(Runner::disableIpv6).toList());
          for (Map.Entry<List<String>, String> run : afterSwitch) {
            check(exec.run(run.getKey(), run.getValue()), String.join(" ", run.getKey()), run.getValue());
          }
        }
        if (table == null) {
          checkpoint();
          if (!announce.isEmpty()) {
            writeSysctls(announce);
          }
          // recorded for the rollback only now: a link no step changed is not given back
          undo.updatedLinks.addAll(updated);
          settings.forEach((ns, lines) -> ip(new Sandbox.Run(ns, lines)));
          touchedSince.addAll(settings.keySet());
          for (Map.Entry<List<String>, String> run : hostLateRuns) {
            checkpoint();
            check(exec.run(run.getKey(), run.getValue()), String.join(" ", run.getKey()), run.getValue());
          }
        }
        checkpoint();
        hostSysctls(t, before, byId, undo);
        batchesDone = true;
      } finally {
        // whatever stopped the batches, the rollback must not race the table's load: it ends
        // first (its own error, if any, is the lesser news)
        if (!batchesDone && table != null) {
          table.handle((x, y) -> null).join();
        }
      }
      if (table != null) {
        try {
          table.join();
        } catch (java.util.concurrent.CompletionException e) {
          throw e.getCause() instanceof RuntimeException re ? re : e;
        }
      } else {
        hostTable(t, byId, undo);
      }
      checkpoint();
      // the host namespace is as this apply leaves it (its links, addresses, sysctls; the endpoints'
      // links coming up change only their ports' carrier): read back by a thread of its own while
      // the endpoints are configured. Its bridge ports make it the largest read (1,000 containers:
      // 1,003 links, some 130 ms in a JVM that has not yet compiled the code for that many). It is
      // read again at the end if anything changes it later (deletions: touchedSince).
      java.util.concurrent.CompletableFuture<NetlinkNamespaces.Outcome> hostRead =
          netlink != null && NetlinkNamespaces.usable() && !endpoints.isEmpty() && (s.isEmpty() || KernelNames.validNetns(s))
              ? java.util.concurrent.CompletableFuture.supplyAsync(
                  () -> {
                    long start = System.nanoTime();
                    NetlinkNamespaces.Outcome o = netlink.read(Map.of(s, t.sysctlKeys()));
                    exec.note("netlink read of " + (s.isEmpty() ? "the host" : s) + ", beside the endpoints' requests",
                        System.nanoTime() - start);
                    return o;
                  }, threadOfItsOwn("netc-host-read"))
              : null;
      try {
        configured = new LinkedHashMap<>(configure(endpoints, writes, keys, readSysctls));
      } finally {
        if (hostRead != null) {
          hostRead.handle((x, e) -> null).join(); // nothing of it outlives the apply
        }
      }
      // a read that failed (or died) is only not used: the read-back reads the host namespace then
      NetlinkNamespaces.Outcome o = hostRead == null ? null : hostRead.handle((x, e) -> e == null ? x : null).join();
      if (o != null) {
        if (o.read().containsKey(s)) {
          configured.put(s, o.read().get(s).documents());
          readSysctls.put(s, o.read().get(s).sysctls());
        }
      }
    } finally {
      files.join(); // never fails; no write outlives a failure (the rollback comes next)
    }
    checkpoint();
    List<String> failures = files.join();
    if (!failures.isEmpty()) {
      throw new RunnerException(failures.get(0));
    }
    return configured;
  }

  /**
   * Writes the files of one host that the plan makes or changes: recorded for the undo in order
   * (on the caller's thread), then written side by side by a thread of their own (a hosts file
   * names every member of its networks: tens of megabytes for 1,000 containers) while the caller
   * makes the kernel's changes, which they do not depend on (a file under {@code /etc/netns}
   * only matters to {@code ip netns exec}). The future gives the failures, one line each, and
   * never fails itself; the caller waits for it before anything else, a rollback included, so
   * that no write races what comes after.
   */
  private java.util.concurrent.CompletableFuture<List<String>> writeFiles(Target t, LiveState before,
      Map<ObjectId, Change> byId, Undo undo) {
    List<NetnsFile> toWrite = new ArrayList<>();
    Set<Path> dirsMade = new java.util.HashSet<>();
    if (t.host().files().stream().anyMatch(f -> byId.containsKey(f.id())) && !Files.isDirectory(etcNetns)) {
      undo.dirs.add(etcNetns); // made with the first folder under it; removed last, when empty
    }
    for (NetnsFile f : t.host().files()) {
      if (byId.containsKey(f.id())) {
        Path dir = etcNetns.resolve(f.netns());
        if (!dirsMade.contains(dir) && !Files.isDirectory(dir)) {
          dirsMade.add(dir);
          undo.dirs.add(dir);
        }
        undo.files.put(f.path(), Optional.ofNullable(before.files().get(f.id())));
        toWrite.add(f);
      }
    }
    if (toWrite.isEmpty()) {
      return java.util.concurrent.CompletableFuture.completedFuture(List.of());
    }
    // on the real /etc/netns with the C library's calls (NativeFiles); no exception inside the
    // stream: a failure must not end the future before the other writes have
    boolean natively = netlink != null && NativeFiles.usable() && etcNetns.getFileSystem() == java.nio.file.FileSystems.getDefault();
    return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      if (natively) {
        try {
          NativeFiles.mkdir(etcNetns.toString());
        } catch (IOException e) {
          return List.of("cannot make " + etcNetns + ": " + e.getMessage());
        }
      }
      return toWrite.parallelStream().map(f -> {
        Path dir = etcNetns.resolve(f.netns());
        try {
          if (natively) {
            NativeFiles.mkdir(dir.toString());
            NativeFiles.writeString(dir.resolve(f.file()).toString(), f.content());
          } else {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(f.file()), f.content(), StandardCharsets.UTF_8);
          }
          return "";
        } catch (java.nio.file.FileAlreadyExistsException e) {
          return "cannot write " + f.path() + ": " + dir + " is not a folder";
        } catch (IOException e) {
          return "cannot write " + f.path() + ": " + (NativeFiles.notAFolder(e) ? dir + " is not a folder" : e.getMessage());
        } catch (RuntimeException e) {
          return "cannot write " + f.path() + ": " + e;
        }
      }).filter(m -> !m.isEmpty()).toList();
    }, threadOfItsOwn("netc-files")).handle((x, e) -> e == null ? x : List.of("cannot write the files under " + etcNetns + ": " + e));
  }

  /**
   * IPv6 switched on again on the host namespace's links that have an IPv6 address and had it
   * switched off by hand ({@link Target#ipv6Links}), before the host's batches add their
   * addresses: the kernel refuses an IPv6 address on a link whose IPv6 is off.
   */
  private void ipv6On(Target t, Map<ObjectId, Change> byId) {
    String s = t.hostNs();
    switchIpv6On(t, t.ipv6Links().stream().map(Runner::disableIpv6)
        .filter(k -> byId.containsKey(new ObjectId(ObjectId.Kind.SYSCTL, s, k))).toList());
  }

  /** Writes 0 to the {@code disable_ipv6} sysctls {@code keys} of the host namespace of {@code t}. */
  private void switchIpv6On(Target t, List<String> keys) {
    String s = t.hostNs();
    if (keys.isEmpty()) {
      return;
    }
    if (netlink != null && NetlinkNamespaces.usable() && KernelNames.validNetns(s)) {
      Map<String, String> w = new LinkedHashMap<>();
      keys.forEach(k -> w.put(k, "0"));
      writeSysctls(Map.of(s, w));
      return;
    }
    List<String> argv = new ArrayList<>(Sandbox.in(s, List.of("sysctl", "-qw")));
    keys.forEach(k -> argv.add(k + "=0"));
    check(exec.run(argv, ""), "sysctl in " + where(t));
  }

  /** The host namespace's sysctls that differ: one process (in host mode, recorded first). */
  private void hostSysctls(Target t, LiveState before, Map<ObjectId, Change> byId, Undo undo) {
    String s = t.hostNs();
    List<String> sysctls = new ArrayList<>();
    for (Sysctl x : t.host().hostSysctls()) {
      if (byId.containsKey(x.id())) {
        sysctls.add(x.key() + "=" + x.value());
      }
    }
    for (String b : t.bridgesNotRoutingLocalnet()) {
      if (byId.containsKey(new ObjectId(ObjectId.Kind.SYSCTL, s, routeLocalnet(b)))) {
        sysctls.add(routeLocalnet(b) + "=0");
      }
    }
    if (!sysctls.isEmpty()) {
      if (t.sandbox().isHost() || foreignSandbox(t, before)) {
        recordHostSysctls(t, before, byId, undo);
      }
      if (netlink != null && NetlinkNamespaces.usable() && KernelNames.validNetns(s)) {
        // a namespace of the sandbox: written by a thread in it, as its endpoints' are (no
        // process; a key the kernel does not have fails as `sysctl -w` does)
        Map<String, String> w = new LinkedHashMap<>();
        sysctls.forEach(kv -> w.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1)));
        long start = System.nanoTime();
        writeSysctls(Map.of(s, w));
        exec.note("sysctls of " + where(t) + " from a thread in it", System.nanoTime() - start);
        return;
      }
      List<String> argv = new ArrayList<>(Sandbox.in(s, List.of("sysctl", "-qw")));
      argv.addAll(sysctls);
      check(exec.run(argv, ""), "sysctl in " + where(t));
    }
  }

  /**
   * The host namespace's table: one {@code nft -f} transaction (the whole file, or only the set
   * and map elements that changed), then its records.
   */
  private void hostTable(Target t, Map<ObjectId, Change> byId, Undo undo) {
    checkpoint();
    String s = t.hostNs();
    if (t.host().table().isPresent() && byId.containsKey(t.host().table().get().id())) {
      String nft = t.nft().orElseThrow();
      Change change = byId.get(t.host().table().get().id());
      boolean update = change.action() == Change.Action.UPDATE;
      // what the plan found, when it compared this very text (the apply's own diff)
      Found f = found.remove(s);
      boolean seen = f != null && f.wanted() == nft;
      String sha = seen ? f.wantedSha256().join() : sha256(nft);
      // an element delta only when the content changed (not for a table edited by hand, which
      // is replaced) and the plan, made under this lock a moment ago, found the live table as applied
      boolean contentChanged = !records.hash(t).equals(Optional.of(sha));
      Optional<String> previous = !update ? Optional.empty() : seen ? Optional.of(f.applied()) : records.applied(t);
      Optional<TableDelta> delta = update && contentChanged && !change.detail().endsWith(WHOLE_TABLE)
          ? seen ? Optional.of(f.delta()) : previous.flatMap(applied -> TableDelta.of(applied, nft)) : Optional.empty();
      boolean loaded = false;
      if (delta.isPresent()) {
        // only set and map elements changed: one transaction of exactly those, whatever the size
        CommandExecutor.Result r = delta.get().empty() ? null
            : exec.run(Sandbox.in(s, List.of("nft", "-f", "-")), delta.get().script());
        if (r == null || r.ok()) {
          loaded = true;
        } else {
          // the transaction changed nothing. The sets were not as the kept file says (an
          // element deleted by hand that the plan could not see: a record of an older netc,
          // without the elements, or a table read with nft, not over netlink), or nft refused it
          // for another reason: the whole table replaces them, else every later apply would
          // send the same transaction and fail the same way
          checkpoint();
          undo.notes.add("the elements of table " + t.host().table().get().id().name() + " in " + where(t)
              + " were not as the last apply left them (nft: " + r.firstError() + "); replaced the whole table");
        }
      }
      if (!loaded) {
        check(exec.run(Sandbox.in(s, List.of("nft", "-f", "-")), nft), "nft -f in " + where(t));
      }
      // the rules now, and the generation of the namespace's ruleset just before them: while it
      // stays the same, a plan need not read the rules again
      LiveReader.Witness witness = reader.witness(s, t.host().table().get().id().name(), false);
      // loaded (a transaction that failed changed nothing): from here on, a failure gives the
      // table its content back
      previous.ifPresent(was -> undo.tablesBefore.put(s, was));
      records.write(t, Optional.of(sha + witness.rules().map(x -> "\nrules " + x.text()).orElse("")
          + witness.generation().map(g -> "\ngeneration " + g).orElse("")));
      records.writeApplied(t, Optional.of(nft));
      // and the kept file's size, inode and change time, which spare the next update hashing it
      TableRecords.keptStat(records.appliedPath(t)).ifPresent(k -> records.writeLine(t, "kept", k));
      undo.loadedTables.add(t);
    }
  }

  /**
   * Adds the table's set and map elements ({@link TableRules.Elements}) to its record, once the
   * apply that loaded it ended well: read then, not right after the load, where they would take
   * the CPU from the batches that run beside it (a first apply of 100 containers: some 40 ms
   * later), and only while the namespace's ruleset is still the generation recorded after the
   * load, before and after they are read (so they are the loaded ones). Otherwise, or when they
   * cannot be read, the record keeps the rules alone, as an older netc wrote it.
   */
  private void recordElements(Target t) {
    Optional<String> generation = records.generation(t);
    Optional<TableRules> rules = records.rules(t);
    if (generation.isEmpty() || rules.isEmpty() || t.host().table().isEmpty()) {
      return;
    }
    Optional<TableRules.Elements> elements = reader.elements(t.hostNs(), t.host().table().get().id().name(), generation.get());
    if (elements.isPresent()) {
      records.writeLine(t, "rules", rules.get().withElements(elements).text());
    }
  }

  /** Sets sysctls of endpoint namespaces (by namespace): from threads in them as root, else one process each. */
  private void writeSysctls(Map<String, Map<String, String>> writes) {
    if (netlink != null && NetlinkNamespaces.usable()) {
      Map<String, IpLines> none = new LinkedHashMap<>();
      writes.keySet().forEach(ns -> none.put(ns, IpLines.parse(List.of()).orElseThrow()));
      NetlinkNamespaces.Outcome o = netlink.configure(none, writes, Map.of());
      if (!o.failed().isEmpty()) {
        Map.Entry<String, String> first = o.failed().entrySet().iterator().next();
        throw new RunnerException("sysctl in " + first.getKey() + " failed: " + first.getValue());
      }
      return;
    }
    writes.forEach((ns, w) -> {
      // -e: a kernel without IPv6 has no disable_ipv6 to set, and needs none
      List<String> argv = new ArrayList<>(Sandbox.in(ns, List.of("sysctl", "-qew")));
      w.forEach((k, v) -> argv.add(k + "=" + v));
      check(exec.run(argv, ""), "sysctl in " + ns);
    });
  }

  /**
   * Runs each endpoint namespace's batch (its lines, then {@link NetnsBatches#READ}) and returns
   * the read at its end, by namespace; throws on the first namespace whose batch failed. As root,
   * a batch made only of lines {@link IpLines} takes is sent as rtnetlink requests from a thread
   * in that namespace (no process); the others run through {@code ip} ({@link NetnsBatches}).
   */
  private Map<String, List<JsonNode>> configure(Map<String, List<String>> endpoints,
      Map<String, Map<String, String>> writes, Map<String, List<String>> keys, Map<String, Map<String, String>> readSysctls) {
    Map<String, List<JsonNode>> out = new LinkedHashMap<>();
    Map<String, List<String>> throughIp = new LinkedHashMap<>();
    Map<String, IpLines> throughNetlink = new LinkedHashMap<>();
    endpoints.forEach((ns, lines) -> {
      Optional<IpLines> parsed = netlink == null || !NetlinkNamespaces.usable() ? Optional.empty()
          : IpLines.parse(lines.subList(0, lines.size() - NetnsBatches.READ.size()));
      if (parsed.isPresent()) {
        throughNetlink.put(ns, parsed.get());
      } else {
        throughIp.put(ns, lines);
      }
    });
    Map<String, String> failed = new LinkedHashMap<>();
    if (!throughNetlink.isEmpty()) {
      long start = System.nanoTime();
      NetlinkNamespaces.Outcome o = netlink.configure(throughNetlink, writes, keys);
      exec.note("netlink requests in " + throughNetlink.size() + " namespace" + (throughNetlink.size() == 1 ? "" : "s")
          + ", each then read" + (o.failed().isEmpty() ? "" : " (" + o.failed().size() + " failed)"), System.nanoTime() - start);
      o.read().forEach((ns, r) -> {
        out.put(ns, r.documents());
        readSysctls.put(ns, r.sysctls());
      });
      failed.putAll(o.failed());
    }
    // through ip (a batch with a line netc does not send itself, or no C library): the sysctls first
    Map<String, Map<String, String>> ipWrites = new LinkedHashMap<>();
    throughIp.keySet().stream().filter(writes::containsKey).forEach(ns -> ipWrites.put(ns, writes.get(ns)));
    if (!ipWrites.isEmpty()) {
      writeSysctls(ipWrites);
    }
    NetnsBatches.Outcome viaIp = new NetnsBatches(exec, stateDir).run(throughIp);
    viaIp.out().forEach((ns, text) -> out.put(ns, LiveReader.parseRead(text, "ip -j -n " + ns)));
    failed.putAll(viaIp.failed());
    if (!failed.isEmpty()) {
      Map.Entry<String, String> first = failed.entrySet().iterator().next();
      // the same words whether the lines went as rtnetlink requests or through ip
      throw new RunnerException("the batch of namespace " + first.getKey() + " failed: " + first.getValue());
    }
    return out;
  }

  /**
   * Host mode: the record of the values the host's namespace-wide sysctls ({@link
   * #namespaceWide}: forwarding, the bridge netfilter switches) had before netc first changed
   * them, for {@link #restoreHostSysctls destroy}. One record per network namespace, shared by
   * the topologies applied there: a key already recorded keeps its first value, a key this apply
   * changes for the first time is added with the value it had.
   */
  private void recordHostSysctls(Target t, LiveState before, Map<ObjectId, Change> byId, Undo undo) {
    Map<String, String> record = hostSysctlRecord(t.sandbox());
    Map<String, String> was = new LinkedHashMap<>(record);
    for (Sysctl x : t.host().hostSysctls()) {
      if (byId.containsKey(x.id()) && namespaceWide(x.key()) && !record.containsKey(x.key())) {
        Optional<String> value = before.sysctl(x.namespace(), x.key());
        value.ifPresent(v -> record.put(x.key(), v));
        // after it, the devices' own values that writing it writes over, as they were
        value.ifPresent(v -> overwritten(t, before, x.key(), v).forEach((k, old) -> {
          record.putIfAbsent(k, old);
          undo.overwritten.computeIfAbsent(t.hostNs(), n -> new LinkedHashMap<>()).put(k, old);
        }));
      }
    }
    if (!record.equals(was)) {
      undo.sysctlRecord = Optional.of(was);
      writeHostSysctlRecord(t.sandbox(), record);
    }
  }

  /**
   * The values of the sysctls that writing namespace-wide switch {@code key} (now {@code value})
   * writes over, in the host namespace of {@code t} as {@code before} found it: {@code
   * net.ipv4.ip_forward} sets {@code forwarding} of {@code default} and of every device, {@code
   * net.ipv6.conf.all.forwarding} the same in IPv6. Read now, those whose value differs from
   * {@code value} (a restore of {@code key} writes them over again, so they follow it), of the
   * devices netc does not own; none for another key. As root over netlink, else a process.
   */
  private Map<String, String> overwritten(Target t, LiveState before, String key, String value) {
    String conf = key.equals(Sysctl.IP_FORWARD) ? "net.ipv4.conf." : key.equals(Sysctl.IPV6_FORWARDING) ? "net.ipv6.conf." : null;
    if (conf == null) {
      return Map.of();
    }
    List<String> keys = new ArrayList<>(List.of(conf + "default.forwarding"));
    before.sandboxLinks().forEach((dev, alias) -> {
      // (a device whose name sysctl cannot take, with a dot or a capital, is left out)
      if (!alias.startsWith(Ownership.PREFIX) && !t.sandbox().marks(alias) && Sysctl.validKey(conf + dev + ".forwarding")) {
        keys.add(conf + dev + ".forwarding");
      }
    });
    Map<String, String> out = new LinkedHashMap<>();
    readSysctls(Map.of(t.hostNs(), keys)).getOrDefault(t.hostNs(), Map.of()).forEach((k, v) -> {
      if (!v.equals(value)) {
        out.put(k, v);
      }
    });
    return out;
  }

  /**
   * Host mode, at the end of destroy: gives the host's namespace-wide sysctls back the values
   * {@link #recordHostSysctls} recorded, and removes the record, unless another netc topology
   * still has links in the host namespace ({@code after}: foreign links with a {@code netc:}
   * mark), which needs them as they are: its destroy restores them. Returns a note when it left
   * them.
   */
  private Optional<String> restoreHostSysctls(Sandbox sb, LiveState after) {
    Map<String, String> record = hostSysctlRecord(sb);
    if (record.isEmpty()) {
      return Optional.empty();
    }
    Set<String> others = new java.util.TreeSet<>();
    after.foreign().forEach((id, alias) -> {
      if (id.kind() == ObjectId.Kind.LINK && id.namespace().equals(sb.name()) && alias.startsWith(Ownership.PREFIX)
          && alias.indexOf(':', Ownership.PREFIX.length()) > 0) {
        others.add(alias.substring(Ownership.PREFIX.length(), alias.indexOf(':', Ownership.PREFIX.length())));
      }
    });
    if (!others.isEmpty()) {
      return Optional.of("left " + String.join(", ", record.keySet()) + " as they are: topolog"
          + (others.size() == 1 ? "y " : "ies ") + String.join(", ", others) + " still use"
          + (others.size() == 1 ? "s " : " ") + sb.label() + "; the last destroy gives them their values from before netc");
    }
    // in the record's order: a namespace-wide switch, then the devices' values it wrote over
    // (-e: a device gone since has none to give back)
    List<String> argv = new ArrayList<>(Sandbox.in(sb.name(), List.of("sysctl", "-qew")));
    record.forEach((k, v) -> argv.add(k + "=" + v));
    check(exec.run(argv, ""), "restoring the sysctls of " + sb.label() + ": sysctl");
    writeHostSysctlRecord(sb, Map.of());
    return Optional.empty();
  }

  /**
   * Whether a sysctl is the namespace's rather than a device's ({@code net.ipv4.conf.br-front.*}
   * goes with its bridge): {@code net.ipv4.ip_forward}, {@code net.ipv6.conf.all.forwarding},
   * {@code net.bridge.bridge-nf-call-iptables}.
   */
  static boolean namespaceWide(String key) {
    return !key.matches("net\\.ipv[46]\\.(conf|neigh)\\.(?!all\\.|default\\.)[^.]+\\..+");
  }

  /**
   * {@code /run/netc/@host.net-INODE.sysctl}: the record of the namespace netc runs in, named
   * after its inode ({@code /proc/self/ns/net}), so that host mode in another namespace (a test
   * under {@code nsenter}) has its own.
   */
  private Path hostSysctlRecordPath(Sandbox sb) {
    if (!sb.isHost()) {
      return stateDir.resolve(sb.files() + ".sysctl"); // an S made by others
    }
    String id;
    try {
      id = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString().replaceAll("[^0-9]", "");
    } catch (IOException | UnsupportedOperationException e) {
      id = "";
    }
    return stateDir.resolve(Sandbox.HOST_FILES + ".net-" + (id.isEmpty() ? "unknown" : id) + ".sysctl");
  }

  /** The recorded {@code key=value} lines, in order; empty without a record. */
  private Map<String, String> hostSysctlRecord(Sandbox sb) {
    Map<String, String> out = new LinkedHashMap<>();
    try {
      Path p = hostSysctlRecordPath(sb);
      if (Files.isRegularFile(p)) {
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
          int eq = line.indexOf('=');
          if (eq > 0 && Sysctl.validKey(line.substring(0, eq).strip())) {
            out.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
          }
        }
      }
    } catch (IOException e) {
      throw new RunnerException("cannot read " + hostSysctlRecordPath(sb) + ": " + e.getMessage());
    }
    return out;
  }

  private void writeHostSysctlRecord(Sandbox sb, Map<String, String> record) {
    TableRecords.writeFile(hostSysctlRecordPath(sb), record.isEmpty() ? Optional.empty()
        : Optional.of(record.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n"))));
  }

  /**
   * What an update of the table does: the element changes that bring it from the content apply
   * last loaded (kept in {@code /run/netc/NS.TOPOLOGY.nft}, NS the host namespace) to the desired
   * one ({@link TableDelta#summary}), when only set and map elements differ and the live table
   * is still as applied (its rules and elements, read only when the namespace's ruleset changed
   * since); else {@link #WHOLE_TABLE}, after what was edited by hand when that is the reason.
   */
  private String tableUpdate(Target t, Optional<String> applied, LiveState live) {
    if (applied.isEmpty() && records.hash(t).isEmpty()) {
      // (a table loaded by hand from `emit --backend nft`, or records removed): its content unknown
      return "no record of what netc loaded; " + WHOLE_TABLE;
    }
    if (applied.isEmpty() || t.nft().isEmpty() || t.host().table().isEmpty()) {
      return WHOLE_TABLE;
    }
    // the desired text hashed (for the record apply writes) on a thread of its own meanwhile
    String wanted = t.nft().get();
    java.util.concurrent.CompletableFuture<String> wantedSha256 = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> sha256(wanted), threadOfItsOwn("netc-sha256"));
    if (!records.keptAsRecorded(t) && !records.hash(t).equals(Optional.of(sha256(applied.get())))) {
      return WHOLE_TABLE; // the text kept is not the one the record says was loaded
    }
    Optional<TableDelta> delta = TableDelta.of(applied.get(), wanted);
    Optional<TableRules> rules = records.rules(t);
    if (delta.isEmpty() || rules.isEmpty()) {
      return WHOLE_TABLE;
    }
    if (!records.generationHolds(t, live)) {
      Optional<TableRules> now = reader.tableRules(t.hostNs(), t.host().table().get().id().name(),
          rules.get().elements().isPresent());
      Optional<String> edited = now.flatMap(rules.get()::differenceTo).map(why -> tableDrift.named(t, applied, rules.get(), now.get(), why));
      if (now.isEmpty() || edited.isPresent()) {
        // an element added by hand would stay, one deleted would fail the transaction
        return edited.map(why -> why + "; ").orElse("") + WHOLE_TABLE;
      }
    }
    found.put(t.hostNs(), new Found(applied.get(), wanted, delta.get(), wantedSha256));
    return delta.get().summary();
  }

  /** Whether this kernel has IPv6 (it may be built or booted without it). */
  private static final boolean IPV6 = Files.isDirectory(Path.of("/proc/sys/net/ipv6"));

  /**
   * {@code command} as this kernel takes it: without IPv6, an {@code addrgenmode} (an IPv6
   * setting, refused with "Address family not supported") is left out; there is no IPv6
   * address to generate anyway.
   */
  static String withIpv6(String command) {
    return IPV6 ? command : command.replace(" addrgenmode none", "");
  }

  /**
   * Fills the key placeholders of an IPsec state's line ({@link XfrmState#placeholder}) with keys
   * derived from the sandbox's secret ({@link IpsecKeys}): {@code /run/netc/S.ipsec.secret}, 32
   * random bytes made at the first need, readable by root only. Keys never reach a plan.
   */
  private String keys(Target t, String command) {
    int open = command.indexOf("{{key:");
    if (open < 0) {
      return command;
    }
    int close = command.indexOf("}}", open);
    String keyId = command.substring(open + 6, close);
    return command.substring(0, open) + IpsecKeys.key(secret(t.sandbox()), t.topology(), keyId) + command.substring(close + 2);
  }

  private byte[] secret(Sandbox sb) {
    Path p = stateDir.resolve(sb.files() + ".ipsec.secret");
    try {
      if (!Files.isRegularFile(p)) {
        Files.createDirectories(stateDir);
        byte[] fresh = new byte[32];
        new java.security.SecureRandom().nextBytes(fresh);
        Files.write(p, fresh);
        try {
          Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
          // a file system without POSIX permissions (tests)
        }
      }
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new RunnerException("cannot read or make the IPsec secret " + p + ": " + e.getMessage());
    }
  }

  private static String device(ObjectId address) {
    return address.name().substring(0, address.name().indexOf('/'));
  }

  /**
   * Deletes owned objects: links, addresses and routes (one {@code ip -force -batch} per
   * namespace, host namespaces first), the table, files, namespaces. With {@code force}
   * (destroy), a failed line does not stop the rest; the caller reads back what is left.
   *
   * <p>Namespaces go first, and what is in them with them: no line runs in a namespace being
   * deleted, and a veth in a namespace that stays whose peer lives in one being deleted ({@code
   * live} tells, {@link DyingPeers}) is not deleted one by one (a grace period each) but waited
   * for: the kernel removes it with its namespace's devices, all in one batch. What is still there
   * after {@link DyingPeers#WAIT} is deleted explicitly.
   */
  private void deletions(Target t, List<ObjectId> ids, boolean force, LiveState live) {
    Set<String> hostNs = new java.util.HashSet<>();
    t.state().hosts().forEach(h -> hostNs.add(h.hostNamespace().name()));
    deletions(t.sandbox(), t.topology(), hostNs, ids, force, live);
  }

  /**
   * {@link #deletions(Target, List, boolean, LiveState)} of topology {@code topology} in {@code
   * sb}, without its desired state: {@code hostNamespaces} are the host namespaces ({@code S}
   * is one always), whose batches run before the endpoints'.
   */
  private void deletions(Sandbox sb, String topology, Set<String> hostNamespaces, List<ObjectId> ids, boolean force,
      LiveState live) {
    Set<String> hostNs = new java.util.HashSet<>(hostNamespaces);
    hostNs.add(sb.name());
    Set<String> dying = ids.stream().filter(i -> i.kind() == ObjectId.Kind.NAMESPACE).map(ObjectId::name)
        .collect(Collectors.toSet());
    // a namespace a process still runs in does not die with its name: the host ends of its veths
    // are deleted like any other link, without the wait for the kernel
    Set<String> dies = new java.util.HashSet<>(dying);
    dies.removeAll(DyingPeers.heldByProcesses(RUN_NETNS, dying));
    Map<ObjectId, Integer> awaited = DyingPeers.of(live, ids, dies);
    Map<String, List<String>> perNs = new LinkedHashMap<>();
    Map<String, List<String>> fdbPerNs = new LinkedHashMap<>();
    Map<String, List<String>> rules6PerNs = new LinkedHashMap<>();
    List<String> netns = new ArrayList<>();
    List<String> ports = new ArrayList<>();
    for (ObjectId id : ids) {
      boolean goesWithItsNamespace = dying.contains(id.namespace()) && id.kind() != ObjectId.Kind.FILE
          && id.kind() != ObjectId.Kind.TABLE;
      if (goesWithItsNamespace || awaited.containsKey(id)) {
        continue;
      }
      switch (id.kind()) {
        case FDB -> {
          String[] p = id.name().split("/", 3);
          fdbPerNs.computeIfAbsent(id.namespace(), k -> new ArrayList<>())
              .add("fdb del " + p[1] + " dev " + KernelNames.checkIfname(p[0]) + " dst " + p[2]);
        }
        case XFRM -> perNs.computeIfAbsent(id.namespace(), k -> new ArrayList<>()).add(xfrmDeletion(id));
        case ROUTE -> perNs.computeIfAbsent(id.namespace(), k -> new ArrayList<>()).add(routeDeletion(id, live));
        case RULE -> (id.name().startsWith("-6 ") ? rules6PerNs : perNs).computeIfAbsent(id.namespace(), k -> new ArrayList<>())
            .add(ruleLine("del", id));
        case ADDRESS -> {
          String[] p = id.name().split("/", 2);
          perNs.computeIfAbsent(id.namespace(), k -> new ArrayList<>())
              .add("address del " + p[1] + " dev " + KernelNames.checkIfname(p[0]));
        }
        case LINK -> {
          if (!id.name().equals("lo")) {
            perNs.computeIfAbsent(id.namespace(), k -> new ArrayList<>()).add("link del " + KernelNames.checkIfname(id.name()));
          }
        }
        case TABLE -> {
          if (!dying.contains(id.namespace())) { // (a host namespace that goes takes it along)
            check(deleteTables(id.namespace(), topology), "nft delete table in "
                + (id.namespace().isEmpty() ? "the host" : id.namespace()));
          }
        }
        case FILE -> {
          try {
            Path f = etcNetns.resolve(id.namespace()).resolve(Path.of(id.name()).getFileName().toString());
            Files.deleteIfExists(f);
            removeIfEmpty(f.getParent());
          } catch (IOException e) {
            throw new RunnerException("cannot delete " + id.name() + ": " + e.getMessage());
          }
        }
        case NAMESPACE -> {
          if (!sb.isHost() && id.name().startsWith(sb.name() + "-host_") && live.hostNamespaces().contains(id.name())) {
            // a host namespace no topology plays any more: its underlay port in S right after it
            // (the veth pair goes whole at once, where it would go only once the kernel frees the
            // namespace; not before: a namespace that fails to go keeps its underlay, and the
            // tunnels on it)
            String port = sb.underlayPort(sb.hostOfNamespace(id.name()));
            if (live.sandboxLinks().containsKey(port)) {
              ports.add("link del " + KernelNames.checkIfname(port));
            }
          }
          netns.add("netns del " + KernelNames.checkNetns(id.name()));
        }
        default -> { }
      }
    }
    // the namespaces first, then the host ends of their veths gone with them (before their
    // bridges go: a bridge deleted with ports releases them one by one)
    if (!netns.isEmpty()) {
      run(new Sandbox.Run("", netns, true), force);
    }
    if (!ports.isEmpty()) {
      // (one the kernel took with its namespace meanwhile is no error; one left goes when the
      // kernel frees the namespace)
      Sandbox.Run r = new Sandbox.Run(sb.name(), ports, true);
      exec.run(r.argv(), r.stdin());
    }
    deleteLeftovers(DyingPeers.await(exec, awaited, DyingPeers.WAIT), force);
    // forwarding entries, then links of the host namespaces (bridges, tunnels, veths whose
    // container end stays), then the rest
    for (Map.Entry<String, List<String>> e : fdbPerNs.entrySet()) {
      IpBatch b = new IpBatch(Optional.of(e.getKey()), "fdb", List.of(), "bridge");
      CommandExecutor.Result r = exec.run(b.argv(true), String.join("\n", e.getValue()) + "\n");
      if (!force) {
        check(r, "bridge -n " + e.getKey() + " fdb del");
      }
    }
    List<Sandbox.Run> runs = new ArrayList<>();
    perNs.forEach((ns, lines) -> runs.add(new Sandbox.Run(ns, lines, true)));
    rules6PerNs.forEach((ns, lines) -> runs.add(new Sandbox.Run(ns, lines, true, true)));
    runs.sort(Comparator.comparing(r -> !hostNs.contains(r.namespace())));
    runs.forEach(r -> run(r, force));
    for (ObjectId id : ids) {
      if (id.kind() == ObjectId.Kind.TABLE) {
        TableRecords.writeFile(records.recordPath(id.namespace(), topology), Optional.empty());
        TableRecords.writeFile(records.appliedPath(id.namespace(), topology), Optional.empty());
      }
    }
  }

  /** An {@code ip -force -batch} of deletions: with {@code force} (destroy) its failure is left to the read back. */
  private void run(Sandbox.Run r, boolean force) {
    if (force) {
      exec.run(r.argv(), r.stdin());
    } else {
      ip(r);
    }
  }

  /**
   * Deletes the veths the kernel did not remove with their peers' namespaces within the wait
   * ({@link DyingPeers}), one {@code ip -force -batch} per namespace. Unless {@code force}, a
   * failure counts only when the link is still there (it may have gone since the last look).
   * Returns a one-line problem per namespace where some are left (empty: none).
   */
  private List<String> deleteLeftovers(Map<ObjectId, Integer> left, boolean force) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : DyingPeers.deletions(left.keySet()).entrySet()) {
      Sandbox.Run r = new Sandbox.Run(e.getKey(), e.getValue(), true);
      CommandExecutor.Result res = exec.run(r.argv(), r.stdin());
      if (!res.ok()) {
        Map<ObjectId, Integer> here = new LinkedHashMap<>();
        left.forEach((i, idx) -> {
          if (i.namespace().equals(e.getKey())) {
            here.put(i, idx);
          }
        });
        if (!DyingPeers.await(exec, here, Duration.ZERO).isEmpty()) {
          String problem = String.join(" ", r.argv()) + " failed: " + res.firstError();
          if (!force) {
            throw new RunnerException(problem);
          }
          problems.add(problem);
        }
      }
    }
    return problems;
  }

  /** The {@code ip xfrm} line that deletes an IPsec object known by its identity. */
  private static String xfrmDeletion(ObjectId id) {
    java.util.regex.Matcher state = java.util.regex.Pattern.compile("state (\\S+)>(\\S+) spi (0x[0-9a-f]+)")
        .matcher(id.name());
    if (state.matches()) {
      return "xfrm state del src " + ip(state.group(1)) + " dst " + ip(state.group(2)) + " proto esp spi " + state.group(3);
    }
    java.util.regex.Matcher policy = java.util.regex.Pattern.compile("policy (in|out) (\\S+)>(\\S+) udp/([0-9]+)")
        .matcher(id.name());
    if (policy.matches()) {
      IpAddress src = ip(policy.group(2));
      return "xfrm policy del src " + src + "/" + src.family().bits() + " dst " + policy.group(3) + "/"
          + src.family().bits() + " proto udp dport " + policy.group(4) + " dir " + policy.group(1);
    }
    throw new IllegalArgumentException("not an xfrm identity: " + id);
  }

  private static IpAddress ip(String text) {
    var parsed = IpAddress.parse(text);
    if (!parsed.ok()) {
      throw new IllegalArgumentException("bad address " + text);
    }
    return parsed.get();
  }

  /**
   * The underlay host namespace {@code ns} had in {@code live} (its device {@code underlay}'s
   * address and default route, {@link LiveState#plumbing}); empty for a host without one.
   */
  static Optional<Underlay> underlayOf(Sandbox sb, String ns, LiveState live) {
    Set<String> items = live.plumbing().getOrDefault(ns + " " + Underlay.DEVICE, Set.of());
    Optional<String> address = items.stream().filter(x -> !x.startsWith("route ") && x.contains("/")).sorted().findFirst();
    if (address.isEmpty()) {
      return Optional.empty();
    }
    var ip = IpAddress.parse(address.get().substring(0, address.get().indexOf('/')));
    String dst = ip.ok() && ip.get().isV4() ? "0.0.0.0/0" : "::/0";
    Optional<String> router = items.stream().filter(x -> x.startsWith("route " + dst + " via ")).map(x -> x.split(" ")[3]).findFirst();
    if (!ip.ok() || router.isEmpty() || !IpAddress.parse(router.get()).ok()) {
      return Optional.empty();
    }
    return Optional.of(new Underlay(sb.hostOfNamespace(ns), ns, ip.get(),
        Integer.parseInt(address.get().substring(address.get().indexOf('/') + 1)), IpAddress.parse(router.get()).get()));
  }

  /** A table's record and the file loaded into it ({@link TableRecords}), as they were; empty: none. */
  private record KeptTable(Optional<String> record, Optional<String> applied) {}

  /** The record and file of the topology's table in {@code ns}, as they are now. */
  private KeptTable kept(String ns, String topology) {
    return new KeptTable(readIfThere(records.recordPath(ns, topology)), readIfThere(records.appliedPath(ns, topology)));
  }

  private static Optional<String> readIfThere(Path p) {
    try {
      return Files.exists(p) ? Optional.of(Files.readString(p, StandardCharsets.UTF_8)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** What an apply made, to take it back. */
  private final class Undo {
    final List<Target> ts;
    final LiveState before;
    final Plan plan;
    final List<Path> dirs = new ArrayList<>();
    final Map<String, Optional<String>> files = new LinkedHashMap<>();
    /** The tables' content before this apply updated them, when known, by host namespace. */
    final Map<String, String> tablesBefore = new LinkedHashMap<>();
    final List<Link> updatedLinks = new ArrayList<>();
    /** The runs that give the sandbox's own devices the addresses and routes they had ({@link Sandbox#plumbingRuns}). */
    List<Sandbox.Run> plumbing = List.of();
    /** What the apply set out to delete (recorded before it does): made again where it can be. */
    final List<ObjectId> deleted = new ArrayList<>();
    /** The kernel's own rules the apply made again (recorded before it does): deleted again. */
    final List<ObjectId> kernelRulesMade = new ArrayList<>();
    /**
     * The interface settings of the replaced links the read lacked, and the sysctls of the host
     * namespaces the apply removes, read before the apply ({@link #replacedSettings}, {@link
     * #droppedHostSettings}; in {@link #before} too): read again after the rollback, to compare.
     */
    Map<String, Map<String, String>> settingsRead = Map.of();
    /** The tables the apply set out to delete (recorded before it does), by host namespace: their records and file. */
    final Map<String, KeptTable> tablesDeleted = new LinkedHashMap<>();
    /** Host mode: the record of the host's sysctls before this apply added to it ({@link #recordHostSysctls}). */
    Optional<Map<String, String>> sysctlRecord = Optional.empty();
    /**
     * The devices' sysctls the apply's namespace-wide switches wrote over ({@link #overwritten}),
     * by host namespace, as they were: given back after the switches.
     */
    final Map<String, Map<String, String>> overwritten = new LinkedHashMap<>();
    /** The record of the topology's hosts before this apply wrote it ({@link HostRecords}); {@code null}: not written. */
    Optional<Set<String>> hostRecord;
    /**
     * What the apply tells besides its changes, when it ends well (a table whose element update
     * nft refused, replaced whole); the table's thread adds to it.
     */
    final List<String> notes = java.util.Collections.synchronizedList(new ArrayList<>());
    /** The hosts whose table the apply loaded and whose elements go into its record once it ends well ({@link #recordElements}). */
    final List<Target> loadedTables = java.util.Collections.synchronizedList(new ArrayList<>());

    Undo(List<Target> ts, LiveState before, Plan plan) {
      this.ts = ts;
      this.before = before;
      this.plan = plan;
    }

    /** Adds to {@code out} the namespace-wide sysctls {@link #before} has of host namespace {@code ns} ({@link Sysctl#HOST_KEYS}). */
    private void hostSysctlsOf(String ns, Map<String, Map<String, String>> out) {
      Sysctl.HOST_KEYS.forEach(k -> before.sysctl(ns, k).ifPresent(v -> out.computeIfAbsent(ns, x -> new LinkedHashMap<>()).put(k, v)));
    }

    /**
     * Undoes, best effort, each step on its own (one that fails does not keep the next from
     * running); then reads the sandbox again and returns every way in which it is not as it was
     * before the apply, with the steps that failed. Empty: the sandbox is as before.
     */
    List<String> run() {
      List<String> problems = new ArrayList<>();
      Sandbox sb = sandbox(ts);
      String s = sb.name();
      Map<ObjectId, KernelObject> objects = new LinkedHashMap<>();
      ts.forEach(t -> t.host().objects().forEach(o -> objects.put(o.id(), o)));
      List<ObjectId> created = plan.changes().stream().filter(c -> c.action() == Change.Action.CREATE)
          .map(Change::id).filter(objects::containsKey).toList();
      Set<String> createdNs = created.stream().filter(i -> i.kind() == ObjectId.Kind.NAMESPACE)
          .map(ObjectId::name).collect(Collectors.toSet());
      // namespaces that go whole: the endpoints' made now, the sandbox's and hosts' made now
      Set<String> goes = new java.util.HashSet<>(createdNs);
      underlays(ts).stream().map(Underlay::namespace).filter(n -> !before.hostNamespaces().contains(n)).forEach(goes::add);
      if (!before.sandboxExists()) {
        goes.add(s);
      }
      // the kernel's own rules made again: deleted again (a rule not made yet is not there:
      // -force goes past it)
      for (boolean inet6 : List.of(false, true)) {
        Map<String, List<String>> lines = new LinkedHashMap<>();
        kernelRulesMade.stream().filter(i -> i.name().startsWith("-6 ") == inet6 && !goes.contains(i.namespace()))
            .forEach(i -> lines.computeIfAbsent(i.namespace(), k -> new ArrayList<>()).add(ruleLine("del", i)));
        lines.forEach((ns, l) -> step(problems, "the kernel's rules made again in " + ns,
            () -> exec.run(new Sandbox.Run(ns, l, true, inet6).argv(), String.join("\n", l) + "\n")));
      }
      // the tables this apply created (an nft -f that failed changed nothing), or updated
      for (Target t : ts) {
        step(problems, "the table of " + where(t), () -> {
          ObjectId table = t.host().table().map(KernelObject::id).orElse(null);
          if (table != null && created.contains(table) && !goes.contains(t.hostNs())) {
            deleteTables(t.hostNs(), t.topology());
          }
          if (table != null && created.contains(table)) {
            records.write(t, Optional.empty());
            records.writeApplied(t, Optional.empty());
          } else if (table != null && tablesBefore.containsKey(t.hostNs())) {
            // updated: the content it had, replaced atomically, and its records
            String was = tablesBefore.get(t.hostNs());
            // a file an older netc loaded has no bridge table: the one this apply made goes with it
            String name = Ownership.table(t.topology());
            String restore = was.contains("table " + PortFilter.FAMILY + " " + name + " {") ? was
                : dropTable(PortFilter.FAMILY, name) + was;
            CommandExecutor.Result r = exec.run(Sandbox.in(t.hostNs(), List.of("nft", "-f", "-")), restore);
            if (r.ok()) {
              Optional<TableRules> rules = reader.tableRules(t.hostNs(), table.name(), true);
              records.write(t, Optional.of(sha256(was) + rules.map(x -> "\nrules " + x.text()).orElse("")));
              records.writeApplied(t, Optional.of(was));
            } else {
              problems.add("the table of " + where(t) + " could not be restored: " + r.firstError());
              records.write(t, Optional.empty());
              records.writeApplied(t, Optional.empty());
            }
          }
        });
      }
      // each file and folder on its own: one that cannot be put back does not keep the others
      for (Map.Entry<String, Optional<String>> f : files.entrySet()) {
        Path p = Path.of(f.getKey());
        Path local = etcNetns.resolve(p.getParent().getFileName().toString()).resolve(p.getFileName().toString());
        try {
          if (f.getValue().isPresent()) {
            Files.writeString(local, f.getValue().get(), StandardCharsets.UTF_8);
          } else if (Files.isDirectory(local.getParent())) {
            Files.deleteIfExists(local);
          }
        } catch (IOException e) {
          problems.add(f.getKey() + " could not be put back: " + e.getMessage());
        }
      }
      for (int i = dirs.size() - 1; i >= 0; i--) {
        try {
          removeIfEmpty(dirs.get(i));
        } catch (IOException e) {
          problems.add(dirs.get(i) + " could not be removed: " + e.getMessage());
        }
      }
      // links, addresses, routes, IPsec objects made in namespaces that stay; reverse creation order
      Map<String, List<String>> perNs = new LinkedHashMap<>();
      // veths whose peer is in a namespace that goes: the kernel removes them with it (DyingPeers)
      Map<String, List<String>> dyingPeers = new LinkedHashMap<>();
      // forwarding entries made on a tunnel that was there (a host given another underlay address)
      Map<String, List<String>> fdbPerNs = new LinkedHashMap<>();
      for (int i = created.size() - 1; i >= 0; i--) {
        KernelObject o = objects.get(created.get(i));
        String ns = o.id().namespace();
        if (goes.contains(ns)) {
          continue;
        }
        if (o instanceof Link l && l.createsPeer() && l.peer().filter(p -> goes.contains(p.namespace())).isPresent()) {
          dyingPeers.computeIfAbsent(ns, k -> new ArrayList<>()).add(l.name());
        } else if (o instanceof Link l && l.type() != Link.Type.LOOPBACK && (l.createsPeer() || l.type() == Link.Type.BRIDGE
            || l.type() == Link.Type.VXLAN || l.type() == Link.Type.VLAN || l.type() == Link.Type.MACVLAN)) {
          perNs.computeIfAbsent(ns, k -> new ArrayList<>()).add("link del " + l.name());
        } else if (o instanceof Address a) {
          perNs.computeIfAbsent(ns, k -> new ArrayList<>()).add("address del " + a.cidr() + " dev " + a.device());
        } else if (o instanceof Route r) {
          perNs.computeIfAbsent(ns, k -> new ArrayList<>()).add("route del " + r.to() + " via " + r.via() + " dev " + r.device());
        } else if (o instanceof XfrmState || o instanceof XfrmPolicy) {
          perNs.computeIfAbsent(ns, k -> new ArrayList<>()).add(xfrmDeletion(o.id()));
        } else if (o instanceof FdbEntry f && plan.changes().stream().noneMatch(c -> c.id().equals(
            new ObjectId(ObjectId.Kind.LINK, ns, f.device())) && c.action() != Change.Action.UPDATE)) {
          // (on a tunnel that stays: one made now takes its entries along, and one replaced is
          // made again with those it had, or still has them, not replaced yet)
          fdbPerNs.computeIfAbsent(ns, k -> new ArrayList<>())
              .add("fdb del " + f.mac() + " dev " + KernelNames.checkIfname(f.device()) + " dst " + f.dst());
        }
      }
      // links updated in place get their attributes back (reverse order: veths before bridges)
      for (int i = updatedLinks.size() - 1; i >= 0; i--) {
        Link l = updatedLinks.get(i);
        if (!goes.contains(l.namespace())) {
          before.link(l.id()).ifPresent(was -> perNs.computeIfAbsent(l.namespace(), k -> new ArrayList<>())
              .addAll(linkRestore(l, was)));
        }
      }
      // routes replaced in place (another gateway or device) go back through what they went through
      for (Change c : plan.changes()) {
        if (c.action() == Change.Action.UPDATE && c.id().kind() == ObjectId.Kind.ROUTE && !goes.contains(c.id().namespace())
            && objects.get(c.id()) instanceof Route r) {
          before.route(c.id()).ifPresent(was -> perNs.computeIfAbsent(r.namespace(), k -> new ArrayList<>())
              .add(routeLine("replace", r.to() + remade(before, c.id()), was)));
        }
      }
      // their ifindexes now, to know them gone later; a namespace that cannot be read deletes them one by one
      Map<ObjectId, Integer> awaited = new LinkedHashMap<>();
      dyingPeers.forEach((ns, names) -> {
        Optional<Map<String, Integer>> now;
        try {
          now = DyingPeers.veths(exec, ns);
        } catch (RuntimeException e) {
          now = Optional.empty();
        }
        for (String n : names) {
          if (now.isEmpty()) {
            perNs.computeIfAbsent(ns, k -> new ArrayList<>()).add("link del " + n);
          } else if (now.get().containsKey(n)) {
            awaited.put(new ObjectId(ObjectId.Kind.LINK, ns, n), now.get().get(n));
          }
        }
      });
      // the endpoint namespaces made now, then the host ends of their veths gone with them (before
      // their bridges go: a bridge deleted with ports releases them one by one)
      // (only those that exist: an apply that failed early made none or some of them)
      Set<String> present = new java.util.HashSet<>();
      boolean[] listed = {false};
      step(problems, "the list of namespaces", () -> {
        present.addAll(reader.namespaces());
        listed[0] = true;
      });
      Predicate<String> exists = n -> !listed[0] || present.contains(n);
      List<String> endpoints = new ArrayList<>();
      for (int i = created.size() - 1; i >= 0; i--) {
        if (created.get(i).kind() == ObjectId.Kind.NAMESPACE && exists.test(created.get(i).name())) {
          endpoints.add("netns del " + created.get(i).name());
        }
      }
      if (!endpoints.isEmpty()) {
        step(problems, "the endpoints' namespaces", () -> {
          CommandExecutor.Result r = exec.run(new Sandbox.Run("", endpoints, true).argv(), String.join("\n", endpoints) + "\n");
          if (!r.ok()) {
            problems.add(r.firstError());
          }
        });
      }
      step(problems, "the veths of those namespaces",
          () -> problems.addAll(deleteLeftovers(DyingPeers.await(exec, awaited, DyingPeers.WAIT), true)));
      // the host namespaces the apply removed (no topology played them any more): made again, with
      // their marks and underlay ports, the addresses and default routes they had; one whose port
      // went and whose namespace did not gets its port and underlay device again (first: what
      // the rest makes again may be in it)
      List<String> removedHosts = sb.isHost() ? List.of() : deleted.stream().filter(i -> i.kind() == ObjectId.Kind.NAMESPACE
          && i.name().startsWith(s + "-host_") && before.hostNamespaces().contains(i.name())).map(ObjectId::name).toList();
      if (!removedHosts.isEmpty()) {
        step(problems, "the host namespaces removed", () -> {
          Map<String, Integer> veths = DyingPeers.veths(exec, s).orElseThrow(() -> new RunnerException("cannot read the links of " + s));
          List<Underlay> hostsBack = new ArrayList<>();
          List<String> bareBack = new ArrayList<>();
          Set<String> there = new java.util.HashSet<>();
          for (String ns : removedHosts) {
            boolean hadPort = before.sandboxLinks().containsKey(sb.underlayPort(sb.hostOfNamespace(ns)));
            boolean hasPort = veths.containsKey(sb.underlayPort(sb.hostOfNamespace(ns)));
            if (exists.test(ns) && (!hadPort || hasPort)) {
              continue; // not reached
            }
            if (exists.test(ns)) {
              there.add(ns);
            }
            underlayOf(sb, ns, before).ifPresentOrElse(hostsBack::add, () -> bareBack.add(ns));
          }
          bareBack.removeAll(there);
          for (Sandbox.Run r : sb.hostsAgain(hostsBack, bareBack, there)) {
            CommandExecutor.Result res = exec.run(new Sandbox.Run(r.namespace(), r.lines(), true).argv(), r.stdin());
            if (!res.ok()) {
              problems.add("the host namespaces removed could not be made again: " + res.firstError(r.stdin()));
            }
          }
          // with the sysctls netc sets in a host namespace as they were (read before the apply,
          // droppedHostSettings: a new namespace has the kernel's defaults; its bridges' come
          // back with them, below)
          Map<String, Map<String, String>> back = new LinkedHashMap<>();
          hostsBack.stream().map(Underlay::namespace).filter(ns -> !there.contains(ns)).forEach(ns -> hostSysctlsOf(ns, back));
          bareBack.forEach(ns -> hostSysctlsOf(ns, back));
          if (!back.isEmpty()) {
            try {
              writeSysctls(back);
            } catch (RuntimeException e) {
              problems.add("the sysctls of the host namespaces removed could not be put back: " + e.getMessage());
            }
          }
        });
      }
      fdbPerNs.forEach((ns, lines) -> step(problems, "the forwarding entries made in " + ns, () -> {
        IpBatch b = new IpBatch(Optional.of(ns), "fdb", List.of(), "bridge");
        exec.run(b.argv(true), String.join("\n", lines) + "\n");
      }));
      Set<String> hostNs = ts.stream().map(Target::hostNs).collect(Collectors.toSet());
      // links first (in host namespaces), then the rest
      // (what the apply did not get to make is not there: the final read, not these runs' errors, says what is left)
      perNs.entrySet().stream().sorted(Comparator.comparing(e -> !hostNs.contains(e.getKey())))
          .forEach(e -> step(problems, "the objects made in " + (e.getKey().isEmpty() ? "the host" : e.getKey()),
              () -> exec.run(new Sandbox.Run(e.getKey(), e.getValue(), true).argv(), String.join("\n", e.getValue()) + "\n")));
      // links replaced (a container moved to another host, a VXLAN device given another VNI, a
      // macvlan sub-interface another mode or parent, ...): made again as they were
      // and the links it deleted (a bridge and a tunnel no container of a host needs any more),
      // made again as they were, with their addresses, routes, forwarding entries and sysctls
      step(problems, "the replaced links", () -> problems.addAll(new ReplacedLinks(exec, before, Runner.this::writeSysctls)
          .makeAgain(plan, deleted, goes)));
      // the tables it deleted, loaded again from the file the apply before had loaded, with their
      // records (when the deletion got to them)
      tablesDeleted.forEach((ns, kept) -> {
        // (a host namespace removed is there again by now)
        if (goes.contains(ns) || !ns.isEmpty() && !Files.exists(RUN_NETNS.resolve(ns))) {
          return;
        }
        step(problems, "the table deleted in " + ns, () -> {
          // (the file replaces the table atomically: one the deletion did not get to stays as it was)
          if (kept.applied().isPresent()) {
            CommandExecutor.Result r = exec.run(Sandbox.in(ns, List.of("nft", "-f", "-")), kept.applied().get());
            if (!r.ok()) {
              problems.add("the table of " + ns + " could not be loaded again: " + r.firstError());
              return;
            }
          }
          Path record = records.recordPath(ns, ts.get(0).topology());
          Path applied = records.appliedPath(ns, ts.get(0).topology());
          // (as they were read: whole; writeFile would add a newline, and a file kept that is not
          // the desired one byte for byte makes the next plan replace the table)
          if (kept.record().isPresent() && !Files.exists(record)) {
            TableRecords.writeAsRead(record, kept.record().get());
          }
          if (kept.applied().isPresent() && !Files.exists(applied)) {
            TableRecords.writeAsRead(applied, kept.applied().get());
          }
        });
      });
      // the endpoints' interface sysctls this apply changed (IPv6 switched, accept_ra) on interfaces
      // that stay (before what it deleted: an interface's IPv6 addresses and routes come back only
      // once its IPv6 is on again)
      step(problems, "the sysctls of the endpoints' interfaces", () -> {
        Map<String, Map<String, String>> back = new LinkedHashMap<>();
        for (Target t : ts) {
          t.host().endpointSysctls().forEach((ns, xs) -> xs.stream()
              .filter(x -> !goes.contains(ns) && plan.changes().stream().anyMatch(c -> c.id().equals(x.id())
                  && c.action() == Change.Action.UPDATE))
              .forEach(x -> before.sysctl(ns, x.key()).ifPresent(v -> back.computeIfAbsent(ns, k -> new LinkedHashMap<>())
                  .put(x.key(), v))));
        }
        if (!back.isEmpty()) {
          writeSysctls(back);
        }
      });
      // what the apply deleted before the failure, where it can be made again as it was: the
      // addresses, then the routes through them, and the files (a namespace or a link deleted is
      // gone with what it held). What was not deleted yet is there: adding it again fails, and
      // is left at that (-force goes on past it); the read after the rollback says what is left.
      Map<String, List<String>> again = new LinkedHashMap<>();
      Map<String, List<String>> again6 = new LinkedHashMap<>();
      // (the routes in the order the read found them: those of one identity come back in it)
      List<ObjectId> inOrder = inMakingOrder(before, deleted.stream().filter(i -> i.kind() == ObjectId.Kind.ROUTE).toList());
      for (ObjectId.Kind kind : List.of(ObjectId.Kind.ADDRESS, ObjectId.Kind.ROUTE, ObjectId.Kind.RULE)) {
        for (ObjectId id : kind == ObjectId.Kind.ROUTE ? inOrder : deleted) {
          if (id.kind() != kind || goes.contains(id.namespace()) || !id.namespace().isEmpty() && !exists.test(id.namespace())) {
            continue;
          }
          if (kind == ObjectId.Kind.RULE) {
            (id.name().startsWith("-6 ") ? again6 : again).computeIfAbsent(id.namespace(), k -> new ArrayList<>())
                .add(ruleLine("add", id) + before.attributes(id).map(w -> " " + w).orElse(""));
          } else if (kind == ObjectId.Kind.ADDRESS) {
            String[] p = id.name().split("/", 2);
            again.computeIfAbsent(id.namespace(), k -> new ArrayList<>()).add("address add " + p[1] + " dev "
                + KernelNames.checkIfname(p[0]) + (p[1].contains(":") ? " nodad" : ""));
          } else {
            // with what else it was made of: its protocol, source, metrics ...
            before.route(id).ifPresent(via -> again.computeIfAbsent(id.namespace(), k -> new ArrayList<>())
                .add(routeMaking(before, id, via)));
          }
        }
        if (kind == ObjectId.Kind.ROUTE) {
          // and the routes replaced in place once more, after the addresses: one made again after
          // its device's address was replaced went with the new address, the device's last
          // (deleted above), and its `route replace` then found no address to go through
          for (Change c : plan.changes()) {
            if (c.action() == Change.Action.UPDATE && c.id().kind() == ObjectId.Kind.ROUTE && !goes.contains(c.id().namespace())
                && exists.test(c.id().namespace()) && objects.get(c.id()) instanceof Route r) {
              before.route(c.id()).ifPresent(was -> again.computeIfAbsent(r.namespace(), k -> new ArrayList<>())
                  .add(routeLine("replace", r.to() + remade(before, c.id()), was)));
            }
          }
        }
      }
      again.forEach((ns, lines) -> step(problems, "the objects deleted in " + (ns.isEmpty() ? "the host" : ns),
          () -> exec.run(new Sandbox.Run(ns, lines, true).argv(), String.join("\n", lines) + "\n")));
      // the forwarding entries deleted from tunnels that stay (towards a host that went, or whose
      // tunnel went): those of a tunnel made again came back with it (appending one again is no error)
      Map<String, List<String>> fdbAgain = new LinkedHashMap<>();
      deleted.stream().filter(i -> i.kind() == ObjectId.Kind.FDB && !goes.contains(i.namespace())).forEach(i -> {
        String[] f = i.name().split("/", 3);
        fdbAgain.computeIfAbsent(i.namespace(), k -> new ArrayList<>())
            .add("fdb append " + f[1] + " dev " + KernelNames.checkIfname(f[0]) + " dst " + f[2]);
      });
      fdbAgain.forEach((ns, lines) -> step(problems, "the forwarding entries deleted in " + ns, () -> {
        IpBatch b = new IpBatch(ns.isEmpty() ? Optional.empty() : Optional.of(ns), "fdb", List.of(), "bridge");
        exec.run(b.argv(true), String.join("\n", lines) + "\n");
      }));
      again6.forEach((ns, lines) -> step(problems, "the IPv6 rules deleted in " + ns,
          () -> exec.run(new Sandbox.Run(ns, lines, true, true).argv(), String.join("\n", lines) + "\n")));
      for (ObjectId id : deleted) {
        String content = before.files().get(id);
        if (id.kind() == ObjectId.Kind.FILE && content != null && exists.test(id.namespace())
            && !Files.exists(etcNetns.resolve(id.namespace()).resolve(Path.of(id.name()).getFileName().toString()))) {
          step(problems, id.name(), () -> {
            Path f = etcNetns.resolve(id.namespace()).resolve(Path.of(id.name()).getFileName().toString());
            try {
              Files.createDirectories(f.getParent());
              Files.writeString(f, content, StandardCharsets.UTF_8);
            } catch (IOException e) {
              problems.add(id.name() + " could not be put back: " + e.getMessage());
            }
          });
        }
      }
      // sysctls back to the values found, and their record as it was
      step(problems, "the record of the host's sysctls", () -> sysctlRecord.ifPresent(r -> writeHostSysctlRecord(sb, r)));
      for (Target t : ts) {
        step(problems, "the sysctls of " + where(t), () -> {
          if (goes.contains(t.hostNs())) {
            return;
          }
          List<String> restore = new ArrayList<>();
          for (Sysctl x : t.host().hostSysctls()) {
            if (plan.changes().stream().anyMatch(c -> c.id().equals(x.id()))) {
              before.sysctl(x.namespace(), x.key()).ifPresent(v -> restore.add(x.key() + "=" + v));
            }
          }
          // IPv6 switched on again on a link (ipv6On): off again, as it was found
          for (String d : t.ipv6Links()) {
            ObjectId id = new ObjectId(ObjectId.Kind.SYSCTL, t.hostNs(), disableIpv6(d));
            if (plan.changes().stream().anyMatch(c -> c.id().equals(id))) {
              before.sysctl(t.hostNs(), id.name()).ifPresent(v -> restore.add(id.name() + "=" + v));
            }
          }
          // (and route_localnet of a bridge no published port needs any more, which apply set to 0)
          for (String b : t.bridgesNotRoutingLocalnet()) {
            ObjectId id = new ObjectId(ObjectId.Kind.SYSCTL, t.hostNs(), routeLocalnet(b));
            if (plan.changes().stream().anyMatch(c -> c.id().equals(id))) {
              before.sysctl(t.hostNs(), routeLocalnet(b)).ifPresent(v -> restore.add(routeLocalnet(b) + "=" + v));
            }
          }
          // after the switches, the devices' values they wrote over (-e: a device gone has none)
          overwritten.getOrDefault(t.hostNs(), Map.of()).forEach((k, v) -> restore.add(k + "=" + v));
          if (!restore.isEmpty()) {
            List<String> argv = new ArrayList<>(Sandbox.in(t.hostNs(), List.of("sysctl", "-qew")));
            argv.addAll(restore);
            CommandExecutor.Result r = exec.run(argv, "");
            if (!r.ok()) {
              problems.add("the sysctls of " + where(t) + " could not be put back: " + r.firstError());
            }
          }
        });
      }
      if (hostRecord != null) {
        step(problems, "the record of the hosts of " + ts.get(0).topology(),
            () -> hostRecords.write(sb, ts.get(0).topology(), hostRecord));
      }
      // the addresses and routes of the sandbox's own devices, as they were (each line on its
      // own: an apply that failed half way had not changed them all; the read below tells
      // what is not as before)
      for (Sandbox.Run r : plumbing) {
        step(problems, "the addresses and routes of " + r.namespace(),
            () -> exec.run(new Sandbox.Run(r.namespace(), r.lines(), true).argv(), r.stdin()));
      }
      // the sandbox's own namespaces made now
      List<String> del = new ArrayList<>();
      List<Underlay> newHosts = underlays(ts).stream().filter(u -> !before.hostNamespaces().contains(u.namespace())).toList();
      for (Underlay u : newHosts) {
        del.add("netns del " + u.namespace());
      }
      bareHosts(ts).stream().filter(n -> !before.hostNamespaces().contains(n)).forEach(n -> del.add("netns del " + n));
      if (before.sandboxExists()) {
        step(problems, "the links of " + sb.label(), () -> {
          List<String> links = new ArrayList<>();
          newHosts.forEach(u -> links.add("link del " + sb.underlayPort(u.host())));
          portless(ts, before).forEach(u -> links.add("link del " + sb.underlayPort(u.host())));
          // (the ports of hosts that left the underlay: made again below; one still there was not deleted)
          unplugged(ts, before).forEach(ns -> links.add("link del " + sb.underlayPort(sb.hostOfNamespace(ns))));
          if (!underlays(ts).isEmpty() && !before.sandboxLinks().containsKey(Underlay.DEVICE)) {
            links.add("link del " + Underlay.DEVICE);
          }
          if (sb.makesUplink(true, before.outsideExists(), before.sandboxLinks().containsKey(Sandbox.UPLINK))) {
            links.add("link del " + Sandbox.UPLINK);
          }
          if (!links.isEmpty()) {
            exec.run(new Sandbox.Run(s, links, true).argv(), String.join("\n", links) + "\n");
          }
        });
        // the ports of the hosts that were to leave the underlay, with their devices, as they were
        for (String ns : unplugged(ts, before)) {
          underlayOf(sb, ns, before).ifPresent(u -> step(problems, "the underlay port of " + ns, () -> {
            for (Sandbox.Run r : sb.underlayCreation(List.of(u), true, List.of(u), Set.of(ns))) {
              CommandExecutor.Result res = exec.run(r.argv(), r.stdin());
              if (!res.ok()) {
                problems.add(res.firstError());
              }
            }
          }));
        }
      }
      if (!before.outsideExists()) {
        del.add("netns del " + sb.outside());
      } else if (!underlays(ts).isEmpty() && !before.sandboxLinks().containsKey(Underlay.DEVICE)
          && !hadRouteBack(sb, before, underlays(ts).get(0))) {
        // (not one that was there before, the bridge deleted by hand: it stays)
        Underlay first = underlays(ts).get(0);
        String subnet = dev.netc.compiler.ir.Cidr.mask(first.address(), first.prefix()) + "/" + first.prefix();
        step(problems, "the route of " + sb.outside(), () -> exec.run(new Sandbox.Run(sb.outside(),
            List.of("route del " + subnet), true).argv(), "route del " + subnet + "\n"));
      }
      if (!before.sandboxExists()) {
        del.add("netns del " + s);
      }
      del.removeIf(l -> !exists.test(l.substring("netns del ".length())));
      if (!del.isEmpty()) {
        step(problems, "the sandbox's namespaces", () -> {
          CommandExecutor.Result r = exec.run(new Sandbox.Run("", del, true).argv(), String.join("\n", del) + "\n");
          if (!r.ok()) {
            problems.add(r.firstError());
          }
        });
      }
      if (!before.sandboxExists() && !sb.isHost()) {
        // the sandbox's IPsec secret, made for it at the first need: it goes with the sandbox, as on destroy
        step(problems, "the IPsec secret of " + sb.label(),
            () -> TableRecords.writeFile(stateDir.resolve(sb.files() + ".ipsec.secret"), Optional.empty()));
      }
      step(problems, "the read after the rollback", () -> {
        Map<String, List<String>> settings = new LinkedHashMap<>();
        settingsRead.forEach((ns, values) -> settings.put(ns, List.copyOf(values.keySet())));
        problems.addAll(differences(before, withSysctls(read(ts), readSysctls(settings))));
      });
      return problems;
    }
  }

  /** Why a VXLAN device read back with another MTU than the plan's, and what to do. */
  static final String TUNNEL_MTU = "the kernel keeps a VXLAN device's MTU within its underlay's less 50 bytes"
      + " (70 over IPv6): give the overlay network a lower `mtu`, or none";

  /** Runs one step of a rollback; what it throws becomes a problem and the rollback goes on. */
  private static void step(List<String> problems, String what, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      problems.add(what + " could not be put back: " + (e instanceof RunnerException ? e.getMessage() : e.toString()));
    }
  }

  /**
   * How a sandbox read after a rollback differs from the one read before the apply: namespaces,
   * the topology's objects, the kind of its links and what they are made of, files, sysctls,
   * tables and the sandbox's own links, one sentence per kind that differs (empty: as before).
   * Other link attributes a rollback sets back are not compared (an index changes when a link is
   * made again).
   */
  static List<String> differences(LiveState before, LiveState now) {
    List<String> out = new ArrayList<>();
    if (before.sandboxExists() != now.sandboxExists() || before.outsideExists() != now.outsideExists()) {
      out.add("the sandbox's namespaces " + (now.sandboxExists() ? "exist" : "are gone") + ", they "
          + (before.sandboxExists() ? "existed" : "did not exist"));
    }
    differ(out, "namespaces", before.namespaces(), now.namespaces());
    // the kernel's own rules of an endpoint: those it lacked, and only those
    Set<String> lacked = kernelRulesMissing(before);
    Set<String> lacks = kernelRulesMissing(now);
    List<String> deletedRules = lacks.stream().filter(r -> !lacked.contains(r)).sorted().toList();
    List<String> madeRules = lacked.stream().filter(r -> !lacks.contains(r)).sorted().toList();
    if (!deletedRules.isEmpty()) {
      out.add("the kernel's own rules missing: " + some(deletedRules));
    }
    if (!madeRules.isEmpty()) {
      out.add("the kernel's own rules made again, deleted before: " + some(madeRules));
    }
    differ(out, "objects", before.owned().stream().map(ObjectId::toString).collect(Collectors.toSet()),
        now.owned().stream().map(ObjectId::toString).collect(Collectors.toSet()));
    // a link made again (a replacement rolled back) is of the kind, and made of what, it was
    List<String> links = before.links().entrySet().stream().filter(e -> now.links().containsKey(e.getKey()))
        .filter(e -> !made(now.links().get(e.getKey())).equals(made(e.getValue())))
        .map(e -> e.getKey() + " is " + made(now.links().get(e.getKey())) + ", was " + made(e.getValue())).sorted().toList();
    if (!links.isEmpty()) {
      out.add("links changed: " + some(links));
    }
    // a route that is there goes through what it went through (one replaced in place and not
    // given back would otherwise be "as before")
    List<String> routes = before.routes().entrySet().stream()
        .filter(e -> now.routes().containsKey(e.getKey()) && !now.routes().get(e.getKey()).equals(e.getValue()))
        .map(e -> e.getKey() + " goes " + now.routes().get(e.getKey()) + ", went " + e.getValue()).sorted().toList();
    if (!routes.isEmpty()) {
      out.add("routes changed: " + some(routes));
    }
    List<String> files = new java.util.TreeSet<>(before.files().keySet()).stream()
        .filter(i -> now.files().containsKey(i) && !now.files().get(i).equals(before.files().get(i)))
        .map(ObjectId::toString).toList();
    if (!files.isEmpty()) {
      out.add("files changed: " + some(files));
    }
    List<String> sysctls = before.sysctls().keySet().stream().filter(k -> !Objects.equals(before.sysctls().get(k), now.sysctls().get(k)))
        .sorted().map(k -> k.replace('|', ' ') + " is " + now.sysctls().get(k) + ", was " + before.sysctls().get(k)).toList();
    if (!sysctls.isEmpty()) {
      out.add("sysctls changed: " + some(sysctls));
    }
    // only netc's: in host mode (and in an S made by others) the rest changes on its own
    differ(out, "tables", netcs(before.tables()), netcs(now.tables()));
    differ(out, "links of the sandbox", marked(before.sandboxLinks()), marked(now.sandboxLinks()));
    // the addresses and routes of the sandbox's devices that are still there
    Set<String> kept = before.plumbing().keySet().stream().filter(now.plumbing()::containsKey).collect(Collectors.toSet());
    differ(out, "addresses and routes of the sandbox", plumbingItems(before, kept), plumbingItems(now, kept));
    return out;
  }

  /** A link's kind and what it is made of ({@link LiveLink#params}): {@code vxlan id=42 port=4789}. */
  private static String made(LiveLink l) {
    return l.kind() + (l.params().isEmpty() ? "" : " " + l.params());
  }

  /** The addresses and routes of the sandbox's devices {@code keys} ({@link LiveState#plumbing}), as {@code NS DEVICE ITEM}. */
  private static Set<String> plumbingItems(LiveState live, Set<String> keys) {
    Set<String> out = new java.util.HashSet<>();
    keys.forEach(k -> live.plumbing().get(k).forEach(x -> out.add(k + " " + x)));
    return out;
  }

  /** The kernel's own rules {@code live} lacks, as rule identities ({@code rule:NS:WORDS}). */
  private static Set<String> kernelRulesMissing(LiveState live) {
    Set<String> out = new java.util.HashSet<>();
    live.kernelRulesMissing().forEach((ns, rules) -> rules.forEach(r -> out.add(new ObjectId(ObjectId.Kind.RULE, ns, r).toString())));
    return out;
  }

  private static void differ(List<String> out, String what, Set<String> before, Set<String> now) {
    List<String> left = now.stream().filter(x -> !before.contains(x)).sorted().toList();
    List<String> gone = before.stream().filter(x -> !now.contains(x)).sorted().toList();
    if (!left.isEmpty()) {
      out.add(what + " left behind: " + some(left));
    }
    if (!gone.isEmpty()) {
      out.add(what + " missing: " + some(gone));
    }
  }

  /**
   * Deletes the tables of {@code topology} in {@code ns}, the {@code inet} one and its {@code
   * bridge} companion, whichever of them is there, in one transaction ({@code table X {}} makes
   * a missing one first, so that its deletion cannot fail).
   */
  private CommandExecutor.Result deleteTables(String ns, String topology) {
    String name = Ownership.table(topology);
    return exec.run(Sandbox.in(ns, List.of("nft", "-f", "-")), dropTable("inet", name) + dropTable(PortFilter.FAMILY, name));
  }

  /** The {@code nft -f} lines that delete table {@code family name}, there or not (made first, then deleted). */
  private static String dropTable(String family, String name) {
    return "table " + family + " " + name + " {}\ndelete table " + family + " " + name + "\n";
  }

  /** The tables of netc topologies ({@code inet netc_...}, {@code bridge netc_...}) among {@code tables}. */
  private static Set<String> netcs(Set<String> tables) {
    return tables.stream().filter(x -> x.matches("\\S+ netc_\\S*")).collect(Collectors.toSet());
  }

  /** The links with a mark of netc (a topology's or a sandbox's) among {@code links} (name to alias). */
  private static Set<String> marked(Map<String, String> links) {
    return links.entrySet().stream().filter(e -> e.getValue().startsWith(Ownership.PREFIX) || e.getValue().startsWith(Sandbox.MARK))
        .map(Map.Entry::getKey).collect(Collectors.toSet());
  }

  /** The first five, and how many more. */
  private static String some(List<String> xs) {
    return String.join(", ", xs.subList(0, Math.min(5, xs.size()))) + (xs.size() > 5 ? " and " + (xs.size() - 5) + " more" : "");
  }

  /**
   * The first change a saved plan lists that the live state does not need, or the first it needs
   * that the plan does not list: {@code " (`+ link:S:br-x` is no longer needed)"}; empty when they
   * differ in order only.
   */
  static String firstDifference(List<Change> saved, List<Change> now) {
    Set<Change> needed = new java.util.HashSet<>(now);
    Set<Change> listed = new java.util.HashSet<>(saved);
    Optional<String> gone = saved.stream().filter(c -> !needed.contains(c)).map(c -> " (`" + c.line() + "` is not needed any more)")
        .findFirst();
    return gone.or(() -> now.stream().filter(c -> !listed.contains(c)).map(c -> " (`" + c.line() + "` is needed and not listed)")
        .findFirst()).orElse(" (the same changes in another order)");
  }

  // ------------------------------------------------------------------ destroy

  /**
   * Removes what the topology owns in the sandbox, nothing else; then the sandbox itself when
   * netc made it and nothing foreign is left in it.
   */
  public Outcome destroy(Target t) {
    return destroy(List.of(t));
  }

  /**
   * Removes what the topology owns in the sandbox for the hosts {@code ts}: their host
   * namespaces' links, tables and IPsec objects, their endpoints' namespaces and files, and what
   * the topology owns that no host of the state wants; then the sandbox itself (its outside, host
   * namespaces and underlay too) when netc made it and nothing foreign is left in it.
   */
  public Outcome destroy(List<Target> ts) {
    return destroy(sandbox(ts), ts.get(0).topology(), ts);
  }

  /**
   * Removes what topology {@code topology} owns in {@code sb} ({@link Sandbox#host} in host
   * mode) without its desired state, for a topology whose file no longer compiles (or is gone):
   * from its marks in the live state (every object netc makes carries them, or is in a namespace
   * or on a link that does), the journal of an apply that did not end and the records apply
   * keeps under the state folder. It removes what {@link #destroy(List)} of every host of the
   * topology removes; only which host an endpoint's namespace belongs to needs the desired
   * state, so that one host of several cannot be destroyed alone this way.
   */
  public Outcome destroy(Sandbox sb, String topology) {
    return destroy(sb, topology, List.of());
  }

  /** Destroy of {@code topology} in {@code sb}: the hosts {@code ts}, or without them every host, from the live state. */
  private Outcome destroy(Sandbox sb, String topology, List<Target> ts) {
    long start = System.nanoTime();
    synchronized (stopLock) {
      done = false; // (an apply before it in this runner was done: a stop still ends this one's wait for the lock)
    }
    int processes = exec.processes();
    String s = sb.name();
    List<String> notes = new ArrayList<>();
    try (StateLock lock = lock(sb)) {
      LiveState live = reader.read(sb, topology, Map.of());
      String mark = live.sandboxMark();
      if (!sb.isHost() && live.sandboxExists() && (mark.startsWith(Ownership.PREFIX)
          || mark.startsWith(Sandbox.MARK) && !sb.createdByNetc(mark))) {
        // S is a namespace of another sandbox (an endpoint's, which may be of this very topology,
        // or a sandbox's own): what the read finds in it is that sandbox's, not this one's
        notes.add("left " + sb.label() + " alone: " + clash(sb, live).orElse("namespace " + s + " is another sandbox's"));
        return new Outcome(new Plan(topology, s, List.of()), exec.processes() - processes, millis(start), notes);
      }
      // the namespaces of the hosts not destroyed keep their objects
      Set<String> kept = new java.util.HashSet<>();
      Set<String> hostNs = new java.util.HashSet<>(live.hostNamespaces());
      if (!ts.isEmpty()) {
        Set<String> chosen = ts.stream().map(x -> x.host().host()).collect(Collectors.toSet());
        hostNs.clear();
        for (HostState h : ts.get(0).state().hosts()) {
          hostNs.add(h.hostNamespace().name());
          if (!chosen.contains(h.host())) {
            kept.add(h.hostNamespace().name());
            h.namespaces().forEach(n -> kept.add(n.name()));
          }
        }
      }
      List<ObjectId> ids = new ArrayList<>();
      // what goes: deletions() takes the tables and files at once, then the namespaces (their
      // veths' host ends go with them), then the IPsec objects and the host namespaces' other links
      live.owned(ObjectId.Kind.XFRM).stream().filter(i -> !kept.contains(i.namespace())).forEach(ids::add);
      live.owned(ObjectId.Kind.LINK).stream().filter(i -> live.hostNamespaces().contains(i.namespace())
          && !kept.contains(i.namespace()) && !goesWithItsPeer(topology, live.aliases().getOrDefault(i, ""))).forEach(ids::add);
      live.owned(ObjectId.Kind.TABLE).stream().filter(i -> !kept.contains(i.namespace())).forEach(ids::add);
      live.owned(ObjectId.Kind.FILE).stream().filter(i -> !kept.contains(i.namespace())).forEach(ids::add);
      live.owned(ObjectId.Kind.NAMESPACE).stream().filter(i -> !kept.contains(i.name())).forEach(ids::add);
      // an apply that did not end: the namespaces it had not marked yet are the topology's too
      live.unfinished().stream().sorted().forEach(n -> ids.add(new ObjectId(ObjectId.Kind.NAMESPACE, "", n)));
      ids.addAll(LiveReader.dyingWithUnfinished(live)); // their host ends: the kernel's, waited for
      List<Change> changes = ids.stream().map(i -> new Change(Change.Action.DELETE, i, "")).toList();
      // (read before the deletions: a host namespace's record is found by the namespace)
      Set<String> recorded = ts.isEmpty() ? recordedHostNamespaces(sb, topology, live) : Set.of();
      deletions(sb, topology, hostNs, ids, true, live);
      removeUnfinishedFiles(live);
      removeJournal(LiveReader.unfinishedJournal(stateDir, sb, topology));
      ts.forEach(x -> {
        records.write(x, Optional.empty());
        records.writeApplied(x, Optional.empty());
      });
      for (String ns : recorded) {
        TableRecords.writeFile(records.recordPath(ns, topology), Optional.empty());
        TableRecords.writeFile(records.appliedPath(ns, topology), Optional.empty());
      }
      LiveState read = reader.read(sb, topology, Map.of());
      List<ObjectId> left = read.owned().stream().filter(i -> !kept.contains(i.namespace())
          && !(i.kind() == ObjectId.Kind.NAMESPACE && kept.contains(i.name()))).toList();
      if (!left.isEmpty()) {
        throw new RunnerException("destroy left " + left.size() + " object(s) of " + topology + ": "
            + left.stream().sorted().limit(5).map(ObjectId::toString).collect(Collectors.joining(", ")));
      }
      // the host namespaces the topology played (its record; none without one) that no other
      // topology plays and that hold nothing else go, with their underlay ports; then the record
      // (a destroy of some hosts keeps both, unless it took the last of the topology)
      if (!sb.isHost() && (ts.isEmpty() || ts.size() == ts.get(0).state().hosts().size() || read.owned().isEmpty())) {
        DroppedHosts hosts = droppedHosts(sb, topology, Set.of(), read);
        if (!hosts.going().isEmpty()) {
          List<ObjectId> going = hosts.going().stream().map(n -> new ObjectId(ObjectId.Kind.NAMESPACE, "", n)).toList();
          deletions(sb, topology, hostNs, going, true, read);
          changes = new ArrayList<>(changes);
          for (ObjectId i : going) {
            changes.add(new Change(Change.Action.DELETE, i, "host " + sb.hostOfNamespace(i.name())
                + ", with its underlay port: no topology applied in " + sb.label() + " plays it"));
          }
          read = reader.read(sb, topology, Map.of());
          List<String> still = hosts.going().stream().filter(reader.namespaces()::contains).toList();
          if (!still.isEmpty()) {
            throw new RunnerException("destroy could not remove host namespace " + String.join(", ", still) + " of " + sb.label());
          }
          // the router of a family no host left has, and the route of S-outside back to it
          List<Sandbox.Run> routers = routersNoHostUses(sb, read);
          if (!routers.isEmpty()) {
            routers.forEach(r -> exec.run(r.argv(), r.stdin()));
            read = reader.read(sb, topology, Map.of());
          }
        }
        // a host kept for something in it stays in the record, so that a destroy once that is
        // gone (or a topology without a record applied again) can still remove it
        Set<String> stays = new java.util.TreeSet<>();
        hosts.kept().forEach((ns, why) -> {
          if (!why.isEmpty()) {
            notes.add("kept " + ns + " (host " + sb.hostOfNamespace(ns) + " of topology " + topology + "): " + why);
            stays.add(ns);
          }
        });
        hostRecords.write(sb, topology, stays.isEmpty() ? Optional.empty() : Optional.of(stays));
      }
      LiveState after = read;
      // a file the topology writes that no longer carries its mark (edited by hand above it) is
      // not netc's to remove; said, since it keeps the next apply out. Without the desired state,
      // the files it would write are those of the namespaces that went (an endpoint's files are
      // in its namespace's folder)
      Set<String> gone = ids.stream().filter(i -> i.kind() == ObjectId.Kind.NAMESPACE).map(ObjectId::name)
          .collect(Collectors.toSet());
      List<String> unmarked = (ts.isEmpty()
          ? after.foreign().keySet().stream().filter(i -> i.kind() == ObjectId.Kind.FILE && gone.contains(i.namespace()))
          : ts.stream().flatMap(x -> x.host().files().stream()).map(KernelObject::id))
          .filter(i -> after.foreign().containsKey(i) && !after.foreign().get(i).startsWith("# netc:")).map(ObjectId::name)
          .sorted().toList();
      if (!unmarked.isEmpty()) {
        notes.add("kept " + String.join(", ", unmarked) + ": not marked as netc's (edited by hand above its first line?);"
            + " a later apply refuses to write over " + (unmarked.size() == 1 ? "it" : "them") + ": remove by hand what is not needed");
      }
      if (sb.isHost() || after.sandboxExists() && !sb.createdByNetc(after.sandboxMark())) {
        restoreHostSysctls(sb, after).ifPresent(notes::add);
      }
      if (!sb.isHost() && after.sandboxExists() && sb.createdByNetc(after.sandboxMark())) {
        List<String> foreign = new ArrayList<>();
        after.namespaces().stream().filter(n -> !n.equals(s) && !(n.equals(sb.outside()) && !foreignOutside(sb, after))
            && !(after.hostNamespaces().contains(n) && !after.owned().stream().anyMatch(i -> i.namespace().equals(n))))
            .forEach(n -> foreign.add("namespace " + n));
        after.sandboxLinks().entrySet().stream().filter(e -> !e.getKey().equals("lo") && !sb.marks(e.getValue()))
            .forEach(e -> foreign.add("link " + e.getKey()));
        // every table, also those without a chain (the topology's is gone, so this is cheap)
        reader.tables(s).forEach(x -> foreign.add("table " + x));
        if (foreign.isEmpty()) {
          List<String> del = new ArrayList<>();
          List<ObjectId> sandboxIds = new ArrayList<>();
          for (String n : after.hostNamespaces()) {
            if (!n.equals(s)) {
              del.add("netns del " + n);
              sandboxIds.add(new ObjectId(ObjectId.Kind.NAMESPACE, "", n));
            }
          }
          del.add("netns del " + sb.outside());
          del.add("netns del " + s);
          sandboxIds.add(new ObjectId(ObjectId.Kind.NAMESPACE, "", sb.outside()));
          sandboxIds.add(new ObjectId(ObjectId.Kind.NAMESPACE, "", s));
          ip(new Sandbox.Run("", del, true));
          changes = new ArrayList<>(changes);
          for (ObjectId i : sandboxIds) {
            changes.add(new Change(Change.Action.DELETE, i, "sandbox"));
          }
          TableRecords.writeFile(stateDir.resolve(s + ".ipsec.secret"), Optional.empty());
          // with the sandbox go the records of the hosts played in it (a destroy of some hosts
          // at a time, `--host`, leaves its own)
          hostRecords.removeAll(sb);
        } else {
          // another topology's (this one renamed since it was applied, say): its name, from the
          // marks of its links and the names of its tables (netc_NAME, `-` written `_`)
          Set<String> others = new java.util.TreeSet<>();
          after.sandboxLinks().values().forEach(m -> Ownership.topologyOfMark(m).ifPresent(others::add));
          reader.tables(s).forEach(x -> Ownership.topologyOfTable(x.substring(x.indexOf(' ') + 1)).ifPresent(others::add));
          others.remove(topology);
          notes.add("kept sandbox " + s + ": it still holds " + String.join(", ", foreign) + (others.isEmpty() ? ""
              : "; they are " + (others.size() == 1 ? "topology " : "topologies ") + String.join(" and ", others)
              + "'s (`netc destroy` with " + (others.size() == 1 ? "its file" : "their files") + " removes them)"));
        }
      } else if (!sb.isHost() && after.sandboxExists() && clash(sb, after).isPresent()) {
        // S is another sandbox's namespace (an endpoint's, say): nothing of the sandbox is in it
        notes.add("left " + sb.label() + " alone: " + clash(sb, after).get());
      } else if (!sb.isHost() && after.sandboxExists()) {
        changes = new ArrayList<>(changes);
        changes.addAll(scaffoldingOfAForeignSandbox(sb, topology, after, notes));
      }
      return new Outcome(new Plan(topology, s, changes), exec.processes() - processes, millis(start), notes);
    }
  }

  /**
   * The host namespaces whose records of {@code topology} ({@link TableRecords}) a destroy
   * without the desired state removes: {@code S} (the host in host mode), each host namespace
   * the read found, and each {@code S-host_H} of which a record of the topology is there while
   * no namespace of that name is (deleted by hand); not a namespace of that name that is no host
   * of the sandbox (another sandbox, named {@code S-host_H}, is).
   */
  private Set<String> recordedHostNamespaces(Sandbox sb, String topology, LiveState live) {
    Set<String> out = new java.util.TreeSet<>(live.hostNamespaces());
    out.add(sb.name());
    if (sb.isHost() || !Files.isDirectory(stateDir)) {
      return out;
    }
    String prefix = sb.name() + "-host_";
    try (var files = Files.list(stateDir)) {
      files.map(f -> f.getFileName().toString()).forEach(f -> {
        for (String end : List.of("." + topology + ".nft", "." + topology + ".nft.sha256")) {
          if (f.startsWith(prefix) && f.endsWith(end)) {
            String ns = f.substring(0, f.length() - end.length());
            if (ns.length() > prefix.length() && KernelNames.validNetns(ns) && !live.namespaces().contains(ns)) {
              out.add(ns);
            }
          }
        }
      });
    } catch (IOException e) {
      throw new RunnerException("cannot read " + stateDir + ": " + e.getMessage());
    }
    return out;
  }

  /**
   * The runs that delete from the bridge {@code underlay} of {@code S} the router address of each
   * family no host namespace {@code live} has uses any more, with the route of {@code S-outside}
   * back to its subnet (nothing else of those devices: what else differs is not destroy's).
   */
  private static List<Sandbox.Run> routersNoHostUses(Sandbox sb, LiveState live) {
    String bridge = sb.name() + " " + Underlay.DEVICE;
    String outside = sb.outside() + " " + Sandbox.UPLINK;
    Optional<Set<String>> liveUnderlay = Optional.ofNullable(live.plumbing().get(bridge));
    if (liveUnderlay.isEmpty() || !live.plumbing().containsKey(outside)) {
      return List.of();
    }
    Map<String, Set<String>> kept = sb.plumbing(List.of(), liveUnderlay, Optional.of(underlayFamilies(sb, live, Set.of(), Set.of())));
    Map<String, Set<String>> all = sb.plumbing(List.of(), liveUnderlay, Optional.empty());
    Map<String, Set<String>> wanted = new LinkedHashMap<>();
    Map<String, Set<String>> now = new LinkedHashMap<>();
    Set<String> routers = new java.util.TreeSet<>(liveUnderlay.get());
    routers.removeAll(kept.get(bridge));
    Set<String> routes = new java.util.TreeSet<>(all.get(outside));
    routes.removeAll(kept.get(outside));
    routes.retainAll(live.plumbing().get(outside));
    for (Map.Entry<String, Set<String>> e : Map.of(bridge, routers, outside, routes).entrySet()) {
      Set<String> left = new java.util.TreeSet<>(live.plumbing().get(e.getKey()));
      left.removeAll(e.getValue());
      wanted.put(e.getKey(), left);
      now.put(e.getKey(), live.plumbing().get(e.getKey()));
    }
    return routers.isEmpty() && routes.isEmpty() ? List.of() : Sandbox.plumbingRuns(wanted, now);
  }

  /** Whether {@code S-outside} is there without the sandbox's mark: someone else's, never deleted. */
  private static boolean foreignOutside(Sandbox sb, LiveState live) {
    return live.foreign().containsKey(new ObjectId(ObjectId.Kind.NAMESPACE, "", sb.outside()));
  }

  /**
   * After a destroy in an {@code S} that netc did not make: when no topology is left in it (no
   * namespace {@code S-*} but {@code S-outside} and emptied host namespaces, no link or
   * nftables table of a netc topology in {@code S}), deletes what netc added to it for the
   * sandbox (the host namespaces, {@code S-outside}, and in {@code S} the links with the
   * sandbox's mark: {@code uplink}, {@code underlay}), so that {@code S} is left as it was found;
   * {@code S} itself and everything else in it stay. Returns the deletions.
   */
  private List<Change> scaffoldingOfAForeignSandbox(Sandbox sb, String topology, LiveState after, List<String> notes) {
    String s = sb.name();
    List<String> others = new ArrayList<>();
    after.namespaces().stream().filter(n -> !n.equals(s) && !(n.equals(sb.outside()) && !foreignOutside(sb, after))
        && !(after.hostNamespaces().contains(n) && after.owned().stream().noneMatch(i -> i.namespace().equals(n))))
        .forEach(n -> others.add("namespace " + n));
    after.sandboxLinks().entrySet().stream().filter(e -> e.getValue().startsWith(Ownership.PREFIX))
        .forEach(e -> others.add("link " + e.getKey()));
    // a netc topology's table: its name, and its comment where that can be read (a table of
    // someone else's named so is not one, and holds nothing of netc's here)
    Optional<Map<String, String>> comments = reader.tableComments(s);
    netcs(comments.map(Map::keySet).orElseGet(() -> reader.tables(s))).stream()
        .filter(x -> comments.map(c -> c.get(x).startsWith(Ownership.PREFIX)).orElse(true)).sorted()
        .forEach(x -> others.add("table " + x));
    boolean scaffolding = after.sandboxLinks().entrySet().stream().anyMatch(e -> !e.getKey().equals("lo") && sb.marks(e.getValue()))
        || after.namespaces().stream().anyMatch(n -> !n.equals(s) && (n.equals(sb.outside()) || after.hostNamespaces().contains(n)));
    if (!others.isEmpty()) {
      if (scaffolding) {
        notes.add("kept sandbox " + s + " and netc's uplink in it: it still holds " + String.join(", ", others));
      }
      return List.of();
    }
    List<Change> out = new ArrayList<>();
    List<String> links = new ArrayList<>();
    after.sandboxLinks().entrySet().stream().filter(e -> !e.getKey().equals("lo") && sb.marks(e.getValue()))
        .map(Map.Entry::getKey).sorted().forEach(l -> {
          links.add("link del " + KernelNames.checkIfname(l));
          out.add(new Change(Change.Action.DELETE, new ObjectId(ObjectId.Kind.LINK, s, l), "sandbox"));
        });
    List<String> del = new ArrayList<>();
    for (String n : new java.util.TreeSet<>(after.namespaces())) {
      if (!n.equals(s) && (n.equals(sb.outside()) || after.hostNamespaces().contains(n))) {
        del.add("netns del " + n);
        out.add(new Change(Change.Action.DELETE, new ObjectId(ObjectId.Kind.NAMESPACE, "", n), "sandbox"));
      }
    }
    // the namespaces first: the uplink and the underlay ports go with them
    if (!del.isEmpty()) {
      ip(new Sandbox.Run("", del, true));
    }
    if (!links.isEmpty()) {
      exec.run(new Sandbox.Run(s, links, true).argv(), String.join("\n", links) + "\n");
    }
    Map<String, String> left = reader.read(sb, topology, Map.of()).sandboxLinks();
    List<String> still = links.stream().map(l -> l.substring("link del ".length())).filter(left::containsKey).toList();
    if (!still.isEmpty()) {
      throw new RunnerException("destroy could not delete " + String.join(", ", still) + " of " + sb.label());
    }
    TableRecords.writeFile(stateDir.resolve(s + ".ipsec.secret"), Optional.empty());
    notes.add("kept sandbox " + s + ": netc did not make it" + (out.isEmpty() ? "" : "; removed what netc had added to it"));
    return out;
  }

  // ------------------------------------------------------------------ helpers

  private void ip(Sandbox.Run r) {
    check(exec.run(r.argv(), r.stdin()), String.join(" ", r.argv()), r.stdin());
  }

  /**
   * {@link #ip}, but a forced run (deletions, where one taken with another is no error: {@link
   * Sandbox#plumbingRuns}) is not checked: the read after the apply says what is left.
   */
  private void ipUnlessForced(Sandbox.Run r) {
    if (r.force()) {
      exec.run(r.argv(), r.stdin());
    } else {
      ip(r);
    }
  }

  private static void check(CommandExecutor.Result r, String what) {
    check(r, what, "");
  }

  /** {@link #check(CommandExecutor.Result, String)} of a batch: the error names the line refused. */
  private static void check(CommandExecutor.Result r, String what, String stdin) {
    if (!r.ok()) {
      throw new RunnerException(what + " failed: " + r.firstError(stdin));
    }
  }

  private void removeIfEmpty(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      try (var entries = Files.list(dir)) {
        if (entries.findAny().isEmpty()) {
          Files.delete(dir);
        }
      }
    }
  }

  /**
   * Replaces the generation of the table's record with the one {@link #diff} found it as applied
   * in ({@link #heldSince}): read before its rules and elements were, so that no later generation
   * can be that one with other rules. Called under the apply's lock.
   */
  private void recordGeneration(Target t) {
    String g = heldSince.remove(t.hostNs());
    if (g != null && records.generation(t).isPresent()) {
      records.writeLine(t, "generation", g);
    }
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long millis(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  /**
   * A lock taken late, or not at all, and given back early ({@link #close} again does nothing):
   * the lock of new sandboxes in {@link #apply}.
   */
  private static final class Held implements AutoCloseable {
    private StateLock lock;

    void take(StateLock l) {
      lock = l;
    }

    @Override
    public void close() {
      if (lock != null) {
        lock.close();
        lock = null;
      }
    }
  }

  StateLock lock(Sandbox sb) {
    return lock(stateDir.resolve(sb.files() + ".lock"), sb.label(), sb.label() + " is locked",
        "another netc apply or destroy");
  }

  /**
   * The lock of new sandboxes ({@code /run/netc/@sandboxes.lock}): an apply that makes {@code S}
   * or {@code S-outside} holds it, beside the sandbox's own, from the read its name check ({@link
   * #clash}) looks at until their marks are there. Two sandboxes whose names nest, made at once,
   * would otherwise both read before either had its marks, and both find no clash.
   */
  StateLock lockNewSandboxes() {
    return lock(stateDir.resolve(NEW_SANDBOXES), "new sandboxes", "new sandboxes are locked",
        "another netc apply that makes a sandbox");
  }

  /**
   * Takes the lock of {@code file}, waiting up to the lock wait ({@link StateLock#take}); a stop
   * asked for meanwhile ends the wait.
   */
  private StateLock lock(Path file, String what, String isLocked, String holder) {
    try {
      Files.createDirectories(stateDir);
    } catch (IOException e) {
      throw new RunnerException("cannot lock " + file + ": " + e.getMessage());
    }
    return StateLock.take(file, lockWait, () -> stopping, exec, what, isLocked, holder);
  }
}
