package dev.netc.backends.lock;

import dev.netc.backends.Templates;
import dev.netc.compiler.ipam.Lock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a lock file (YAML, every string quoted, keys sorted, one endpoint or {@code publish} line
 * a line) from the {@code lock.ftl} template. The compiler's {@code LockReader} reads it back.
 */
public final class LockWriter {
  private LockWriter() {}

  public static String write(String topology, Lock lock) {
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("name", topology);
    model.put("version", Lock.VERSION);
    List<Map<String, Object>> subnets = new ArrayList<>();
    lock.subnets().forEach((net, cidrs) -> subnets.add(Map.of("name", quote(net),
        "values", list(cidrs))));
    model.put("subnets", subnets);
    List<Map<String, Object>> networks = new ArrayList<>();
    lock.addresses().forEach((net, eps) -> {
      List<Map<String, Object>> rows = new ArrayList<>();
      eps.forEach((ep, ips) -> rows.add(Map.of("name", quote(ep), "values", list(ips))));
      networks.add(Map.of("name", quote(net), "endpoints", rows));
    });
    model.put("networks", networks);
    List<Map<String, Object>> services = new ArrayList<>();
    lock.services().forEach((svc, ips) -> services.add(Map.of("name", quote(svc), "values", list(ips))));
    model.put("services", services);
    List<Map<String, Object>> hosts = new ArrayList<>();
    lock.ports().forEach((host, eps) -> {
      List<Map<String, Object>> publishers = new ArrayList<>();
      eps.forEach((ep, lines) -> {
        List<Map<String, Object>> rows = new ArrayList<>();
        lines.forEach((line, firsts) -> rows.add(Map.of("name", quote(line), "values", firsts.toString())));
        publishers.add(Map.of("name", quote(ep), "lines", rows));
      });
      hosts.add(Map.of("name", quote(host), "endpoints", publishers));
    });
    model.put("ports", hosts);
    return Templates.render("lock.ftl", model);
  }

  private static String list(List<?> values) {
    List<String> q = new ArrayList<>();
    values.forEach(v -> q.add(quote(v.toString())));
    return "[" + String.join(", ", q) + "]";
  }

  /** A YAML double-quoted scalar (names and addresses never need more than this). */
  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
