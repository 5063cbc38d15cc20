package dev.netc.compiler.ipam;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Says in words how two locks differ: which endpoints get, lose or change addresses, and which
 * {@code publish} lines get, lose or change the host port netc chose.
 */
public final class LockDiff {
  private LockDiff() {}

  public static String describe(Lock before, Lock after) {
    List<String> changes = new ArrayList<>();
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
        if (x == null) {
          changes.add("`" + ep + "` gets an address on `" + net + "`");
        } else if (y == null) {
          changes.add("`" + ep + "` leaves `" + net + "`");
        } else if (!x.equals(y)) {
          changes.add("`" + ep + "` moves on `" + net + "` from " + x + " to " + y);
        }
      }
    }
    TreeSet<String> subnetNets = new TreeSet<>(before.subnets().keySet());
    subnetNets.addAll(after.subnets().keySet());
    for (String net : subnetNets) {
      Object b = before.subnets().get(net);
      Object a = after.subnets().get(net);
      if (!String.valueOf(b).equals(String.valueOf(a))) {
        changes.add(b == null ? "network `" + net + "` gets subnet " + a
            : a == null ? "network `" + net + "` no longer needs subnet " + b
            : "network `" + net + "` moves from subnet " + b + " to " + a);
      }
    }
    TreeSet<String> services = new TreeSet<>(before.services().keySet());
    services.addAll(after.services().keySet());
    for (String svc : services) {
      Object b = before.services().get(svc);
      Object a = after.services().get(svc);
      if (!String.valueOf(b).equals(String.valueOf(a))) {
        changes.add(b == null ? "service `" + svc + "` gets virtual address " + a
            : a == null ? "service `" + svc + "` no longer needs virtual address " + b
            : "service `" + svc + "` moves from " + b + " to " + a);
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
        if (x == null) {
          changes.add("`" + ep + "` publishes " + line + " on host port " + ports(y.firsts()));
        } else if (y == null) {
          changes.add("`" + ep + "` no longer publishes " + line + " on host port " + ports(x.firsts()));
        } else if (!x.host().equals(y.host())) {
          changes.add("`" + ep + "` moves " + line + " from host port " + ports(x.firsts()) + " of host `"
              + x.host() + "` to " + ports(y.firsts()) + " of host `" + y.host() + "`");
        } else if (!x.firsts().equals(y.firsts())) {
          changes.add("`" + ep + "` moves " + line + " from host port " + ports(x.firsts()) + " to "
              + ports(y.firsts()));
        }
      }
    }
    if (changes.isEmpty()) {
      return "it would be rewritten";
    }
    String shown = String.join(", ", changes.subList(0, Math.min(3, changes.size())));
    return shown + (changes.size() > 3 ? " and " + (changes.size() - 3) + " more" : "");
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
