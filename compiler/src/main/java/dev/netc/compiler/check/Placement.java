package dev.netc.compiler.check;

import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Topology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Which networks are present on which host: those that some endpoint on the host attaches to. */
final class Placement {
  private Placement() {}

  static Map<String, List<Network>> networksByHost(Topology t) {
    Map<String, Network> byName = new HashMap<>();
    t.networks().forEach(n -> byName.put(n.name(), n));
    Map<String, Set<String>> names = new LinkedHashMap<>();
    for (Endpoint e : t.endpoints()) {
      Set<String> set = names.computeIfAbsent(e.host(), h -> new LinkedHashSet<>());
      e.attachments().forEach(a -> set.add(a.network()));
    }
    Map<String, List<Network>> out = new LinkedHashMap<>();
    names.forEach((host, nets) -> {
      List<Network> list = new ArrayList<>();
      for (Network n : t.networks()) {
        if (nets.contains(n.name())) {
          list.add(n);
        }
      }
      out.put(host, list);
    });
    return out;
  }
}
