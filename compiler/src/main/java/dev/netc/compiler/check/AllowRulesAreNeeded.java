package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import java.util.List;

/**
 * No allow rule is wholly covered by another allow rule: another rule of the same direction,
 * in a policy that selects every endpoint this one's policy selects, that matches every peer this
 * one matches (by a {@code cidr} peer only when the block holds every address of the peer, since
 * the packets decide), on every port this one names. Candidates are only the rules of policies selecting
 * the first selected endpoint, so the cost stays near linear in the number of rules.
 */
final class AllowRulesAreNeeded implements ModelCheck {
  @Override
  public Code code() {
    return Code.NETC306;
  }

  @Override
  public void check(Reachability m, Diagnostics out) {
    for (Policy p : m.topology().policies()) {
      List<Node> selected = PolicyScope.selected(m, p);
      if (selected.isEmpty()) {
        continue;
      }
      for (Policy.Rule r : p.rules()) {
        if (r.action() != Policy.Action.ALLOW) {
          continue;
        }
        List<Node> peers = PolicyScope.peers(m, p, r);
        if (peers.isEmpty()) {
          continue;
        }
        for (Policy q : m.policiesSelecting(selected.get(0))) {
          Policy.Rule cover = covering(m, p, r, selected, peers, q);
          if (cover != null) {
            out.add(Diagnostic.of(Code.NETC306, r.span(), "this allow rule of policy `" + p.name()
                    + "` is redundant: " + (q == p ? "another rule of the same policy" : "a rule of policy `" + q.name() + "`")
                    + " admits everything it admits")
                .withRelated(cover.span(), "this rule covers it")
                .withHint("remove one of the two, or narrow the wider one"));
            break;
          }
        }
      }
    }
  }

  private static Policy.Rule covering(Reachability m, Policy p, Policy.Rule r, List<Node> selected,
      List<Node> peers, Policy q) {
    for (Policy.Rule r2 : q.rules()) {
      if (r2 == r || r2.action() != Policy.Action.ALLOW || r2.direction() != r.direction()
          || !portsCover(r2, r)) {
        continue;
      }
      // two true duplicates (same peers, ports and selected endpoints): report only the later
      if (sameScope(r2, r) && before(r, r2)
          && sameNames(m.selectedBy(q), selected)) {
        continue;
      }
      java.util.Set<String> covered = new java.util.HashSet<>();
      m.selectedBy(q).forEach(n -> covered.add(n.name()));
      java.util.Set<String> peers2 = new java.util.HashSet<>();
      m.peersOf(q, r2).forEach(n -> peers2.add(n.name()));
      // a block covers a peer only if it holds every address the peer's packets can carry
      boolean all = selected.stream().allMatch(s -> covered.contains(s.name()))
          && peers.stream().allMatch(n -> peers2.contains(n.name()) && m.matchesEveryAddress(q, r2, n));
      if (all) {
        return r2;
      }
    }
    return null;
  }

  private static boolean sameNames(List<Node> a, List<Node> b) {
    return a.stream().map(Node::name).toList().equals(b.stream().map(Node::name).toList());
  }

  private static boolean sameScope(Policy.Rule a, Policy.Rule b) {
    return a.peers().equals(b.peers()) && a.ports().equals(b.ports());
  }

  private static boolean before(Policy.Rule a, Policy.Rule b) {
    return a.span().compareTo(b.span()) < 0;
  }

  /** Every port of {@code inner} lies in a port spec of {@code outer} (no ports means every port). */
  static boolean portsCover(Policy.Rule outer, Policy.Rule inner) {
    if (outer.ports().isEmpty()) {
      return true;
    }
    if (inner.ports().isEmpty()) {
      return false;
    }
    for (PortSpec i : inner.ports()) {
      boolean in = outer.ports().stream()
          .anyMatch(o -> o.protocol() == i.protocol() && o.range().contains(i.range()));
      if (!in) {
        return false;
      }
    }
    return true;
  }
}
