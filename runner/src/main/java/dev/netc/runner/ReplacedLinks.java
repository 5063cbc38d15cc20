package dev.netc.runner;

import dev.netc.backends.iproute2.IpBatch;
import dev.netc.backends.plan.KernelNames;
import dev.netc.backends.plan.ObjectId;
import dev.netc.compiler.ir.Network;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The rollback of the links a failed apply replaced ({@code -/+}, {@link Rebuild}): each
 * is made again as the read before the apply ({@code before}) has it, whatever its kind: a
 * bridge, a veth pair (both ends: a container moved to another host), a VLAN sub-interface, a
 * VXLAN device, a macvlan sub-interface. A link is made with its kind, what it is made of
 * ({@link LiveLink#params}: a VXLAN device's id, port, local address and underlay device, as
 * netc makes it without learning; a macvlan's mode and parent; a VLAN's id and trunk), MTU and
 * MAC address, then given its mark, master (a veth end in a bridge generates no IPv6 address, as
 * when {@code IpPlan} made it), hairpin mode, its interface sysctls, its state, its global
 * addresses, the routes through it and, for a VXLAN device, its forwarding entries. The ports of
 * a bridge made again that are still there are enslaved to it again. Parents go before what is
 * made on them: bridges, veth pairs, VLAN sub-interfaces, VXLAN devices, macvlan sub-interfaces.
 *
 * <p>A link whose (first) end still has the index it had is left alone: the apply failed before
 * it got to it. What is there under the names of the others (what the apply made in their place,
 * or what is left of it) is deleted first.
 */
final class ReplacedLinks {
  /** The order links are made in: each kind's parents first; {@code other} kinds are not made. */
  private static final List<String> ORDER = List.of("bridge", "veth", "vlan", "vxlan", "macvlan");

  private final CommandExecutor exec;
  private final LiveState before;
  private final Consumer<Map<String, Map<String, String>>> sysctls;

  /**
   * @param before the read the apply planned from
   * @param sysctls writes sysctls, by namespace (throws when it cannot)
   */
  ReplacedLinks(CommandExecutor exec, LiveState before, Consumer<Map<String, Map<String, String>>> sysctls) {
    this.exec = exec;
    this.before = before;
    this.sysctls = sysctls;
  }

  /** A link made again, with the links made in the same command (a veth's peer). */
  private record Piece(ObjectId first, List<ObjectId> ends) {}

  /**
   * Makes the links that {@code plan} replaced again, outside the namespaces that go whole with
   * the rollback ({@code goes}). Returns problems, one sentence each.
   */
  List<String> makeAgain(Plan plan, Set<String> goes) {
    return makeAgain(plan, List.of(), goes);
  }

  /**
   * Makes the links that {@code plan} replaced, and those among {@code deleted} that the apply
   * deleted (a bridge and a tunnel no container of that host needs any more), again, outside the
   * namespaces that go whole with the rollback ({@code goes}). A deleted link that is still there
   * (the apply failed before it got to it) is left alone. Returns problems, one sentence each.
   */
  List<String> makeAgain(Plan plan, java.util.Collection<ObjectId> deleted, Set<String> goes) {
    List<String> problems = new ArrayList<>();
    List<Piece> pieces = new ArrayList<>();
    Set<ObjectId> taken = new java.util.HashSet<>();
    List<ObjectId> candidates = new ArrayList<>();
    plan.changes().stream().filter(c -> c.action() == Change.Action.REPLACE).forEach(c -> candidates.add(c.id()));
    deleted.stream().filter(i -> !candidates.contains(i)).forEach(candidates::add);
    for (ObjectId r : candidates) {
      LiveLink was = before.link(r).orElse(null);
      if (r.kind() != ObjectId.Kind.LINK || r.name().equals("lo") || was == null
          || taken.contains(r) || goes.contains(r.namespace())) {
        continue;
      }
      if (!ORDER.contains(was.kind())) {
        problems.add("the " + was.kind() + " link " + r + " could not be made again: netc makes no link of that kind");
        continue;
      }
      List<ObjectId> ends = new ArrayList<>(List.of(r));
      if (was.kind().equals("veth")) {
        List<ObjectId> peers = Runner.peers(before, r);
        if (peers.size() != 1) {
          problems.add("the veth " + r + " could not be made again: its peer is not known");
          continue;
        }
        if (goes.contains(peers.get(0).namespace())) {
          continue; // its pair goes with the namespace the apply made
        }
        // made from the end in a host namespace (a host end), its peer straight in its own
        ends.add(before.hostNamespaces().contains(peers.get(0).namespace()) ? 0 : 1, peers.get(0));
      }
      taken.addAll(ends);
      pieces.add(new Piece(r, ends));
    }
    if (pieces.isEmpty()) {
      return problems;
    }
    Map<String, Optional<Map<String, Integer>>> now = new HashMap<>();
    pieces.removeIf(p -> indexes(now, p.first().namespace()).map(m -> m.get(p.first().name()))
        .filter(i -> i == before.link(p.first()).orElseThrow().ifindex()).isPresent()); // not replaced yet
    // (either may be gone already: these deletions' errors do not count)
    Map<String, List<String>> deletions = new LinkedHashMap<>();
    pieces.forEach(p -> p.ends().forEach(e -> deletions.computeIfAbsent(e.namespace(), k -> new ArrayList<>())
        .add("link del " + KernelNames.checkIfname(e.name()))));
    deletions.forEach((ns, lines) -> run(ns, lines));
    pieces.sort(Comparator.comparing(p -> ORDER.indexOf(before.link(p.first()).orElseThrow().kind())));
    Set<ObjectId> made = new LinkedHashSet<>();
    for (Piece p : pieces) {
      try {
        problems.addAll(make(p, now));
        made.addAll(p.ends());
      } catch (RuntimeException e) {
        // (a command that could not even start, as much as a link that cannot be made as it
        // was): this link is a problem, the next ones and the bridges' ports are still made
        problems.add("the " + before.link(p.first()).orElseThrow().kind() + " " + p.ends().get(0)
            + " could not be made again: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
      }
    }
    // the ports of the bridges made again that stayed (released when the bridge went)
    Map<String, List<String>> ports = new LinkedHashMap<>();
    before.links().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      ObjectId id = e.getKey();
      LiveLink l = e.getValue();
      ObjectId master = new ObjectId(ObjectId.Kind.LINK, id.namespace(), l.master());
      if (!l.master().isEmpty() && made.contains(master) && !made.contains(id) && !goes.contains(id.namespace())) {
        String dev = "link set " + KernelNames.checkIfname(id.name());
        List<String> lines = ports.computeIfAbsent(id.namespace(), k -> new ArrayList<>());
        lines.add(dev + " master " + KernelNames.checkIfname(l.master()));
        if (l.hairpin()) {
          lines.add(dev + " type bridge_slave hairpin on");
        }
      }
    });
    ports.forEach((ns, lines) -> run(ns, lines));
    return problems;
  }

  /**
   * Makes one piece again, or throws {@link IllegalStateException} with why it could not; returns
   * the problems of what goes with it once made (its sysctls).
   */
  private List<String> make(Piece p, Map<String, Optional<Map<String, Integer>>> now) {
    List<String> problems = new ArrayList<>();
    ObjectId first = p.ends().get(0);
    LiveLink a = before.link(first).orElseThrow();
    String name = KernelNames.checkIfname(first.name());
    String common = " mtu " + a.mtu() + (a.mac().isEmpty() ? "" : " address " + a.mac());
    Map<String, String> params = params(a);
    String needs = switch (a.kind()) {
      case "vlan" -> "id";
      case "vxlan" -> "port";
      case "macvlan" -> "mode";
      default -> "";
    };
    if (!needs.isEmpty() && (!params.containsKey(needs) || a.kind().equals("vxlan") && !params.containsKey("id"))) {
      throw new IllegalStateException("what it was made of is not known (" + a.params() + ")");
    }
    String in = first.namespace();
    String add = switch (a.kind()) {
      case "bridge" -> "link add " + name + common + " type bridge";
      case "veth" -> {
        ObjectId second = p.ends().get(1);
        LiveLink b = before.link(second).orElseThrow();
        yield "link add " + name + common + " type veth peer name " + KernelNames.checkIfname(second.name())
            + " mtu " + b.mtu() + (b.mac().isEmpty() ? "" : " address " + b.mac())
            + " netns " + KernelNames.checkNetns(second.namespace());
      }
      case "vlan" -> "link add link " + parent(first, a, List.of(first.namespace()), now).name() + " name " + name + common
          + " type vlan id " + params.get("id");
      // as netc makes it (IpPlan): its forwarding entries are static
      case "vxlan" -> "link add " + name + common + " type vxlan id " + params.get("id") + " dstport " + params.get("port")
          + (params.containsKey("local") ? " local " + params.get("local") : "")
          + (params.containsKey("dev") ? " dev " + KernelNames.checkIfname(params.get("dev")) : "") + " nolearning";
      case "macvlan" -> {
        ObjectId parent = parent(first, a, List.copyOf(before.hostNamespaces()), now);
        in = parent.namespace();
        yield "link add link " + parent.name() + " name " + name
            + (in.equals(first.namespace()) ? "" : " netns " + KernelNames.checkNetns(first.namespace()))
            + common + " type macvlan mode " + params.get("mode");
      }
      default -> throw new IllegalStateException("netc makes no link of that kind");
    };
    CommandExecutor.Result r = exec.run(new Sandbox.Run(in, List.of(add), false).argv(), add + "\n");
    if (!r.ok()) {
      throw new IllegalStateException(r.firstError());
    }
    Map<String, Map<String, String>> writes = new LinkedHashMap<>();
    for (ObjectId end : p.ends()) {
      List<String> lines = settings(end, before.link(end).orElseThrow());
      run(end.namespace(), lines);
      String prefix = end.namespace() + "|";
      Pattern own = Pattern.compile("net\\.ipv[46]\\.conf\\." + Pattern.quote(end.name()) + "\\..*");
      before.sysctls().forEach((k, v) -> {
        if (k.startsWith(prefix) && own.matcher(k.substring(prefix.length())).matches()) {
          writes.computeIfAbsent(end.namespace(), x -> new LinkedHashMap<>()).put(k.substring(prefix.length()), v);
        }
      });
    }
    if (!writes.isEmpty()) {
      try {
        sysctls.accept(writes);
      } catch (RuntimeException e) {
        problems.add("the sysctls of " + first + " could not be put back: " + e.getMessage());
      }
    }
    for (ObjectId end : p.ends()) {
      run(end.namespace(), contents(end, before.link(end).orElseThrow()));
      List<String> fdb = before.owned().stream().filter(i -> i.kind() == ObjectId.Kind.FDB
              && i.namespace().equals(end.namespace()) && i.name().startsWith(end.name() + "/")).sorted()
          .map(i -> i.name().split("/", 3)).map(f -> "fdb append " + f[1] + " dev " + KernelNames.checkIfname(f[0]) + " dst " + f[2])
          .toList();
      if (!fdb.isEmpty()) {
        IpBatch b = new IpBatch(end.namespace().isEmpty() ? Optional.empty() : Optional.of(end.namespace()), "fdb", List.of(), "bridge");
        exec.run(b.argv(true), String.join("\n", fdb) + "\n");
      }
    }
    return problems;
  }

  /** The lines that give a link made again the mark, master and hairpin mode it had ({@code was}). */
  private List<String> settings(ObjectId id, LiveLink was) {
    String dev = "link set " + KernelNames.checkIfname(id.name());
    List<String> out = new ArrayList<>();
    String alias = before.aliases().getOrDefault(id, "");
    if (!alias.isEmpty()) {
      out.add(dev + " alias " + alias);
    }
    if (!was.master().isEmpty()) {
      // a bridge port has no IPv6 address, as when it was made (IpPlan)
      out.add(dev + " master " + KernelNames.checkIfname(was.master())
          + (was.kind().equals("veth") && was.mtu() >= Network.IPV6_MIN_MTU ? " addrgenmode none" : ""));
      if (was.hairpin()) {
        out.add(dev + " type bridge_slave hairpin on");
      }
    }
    return out;
  }

  /**
   * The lines that give a link made again its state, then its global addresses and the routes
   * through it (with what else they were made of, {@link Runner#routeMaking}).
   */
  private List<String> contents(ObjectId id, LiveLink was) {
    List<String> out = new ArrayList<>();
    if (was.up()) {
      out.add("link set " + KernelNames.checkIfname(id.name()) + " up");
    }
    before.owned().stream().filter(i -> i.kind() == ObjectId.Kind.ADDRESS && i.namespace().equals(id.namespace())
        && i.name().startsWith(id.name() + "/")).sorted().forEach(i -> {
          String cidr = i.name().substring(i.name().indexOf('/') + 1);
          out.add("address add " + cidr + " dev " + KernelNames.checkIfname(id.name()) + (cidr.contains(":") ? " nodad" : ""));
        });
    // (in the order the read found them, as the rollback makes routes again: those of one
    // identity, kept apart, come back in it, each `route append`ed after the one before, or
    // `route prepend`ed before the one after: Runner#inMakingOrder)
    Runner.inMakingOrder(before, before.routes().keySet().stream().filter(i -> i.kind() == ObjectId.Kind.ROUTE
            && i.namespace().equals(id.namespace()) && before.has(i)).toList())
        .forEach(i -> before.route(i).filter(v -> v.substring(v.lastIndexOf(' ') + 1).equals(id.name()))
            .ifPresent(v -> out.add(Runner.routeMaking(before, i, v))));
    return out;
  }

  /**
   * The parent of sub-interface {@code id} ({@code was}: its {@link LiveLink#peer} is the parent's
   * index), among {@code namespaces}: the owned link that had that index there, else the one
   * that has it now (a link of the host's, which the apply did not make again), else the one
   * the read named ({@code parent=}, a sandbox of one host namespace).
   */
  private ObjectId parent(ObjectId id, LiveLink was, List<String> namespaces, Map<String, Optional<Map<String, Integer>>> now) {
    List<ObjectId> owned = before.links().entrySet().stream()
        .filter(e -> namespaces.contains(e.getKey().namespace()) && e.getValue().ifindex() == was.peer() && !e.getKey().equals(id))
        .map(Map.Entry::getKey).toList();
    if (owned.size() == 1) {
      return owned.get(0);
    }
    List<ObjectId> there = new ArrayList<>();
    if (owned.isEmpty()) {
      for (String ns : namespaces) {
        indexes(now, ns).ifPresent(m -> m.forEach((n, i) -> {
          if (i == was.peer()) {
            there.add(new ObjectId(ObjectId.Kind.LINK, ns, n));
          }
        }));
      }
    }
    if (there.size() == 1) {
      return there.get(0);
    }
    String named = params(was).get("parent");
    if (named != null && namespaces.size() == 1) {
      return new ObjectId(ObjectId.Kind.LINK, namespaces.get(0), named);
    }
    throw new IllegalStateException("its parent (index " + was.peer() + ") is not known");
  }

  /** {@link LiveLink#params} by key. */
  private static Map<String, String> params(LiveLink l) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String kv : l.params().split(" ")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        out.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return out;
  }

  /** The links of {@code ns} now, name to index (read once, kept in {@code now}); empty when they cannot be read. */
  private Optional<Map<String, Integer>> indexes(Map<String, Optional<Map<String, Integer>>> now, String ns) {
    return now.computeIfAbsent(ns, k -> DyingPeers.links(exec, k, List.of()));
  }

  /** Runs {@code lines} in {@code ns} with {@code -force} (what fails is left to the read after the rollback). */
  private void run(String ns, List<String> lines) {
    if (!lines.isEmpty()) {
      exec.run(new Sandbox.Run(ns, lines, true).argv(), String.join("\n", lines) + "\n");
    }
  }
}
