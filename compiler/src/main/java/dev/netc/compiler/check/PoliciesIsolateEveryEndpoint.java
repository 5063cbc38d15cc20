package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.Topology;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * In a namespace that has policies (the top level counts as one), every endpoint is selected by
 * a policy that isolates it: an endpoint no isolating policy selects admits every connection, the
 * usual result of writing allow policies without a default deny. Endpoints in {@code host} mode
 * (which policies cannot reach, see {@link EndpointsHaveTheirOwnStack}) and in {@code none} mode
 * (which nothing reaches) are not judged. One report per namespace, at its first policy, naming
 * the first {@value #NAMED} unisolated declarations (replicas count once) and how many in all.
 */
final class PoliciesIsolateEveryEndpoint implements Check {
  static final int NAMED = 5;

  @Override
  public boolean needsEveryObject() {
    return true;
  }

  @Override
  public Code code() {
    return Code.NETC404;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    Map<String, List<Policy>> byNamespace = new LinkedHashMap<>();
    for (Policy p : t.policies()) {
      byNamespace.computeIfAbsent(p.namespace(), k -> new ArrayList<>()).add(p);
    }
    for (var scope : byNamespace.entrySet()) {
      Map<String, Endpoint> open = new LinkedHashMap<>(); // by declared name, in declaration order
      for (Endpoint e : t.endpoints()) {
        if (e.namespace().equals(scope.getKey()) && e.mode() == NetMode.BRIDGE
            && scope.getValue().stream().noneMatch(p -> isolates(p, e))) {
          open.putIfAbsent(e.replicaOf().orElse(e.localName()), e);
        }
      }
      if (!open.isEmpty()) {
        report(out, scope.getKey(), scope.getValue().get(0), open);
      }
    }
  }

  private static boolean isolates(Policy p, Endpoint e) {
    return !p.isolates().isEmpty() && p.selector().matches(e.labels());
  }

  private static void report(Diagnostics out, String ns, Policy first, Map<String, Endpoint> open) {
    List<String> named = open.keySet().stream().limit(NAMED).map(n -> "`" + n + "`").toList();
    String list = String.join(", ", named)
        + (open.size() > NAMED ? " and " + (open.size() - NAMED) + " more" : "");
    Set<String> kinds = new TreeSet<>();
    open.values().forEach(e -> kinds.add(Names.kind(e) + "s"));
    String what = open.size() == 1 ? "1 " + Names.kind(open.values().iterator().next())
        + ", which admits" : open.size() + " " + String.join(" and ", kinds) + ", which admit";
    // a deny rule may still select them, but it does not isolate: only what it names is dropped
    String scope = ns.isEmpty() ? "this topology" : "namespace `" + ns + "`";
    out.add(Diagnostic.of(Code.NETC404, first.span(), scope + " has policies, but none of them"
            + " isolates " + what + " every connection that no `deny` rule drops: " + list)
        .withHint("add a default deny" + (ns.isEmpty() ? "" : " to namespace `" + ns + "`")
            + (Names.input(first.span()) == Frontends.Input.KUBERNETES
                ? ", a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress]`, then allow what each pod needs"
                : ", `policy default-deny { select all; isolate ingress }`, then allow what each endpoint needs")));
  }
}
