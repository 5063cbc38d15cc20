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
    TreeSet<String> publishers = new TreeSet<>(before.ports().keySet());
    publishers.addAll(after.ports().keySet());
    for (String ep : publishers) {
      Map<String, List<Integer>> b = before.ports().getOrDefault(ep, Map.of());
      Map<String, List<Integer>> a = after.ports().getOrDefault(ep, Map.of());
      TreeSet<String> lines = new TreeSet<>(b.keySet());
      lines.addAll(a.keySet());
      for (String line : lines) {
        List<Integer> x = b.get(line);
        List<Integer> y = a.get(line);
        if (x == null) {
          changes.add("`" + ep + "` publishes " + line + " on host port " + ports(y));
        } else if (y == null) {
          changes.add("`" + ep + "` no longer publishes " + line + " on host port " + ports(x));
        } else if (!x.equals(y)) {
          changes.add("`" + ep + "` moves " + line + " from host port " + ports(x) + " to " + ports(y));
        }
      }
    }
    if (changes.isEmpty()) {
      return "it would be rewritten";
    }
    String shown = String.join(", ", changes.subList(0, Math.min(3, changes.size())));
    return shown + (changes.size() > 3 ? " and " + (changes.size() - 3) + " more" : "");
  }

  private static String ports(List<Integer> firsts) {
    return firsts.size() == 1 ? firsts.get(0).toString() : firsts.toString();
  }
}
