package dev.netc.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.netc.backends.nftables.PortFilter;
import dev.netc.backends.plan.IpsecKeys;
import dev.netc.backends.plan.KernelNames;
import dev.netc.backends.plan.ObjectId;
import dev.netc.backends.plan.Ownership;
import dev.netc.backends.plan.Underlay;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Parsed;
import dev.netc.runner.netlink.FdbDump;
import dev.netc.runner.netlink.NativeFiles;
import dev.netc.runner.netlink.NetlinkNamespaces;
import dev.netc.runner.netlink.NftDump;
import dev.netc.runner.netlink.RouteDump;
import dev.netc.runner.netlink.XfrmDump;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the live state of a sandbox for one topology: {@code ip netns list}, then per namespace
 * {@code S} or {@code S-*} one {@code ip -N -j -d -n NS -batch -} run (as root, an rtnetlink
 * read in the JVM instead, which gives the same documents: {@link #named}; {@code link show} for the
 * aliases, {@code address show}, {@code route show table all}), the tables of {@code S}
 * ({@code nft -j list tables}, names only), the sysctls asked for and the files under
 * {@code /etc/netns/S-*}. Only objects with the topology's marks are counted as owned.
 */
public final class LiveReader {
  /**
   * Jackson's mapper, made at its first use: only reads through {@code ip -j} need it (without
   * netlink), and making one costs a JVM that has just started some 30 ms of every command that
   * makes a runner (a no-op apply of a small topology: a tenth of its whole run).
   */
  private static final class Mapper {
    static final ObjectMapper JSON = new ObjectMapper();
  }

  private final CommandExecutor exec;
  private final Path etcNetns;
  private final Path scratch;
  /** Reads namespaces inside the JVM, when this process can; {@code null}: with processes. */
  private final NetlinkNamespaces netlink;

  /** A reader that starts one {@code ip -N -j -d -n NS -batch -} process per namespace. */
  public LiveReader(CommandExecutor exec, Path etcNetns) {
    this(exec, etcNetns, null);
  }

  /**
   * A reader that reads many namespaces with a few {@code ip -batch} processes ({@link
   * NetnsBatches}), writing its batch file under {@code scratch}.
   */
  public LiveReader(CommandExecutor exec, Path etcNetns, Path scratch) {
    this(exec, etcNetns, scratch, null);
  }

  /**
   * A reader that reads the namespaces with {@code netlink} (links, addresses, routes, sysctls;
   * no process per namespace) and the rest with {@code exec}; {@code netlink} {@code null}: as
   * {@link #LiveReader(CommandExecutor, Path, Path)}.
   */
  public LiveReader(CommandExecutor exec, Path etcNetns, Path scratch, NetlinkNamespaces netlink) {
    this.exec = exec;
    this.etcNetns = etcNetns;
    this.scratch = scratch;
    this.netlink = netlink;
  }

  /** The namespaces whose names are listed by {@code ip netns list}. */
  public Set<String> namespaces() {
    if (netlink != null && NetlinkNamespaces.usable()) {
      try {
        return netlink.namespaces();
      } catch (IOException e) {
        throw new RunnerException("cannot list network namespaces: " + e.getMessage());
      }
    }
    CommandExecutor.Result r = exec.run(List.of("ip", "netns", "list"), "");
    if (!r.ok()) {
      throw new RunnerException("cannot list network namespaces: " + r.firstError());
    }
    Set<String> out = new TreeSet<>();
    for (String line : r.out().lines().toList()) {
      String name = line.strip().split(" ", 2)[0];
      if (!name.isEmpty()) {
        out.add(name);
      }
    }
    return out;
  }

  /** The sandbox's state as seen by {@code topology}; {@code sysctlKeys} are read in {@code S}. */
  public LiveState read(Sandbox sandbox, String topology, List<String> sysctlKeys) {
    return read(sandbox, topology, Map.of(sandbox.name(), sysctlKeys), Map.of());
  }

  /** The same, with the sysctls asked for by host namespace. */
  public LiveState read(Sandbox sandbox, String topology, Map<String, List<String>> sysctlKeys) {
    return read(sandbox, topology, sysctlKeys, Map.of());
  }

  /**
   * The sandbox's state as seen by {@code topology}: every namespace {@code S} and {@code S-*};
   * {@code S} and the host namespaces of a topology of several hosts ({@code S-host_HOST}, known
   * by their loopback's sandbox mark) are read as hosts: their tables, IPsec objects, the
   * forwarding entries of owned VXLAN devices and the sysctls asked for ({@code sysctlKeys}, by
   * host namespace). The output of {@link NetnsBatches#READ} for the namespaces in {@code
   * preRead} is taken as given (apply appends the read to the batch that configures a
   * namespace); the other namespaces are read with a few {@code ip -batch} processes when the
   * reader has a scratch folder.
   */
  public LiveState read(Sandbox sandbox, String topology, Map<String, List<String>> sysctlKeys,
      Map<String, List<JsonNode>> preRead) {
    return read(sandbox, topology, sysctlKeys, preRead, Map.of());
  }

  /**
   * The same, with the sysctls read with {@code preRead} (by namespace). The sysctls asked for
   * in namespaces that are not host namespaces (an endpoint's interfaces') are in the state
   * when read in the JVM; a namespace read by {@code ip} has none.
   */
  public LiveState read(Sandbox sandbox, String topology, Map<String, List<String>> sysctlKeys,
      Map<String, List<JsonNode>> preRead, Map<String, Map<String, String>> preSysctls) {
    return read(sandbox, topology, sysctlKeys, preRead, preSysctls, Map.of());
  }

  /**
   * The same, told the files' desired content ({@code expected}, by identity): a file that has it
   * is compared as it is read, beside the namespaces' read, and its content in the state is then
   * that very string, so that the plan's comparison costs nothing (1,000 containers: 31 MB of
   * hosts files, some 30 ms of comparing in the plan before). And told what the routes the
   * topology wants go through ({@code via GATEWAY dev DEVICE}, by identity): of the routes of
   * such an identity, the one through that gateway and device, made as netc makes it, keeps the
   * identity wherever the kernel lists it ({@link #netcs}).
   */
  public LiveState read(Sandbox sandbox, String topology, Map<String, List<String>> sysctlKeys,
      Map<String, List<JsonNode>> preRead, Map<String, Map<String, String>> preSysctls, Map<ObjectId, String> expected) {
    // the files under /etc/netns (a hosts file names every member: 40 MB for 1,000 containers)
    // are read while the namespaces are, into sets of their own merged at the end
    Set<ObjectId> fOwned = new HashSet<>();
    Map<ObjectId, String> fForeign = new HashMap<>();
    Map<ObjectId, String> files = new HashMap<>();
    java.util.concurrent.CompletableFuture<Void> filesRead = java.util.concurrent.CompletableFuture.runAsync(
        () -> files(sandbox.prefix(), topology, fOwned, fForeign, files, expected));
    try {
      return read(sandbox, topology, sysctlKeys, preRead, preSysctls, filesRead, fOwned, fForeign, files, expected);
    } finally {
      // when the namespaces' read failed, the files' read ends before the error leaves (what
      // comes next, a rollback, must not race it)
      filesRead.handle((x, e) -> null).join();
    }
  }

  private LiveState read(Sandbox sandbox, String topology, Map<String, List<String>> sysctlKeys,
      Map<String, List<JsonNode>> preRead, Map<String, Map<String, String>> preSysctls,
      java.util.concurrent.CompletableFuture<Void> filesRead, Set<ObjectId> fOwned, Map<ObjectId, String> fForeign,
      Map<ObjectId, String> files, Map<ObjectId, String> expected) {
    String s = sandbox.name();
    Set<String> names = new TreeSet<>();
    Set<String> all = namespaces();
    for (String n : all) {
      if (sandbox.holds(n)) {
        names.add(n);
      }
    }
    // the namespaces whose names S's extends at a dash (xq8 for xq8-a): another sandbox there
    // would hold S's namespaces among its own
    Map<String, String> enclosing = new java.util.TreeMap<>();
    for (int i = s.indexOf('-'); i > 0 && !sandbox.isHost(); i = s.indexOf('-', i + 1)) {
      String p = s.substring(0, i);
      if (all.contains(p) && KernelNames.validNetns(p)) {
        Optional<String> a = loAlias(p);
        // a P netc did not make has no sandbox mark on its loopback, but its S-outside has one
        if (a.isPresent() && !a.get().equals(Sandbox.MARK + p) && all.contains(p + "-outside")
            && loAlias(p + "-outside").filter((Sandbox.MARK + p + ":outside")::equals).isPresent()) {
          a = Optional.of(Sandbox.MARK + p);
        }
        a.ifPresent(x -> enclosing.put(p, x));
      }
    }
    List<String> read = new ArrayList<>();
    if (sandbox.isHost()) {
      read.add(""); // the host namespace: always there, never listed
    }
    read.addAll(names);
    Set<ObjectId> owned = new HashSet<>();
    Map<ObjectId, String> foreign = new HashMap<>();
    Map<String, String> sandboxLinks = new LinkedHashMap<>();
    Map<ObjectId, String> aliases = new HashMap<>();
    Set<String> hostNamespaces = new TreeSet<>();
    Map<String, List<String>> vxlans = new LinkedHashMap<>();
    Map<ObjectId, LiveLink> linkAttrs = new HashMap<>();
    // every link of each host namespace by index (the parents of the macvlans)
    Map<String, Map<String, Integer>> hostIndexes = new HashMap<>();
    // (in the order the kernel lists them: a rollback makes routes of one identity again in it)
    Map<ObjectId, String> routeVia = new LinkedHashMap<>();
    Map<ObjectId, String> routeProtocols = new HashMap<>();
    Map<ObjectId, String> attributes = new HashMap<>();
    Map<String, List<String>> kernelRulesMissing = new java.util.TreeMap<>();
    String sandboxMark = "";
    Map<String, Set<String>> plumbing = new java.util.TreeMap<>();
    Map<String, List<String>> otherRoutes = new java.util.TreeMap<>();
    Map<ObjectId, String> tunnels = new HashMap<>();
    // S-outside too: only its uplink's addresses and routes are read there ({@link Sandbox#plumbing})
    List<String> toRead = read.stream()
        .filter(ns -> !ns.isEmpty() && KernelNames.validNetns(ns) && !preRead.containsKey(ns)).toList();
    Map<String, String> outputs = new HashMap<>();
    Map<String, List<JsonNode>> parsed = new HashMap<>(preRead);
    Map<String, Map<String, String>> sysctlsRead = new HashMap<>(preSysctls);
    Set<String> journaled = scratch == null ? Set.of() : journaled(scratch, sandbox, topology);
    Set<String> unfinished = new TreeSet<>();
    boolean viaNetlink = netlink != null && NetlinkNamespaces.usable();
    if (viaNetlink && (!toRead.isEmpty() || sandbox.isHost() && !preRead.containsKey(""))) {
      Map<String, List<String>> asked = new LinkedHashMap<>();
      if (sandbox.isHost() && !preRead.containsKey("")) {
        asked.put("", sysctlKeys.getOrDefault("", List.of()));
      }
      toRead.forEach(ns -> asked.put(ns, sysctlKeys.getOrDefault(ns, List.of())));
      long start = System.nanoTime();
      NetlinkNamespaces.Outcome o = netlink.read(asked);
      exec.note("netlink read of " + asked.size() + " namespace" + (asked.size() == 1 ? "" : "s")
          + (o.failed().isEmpty() ? "" : " (" + o.failed().size() + " failed: " + o.failed().values().iterator().next() + ")"),
          System.nanoTime() - start);
      o.read().forEach((ns, r) -> {
        parsed.put(ns, r.documents());
        sysctlsRead.put(ns, r.sysctls());
      });
    }
    // without netlink, and for the namespaces it could not read (no CAP_SYS_ADMIN ...): a few
    // ip processes; a single namespace left is read alone below
    List<String> left = toRead.stream().filter(ns -> !parsed.containsKey(ns)).toList();
    if (scratch != null && left.size() > 1) {
      Map<String, List<String>> batches = new LinkedHashMap<>();
      left.forEach(ns -> batches.put(ns, NetnsBatches.READ_RULES));
      outputs.putAll(new NetnsBatches(exec, scratch).run(batches).out());
    }
    for (String ns : read) {
      boolean isS = ns.equals(s);
      boolean outside = !sandbox.isHost() && ns.equals(sandbox.outside());
      if (!isS && !KernelNames.validNetns(ns)) {
        continue;
      }
      List<JsonNode> docs = parsed.get(ns);
      String out = docs != null ? "" : outputs.get(ns);
      if (out == null) {
        // (the host's namespace in host mode is no endpoint: its rules are not read)
        List<String> lines = ns.isEmpty() ? NetnsBatches.READ : NetnsBatches.READ_RULES;
        CommandExecutor.Result r = exec.run(ns.isEmpty() ? List.of("ip", "-N", "-j", "-d", "-batch", "-")
            : List.of("ip", "-N", "-j", "-d", "-n", ns, "-batch", "-"),
            String.join("\n", NetnsBatches.inet6(lines, false)) + "\n");
        List<String> six = NetnsBatches.inet6(lines, true);
        if (r.ok() && !six.isEmpty()) {
          CommandExecutor.Result r6 = exec.run(List.of("ip", "-6", "-N", "-j", "-d", "-n", ns, "-batch", "-"), String.join("\n", six) + "\n");
          // (a kernel without IPv6 policy routing fails `ip -6 rule show`: no IPv6 rules)
          r = new CommandExecutor.Result(0, r.out() + (r6.ok() ? r6.out() : NetnsBatches.RULES6_UNREAD), r.err() + r6.err());
        }
        if (!r.ok()) {
          // the namespace went away while we looked, or is not a namespace we can enter
          if (!isS && (outside || !namespaces().contains(ns))) {
            continue;
          }
          throw new RunnerException("cannot read namespace " + (ns.isEmpty() ? "of the host" : ns) + ": " + r.firstError()
              + (r.firstError().contains("Operation not permitted") ? " (reading it needs root)" : ""));
        }
        out = r.out();
      }
      if (docs == null) {
        docs = parseRead(out, "ip -j -n " + ns);
      }
      // (a read over netlink has a fifth document, the rules; so has one through ip, made of its
      // rules' documents: parseRead)
      if (docs.size() != 4 && docs.size() != 5) {
        throw new RunnerException("unexpected output of `ip -j -n " + ns + " -batch -`: " + docs.size() + " documents");
      }
      JsonNode links = docs.get(0);
      Set<String> bridges = new HashSet<>();
      docs.get(1).forEach(l -> bridges.add(l.path("ifname").asText()));
      Map<String, JsonNode> addresses = new HashMap<>();
      docs.get(2).forEach(l -> addresses.put(l.path("ifname").asText(), l.path("addr_info")));
      JsonNode routes = docs.get(3);
      Map<String, Integer> indexes = new HashMap<>();
      links.forEach(l -> indexes.put(l.path("ifname").asText(), l.path("ifindex").asInt()));
      String loAlias = "";
      for (JsonNode l : links) {
        if (l.path("ifname").asText().equals("lo")) {
          loAlias = l.path("ifalias").asText("");
        }
      }
      if (outside) {
        plumbing(plumbing, ns, Sandbox.UPLINK, links, addresses, routes);
        plumbing(plumbing, ns, Sandbox.LOOPBACK, links, addresses, routes);
        if (!sandbox.marks(loAlias)) {
          // an S-outside someone else made: not the sandbox's to use or delete
          foreign.put(new ObjectId(ObjectId.Kind.NAMESPACE, "", ns), loAlias);
        }
        continue;
      }
      boolean host = ns.equals(s) || sandbox.hostOf(loAlias).isPresent();
      if (host) {
        hostNamespaces.add(ns);
        hostIndexes.put(ns, indexes);
      }
      if (!sandbox.isHost() && isS) {
        plumbing(plumbing, ns, Sandbox.UPLINK, links, addresses, routes);
        plumbing(plumbing, ns, Underlay.DEVICE, links, addresses, routes);
        plumbing(plumbing, ns, Sandbox.LOOPBACK, links, addresses, routes);
        // the hosts' underlay ports (by their mark): up, and on the bridge
        for (JsonNode l : links) {
          if (l.path("ifalias").asText("").startsWith(sandbox.underlayMark() + ":")) {
            plumbing(plumbing, ns, l.path("ifname").asText(), links, addresses, routes);
          }
        }
      } else if (host) {
        plumbing(plumbing, ns, Underlay.DEVICE, links, addresses, routes);
        plumbing(plumbing, ns, Sandbox.LOOPBACK, links, addresses, routes);
      }
      if (ns.equals(s)) {
        sandboxMark = loAlias;
      } else if (host) {
        // a host namespace of the sandbox: the sandbox's, not the topology's
      } else if (journaled.contains(ns) && (loAlias.isEmpty() || Ownership.owns(topology, loAlias) && unmarkedLink(links))) {
        // made by an apply of the topology that ended before it marked it (or marked it, its
        // loopback first, and ended before it marked its other links): its links are kept
        // (the host ends of their veths are found by them), nothing in it is owned or foreign
        unfinished.add(ns);
        for (JsonNode l : links) {
          linkAttrs.put(new ObjectId(ObjectId.Kind.LINK, ns, l.path("ifname").asText()), link(l, bridges, indexes));
        }
        continue;
      } else if (!Ownership.owns(topology, loAlias)) {
        foreign.put(new ObjectId(ObjectId.Kind.NAMESPACE, "", ns), loAlias);
        continue;
      } else {
        owned.add(new ObjectId(ObjectId.Kind.NAMESPACE, "", ns));
      }
      for (JsonNode l : links) {
        String name = l.path("ifname").asText();
        String alias = l.path("ifalias").asText("");
        if (ns.equals(s)) {
          sandboxLinks.put(name, alias);
        }
        if (!Ownership.owns(topology, alias)) {
          if (!name.equals("lo") && !sandbox.marks(alias)) {
            foreign.put(new ObjectId(ObjectId.Kind.LINK, ns, name), alias);
            if (host && l.path("linkinfo").path("info_kind").asText("").equals("vxlan")) {
              tunnels.put(new ObjectId(ObjectId.Kind.LINK, ns, name), link(l, bridges, indexes).params());
            }
          }
          continue;
        }
        owned.add(new ObjectId(ObjectId.Kind.LINK, ns, name));
        aliases.put(new ObjectId(ObjectId.Kind.LINK, ns, name), alias);
        if (host && alias.startsWith(Ownership.vxlan(topology, ""))) {
          vxlans.computeIfAbsent(ns, k -> new ArrayList<>()).add(name);
        }
        linkAttrs.put(new ObjectId(ObjectId.Kind.LINK, ns, name), link(l, bridges, indexes));
        for (JsonNode a : addresses.getOrDefault(name, JsonNodeFactory.instance.arrayNode())) {
          if (!a.path("scope").asText().equals("global")) {
            continue;
          }
          Parsed<IpAddress> ip = IpAddress.parse(a.path("local").asText());
          if (ip.ok()) {
            owned.add(new ObjectId(ObjectId.Kind.ADDRESS, ns,
                name + "/" + ip.get() + "/" + a.path("prefixlen").asInt()));
          }
        }
      }
      if (host) {
        otherRoutes(otherRoutes, ns, links, addresses, routes, owned);
      }
      if (!host) {
        // the namespace is the topology's whole: every route of its tables that the kernel did
        // not make with an address is owned (a blackhole or a route through a device only, one of
        // another table or with another metric, a local route, made by hand, is unexpected), a
        // route through a gateway before any other of the same identity, netc's own route of an
        // identity the topology wants before them all (wherever the kernel lists it: {@link
        // #netcs}); the local table's own routes are the kernel's (proto kernel)
        List<JsonNode> withoutGateway = new ArrayList<>();
        // each route's identity and what it goes through, by route (then kept in the kernel's order)
        Map<JsonNode, Map.Entry<ObjectId, String>> found = new java.util.IdentityHashMap<>();
        // (each route through a gateway's identity, worked out once)
        Map<JsonNode, ObjectId> ids = new java.util.IdentityHashMap<>();
        List<JsonNode> netcsFirst = netcs(ns, routes, expected, ids);
        // (by identity: two routes ip reads alike are equal JSON)
        Set<JsonNode> netcs = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        netcs.addAll(netcsFirst);
        for (JsonNode rt : routes) {
          if (!netcs.contains(rt)) {
            netcsFirst.add(rt);
          }
        }
        for (JsonNode rt : netcsFirst) {
          if (rt.path("protocol").asText().equals("kernel")) {
            continue;
          }
          if (!rt.has("gateway") && !rt.has("nexthops")) {
            if (GATEWAYLESS.contains(rt.path("type").asText("unicast"))) {
              withoutGateway.add(rt);
            }
            continue;
          }
          String gw = rt.path("gateway").asText();
          // (a multipath route, made by hand, goes through its nexthops)
          boolean v6 = rt.has("gateway") ? gw.contains(":") : rt.path("dst").asText().contains(":") || rt.has("pref");
          String via = rt.has("gateway") ? "via " + gw + " dev " + rt.path("dev").asText() : nexthops(rt);
          ObjectId known = rt.has("gateway") ? ids.get(rt) : null;
          ObjectId id = distinct(owned, known != null ? known : routeId(ns, rt, v6), via, rt, v6, true);
          if (owned.add(id)) {
            found.put(rt, Map.entry(id, via));
            protocol(routeProtocols, id, rt);
            attributes(attributes, id, rt, v6, true);
          }
        }
        for (JsonNode rt : withoutGateway) {
          String dst = rt.path("dst").asText();
          // (ip -d gives IPv6 routes a preference, RouteDump too: a default route has no other sign of its family)
          boolean v6 = dst.contains(":") || rt.has("pref");
          String type = rt.path("type").asText("unicast");
          String via = type.equals("unicast") ? "dev " + rt.path("dev").asText()
              : THROUGH_A_DEVICE.contains(type) && rt.has("dev") ? type + " dev " + rt.path("dev").asText() : type;
          ObjectId id = distinct(owned, routeId(ns, rt, v6), via, rt, v6, false);
          if (owned.add(id)) {
            found.put(rt, Map.entry(id, via));
            protocol(routeProtocols, id, rt);
            attributes(attributes, id, rt, v6, false);
          }
        }
        for (JsonNode rt : routes) {
          Map.Entry<ObjectId, String> r = found.get(rt);
          if (r != null) {
            routeVia.put(r.getKey(), r.getValue());
          }
        }
        // the policy routing rules (not read at the end of apply's batches through ip), but the
        // kernel's own: each one made by hand is unexpected
        if (docs.size() == 5) {
          Set<String> kernels = new HashSet<>();
          boolean rules6 = true;
          for (JsonNode r : docs.get(4)) {
            if (r.path(RouteDump.RULES6_UNREAD).asBoolean(false)) {
              rules6 = false;
              continue;
            }
            long priority = r.path("priority").asLong();
            String rule = r.path("rule").asText();
            // (an IPv6 rule's words are ip's after `-6`: `ip rule` takes IPv4 without it)
            String words = (r.path("family").asText().equals("inet6") ? "-6 " : "") + "pref " + priority + " " + rule;
            if (kernelRule(priority, rule)) {
              kernels.add(words);
            } else {
              ObjectId id = new ObjectId(ObjectId.Kind.RULE, ns, words);
              owned.add(id);
              // (what made it is no selector: kept to make it again, not in its identity)
              String proto = r.path("protocol").asText("");
              if (oneWord(proto) && !proto.equals("unspec")) {
                attributes.put(id, "protocol " + Runner.protocolNumber(proto));
              }
            }
          }
          // (IPv6 rules that could not be read: a kernel without IPv6 policy routing, whose `ip
          // -6 rule show` fails and whose dump of IPv6 rules alone fails; they are not looked for.
          // A namespace without any IPv6 rule but read has had them deleted by hand)
          boolean read6 = rules6;
          List<String> lacking = KERNEL_RULES.stream().filter(k -> !kernels.contains(k) && (read6 || !k.startsWith("-6 "))).toList();
          if (!lacking.isEmpty()) {
            kernelRulesMissing.put(ns, lacking);
          }
        }
      }
    }
    withParents(linkAttrs, hostIndexes);
    boolean sandboxExists = sandbox.isHost() || names.contains(s);
    Set<String> tables = new TreeSet<>();
    Map<String, String> sysctls = new HashMap<>();
    List<String> notes = new ArrayList<>();
    String table = "inet " + Ownership.table(topology);
    Map<String, String> generations = new HashMap<>();
    Map<String, Map<String, String>> comments = new HashMap<>();
    Map<String, Set<String>> otherTables = new java.util.TreeMap<>();
    for (String h : hostNamespaces) {
      Set<String> here;
      try {
        here = tablesWithChains(h, generations, comments);
      } catch (RunnerException e) {
        if (!sandbox.isHost()) {
          throw e;
        }
        // `nft list tables` needs root (CAP_NET_ADMIN); `ip` and /proc/sys do not
        notes.add((isRoot() ? "the nftables tables of the host could not be read (" + e.getMessage().replaceFirst("^.*?: ", "") + ")"
            : "the nftables tables of the host cannot be read without root") + ": the table is planned as if it were not there");
        here = Set.of();
      }
      if (h.equals(s)) {
        tables.addAll(here);
      }
      for (String x : here) {
        if (x.startsWith("inet netc_") && !x.equals(table)) {
          otherTables.computeIfAbsent(h, k -> new TreeSet<>()).add(x.substring("inet ".length()));
        }
      }
      // the object is the topology's tables: the inet one and its bridge companion (PortFilter),
      // loaded together; either one left makes it present (and the rules' witness tells the rest).
      // A table of that name without the topology's comment is someone else's: never loaded over
      // or deleted (its comment, or none, is its mark; not known when read through nft)
      boolean foreignTable = false;
      for (String name : List.of(table, PortFilter.FAMILY + " " + Ownership.table(topology))) {
        String comment = comments.getOrDefault(h, Map.of()).get(name);
        if (here.contains(name) && comment != null && !comment.equals(Ownership.tableComment(topology))) {
          foreign.put(new ObjectId(ObjectId.Kind.TABLE, h, name), comment);
          foreignTable = true;
        }
      }
      if (!foreignTable && (here.contains(table) || here.contains(PortFilter.FAMILY + " " + Ownership.table(topology)))) {
        owned.add(new ObjectId(ObjectId.Kind.TABLE, h, table));
      }
      (sysctlsRead.containsKey(h) ? sysctlsRead.get(h) : sysctls(h, sysctlKeys.getOrDefault(h, List.of()))).forEach((k, v) -> sysctls.put(LiveState.key(h, k), v));
      if (vxlans.containsKey(h)) {
        // IPsec objects only protect overlays: read where the topology has a tunnel
        xfrm(h, topology, owned);
      }
      for (String vx : vxlans.getOrDefault(h, List.of())) {
        fdb(h, vx, hostIndexes.getOrDefault(h, Map.of()).get(vx), owned);
      }
    }
    // the endpoints' sysctls (their interfaces'): those of namespaces that exist, as read (not
    // of an unfinished apply's: those namespaces go, and are made anew)
    sysctlsRead.forEach((ns, values) -> {
      if (!hostNamespaces.contains(ns) && names.contains(ns) && !unfinished.contains(ns)) {
        values.forEach((k, v) -> sysctls.put(LiveState.key(ns, k), v));
      }
    });
    try {
      filesRead.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : e;
    }
    owned.addAll(fOwned);
    foreign.putAll(fForeign);
    LiveState state = LiveState.builder().sandboxExists(sandboxExists)
        .outsideExists(sandbox.isHost() || names.contains(sandbox.outside())).sandboxMark(sandboxMark)
        .namespaces(names).owned(owned).foreign(foreign).sandboxLinks(sandboxLinks).tables(tables).sysctls(sysctls)
        .files(files).hostNamespaces(hostNamespaces).aliases(aliases).links(linkAttrs).notes(notes)
        .unfinished(unfinished).routes(routeVia).nftGenerations(generations).plumbing(plumbing).enclosing(enclosing)
        .otherRoutes(otherRoutes).routeProtocols(routeProtocols).kernelRulesMissing(kernelRulesMissing)
        .attributes(attributes).tunnels(tunnels).otherTables(otherTables).build();
    if (unfinished.isEmpty()) {
      return state;
    }
    // the host ends of the unfinished namespaces' veths die with them (the next apply deletes
    // those first): not the topology's any more, so that what plan lists is what apply makes
    // after; their attributes stay, for the wait for the kernel to take them
    owned.removeAll(dyingWithUnfinished(state));
    // and so do their files under /etc/netns (apply writes them beside the kernel's changes: a
    // kill can leave some, whole or not): the next apply or destroy removes them first
    java.util.function.Predicate<ObjectId> ofUnfinished = i -> i.kind() == ObjectId.Kind.FILE && unfinished.contains(i.namespace());
    owned.removeIf(ofUnfinished);
    files.keySet().removeIf(ofUnfinished);
    foreign.keySet().removeIf(ofUnfinished);
    return state.toBuilder().owned(owned).foreign(foreign).files(files).build();
  }

  /** The alias of the loopback of namespace {@code ns} ({@code ""}: none); empty when it cannot be read. */
  private Optional<String> loAlias(String ns) {
    List<JsonNode> docs = null;
    if (netlink != null && NetlinkNamespaces.usable()) {
      NetlinkNamespaces.Outcome o = netlink.read(Map.of(ns, List.of()));
      docs = o.read().containsKey(ns) ? o.read().get(ns).documents() : null;
    }
    if (docs == null) {
      CommandExecutor.Result r = exec.run(List.of("ip", "-j", "-n", ns, "link", "show", "dev", "lo"), "");
      if (!r.ok()) {
        return Optional.empty();
      }
      try {
        docs = parse(r.out(), "ip -j -n " + ns + " link show dev lo");
      } catch (RunnerException e) {
        return Optional.empty();
      }
    }
    for (JsonNode l : docs.isEmpty() ? JsonNodeFactory.instance.arrayNode() : docs.get(0)) {
      if (l.path("ifname").asText().equals("lo")) {
        return Optional.of(l.path("ifalias").asText(""));
      }
    }
    return Optional.empty();
  }

  /** The types of routes that take a prefix without a device to send it through: they drop it. */
  private static final Set<String> DROPPING = Set.of("blackhole", "unreachable", "prohibit");

  /**
   * Adds to {@code out}, under {@code ns}, the networks reached through the links of the
   * namespace that are not in {@code owned} ({@link LiveState#otherRoutes}): the subnet of each
   * global address of such a link (the route the kernel makes with it, which the netlink read
   * leaves out), each route of {@code routes} in the main table to a prefix (not the default
   * route, not IPv6 link-local or multicast) through such a link ({@code CIDR via GATEWAY dev
   * DEVICE}), and each that drops a prefix ({@code CIDR blackhole}, {@code unreachable}, {@code
   * prohibit}: the kernel takes the longer prefix, a topology's subnet, over it, but a shorter
   * or equal one of the topology's would lose traffic to it).
   */
  private static void otherRoutes(Map<String, List<String>> out, String ns, JsonNode links, Map<String, JsonNode> addresses,
      JsonNode routes, Set<ObjectId> owned) {
    Map<String, String> aliasOf = new HashMap<>();
    links.forEach(l -> aliasOf.put(l.path("ifname").asText(), l.path("ifalias").asText("")));
    java.util.function.BiConsumer<Cidr, String> add = (c, how) -> {
      List<String> here = out.computeIfAbsent(ns, k -> new ArrayList<>());
      String text = c + " " + how;
      if (!here.contains(text)) {
        here.add(text);
      }
    };
    java.util.function.Function<String, String> device = dev -> {
      String alias = aliasOf.getOrDefault(dev, "");
      return "dev " + dev + (alias.isEmpty() ? "" : " (`" + alias + "`)");
    };
    addresses.forEach((dev, infos) -> {
      if (owned.contains(new ObjectId(ObjectId.Kind.LINK, ns, dev))) {
        return;
      }
      for (JsonNode a : infos) {
        Parsed<IpAddress> ip = IpAddress.parse(a.path("local").asText());
        int len = a.path("prefixlen").asInt(-1);
        if (a.path("scope").asText().equals("global") && ip.ok() && len >= 0 && len <= ip.get().family().bits()) {
          add.accept(new Cidr(Cidr.mask(ip.get(), len), len), device.apply(dev));
        }
      }
    });
    for (JsonNode rt : routes) {
      String dst = rt.path("dst").asText();
      String dev = rt.path("dev").asText();
      String type = rt.path("type").asText("unicast");
      boolean drops = DROPPING.contains(type);
      if (rt.has("table") && !rt.path("table").asText().equals("main") || dst.isEmpty() || dst.equals("default")
          || dst.startsWith("fe80:") || dst.startsWith("ff")
          || !drops && (dev.isEmpty() || owned.contains(new ObjectId(ObjectId.Kind.LINK, ns, dev)))) {
        continue;
      }
      Parsed<Cidr> c = Cidr.parse(dst.contains("/") ? dst : dst + (dst.contains(":") ? "/128" : "/32"));
      if (c.ok()) {
        // (an IPv6 route that drops is listed on lo: its device says nothing)
        add.accept(c.get(), drops ? type : (rt.has("gateway") ? "via " + rt.path("gateway").asText() + " " : "") + device.apply(dev));
      }
    }
  }

  /**
   * The addresses and routes of {@code device}, a device of the sandbox's own, in {@code ns}, into
   * {@code out} under {@code NS DEVICE} ({@link Sandbox#plumbing}: {@code ADDRESS/LEN} and {@code
   * route DST via GATEWAY}), when the device is there: its global addresses, and the routes of
   * the main table through it that the kernel did not make (with a gateway, or without one,
   * {@code route DST}, made by hand; {@code metric N} after either when it is not the one {@code
   * ip route add} gives; {@code proto P} after one without a gateway made by another protocol
   * than {@code boot}).
   */
  private static void plumbing(Map<String, Set<String>> out, String ns, String device, JsonNode links,
      Map<String, JsonNode> addresses, JsonNode routes) {
    boolean there = false;
    for (JsonNode l : links) {
      there |= l.path("ifname").asText().equals(device);
    }
    if (!there) {
      return;
    }
    Set<String> items = new TreeSet<>();
    for (JsonNode l : links) {
      if (l.path("ifname").asText().equals(device)) {
        if (!up(l)) {
          items.add(Sandbox.LINK_DOWN);
        }
        if (l.path("master").asText("").equals(Underlay.DEVICE)) {
          items.add(Sandbox.ON_UNDERLAY); // (a host's port in S)
        }
      }
    }
    // its IPv6 switched off (by hand): read with the link dump (netlink), as an endpoint's is
    for (JsonNode l : links) {
      if (l.path("ifname").asText().equals(device) && l.path(RouteDump.IPV6_CONF).path("disable_ipv6").asInt(0) == 1) {
        items.add(Sandbox.IPV6_OFF);
      }
    }
    for (JsonNode a : addresses.getOrDefault(device, JsonNodeFactory.instance.arrayNode())) {
      Parsed<IpAddress> ip = IpAddress.parse(a.path("local").asText());
      if (a.path("scope").asText().equals("global") && ip.ok()) {
        items.add(ip.get() + "/" + a.path("prefixlen").asInt());
      }
    }
    for (JsonNode rt : routes) {
      // the main table's routes through the device that the kernel did not make with an address:
      // through a gateway, or (made by hand) without one
      if (rt.has("table") && !rt.path("table").asText().equals("main") || rt.path("protocol").asText().equals("kernel")
          || !rt.path("dev").asText().equals(device) || !rt.path("type").asText("unicast").equals("unicast")) {
        continue;
      }
      Parsed<IpAddress> gw = IpAddress.parse(rt.path("gateway").asText());
      String dst = rt.path("dst").asText();
      boolean v6 = gw.ok() ? !gw.get().isV4() : dst.contains(":") || rt.has("pref");
      Parsed<Cidr> c = Cidr.parse(dst.equals("default") ? v6 ? "::/0" : "0.0.0.0/0"
          : dst.contains("/") ? dst : dst + (dst.contains(":") ? "/128" : "/32"));
      long metric = rt.path("metric").asLong(0);
      String to = (c.ok() ? c.get().toString() : dst) + tos(rt);
      // (one without a gateway made by another protocol than ip's `boot` says so: its deletion
      // names it, so that the kernel's own route of that destination is not the one deleted)
      String proto = rt.path("protocol").asText("");
      items.add((rt.has("gateway") ? Sandbox.route(to, gw.ok() ? gw.get().toString() : rt.path("gateway").asText()) : "route " + to)
          + (metric == defaultMetric(v6) ? "" : " metric " + metric)
          + (rt.has("gateway") || proto.isEmpty() || proto.equals("boot") || !oneWord(proto) ? "" : " proto " + proto));
    }
    out.put(ns + " " + device, items);
  }

  /** Whether a link of {@code links} (an {@code ip -j link} list), besides the loopback, has no alias: no mark. */
  private static boolean unmarkedLink(JsonNode links) {
    for (JsonNode l : links) {
      if (!l.path("ifname").asText().equals("lo") && l.path("ifalias").asText("").isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** The links of the host namespaces whose veth peers are in the state's unfinished namespaces. */
  static Set<ObjectId> dyingWithUnfinished(LiveState live) {
    List<ObjectId> hostLinks = live.links().keySet().stream()
        .filter(i -> live.hostNamespaces().contains(i.namespace())).toList();
    return DyingPeers.of(live, hostLinks, live.unfinished()).keySet();
  }

  /**
   * The IPsec states and policies of a host namespace that carry the topology's {@code reqid}: as
   * root over netlink ({@link XfrmDump}, no process), else with {@code ip xfrm state list} and
   * {@code ip xfrm policy list}, a process each ({@code ip xfrm} has no JSON output: its text is
   * read, one object per paragraph).
   */
  private void xfrm(String ns, String topology, Set<ObjectId> owned) {
    if (netlink != null && NetlinkNamespaces.usable()) {
      long start = System.nanoTime();
      try {
        XfrmDump.Objects x = netlink.xfrm(ns);
        owned.addAll(xfrmObjects(ns, x, IpsecKeys.reqid(topology)));
        exec.note("netlink: the IPsec objects of " + (ns.isEmpty() ? "the host" : ns), System.nanoTime() - start);
        return;
      } catch (IOException | RuntimeException e) {
        // read with ip below
      }
    }
    // (two processes: ip exits after the first `xfrm ... list` of a batch, whose `policy list`
    // then printed nothing)
    StringBuilder out = new StringBuilder();
    for (String what : List.of("state", "policy")) {
      List<String> argv = new ArrayList<>(ns.isEmpty() ? List.of("ip") : List.of("ip", "-n", ns));
      argv.addAll(List.of("xfrm", what, "list"));
      CommandExecutor.Result r = exec.run(argv, "");
      if (!r.ok()) {
        throw new RunnerException("cannot read the IPsec objects of " + ns + ": " + r.firstError());
      }
      out.append(r.out()).append(r.out().isEmpty() || r.out().endsWith("\n") ? "" : "\n");
    }
    owned.addAll(xfrmObjects(ns, out.toString(), IpsecKeys.reqid(topology)));
  }

  /** The objects of the text of {@code ip xfrm state list} and {@code ip xfrm policy list} ({@code out}, of namespace {@code ns}) that carry {@code reqid}. */
  static Set<ObjectId> xfrmObjects(String ns, String out, long reqid) {
    Set<ObjectId> owned = new java.util.LinkedHashSet<>();
    String mark = "reqid " + reqid + " ";
    List<String> block = new ArrayList<>();
    for (String line : (out + "\n").lines().toList()) {
      if (!line.startsWith("\t") && !line.startsWith(" ") && !block.isEmpty()) {
        xfrmObject(ns, String.join(" ", block) + " ", mark, owned);
        block.clear();
      }
      if (!line.isBlank()) {
        block.add(line.strip());
      }
    }
    if (!block.isEmpty()) {
      xfrmObject(ns, String.join(" ", block) + " ", mark, owned);
    }
    return owned;
  }

  private static void xfrmObject(String ns, String text, String reqid, Set<ObjectId> owned) {
    if (!text.contains(reqid)) {
      return;
    }
    java.util.regex.Matcher state = java.util.regex.Pattern
        .compile("^src (\\S+) dst (\\S+) proto esp spi (0x[0-9a-f]+) ").matcher(text);
    java.util.regex.Matcher policy = java.util.regex.Pattern
        .compile("^src (\\S+)/\\d+ dst (\\S+)/\\d+ proto udp dport (\\d+) dir (in|out) ").matcher(text);
    if (state.find()) {
      long spi = Long.parseLong(state.group(3).substring(2), 16);
      owned.add(new ObjectId(ObjectId.Kind.XFRM, ns, "state " + state.group(1) + ">" + state.group(2)
          + " spi " + String.format(java.util.Locale.ROOT, "0x%08x", spi)));
    } else if (policy.find()) {
      owned.add(new ObjectId(ObjectId.Kind.XFRM, ns, "policy " + policy.group(4) + " " + policy.group(1) + ">"
          + policy.group(2) + " udp/" + policy.group(3)));
    }
  }

  /**
   * The objects of {@code x} (of namespace {@code ns}) that carry {@code reqid}, as {@link
   * #xfrmObject} finds them in the text of {@code ip xfrm}: an ESP state with an SPI (ip prints
   * none of 0); a policy in or out whose selector is UDP to a port (from none, on no device) and
   * one of whose templates has the {@code reqid}.
   */
  static Set<ObjectId> xfrmObjects(String ns, XfrmDump.Objects x, long reqid) {
    Set<ObjectId> out = new java.util.LinkedHashSet<>();
    for (XfrmDump.State st : x.states()) {
      if (st.reqid() == reqid && st.proto() == IPPROTO_ESP && st.spi() != 0) {
        out.add(new ObjectId(ObjectId.Kind.XFRM, ns, "state " + st.src() + ">" + st.dst()
            + " spi " + String.format(java.util.Locale.ROOT, "0x%08x", st.spi())));
      }
    }
    for (XfrmDump.Policy p : x.policies()) {
      XfrmDump.Selector sel = p.selector();
      if (p.reqids().contains(reqid) && (p.dir() == 0 || p.dir() == 1) && sel.proto() == IPPROTO_UDP
          && sel.sport() < 0 && sel.dport() >= 0 && sel.ifindex() <= 0) {
        out.add(new ObjectId(ObjectId.Kind.XFRM, ns, "policy " + (p.dir() == 0 ? "in" : "out") + " " + sel.src() + ">"
            + sel.dst() + " udp/" + sel.dport()));
      }
    }
    return out;
  }

  private static final int IPPROTO_ESP = 50;
  private static final int IPPROTO_UDP = 17;

  /**
   * The forwarding entries with a remote ({@code dst}) of an owned VXLAN device, whose index is
   * {@code ifindex} ({@code null}: not known): as root over netlink ({@link FdbDump}, no process),
   * else with {@code bridge -j fdb show dev VX}.
   */
  private void fdb(String ns, String device, Integer ifindex, Set<ObjectId> owned) {
    if (ifindex != null && netlink != null && NetlinkNamespaces.usable()) {
      long start = System.nanoTime();
      try {
        List<FdbDump.Entry> entries = netlink.fdb(ns, ifindex);
        for (FdbDump.Entry e : entries) {
          Parsed<IpAddress> dst = IpAddress.parse(e.dst());
          if (dst.ok()) {
            owned.add(new ObjectId(ObjectId.Kind.FDB, ns, device + "/" + e.mac() + "/" + dst.get()));
          }
        }
        exec.note("netlink: the forwarding entries of " + device + " in " + (ns.isEmpty() ? "the host" : ns),
            System.nanoTime() - start);
        return;
      } catch (IOException | RuntimeException e) {
        // read with bridge below
      }
    }
    List<String> argv = new ArrayList<>(List.of("bridge", "-j"));
    if (!ns.isEmpty()) {
      argv.addAll(List.of("-n", ns));
    }
    argv.addAll(List.of("fdb", "show", "dev", KernelNames.checkIfname(device)));
    CommandExecutor.Result r = exec.run(argv, "");
    if (!r.ok()) {
      throw new RunnerException("cannot read the forwarding entries of " + device + " in " + ns + ": " + r.firstError());
    }
    for (JsonNode doc : parse(r.out(), "bridge -j fdb show")) {
      for (JsonNode e : doc) {
        if (e.has("dst") && !e.path("dst").asText().isEmpty()) {
          Parsed<IpAddress> dst = IpAddress.parse(e.path("dst").asText());
          if (dst.ok()) {
            owned.add(new ObjectId(ObjectId.Kind.FDB, ns, device + "/" + e.path("mac").asText() + "/" + dst.get()));
          }
        }
      }
    }
  }

  /**
   * Names the parent of each macvlan of an endpoint in its {@link LiveLink#params} ({@code
   * mode=bridge parent=eth0}) when there is one host namespace it can be in (host mode, a sandbox
   * of one host): its peer index is the parent's there. A parent that is no link of the topology
   * (a NIC of the host) is then compared by name ({@link Rebuild#parentChange}); with
   * several host namespaces an index is no name, and only netc's own parents are compared.
   */
  static void withParents(Map<ObjectId, LiveLink> links, Map<String, Map<String, Integer>> hostIndexes) {
    if (hostIndexes.size() != 1) {
      return;
    }
    Map<Integer, String> byIndex = new HashMap<>();
    hostIndexes.values().iterator().next().forEach((name, index) -> byIndex.put(index, name));
    links.replaceAll((id, l) -> l.kind().equals("macvlan") && !l.params().isEmpty() && l.peer() >= 0
        && !hostIndexes.containsKey(id.namespace()) && byIndex.containsKey(l.peer())
        ? new LiveLink(l.kind(), l.mtu(), l.up(), l.master(), l.mac(), l.ifindex(), l.peer(),
            l.params() + " parent=" + byIndex.get(l.peer()), l.hairpin())
        : l);
  }

  /**
   * The kinds of route without a gateway read in an endpoint's namespace ({@code ip -d}'s {@code
   * type}): each was made by hand when the kernel did not make it (not {@code proto kernel}, as
   * its own local and broadcast routes of the local table are).
   */
  static final Set<String> GATEWAYLESS = Set.of("unicast", "blackhole", "unreachable", "prohibit", "throw",
      "local", "broadcast", "anycast", "multicast");

  /**
   * The kinds of route without a gateway that {@code ip route add} makes only through a device
   * ({@code local 10.91.0.1 dev eth0}): what they go through is {@code TYPE dev DEVICE}.
   */
  static final Set<String> THROUGH_A_DEVICE = Set.of("local", "broadcast", "anycast", "multicast");

  /**
   * A route's identity: its destination as a prefix ({@code default}: {@code 0.0.0.0/0} or {@code
   * ::/0}; an address: a host prefix), then {@code table T} when it is not the main table's and
   * {@code metric N} when it is not the one {@code ip route add} gives ({@link #defaultMetric}),
   * after {@code tos T} when it has one ({@link #tos}):
   * {@code 10.1.0.0/24 metric 50}, {@code 0.0.0.0/0 table 100}, {@code 10.96.0.0/16 tos 0x10}, words that {@code ip route del}
   * takes as they are.
   */
  private static ObjectId routeId(String ns, JsonNode rt, boolean v6) {
    String dst = rt.path("dst").asText();
    if (dst.equals("default")) {
      dst = v6 ? "::/0" : "0.0.0.0/0";
    } else if (!dst.contains("/")) {
      dst = dst + (v6 ? "/128" : "/32");
    }
    Parsed<Cidr> c = Cidr.parse(dst);
    String table = rt.path("table").asText("main");
    long metric = rt.path("metric").asLong(0);
    return new ObjectId(ObjectId.Kind.ROUTE, ns, (c.ok() ? c.get().toString() : dst) + tos(rt)
        + (table.equals("main") ? "" : " table " + table) + (metric == defaultMetric(v6) ? "" : " metric " + metric));
  }

  /**
   * netc's own routes among {@code routes} (the kernel's listing of namespace {@code ns}), in the
   * kernel's order: for each identity {@code expected} names a route of ({@code via GATEWAY dev
   * DEVICE}, by identity), the first route of that identity through that gateway and device made
   * as netc makes it ({@code proto boot}, no {@link #attributes}: no nexthop object, source,
   * metrics ...), else the first through them; none for an identity without such a route. A route
   * made by hand that the kernel lists before netc's ({@code ip route prepend default via
   * 10.1.0.99 dev eth0}, {@code ip route prepend default via 10.1.0.1 dev eth0 mtu 1400}, an IPv6
   * route on a nexthop object made before netc's) is then named apart ({@link #distinct}), and
   * deleted by what it is, not netc's route in its place. The identity of each route through a
   * gateway not made by the kernel goes into {@code ids}, for the caller.
   */
  private static List<JsonNode> netcs(String ns, JsonNode routes, Map<ObjectId, String> expected, Map<JsonNode, ObjectId> ids) {
    Map<ObjectId, JsonNode> first = new LinkedHashMap<>();
    Set<ObjectId> asNetcMakes = new HashSet<>();
    for (JsonNode rt : routes) {
      String gw = rt.path("gateway").asText("");
      if (!rt.has("gateway") || rt.path("protocol").asText().equals("kernel")) {
        continue;
      }
      boolean v6 = gw.contains(":");
      ObjectId id = routeId(ns, rt, v6);
      ids.put(rt, id);
      if (asNetcMakes.contains(id) || !("via " + gw + " dev " + rt.path("dev").asText()).equals(expected.get(id))) {
        continue;
      }
      Map<ObjectId, String> words = new HashMap<>();
      attributes(words, id, rt, v6, true);
      // (nor another type, nor a tunnel's encapsulation: the kernel keeps such a route beside
      // netc's, `ip route prepend default encap ip id 5 dst 192.0.2.1 via 10.1.0.1 dev eth0`)
      if (words.isEmpty() && rt.path("protocol").asText("").equals("boot")
          && rt.path("type").asText("unicast").equals("unicast") && !rt.has("encap")) {
        first.put(id, rt);
        asNetcMakes.add(id);
      } else {
        first.putIfAbsent(id, rt);
      }
    }
    // (by identity, in the kernel's order: two routes ip reads alike are equal JSON)
    Set<JsonNode> chosen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    chosen.addAll(first.values());
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode rt : routes) {
      if (chosen.contains(rt)) {
        out.add(rt);
      }
    }
    return out;
  }

  /**
   * The identity of a route read after others: {@code id} when no route read before has it,
   * else, for a route of the same destination, TOS, table and metric that the kernel keeps
   * apart ({@code ip route append}: in IPv4 one through another gateway or device, or of
   * another type, or through the same gateway with other attributes; in IPv6 one without a
   * gateway through another device, or a blackhole, beside one through a gateway, which IPv6
   * merges into one multipath route), {@code id} followed by what it goes through, {@code via}
   * ({@code 10.9.0.0/16 via 10.1.0.99 dev eth0}, {@code fd00:9::/48 dev eth1}, {@code
   * 10.9.0.0/16 blackhole}), and, when that is taken too (routes through the same gateway made
   * by another protocol, or of other attributes), by {@code proto P} before it, then by {@code
   * proto P} and its attributes ({@link #attributes}: {@code 0.0.0.0/0 proto boot src 10.1.0.10
   * via 10.1.0.1 dev eth0}), then by a number ({@code proto P #3}); never one taken. netc's own
   * route of an identity the topology wants keeps it ({@link #netcs}), else the first through a
   * gateway, else the first without; {@link Runner#routeDeletion} deletes the others by what they
   * go through.
   */
  private static ObjectId distinct(Set<ObjectId> owned, ObjectId id, String via, JsonNode rt, boolean v6, boolean gateway) {
    if (!owned.contains(id)) {
      return id;
    }
    String proto = rt.path("protocol").asText("");
    String made = id.name() + " proto " + (oneWord(proto) ? proto : "unspec");
    Map<ObjectId, String> words = new HashMap<>();
    attributes(words, id, rt, v6, gateway);
    List<String> names = new ArrayList<>(List.of(id.name() + " " + via, made + " " + via));
    if (words.containsKey(id)) {
      names.add(made + " " + words.get(id) + " " + via);
    }
    for (String name : names) {
      ObjectId o = new ObjectId(ObjectId.Kind.ROUTE, id.namespace(), name);
      if (!owned.contains(o)) {
        return o;
      }
    }
    for (int n = 2; ; n++) {
      ObjectId o = new ObjectId(ObjectId.Kind.ROUTE, id.namespace(), made + " #" + n + " " + via);
      if (!owned.contains(o)) {
        return o;
      }
    }
  }

  /**
   * The words {@code tos T} of an IPv4 route of a TOS ({@code ip route add ... tos 0x10}), or
   * none: the kernel keys a route by its TOS as by its metric, and deletes the route of the TOS
   * {@code ip route del} names (0 without one), so that routes of one destination, table and
   * metric but another TOS are routes of their own.
   */
  static String tos(JsonNode rt) {
    String tos = rt.path("tos").asText("");
    return tos.isEmpty() || tos.equals("0x00") || tos.equals("default") ? "" : " tos " + tos;
  }

  /**
   * What a multipath route goes through, as {@code ip route add} takes it after its
   * destination: {@code nexthop via 10.1.0.1 dev eth0 nexthop weight 2 via 10.2.0.1 dev eth1}
   * (a weight only when it is not 1, and before the device, which ends the words).
   */
  static String nexthops(JsonNode rt) {
    StringBuilder b = new StringBuilder();
    for (JsonNode h : rt.path("nexthops")) {
      b.append(b.isEmpty() ? "" : " ").append("nexthop");
      int weight = h.path("weight").asInt(1);
      if (weight != 1) {
        b.append(" weight ").append(weight);
      }
      if (h.has("gateway")) {
        b.append(" via ").append(h.path("gateway").asText());
      }
      if (h.has("dev")) {
        b.append(" dev ").append(h.path("dev").asText());
      }
    }
    return b.toString();
  }

  /**
   * Keeps the protocol of route {@code id} ({@code rt}: {@code ip -d}'s, or RouteDump's, {@code
   * protocol}), never the kernel's (not read), when it reads as one word.
   */
  private static void protocol(Map<ObjectId, String> out, ObjectId id, JsonNode rt) {
    String p = rt.path("protocol").asText("");
    if (oneWord(p)) {
      out.put(id, p);
    }
  }

  /**
   * Keeps the words that make route {@code id} ({@code rt}, as {@code ip -j -d} or RouteDump has
   * it) again as it is, beyond its identity, what it goes through and its protocol ({@link
   * LiveState#attributes}): {@code nhid N} for a route through a nexthop object ({@link
   * Runner#nexthopObject}), {@code scope S} when it is not the one {@code ip route add} gives
   * (IPv4 only: the kernel gives every IPv6 route {@code global}), {@code src A}, {@code onlink},
   * {@code realm(s)} ({@code realms 3/7}; the whole number, {@code realms 197308}, when a part is over
   * 255: ip takes no more in {@code FROM/TO}), the metrics ({@code mtu [lock] N}, {@code rtt Nms} or
   * the kernel's value without unit when ms would not give it back ({@code rtt 100}), {@code features ecn},
   * {@code congctl NAME} ...; a lock only when RouteDump read it: ip's JSON has none) and an IPv6
   * route's preference when it is not {@code medium}. Nothing when there is none.
   * {@code gateway}: whether it goes through a gateway or nexthops (ip's scope is then {@code global}).
   */
  private static void attributes(Map<ObjectId, String> out, ObjectId id, JsonNode rt, boolean v6, boolean gateway) {
    List<String> words = new ArrayList<>();
    if (rt.path("nhid").asLong(0) > 0) {
      // (the nexthop object it goes through, whose gateway and device the kernel lists it with:
      // Runner#nexthopObject)
      words.add("nhid " + rt.path("nhid").asLong());
    }
    String type = rt.path("type").asText("unicast");
    String scope = rt.path("scope").asText("");
    String usual = type.equals("local") ? "host" : List.of("broadcast", "multicast", "anycast").contains(type) ? "link"
        : type.equals("unicast") && !gateway ? "link" : "global";
    if (!v6 && !scope.isEmpty() && !scope.equals(usual)) {
      words.add("scope " + scope);
    }
    if (rt.has("prefsrc")) {
      words.add("src " + rt.path("prefsrc").asText());
    }
    for (JsonNode f : rt.path("flags")) {
      if (f.asText().equals("onlink")) {
        words.add("onlink");
      }
    }
    JsonNode flow = rt.path("flow");
    if (flow.has("to") || flow.has("from")) {
      // (ip takes a realm's number up to 255 in FROM/TO, and the whole, FROM << 16 | TO, as one number)
      long from = flow.path("from").asLong(0);
      long to = flow.path("to").asLong(0);
      words.add(!flow.has("from") ? "realm " + to : from > 255 || to > 255 ? "realms " + (from << 16 | to)
          : "realms " + from + "/" + to);
    }
    Set<String> locked = new HashSet<>();
    rt.path(dev.netc.runner.netlink.RouteDump.LOCKED).forEach(n -> locked.add(n.asText()));
    for (JsonNode m : rt.path("metrics")) {
      m.fields().forEachRemaining(e -> {
        String name = e.getKey();
        // (ip takes `lock` before these; it locks rto_min itself, and takes no lock for the others)
        String lock = locked.contains(name) && LOCKABLE.contains(name) ? " lock" : "";
        String v = e.getValue().asText();
        switch (name) {
          case "ecn" -> words.add("features ecn");
          case "congestion" -> words.add("congctl" + lock + " " + v);
          case "rtt", "rttvar" -> {
            // (the kernel's value, without unit, when milliseconds would not give it back: ip
            // takes rtt in ms times 8, rttvar times 4, and its read has them rounded down; read
            // over netlink, either is the kernel's value exactly, and a deletion matches it)
            long raw = rt.path(dev.netc.runner.netlink.RouteDump.RAW).path(name).asLong(-1);
            int per = name.equals("rtt") ? 8 : 4;
            words.add(name + lock + " " + (raw >= 0 && raw % per != 0 ? Long.toString(raw) : v + "ms"));
          }
          case "rto_min" -> words.add(name + lock + " " + v + "ms");
          default -> {
            if (v.matches("[0-9]+") && name.matches("[a-z_]+")) {
              words.add(name + lock + " " + v);
            }
          }
        }
      });
    }
    String pref = rt.path("pref").asText("medium");
    if (v6 && !pref.equals("medium")) {
      words.add("pref " + pref);
    }
    if (!words.isEmpty()) {
      out.put(id, String.join(" ", words));
    }
  }

  /** The metrics {@code ip route add} takes {@code lock} for ({@code mtu lock 1400}). */
  private static final Set<String> LOCKABLE = Set.of("mtu", "window", "rtt", "rttvar", "ssthresh", "cwnd", "advmss",
      "reordering", "hoplimit", "initcwnd", "initrwnd", "congestion");

  /** The metric {@code ip route add} gives a route without one: 0 in IPv4, 1024 in IPv6. */
  static long defaultMetric(boolean v6) {
    return v6 ? 1024 : 0;
  }

  /**
   * The kernel's own policy routing rules, which every network namespace gets (IPv6's where the
   * kernel has IPv6), as a {@code rule} identity's words: an endpoint without one of them lacks a
   * table (without {@code pref 32766}, its main table: no route at all).
   */
  static final List<String> KERNEL_RULES = java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/sys/net/ipv6"))
      ? List.of("pref 0 from all lookup local", "pref 32766 from all lookup main", "pref 32767 from all lookup default",
          "-6 pref 0 from all lookup local", "-6 pref 32766 from all lookup main")
      : List.of("pref 0 from all lookup local", "pref 32766 from all lookup main", "pref 32767 from all lookup default");

  /**
   * Whether {@code s} is one word of a protocol's name ({@code [A-Za-z0-9_.-]+}): told by a loop,
   * as {@code String.matches} compiles its pattern at each call (run for every route and rule of
   * every namespace read).
   */
  static boolean oneWord(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether a rule ({@link dev.netc.runner.netlink.RouteDump#rules}: its priority and words) is
   * one of the kernel's own, which every namespace has: {@code 0: from all lookup local}, {@code
   * 32766: from all lookup main}, {@code 32767: from all lookup default}, in either family.
   */
  static boolean kernelRule(long priority, String rule) {
    String table = priority == 0 ? "local" : priority == 32766 ? "main" : priority == 32767 ? "default" : null;
    return table != null && rule.equals("from all lookup " + table);
  }

  /** A link of {@code ip -j link show}; {@code bridges}: the names {@code link show type bridge} listed. */
  static LiveLink link(JsonNode l, Set<String> bridges) {
    return link(l, bridges, Map.of());
  }

  /**
   * A link of {@code ip -j -d link show}: its kind from {@code linkinfo.info_kind} (without
   * details: {@code bridges}, the names {@code link show type bridge} listed, or a link with a
   * peer), what a VXLAN, macvlan or VLAN link is made of from {@code linkinfo.info_data}, and a
   * veth's peer by index ({@code link_index}; a peer in the same namespace is shown by name,
   * {@code link}, and looked up in {@code indexes}).
   */
  /** Whether a link of a dump is up (administratively: its flag {@code UP}). */
  private static boolean up(JsonNode l) {
    for (JsonNode f : l.path("flags")) {
      if (f.asText().equals("UP")) {
        return true;
      }
    }
    return false;
  }

  static LiveLink link(JsonNode l, Set<String> bridges, Map<String, Integer> indexes) {
    String name = l.path("ifname").asText();
    boolean up = up(l);
    String info = l.path("linkinfo").path("info_kind").asText("");
    JsonNode data = l.path("linkinfo").path("info_data");
    String kind = bridges.contains(name) || info.equals("bridge") ? "bridge"
        : l.path("link_type").asText().equals("loopback") ? "loopback"
        : List.of("veth", "vxlan", "macvlan", "vlan").contains(info) ? info
        : !info.isEmpty() ? "other"
        : l.has("link_index") || l.has("link_netnsid") ? "veth" : "other";
    String params = switch (kind) {
      case "vxlan" -> "id=" + data.path("id").asText() + " port=" + data.path("port").asText()
          + (data.has("local") ? " local=" + data.path("local").asText() : data.has("local6") ? " local=" + data.path("local6").asText() : "")
          + (data.has("link") ? " dev=" + data.path("link").asText() : "");
      case "macvlan" -> data.has("mode") ? "mode=" + data.path("mode").asText() : "";
      case "vlan" -> data.has("id") ? "id=" + data.path("id").asText() : "";
      default -> "";
    };
    int peer = l.has("link_index") ? l.path("link_index").asInt()
        : kind.equals("veth") && l.path("link").isTextual() ? indexes.getOrDefault(l.path("link").asText(), -1) : -1;
    return new LiveLink(kind, l.path("mtu").asInt(), up, l.path("master").asText(""),
        l.path("address").asText(""), l.path("ifindex").asInt(), peer, params,
        l.path("linkinfo").path("info_slave_data").path("hairpin").asBoolean(false));
  }

  /**
   * The most elements a read of a table's witness takes of one set or map ({@link TableRules}):
   * the kernel dumps a set in quadratic time (some 25 ms for 10,000 elements, 800 ms for
   * 100,000), so a bigger set is not read (its read stops there), and only the table's other sets
   * are compared.
   */
  public static final int MAX_SET_ELEMENTS = 10_000;

  /**
   * The rules of a table ({@link #tableRules}), and the generation of the namespace's nftables
   * ruleset read just before them ({@code ID COOKIE}: see {@code NftDump.Generation}; as root
   * over netlink, on a kernel with namespace cookies).
   */
  public record Witness(Optional<String> generation, Optional<TableRules> rules) {}

  /**
   * The generation of {@code ns}, then the rules of {@code table} there ({@link #tableRules}), in
   * that order: when the generation is the same later, the rules are still these.
   */
  public Witness witness(String ns, String table, boolean elements) {
    String[] ft = table.split(" ", 2);
    if (ft.length == 2 && netlink != null && NetlinkNamespaces.usable()) {
      long start = System.nanoTime();
      try {
        NftDump.Witness w = netlink.witness(ns, families(ft[0]), ft[1], elements ? MAX_SET_ELEMENTS : -1);
        note(w.rules(), table, ns, ", after its generation", start);
        return new Witness(w.generation().map(NftDump.Generation::text), Optional.of(witness(w.rules())));
      } catch (IOException | RuntimeException e) {
        // the rules read as below, without a generation
      }
    }
    return new Witness(Optional.empty(), tableRules(ns, table, elements));
  }

  /**
   * The set and map elements of table {@code table} ({@code FAMILY NAME}) of {@code ns}, up to
   * {@link #MAX_SET_ELEMENTS} of each set, read only while the namespace's ruleset is generation {@code
   * generation} ({@code ID COOKIE}), before and after: empty otherwise, or when they cannot be
   * read (as root over netlink only).
   */
  public Optional<TableRules.Elements> elements(String ns, String table, String generation) {
    String[] ft = table.split(" ", 2);
    if (ft.length != 2 || netlink == null || !NetlinkNamespaces.usable()) {
      return Optional.empty();
    }
    long start = System.nanoTime();
    try {
      Optional<NftDump.Elements> e = netlink.elements(ns, families(ft[0]), ft[1], MAX_SET_ELEMENTS, generation);
      exec.note("netlink: " + e.map(LiveReader::counted).orElse("no set elements") + " in table "
          + table + (ns.isEmpty() ? "" : " of " + ns) + ", in generation " + generation, System.nanoTime() - start);
      return e.map(LiveReader::elements);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The elements of set {@code set} of table {@code FAMILY NAME} of {@code ns} as the kernel
   * keeps them, up to {@link #MAX_SET_ELEMENTS}; empty when there are more, or when they cannot
   * be read (as root over netlink only).
   */
  public Optional<List<NftDump.SetElement>> setElements(String ns, String family, String table, String set) {
    if (netlink == null || !NetlinkNamespaces.usable()) {
      return Optional.empty();
    }
    try {
      return netlink.setElements(ns, family, table, set, MAX_SET_ELEMENTS);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** {@code N set elements}, and the sets not read: {@code (1 set of more than 10000 not read)}. */
  private static String counted(NftDump.Elements e) {
    long big = e.sets().values().stream().filter(x -> !x.whole()).count();
    return e.count() + " set elements" + (big == 0 ? "" : " (" + big + " set" + (big == 1 ? "" : "s") + " of more than "
        + MAX_SET_ELEMENTS + " not read)");
  }

  /** {@link #tableRules(String, String, boolean)} with the elements, up to {@link #MAX_SET_ELEMENTS} of each set. */
  public Optional<TableRules> tableRules(String ns, String table) {
    return tableRules(ns, table, true);
  }

  /**
   * The rules of table {@code table} ({@code FAMILY NAME}) of {@code ns} and of the {@code bridge}
   * table of that name (a topology's {@code inet} table and its companion, loaded together):
   * as root over netlink, their number and digest, and with {@code elements} the elements' (up to
   * {@link #MAX_SET_ELEMENTS} of each set; see {@link TableRules}); else their number, read with {@code nft -j -t
   * list table} per family (terse: no set elements, though nft 1.0.6 fetches them); empty when
   * they cannot be read.
   */
  public Optional<TableRules> tableRules(String ns, String table, boolean elements) {
    String[] ft = table.split(" ", 2);
    if (ft.length != 2) {
      return Optional.empty();
    }
    if (netlink != null && NetlinkNamespaces.usable()) {
      long start = System.nanoTime();
      try {
        NftDump.Rules r = netlink.rules(ns, families(ft[0]), ft[1], elements ? MAX_SET_ELEMENTS : -1);
        note(r, table, ns, "", start);
        return Optional.of(witness(r));
      } catch (IOException | RuntimeException e) {
        // read with nft below
      }
    }
    int rules = 0;
    boolean found = false;
    for (String family : families(ft[0])) {
      CommandExecutor.Result r = exec.run(Sandbox.in(ns, List.of("nft", "-j", "-t", "list", "table", family, ft[1])), "");
      if (!r.ok()) {
        continue; // no such table
      }
      try {
        for (JsonNode doc : parse(r.out(), "nft -j -t list table")) {
          for (JsonNode item : doc.path("nftables")) {
            if (item.has("rule")) {
              rules++;
            }
          }
        }
        found = true;
      } catch (RunnerException e) {
        return Optional.empty();
      }
    }
    return found ? Optional.of(new TableRules(rules, Optional.empty())) : Optional.empty();
  }

  private void note(NftDump.Rules r, String table, String ns, String after, long start) {
    exec.note("netlink: " + r.count() + " rules" + r.elements().map(e -> " and " + counted(e)).orElse("") + " in table " + table + (ns.isEmpty() ? "" : " of " + ns) + after, System.nanoTime() - start);
  }

  private static TableRules.Elements elements(NftDump.Elements e) {
    Map<String, TableRules.SetElements> sets = new java.util.LinkedHashMap<>();
    e.sets().forEach((k, v) -> sets.put(k, new TableRules.SetElements(v.count(), v.digest())));
    return new TableRules.Elements(e.count(), e.digest(), sets);
  }

  private static TableRules witness(NftDump.Rules r) {
    return new TableRules(r.count(), Optional.of(r.sha256()), Optional.of(r.chains()), r.elements().map(LiveReader::elements));
  }

  /** {@code family}, and {@code bridge} after it: the families of a topology's tables. */
  private static List<String> families(String family) {
    return family.equals(PortFilter.FAMILY) ? List.of(family) : List.of(family, PortFilter.FAMILY);
  }

  /**
   * The tables of namespace {@code ns} that have a chain, as {@code FAMILY NAME}, read with
   * {@code nft -j list chains}. nft 1.0.6 fetches every set element of every table for {@code
   * list tables} (2 s with 100,000 elements), not for {@code list chains}; netc's tables always
   * have chains, and only destroy, before it removes a sandbox, needs the tables without any
   * ({@link #tables}).
   */
  public Set<String> tablesWithChains(String ns) {
    return tablesWithChains(ns, new HashMap<>(), new HashMap<>());
  }

  /**
   * The same; as root over netlink, the generation of the namespace's nftables ruleset too
   * ({@code ID COOKIE}, see {@code NftDump.Generation}), read in the same thread, into {@code
   * generations} by namespace, and the comments of its tables ({@code NftDump#tableComments}),
   * into {@code comments} by namespace (none through {@code nft}, whose list of chains has none).
   */
  private Set<String> tablesWithChains(String ns, Map<String, String> generations, Map<String, Map<String, String>> comments) {
    if (netlink != null && NetlinkNamespaces.usable()) {
      long start = System.nanoTime();
      try {
        NftDump.Chains c = netlink.chains(ns);
        c.generation().ifPresent(g -> generations.put(ns, g.text()));
        comments.put(ns, c.comments());
        exec.note("netlink: the nftables chains of " + (ns.isEmpty() ? "the host" : ns)
            + c.generation().map(g -> ", generation " + g.id()).orElse(""), System.nanoTime() - start);
        return c.tables();
      } catch (IOException | RuntimeException e) {
        // listed with nft below
      }
    }
    return nftList(ns, "chains", "chain", "table");
  }

  /**
   * The base chains of namespace {@code ns}, every table's: as root over netlink ({@link
   * NftDump#baseChains}), else {@code nft -j list chains} (the chains that have a hook; nft 1.0.6
   * does not give their devices).
   */
  public List<NftDump.BaseChain> baseChains(String ns) {
    if (netlink != null && NetlinkNamespaces.usable()) {
      long start = System.nanoTime();
      try {
        List<NftDump.BaseChain> out = netlink.baseChains(ns);
        exec.note("netlink: the nftables base chains of " + (ns.isEmpty() ? "the host" : ns), System.nanoTime() - start);
        return out;
      } catch (IOException | RuntimeException e) {
        // listed with nft below
      }
    }
    CommandExecutor.Result r = exec.run(Sandbox.in(ns, List.of("nft", "-j", "list", "chains")), "");
    if (!r.ok()) {
      throw new RunnerException("cannot list the nftables chains of " + (ns.isEmpty() ? "the host" : ns) + ": "
          + r.firstError());
    }
    return parseBaseChains(r.out());
  }

  /** The base chains of {@code nft -j list chains} output: the chains with a {@code hook}. */
  static List<NftDump.BaseChain> parseBaseChains(String json) {
    List<NftDump.BaseChain> out = new ArrayList<>();
    for (JsonNode doc : parse(json, "nft -j list chains")) {
      for (JsonNode item : doc.path("nftables")) {
        JsonNode c = item.path("chain");
        if (c.isMissingNode() || !c.hasNonNull("hook")) {
          continue;
        }
        // nft 1.0.6 leaves the devices out; a later one gives one as a string, several as a list
        List<String> devices = new ArrayList<>();
        if (c.path("dev").isTextual()) {
          devices.add(c.path("dev").asText());
        }
        c.path("dev").forEach(d -> devices.add(d.asText()));
        out.add(new NftDump.BaseChain(c.path("family").asText(), c.path("table").asText(), c.path("name").asText(),
            c.path("hook").asText(), devices, c.path("policy").asText("accept")));
      }
    }
    return out;
  }

  /**
   * Every table of namespace {@code ns}, as {@code FAMILY NAME}: as root over netlink (no
   * process), else with {@code nft -j list tables} (which costs every set element with nft 1.0.6).
   */
  public Set<String> tables(String ns) {
    return tableComments(ns).map(Map::keySet).<Set<String>>map(TreeSet::new)
        .orElseGet(() -> nftList(ns, "tables", "table", "name"));
  }

  /**
   * The comment of every table of namespace {@code ns}, by {@code FAMILY NAME} ({@code ""}: none),
   * as root over netlink; empty where that cannot be read ({@code nft -j} of nft 1.0.6 prints no
   * table's comment).
   */
  public Optional<Map<String, String>> tableComments(String ns) {
    if (netlink != null && NetlinkNamespaces.usable()) {
      long start = System.nanoTime();
      try {
        Map<String, String> out = netlink.tableComments(ns);
        exec.note("netlink: the nftables tables of " + (ns.isEmpty() ? "the host" : ns), System.nanoTime() - start);
        return Optional.of(out);
      } catch (IOException | RuntimeException e) {
        // not known
      }
    }
    return Optional.empty();
  }

  /**
   * {@code nft -j list WHAT} in {@code ns}: the {@code FAMILY NAME} of each listed object of
   * {@code kind}, its table's name in member {@code nameField}.
   */
  private Set<String> nftList(String ns, String what, String kind, String nameField) {
    CommandExecutor.Result r = exec.run(Sandbox.in(ns, List.of("nft", "-j", "list", what)), "");
    if (!r.ok()) {
      throw new RunnerException("cannot list the nftables " + what + " of " + (ns.isEmpty() ? "the host" : ns) + ": "
          + r.firstError());
    }
    Set<String> out = new TreeSet<>();
    for (JsonNode doc : parse(r.out(), "nft -j list " + what)) {
      for (JsonNode item : doc.path("nftables")) {
        JsonNode o = item.path(kind);
        if (!o.isMissingNode()) {
          out.add(o.path("family").asText() + " " + o.path(nameField).asText());
        }
      }
    }
    return out;
  }

  /**
   * The journal of an apply of {@code topology} in {@code sandbox} that has not ended: {@code
   * STATE/S.TOPOLOGY.unfinished}, the endpoint namespaces it makes, one a line, written before it
   * makes them and removed when it ends (done or rolled back). Still there: that apply was killed.
   */
  static Path unfinishedJournal(Path stateDir, Sandbox sandbox, String topology) {
    return stateDir.resolve(sandbox.files() + "." + topology + ".unfinished");
  }

  /** The namespaces {@link #unfinishedJournal} names; none when there is none (or it cannot be read). */
  static Set<String> journaled(Path stateDir, Sandbox sandbox, String topology) {
    Path p = unfinishedJournal(stateDir, sandbox, topology);
    try {
      return Files.readAllLines(p, StandardCharsets.UTF_8).stream().filter(KernelNames::validNetns)
          .collect(java.util.stream.Collectors.toSet());
    } catch (IOException | java.io.UncheckedIOException e) {
      return Set.of(); // none (NoSuchFileException), or one that cannot be read: nothing is taken for unfinished
    }
  }

  /** Values of sysctl keys in {@code ns}: one {@code grep -H . FILES} (a missing key is absent). */
  public Map<String, String> sysctls(String ns, List<String> keys) {
    Map<String, String> out = new HashMap<>();
    if (keys.isEmpty()) {
      return out;
    }
    List<String> argv = new ArrayList<>(Sandbox.in(ns, List.of("grep", "-H", ".")));
    Map<String, String> byPath = new HashMap<>();
    for (String k : keys) {
      String path = dev.netc.backends.plan.Sysctl.path(k);
      byPath.put(path, k);
      argv.add(path);
    }
    CommandExecutor.Result r = exec.run(argv, "");
    for (String line : r.out().lines().toList()) {
      int colon = line.indexOf(':');
      if (colon > 0 && byPath.containsKey(line.substring(0, colon))) {
        out.put(byPath.get(line.substring(0, colon)), line.substring(colon + 1).strip());
      }
    }
    return out;
  }

  private void files(String prefix, String topology, Set<ObjectId> owned, Map<ObjectId, String> foreign,
      Map<ObjectId, String> files, Map<ObjectId, String> expected) {
    if (!Files.isDirectory(etcNetns)) {
      return;
    }
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(etcNetns, prefix + "*")) {
      for (Path dir : dirs) {
        for (String name : List.of("hosts", "resolv.conf")) {
          found.add(dir.resolve(name));
        }
      }
    } catch (IOException e) {
      throw new RunnerException("cannot read " + etcNetns + ": " + e.getMessage());
    }
    // a hosts file names every member of its networks: read side by side (megabytes for 1,000 containers)
    // (on the real /etc/netns with the C library's calls: NativeFiles)
    boolean natively = netlink != null && NativeFiles.usable() && etcNetns.getFileSystem() == java.nio.file.FileSystems.getDefault();
    Map<Path, String> contents = new java.util.concurrent.ConcurrentHashMap<>();
    try {
      found.parallelStream().forEach(f -> {
        try {
          String ns = f.getParent().getFileName().toString();
          String wanted = expected.get(new ObjectId(ObjectId.Kind.FILE, ns, "/etc/netns/" + ns + "/" + f.getFileName()));
          if (natively) {
            NativeFiles.readString(f.toString(), wanted).ifPresent(text -> contents.put(f, text));
          } else if (Files.isRegularFile(f)) {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            contents.put(f, text.equals(wanted) ? wanted : text);
          } else if (Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            contents.put(f, ""); // a folder, a pipe ...: not netc's (no mark), never written to
          }
        } catch (java.nio.charset.CharacterCodingException e) {
          throw new java.io.UncheckedIOException(new IOException(f + ": not UTF-8 text", e));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(new IOException(f + ": " + e.getMessage(), e));
        }
      });
    } catch (java.io.UncheckedIOException e) {
      throw new RunnerException("cannot read " + e.getCause().getMessage());
    }
    for (Path f : found) {
      String content = contents.get(f);
      if (content == null) {
        continue;
      }
      String ns = f.getParent().getFileName().toString();
      int eol = content.indexOf('\n');
      String first = eol < 0 ? content : content.substring(0, eol);
      ObjectId id = new ObjectId(ObjectId.Kind.FILE, ns, "/etc/netns/" + ns + "/" + f.getFileName());
      if (Ownership.owns(topology, first)) {
        owned.add(id);
        files.put(id, content);
      } else {
        foreign.put(id, first);
      }
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /**
   * The documents of a read through {@code ip -N -j -d} ({@link NetnsBatches#READ}), with the
   * words of the netlink read ({@link #named}); {@code what} names the command for an error.
   */
  static List<JsonNode> parseRead(String text, String what) {
    List<JsonNode> docs = named(parse(text, what));
    int rules = NetnsBatches.READ_RULES.size() - NetnsBatches.READ.size();
    if (docs.size() != NetnsBatches.READ_RULES.size() || rules == 0) {
      return docs; // (apply's batches end with READ: no rules)
    }
    // the rules of each family ({@link NetnsBatches#READ_RULES}), as the netlink read gives them
    com.fasterxml.jackson.databind.node.ArrayNode all = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < rules; i++) {
      String family = i == 0 ? "inet" : "inet6";
      for (JsonNode r : docs.get(NetnsBatches.READ.size() + i)) {
        if (r.path(RouteDump.RULES6_UNREAD).asBoolean(false)) {
          all.addObject().put("family", family).put(RouteDump.RULES6_UNREAD, true);
          continue;
        }
        com.fasterxml.jackson.databind.node.ObjectNode o = all.addObject();
        o.put("family", family);
        o.put("priority", r.path("priority").asLong(0));
        o.put("rule", ruleWords(r, family.equals("inet6") ? 128 : 32));
        // (what made it, a number under -N, named as RouteDump names it; none when unspec)
        String protocol = r.path("protocol").asText("");
        if (protocol.matches("[0-9]{1,3}") && Integer.parseInt(protocol) > 0 && Integer.parseInt(protocol) < 256) {
          o.put("protocol", RouteDump.protocolName(Integer.parseInt(protocol)));
        }
      }
    }
    List<JsonNode> out = new ArrayList<>(docs.subList(0, NetnsBatches.READ.size()));
    out.add(all);
    return out;
  }

  /**
   * The words of a rule of {@code ip -N -j rule show} as the netlink read gives them ({@link
   * RouteDump#rules}: what follows {@code pref N} in {@code ip rule add}), in the same order;
   * {@code hostLength}: the family's, the prefix length {@code ip} leaves out.
   */
  static String ruleWords(JsonNode r, int hostLength) {
    StringBuilder b = new StringBuilder();
    if (r.has("not")) {
      b.append("not ");
    }
    String src = r.path("src").asText("all");
    b.append("from ").append(src.equals("all") || src.equals("0") ? "all" : src + "/" + r.path("srclen").asInt(hostLength));
    String dst = r.path("dst").asText("");
    if (!dst.isEmpty() && !dst.equals("0") && !dst.equals("all")) {
      b.append(" to ").append(dst).append('/').append(r.path("dstlen").asInt(hostLength));
    }
    String tos = r.path("tos").asText("");
    if (tos.matches("0x[0-9a-fA-F]{1,2}") && Integer.parseInt(tos.substring(2), 16) != 0) {
      b.append(" tos 0x").append(Integer.toHexString(Integer.parseInt(tos.substring(2), 16)));
    }
    if (r.has("fwmark")) {
      // (the kernel gives a mark's mask with it, ip leaves the whole one out)
      b.append(" fwmark 0x").append(Long.toHexString(hex(r.path("fwmark").asText("0"))))
          .append("/0x").append(Long.toHexString(r.has("fwmask") ? hex(r.path("fwmask").asText()) : 0xffffffffL));
    }
    if (r.has("iif")) {
      b.append(" iif ").append(r.path("iif").asText());
    }
    if (r.has("oif")) {
      b.append(" oif ").append(r.path("oif").asText());
    }
    if (r.has("uid_start")) {
      b.append(" uidrange ").append(r.path("uid_start").asLong()).append('-').append(r.path("uid_end").asLong());
    }
    if (r.has("ipproto")) {
      // ip -N: ipproto-6
      b.append(" ipproto ").append(r.path("ipproto").asText().replaceFirst("^ipproto-", ""));
    }
    for (String port : List.of("sport", "dport")) {
      if (r.has(port)) {
        b.append(' ').append(port).append(' ').append(r.path(port).asText());
      } else if (r.has(port + "_start")) {
        long start = r.path(port + "_start").asLong();
        long end = r.path(port + "_end").asLong(start);
        b.append(' ').append(port).append(' ').append(start == end ? String.valueOf(start) : start + "-" + end);
      }
    }
    if (r.has("flow_to") || r.has("flow_from")) {
      // FRA_FLOW: the realm from in the upper 16 bits
      long realms = (r.path("flow_from").asLong(0) << 16) | r.path("flow_to").asLong(0);
      b.append(" realms ").append(realms);
    }
    if (r.has("tun_id")) {
      b.append(" tun_id ").append(r.path("tun_id").asText());
    }
    String action = r.path("action").asText("");
    if (r.has("l3mdev")) {
      b.append(" l3mdev");
    } else if (r.has("table")) {
      String table = r.path("table").asText();
      b.append(" lookup ").append(table.matches("\\d{1,10}") ? RouteDump.tableName(Integer.parseUnsignedInt(table)) : table);
    } else if (r.has("goto")) {
      b.append(" goto ").append(r.path("goto").asLong());
    } else if (r.has("nop") || action.equals("nop") || action.equals("3")) {
      b.append(" nop");
    } else {
      b.append(switch (action) {
        case "6", "blackhole" -> " blackhole";
        case "7", "unreachable" -> " unreachable";
        case "8", "prohibit" -> " prohibit";
        default -> " type " + action;
      });
    }
    if (r.has("suppress_prefixlen")) {
      b.append(" suppress_prefixlength ").append(r.path("suppress_prefixlen").asLong());
    }
    if (r.has("suppress_ifgroup")) {
      b.append(" suppress_ifgroup ").append(r.path("suppress_ifgroup").asText());
    }
    return b.toString();
  }

  /** A number {@code ip} prints in hexadecimal ({@code 0x10}). */
  private static long hex(String text) {
    try {
      return Long.parseUnsignedLong(text.startsWith("0x") ? text.substring(2) : text, 16);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * The documents of {@link NetnsBatches#READ} as {@code ip -N} prints them, numbers where {@code
   * ip} would print a name it looks up in the files of {@code /etc/iproute2} (a TOS {@code AF11},
   * a table or protocol named there, {@code dhcp}), given the words the netlink read gives them
   * ({@link RouteDump#tableName}, {@link RouteDump#protocolName}, {@link RouteDump#routeType},
   * {@link RouteDump#scopeName}, {@link RouteDump#linkType}; a TOS as {@code 0x28}), so that both
   * reads give the same identities and attributes whatever those files say. Names are left as they are.
   */
  static List<JsonNode> named(List<JsonNode> docs) {
    for (int i = 0; i < docs.size() && i < 2; i++) {
      for (JsonNode l : docs.get(i)) {
        java.util.regex.Matcher m = BRACKETED.matcher(l.path("link_type").asText());
        if (m.matches() && l instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
          o.put("link_type", RouteDump.linkType(Integer.parseInt(m.group(1))));
        }
      }
    }
    if (docs.size() > 2) {
      for (JsonNode l : docs.get(2)) {
        for (JsonNode a : l.path("addr_info")) {
          rename(a, "scope", RouteDump::scopeName);
        }
      }
    }
    if (docs.size() > 3) {
      for (JsonNode rt : docs.get(3)) {
        rename(rt, "type", RouteDump::routeType);
        rename(rt, "protocol", RouteDump::protocolName);
        rename(rt, "table", RouteDump::tableName);
        rename(rt, "scope", RouteDump::scopeName);
        String tos = rt.path("tos").asText("");
        if (tos.matches("0x[0-9a-fA-F]{1,2}") && rt instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
          o.put("tos", String.format("0x%02x", Integer.parseInt(tos.substring(2), 16)));
        }
      }
    }
    return docs;
  }

  /** {@code [772]}: a link type {@code ip -N} prints as a number. */
  private static final java.util.regex.Pattern BRACKETED = java.util.regex.Pattern.compile("\\[(\\d{1,5})\\]");

  /** Member {@code field} of {@code node} named by {@code name} when it is a number ({@code ip -N}'s). */
  private static void rename(JsonNode node, String field, java.util.function.IntFunction<String> name) {
    String v = node.path(field).asText("");
    if (v.matches("\\d{1,10}") && node instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
      o.put(field, name.apply(Integer.parseUnsignedInt(v)));
    }
  }

  /** The documents {@code ip -j} printed, one after the other; {@code what} names the command for an error. */
  static List<JsonNode> parse(String text, String what) {
    List<JsonNode> out = new ArrayList<>();
    // one document after the other (a MappingIterator would unwrap a first array instead)
    try (JsonParser p = Mapper.JSON.getFactory().createParser(text)) {
      while (p.nextToken() != null) {
        out.add(Mapper.JSON.readTree(p));
      }
    } catch (IOException | RuntimeException e) {
      throw new RunnerException("cannot parse the output of `" + what + "`: " + e.getMessage());
    }
    return out;
  }
}
