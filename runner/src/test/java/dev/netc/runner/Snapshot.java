package dev.netc.runner;

import dev.netc.backends.plan.ObjectId;
import dev.netc.backends.plan.Sysctl;
import dev.netc.runner.netlink.NetlinkNamespaces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * "The sandbox is exactly as before" for the rollback tests (root): the live state as the
 * runner reads it for a topology (every owned object, link attribute, alias, address, route,
 * forwarding entry and sysctl, the endpoints' interface sysctls too), with the nftables ruleset
 * of each host namespace and the sandbox's records under the runner's state folder; without what
 * a link or table made again cannot keep (indexes, nftables generations).
 */
final class Snapshot {
  private Snapshot() {}

  /**
   * The sandbox of {@code ts} (one topology's hosts) as {@link #comparable}, read with their
   * sysctls: read it with the topology applied before, whose objects are the ones to be as they were.
   */
  static Map<String, Object> of(List<Runner.Target> ts, Path stateDir) {
    Map<String, Object> out = comparable(read(ts, stateDir));
    String s = ts.get(0).sandbox().name();
    Map<String, String> rulesets = new TreeMap<>();
    for (String ns : new LiveReader(Kernel.EXEC, Runner.ETC_NETNS).namespaces()) {
      if (ns.equals(s) || ns.startsWith(s + "-host_")) {
        rulesets.put(ns, Kernel.run("ip", "netns", "exec", ns, "nft", "-s", "list", "ruleset").out());
      }
    }
    out.put("rulesets", rulesets);
    out.put("records", records(s, stateDir));
    return out;
  }

  /** The live state as the runner reads it (over netlink, the endpoints' interface sysctls too). */
  static LiveState read(List<Runner.Target> ts, Path stateDir) {
    Map<String, List<String>> sysctls = new LinkedHashMap<>();
    ts.forEach(x -> sysctls.put(x.hostNs(), x.sysctlKeys()));
    ts.forEach(x -> x.host().endpointSysctls().forEach((ns, l) -> sysctls.put(ns, l.stream().map(Sysctl::key).toList())));
    return new LiveReader(Kernel.EXEC, Runner.ETC_NETNS, stateDir, new NetlinkNamespaces(Path.of("/run/netns")))
        .read(ts.get(0).sandbox(), ts.get(0).topology(), sysctls);
  }

  /**
   * The records of sandbox {@code s} in {@code stateDir}, by file name, without the lines a table
   * loaded again changes ({@code generation}, {@code kept}).
   */
  private static Map<String, String> records(String s, Path stateDir) {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(stateDir)) {
      for (Path p : files.filter(p -> p.getFileName().toString().startsWith(s + ".")
          || p.getFileName().toString().startsWith(s + "-")).sorted().toList()) {
        if (p.getFileName().toString().endsWith(".lock")) {
          continue;
        }
        out.put(p.getFileName().toString(), Files.readString(p).lines()
            .filter(l -> !l.startsWith("generation ") && !l.startsWith("kept ")).collect(Collectors.joining("\n")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * {@code live} with what a link made again cannot keep: its index, and the indexes its peer or
   * parent is named by (each named instead by the identities of the links that have it: for a
   * veth, its peer; for a macvlan or VLAN sub-interface, its parent among the owned links); and
   * without the nftables generations (a table loaded again is a new generation).
   */
  static Map<String, Object> comparable(LiveState live) {
    Map<String, Object> out = new TreeMap<>();
    out.put("sandbox", List.of(live.sandboxExists(), live.outsideExists(), live.sandboxMark()));
    out.put("namespaces", new TreeSet<>(live.namespaces()));
    out.put("owned", live.owned().stream().map(ObjectId::toString).collect(Collectors.toCollection(TreeSet::new)));
    out.put("foreign", new TreeMap<>(live.foreign()));
    out.put("sandboxLinks", new TreeMap<>(live.sandboxLinks()));
    out.put("tables", new TreeSet<>(live.tables()));
    out.put("sysctls", new TreeMap<>(live.sysctls()));
    out.put("files", new TreeMap<>(live.files()));
    out.put("hostNamespaces", new TreeSet<>(live.hostNamespaces()));
    out.put("aliases", new TreeMap<>(live.aliases()));
    out.put("notes", live.notes());
    out.put("unfinished", live.unfinished());
    out.put("routes", new TreeMap<>(live.routes()));
    out.put("plumbing", new TreeMap<>(live.plumbing()));
    out.put("enclosing", new TreeMap<>(live.enclosing()));
    out.put("otherRoutes", new TreeMap<>(live.otherRoutes()));
    out.put("routeProtocols", new TreeMap<>(live.routeProtocols()));
    out.put("kernelRulesMissing", new TreeMap<>(live.kernelRulesMissing()));
    out.put("attributes", new TreeMap<>(live.attributes()));
    out.put("tunnels", new TreeMap<>(live.tunnels()));
    Map<ObjectId, String> links = new TreeMap<>();
    live.links().forEach((id, l) -> {
      List<ObjectId> peers = l.kind().equals("veth") ? Runner.peers(live, id) : live.links().entrySet().stream()
          .filter(e -> e.getValue().ifindex() == l.peer() && !e.getKey().equals(id)
              && (l.kind().equals("macvlan") ? live.hostNamespaces().contains(e.getKey().namespace())
                  : e.getKey().namespace().equals(id.namespace())))
          .map(Map.Entry::getKey).sorted().toList();
      links.put(id, new LiveLink(l.kind(), l.mtu(), l.up(), l.master(), l.mac(), 0, l.peer() < 0 ? -1 : 0, l.params(),
          l.hairpin()).canonical() + (l.peer() < 0 ? "" : " peer " + (peers.isEmpty() ? "#" + l.peer() : peers)));
    });
    out.put("links", links);
    return out;
  }

  /** The entries of {@code was} and {@code is} (of {@link #comparable}) that differ, for a failure's message. */
  static String differences(Map<String, Object> was, Map<String, Object> is) {
    List<String> out = new ArrayList<>();
    was.forEach((k, v) -> {
      if (v.equals(is.get(k))) {
        return;
      }
      if (v instanceof Map<?, ?> a && is.get(k) instanceof Map<?, ?> b) {
        Set<Object> keys = new TreeSet<>(Comparator.comparing(Object::toString));
        keys.addAll(a.keySet());
        keys.addAll(b.keySet());
        keys.stream().filter(x -> !Objects.equals(a.get(x), b.get(x)))
            .forEach(x -> out.add(k + " " + x + ": was " + a.get(x) + ", is " + b.get(x)));
      } else if (v instanceof Set<?> a && is.get(k) instanceof Set<?> b) {
        a.stream().filter(x -> !b.contains(x)).forEach(x -> out.add(k + " missing: " + x));
        b.stream().filter(x -> !a.contains(x)).forEach(x -> out.add(k + " left behind: " + x));
      } else {
        out.add(k + ": was " + v + ", is " + is.get(k));
      }
    });
    return String.join("\n", out);
  }
}
