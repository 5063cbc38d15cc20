package dev.netc.compiler.front.compose;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Spelling;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the services into container declarations, expressing {@code network_mode: service:NAME}
 * as a pod: a service that others join becomes a pod of its name, whose members are itself and
 * the services that join it (directly or through another joiner), each exposing its own ports. A
 * pod has one network namespace, as the joined containers have.
 */
final class SharedNamespaces {
  private final Nodes nodes;

  SharedNamespaces(Nodes nodes) {
    this.nodes = nodes;
  }

  List<Decl> declarations(List<ComposeService> services) {
    Map<String, ComposeService> byName = new LinkedHashMap<>();
    services.forEach(s -> byName.putIfAbsent(s.name.text(), s));
    Map<String, List<ComposeService>> joiners = new LinkedHashMap<>();
    for (ComposeService s : services) {
      if (s.joins.isPresent()) {
        root(s, byName).ifPresent(r -> joiners.computeIfAbsent(r.name.text(), k -> new ArrayList<>()).add(s));
      }
    }
    List<Decl> out = new ArrayList<>();
    for (ComposeService s : services) {
      if (s.joins.isEmpty()) {
        List<ComposeService> members = joiners.get(s.name.text());
        out.add(members == null ? s.container() : s.pod(members));
      }
    }
    return out;
  }

  /** The service whose namespace {@code s} ends up in, following joins; empty when reported. */
  private Optional<ComposeService> root(ComposeService s, Map<String, ComposeService> byName) {
    Set<String> seen = new LinkedHashSet<>();
    ComposeService at = s;
    while (at.joins.isPresent()) {
      Word target = at.joins.get();
      if (!seen.add(at.name.text())) {
        if (at != s) {
          return Optional.empty(); // joins a cycle, which its members report
        }
        nodes.diags().add(Diagnostic.of(Code.NETC033, s.joins.get().span(), "service `"
                + s.name.text() + "` shares a network stack in a cycle: " + String.join(" -> ",
                seen.stream().map(n -> "`" + n + "`").toList()) + " -> `" + at.name.text() + "`")
            .withHint("one service of the cycle must have a network stack of its own"));
        return Optional.empty();
      }
      ComposeService next = byName.get(target.text());
      if (next == null) {
        nodes.diags().add(Diagnostic.of(Code.NETC101, target.span(), "unknown service `"
                + target.text() + "`")
            .withHint(Spelling.suggest(target.text(), byName.keySet())
                .map(x -> "did you mean `" + x + "`?")
                .orElse("`network_mode: service:NAME` names a service of this file")));
        return Optional.empty();
      }
      at = next;
    }
    return Optional.of(at);
  }
}
