package dev.netc.compiler.ipam;

import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Says in words how two locks differ: which endpoints get, lose or change addresses, and which
 * {@code publish} lines get, lose or change the host port netc chose.
 */
public final class LockDiff {
  private LockDiff() {}

  /**
   * One way two locks differ.
   *
   * @param text the change in words ({@code `web` moves on `back` from ... to ...})
   * @param entries the entries of the lock file it concerns, the closest first ({@code
   *     addresses/back/web}, then {@code addresses/back}), as {@link LockReader.Located} names them
   */
  public record Change(String text, List<String> entries) {}

  public static String describe(Lock before, Lock after) {
    List<Change> changes = changes(before, after);
    if (changes.isEmpty()) {
      return "it would be rewritten";
    }
    String shown = String.join(", ", changes.subList(0, Math.min(3, changes.size())).stream().map(Change::text).toList());
    return shown + (changes.size() > 3 ? " and " + (changes.size() - 3) + " more" : "");
  }

  /**
   * Where in the lock file the first change stands that concerns an entry of it (an endpoint's
   * addresses, a network, a line's host port, ...); empty when none does (every change adds an
   * entry under a section the file does not have).
   */
  public static Optional<Span> firstAt(Lock before, Lock after, Map<String, Span> where) {
    for (Change c : changes(before, after)) {
      for (String e : c.entries()) {
        if (where.containsKey(e)) {
          return Optional.of(where.get(e));
        }
      }
    }
    return Optional.empty();
  }

  /** Every way the two differ, in the order {@link #describe} tells them. */
  public static List<Change> changes(Lock before, Lock after) {
    List<Change> changes = new ArrayList<>();
    TreeSet<String> nets = new TreeSet<>(before.addresses().keySet());
    nets.addAll(after.addresses().keySet());
    for (String net : nets) {
      Map<String, ?> b = before.addresses().getOrDefault(net, Map.of());
      Map<String, ?> a = after.addresses().getOrDefault(net, Map.of());
      TreeSet<String> eps = new TreeSet<>(b.keySet());
      eps.addAll(a.keySet());
      for (String ep : eps) {
        Object x = b.get(ep);
        Object y = a.get(ep);
        List<String> at = List.of("addresses/" + net + "/" + ep, "addresses/" + net);
        if (x == null) {
          changes.add(new Change("`" + ep + "` gets an address on `" + net + "`", at));
        } else if (y == null) {
          changes.add(new Change("`" + ep + "` leaves `" + net + "`", at));
        } else if (!x.equals(y)) {
          changes.add(new Change("`" + ep + "` moves on `" + net + "` from " + x + " to " + y, at));
        }
      }
    }
    TreeSet<String> subnetNets = new TreeSet<>(before.subnets().keySet());
    subnetNets.addAll(after.subnets().keySet());
    for (String net : subnetNets) {
      Object b = before.subnets().get(net);
      Object a = after.subnets().get(net);
      if (!String.valueOf(b).equals(String.valueOf(a))) {
        changes.add(new Change(b == null ? "network `" + net + "` gets subnet " + a
            : a == null ? "network `" + net + "` no longer needs subnet " + b
            : "network `" + net + "` moves from subnet " + b + " to " + a, List.of("subnets/" + net)));
      }
    }
    TreeSet<String> services = new TreeSet<>(before.services().keySet());
    services.addAll(after.services().keySet());
    for (String svc : services) {
      Object b = before.services().get(svc);
      Object a = after.services().get(svc);
      if (!String.valueOf(b).equals(String.valueOf(a))) {
        changes.add(new Change(b == null ? "service `" + svc + "` gets virtual address " + a
            : a == null ? "service `" + svc + "` no longer needs virtual address " + b
            : "service `" + svc + "` moves from " + b + " to " + a, List.of("services/" + svc)));
      }
    }
    Map<String, Map<String, Hosted>> b = byEndpoint(before);
    Map<String, Map<String, Hosted>> a = byEndpoint(after);
    TreeSet<String> publishers = new TreeSet<>(b.keySet());
    publishers.addAll(a.keySet());
    for (String ep : publishers) {
      Map<String, Hosted> bl = b.getOrDefault(ep, Map.of());
      Map<String, Hosted> al = a.getOrDefault(ep, Map.of());
      TreeSet<String> lines = new TreeSet<>(bl.keySet());
      lines.addAll(al.keySet());
      for (String line : lines) {
        Hosted x = bl.get(line);
        Hosted y = al.get(line);
        String host = (x != null ? x : y).host();
        List<String> at = List.of("ports/" + host + "/" + ep + "/" + line, "ports/" + host + "/" + ep, "ports/" + host);
        if (x == null) {
          changes.add(new Change("`" + ep + "` publishes " + line + " on host port " + ports(y.firsts()), at));
        } else if (y == null) {
          changes.add(new Change("`" + ep + "` no longer publishes " + line + " on host port " + ports(x.firsts()), at));
        } else if (!x.host().equals(y.host())) {
          changes.add(new Change("`" + ep + "` moves " + line + " from host port " + ports(x.firsts()) + " of host `"
              + x.host() + "` to " + ports(y.firsts()) + " of host `" + y.host() + "`", at));
        } else if (!x.firsts().equals(y.firsts())) {
          changes.add(new Change("`" + ep + "` moves " + line + " from host port " + ports(x.firsts()) + " to "
              + ports(y.firsts()), at));
        }
      }
    }
    return changes;
  }

  /** The first ports of a line and the host they were chosen on. */
  private record Hosted(String host, List<Integer> firsts) {}

  /** The host ports of {@code lock} by endpoint, then line key (an endpoint is on one host). */
  private static Map<String, Map<String, Hosted>> byEndpoint(Lock lock) {
    Map<String, Map<String, Hosted>> out = new java.util.TreeMap<>();
    lock.ports().forEach((host, eps) -> eps.forEach((ep, lines) -> lines.forEach((line, firsts) ->
        out.computeIfAbsent(ep, k -> new java.util.TreeMap<>()).putIfAbsent(line, new Hosted(host, firsts)))));
    return out;
  }

  private static String ports(List<Integer> firsts) {
    return firsts.size() == 1 ? firsts.get(0).toString() : firsts.toString();
  }
}
