package dev.netc.runner;

import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.PublishedPort;
import dev.netc.backends.plan.ServicePlan;
import dev.netc.compiler.ir.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Host ports that two topologies applied in one host namespace both publish. Each topology's
 * table DNATs its own published ports and node ports; the kernel runs both tables, and the
 * first one's DNAT takes the connection: the other topology's container never sees it, and
 * verify finds {@code model admits, kernel denies}. The other topologies' ports are read from
 * the table files apply keeps beside their records ({@link TableRecords#appliedPath}), only in
 * the host namespaces where another topology's table is ({@link LiveState#otherTables}).
 */
final class PortClash {
  private PortClash() {}

  /**
   * One host port a table publishes.
   *
   * @param family 4 or 6; 0 for a node port (every address of both families)
   * @param address the one host address it is published on; empty for every address of the family
   * @param node a node port: every address but loopback
   * @param protocol {@code tcp}, {@code udp}, {@code sctp} (as nftables writes them)
   * @param what the endpoint or service and where it is declared ({@code web input.netc:16})
   */
  record Held(int family, Optional<String> address, boolean node, String protocol, int port, String what) {
    boolean clashes(Held o) {
      if ((family != o.family && family != 0 && o.family != 0) || !protocol.equals(o.protocol) || port != o.port) {
        return false;
      }
      if (address.isPresent() && o.address.isPresent()) {
        return address.equals(o.address);
      }
      // a node port leaves loopback alone; a port published on every address takes 127.0.0.1 from the host too
      return !(node && o.address.filter(PortClash::loopback).isPresent()
          || o.node && address.filter(PortClash::loopback).isPresent());
    }

    /** {@code on every IPv4 address}, {@code on 10.0.0.1}, {@code as a node port}. */
    String where() {
      return node ? "as a node port" : address.map(a -> "on " + a).orElse("on every IPv" + family + " address");
    }
  }

  private static boolean loopback(String a) {
    return a.startsWith("127.") || a.equals("::1");
  }

  /** The host ports host {@code h} publishes: its published ports and its services' node ports. */
  static List<Held> desired(HostState h) {
    List<Held> out = new ArrayList<>();
    for (PublishedPort p : h.published()) {
      out.add(new Held(p.family() == IpAddress.Family.V4 ? 4 : 6, p.hostAddress().map(IpAddress::toString), false,
          p.protocol().label(), p.hostPort(), p.endpoint() + " " + p.span().file().path() + ":" + p.span().line()));
    }
    for (ServicePlan s : h.services()) {
      if (s.balance().isEmpty()) {
        continue; // not realised on this host: no node port either (ServiceRules)
      }
      for (ServicePlan.Port p : s.ports()) {
        p.nodePort().ifPresent(n -> out.add(new Held(0, Optional.empty(), true, p.protocol().label(), n,
            "service " + s.service() + " " + s.span().file().path() + ":" + s.span().line())));
      }
    }
    return out;
  }

  /**
   * The host ports of a table file netc loaded ({@code nft-table.ftl}): the elements of its maps
   * {@code published4}, {@code published4_any}, {@code published4_local}, their IPv6 twins, and
   * {@code nodeports}, one per line: {@code 10.80.0.1 . tcp . 8080 comment "web input.netc:32" :
   * 10.80.0.10 . 80}.
   */
  static List<Held> kept(String nft) {
    List<Held> out = new ArrayList<>();
    String map = null;
    boolean elements = false;
    for (String line : nft.split("\n")) {
      String l = line.strip();
      if (map == null) {
        if (l.matches("map (published[46](_any|_local)?|nodeports) \\{")) {
          map = l.substring("map ".length(), l.length() - 2);
        }
        continue;
      }
      if (l.equals("}")) {
        if (elements) {
          elements = false;
        } else {
          map = null;
        }
        continue;
      }
      if (l.equals("elements = {")) {
        elements = true;
        continue;
      }
      if (!elements) {
        continue;
      }
      int c = l.indexOf(" comment \"");
      int colon = l.indexOf(" : ");
      String key = l.substring(0, c >= 0 ? c : colon >= 0 ? colon : l.length());
      String what = c >= 0 ? l.substring(c + " comment \"".length(), Math.max(c + " comment \"".length(), l.indexOf('"', c + " comment \"".length()))) : "";
      String[] k = key.split(" \\. ");
      boolean node = map.equals("nodeports");
      int family = node ? 0 : map.charAt("published".length()) - '0';
      boolean any = node || map.endsWith("_any");
      if (k.length != (any ? 2 : 3) || !k[k.length - 1].matches("[0-9]{1,5}")) {
        continue;
      }
      out.add(new Held(family, any ? Optional.empty() : Optional.of(k[0]), node, k[k.length - 2],
          Integer.parseInt(k[k.length - 1]), what));
    }
    return out;
  }

  /**
   * Why topology {@code topology} cannot publish the ports of its hosts {@code ts} in the
   * sandbox, if it cannot: another topology's table publishes one of them in the same host
   * namespace ({@code kept}: by host namespace, each other topology's kept table file). One line:
   * each host port (a run of them as a range) with what publishes it on both sides, and a free
   * host port to take instead. Empty when none clashes.
   */
  static Optional<String> check(String topology, Sandbox sb, List<Runner.Target> ts, Map<String, Map<String, String>> kept) {
    // (protocol -> every host port taken in the sandbox: the other topologies' and the topology's own)
    Map<String, Set<Integer>> taken = new java.util.TreeMap<>();
    List<String[]> clashes = new ArrayList<>(); // ns, other topology, our where/what, theirs, protocol, first, last
    for (Runner.Target t : ts) {
      Map<String, String> others = kept.getOrDefault(t.hostNs(), Map.of());
      if (others.isEmpty()) {
        continue;
      }
      List<Held> ours = desired(t.host());
      ours.forEach(h -> taken.computeIfAbsent(h.protocol(), k -> new TreeSet<>()).add(h.port()));
      Map<String, List<Held>> theirs = new java.util.TreeMap<>();
      others.forEach((other, text) -> {
        theirs.put(other, kept(text));
        theirs.get(other).forEach(h -> taken.computeIfAbsent(h.protocol(), k -> new TreeSet<>()).add(h.port()));
      });
      List<Held> sorted = new ArrayList<>(ours);
      sorted.sort(java.util.Comparator.comparing(Held::protocol).thenComparingInt(Held::port));
      for (Held o : sorted) {
        theirs.forEach((other, list) -> list.stream().filter(o::clashes).findFirst().ifPresent(h -> {
          String[] last = clashes.isEmpty() ? null : clashes.get(clashes.size() - 1);
          String mine = o.where() + " (" + o.what() + ")";
          String its = h.where() + (h.what().isEmpty() ? "" : " (" + h.what() + ")");
          if (last != null && last[0].equals(t.hostNs()) && last[1].equals(other) && last[2].equals(mine)
              && last[3].equals(its) && last[4].equals(o.protocol()) && Integer.parseInt(last[6]) == o.port() - 1) {
            last[6] = String.valueOf(o.port());
          } else {
            clashes.add(new String[] {t.hostNs(), other, mine, its, o.protocol(), String.valueOf(o.port()),
                String.valueOf(o.port())});
          }
        }));
      }
    }
    if (clashes.isEmpty()) {
      return Optional.empty();
    }
    List<String> parts = new ArrayList<>();
    List<String> fixes = new ArrayList<>();
    for (String[] c : clashes) {
      int first = Integer.parseInt(c[5]);
      int last = Integer.parseInt(c[6]);
      String ports = (first == last ? String.valueOf(first) : first + "-" + last) + "/" + c[4];
      String ns = sb.isHost() ? "the host" : c[0];
      parts.add("host port " + ports + " " + c[2] + " is topology " + c[1] + "'s " + c[3] + " in " + ns);
      Set<Integer> used = taken.computeIfAbsent(c[4], k -> new TreeSet<>());
      int n = last - first + 1;
      for (int from = first + 1; from + n - 1 <= 65535; from++) {
        int f = from;
        if (java.util.stream.IntStream.range(f, f + n).noneMatch(used::contains)) {
          java.util.stream.IntStream.range(f, f + n).forEach(used::add);
          fixes.add((n == 1 ? String.valueOf(f) : f + "-" + (f + n - 1)) + " for " + ports);
          break;
        }
      }
    }
    return Optional.of("topology " + topology + " cannot publish its ports in " + sb.label() + ": "
        + String.join("; ", parts) + "; a host port forwards to one container, the first table's DNAT takes it:"
        + " take another host port" + (fixes.isEmpty() ? "" : " (" + String.join(", ", fixes) + ", say)")
        + ", or destroy topology " + clashes.get(0)[1] + " there first");
  }
}
