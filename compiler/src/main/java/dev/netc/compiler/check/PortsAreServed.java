package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Direction;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Peer;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Selector;
import dev.netc.compiler.ir.Service;
import dev.netc.compiler.ir.Topology;
import java.util.ArrayList;
import java.util.List;

/**
 * A port that a service forwards to, or that an allow rule admits, is one that some endpoint it
 * concerns exposes or publishes: otherwise the rule or service is almost certainly a typo. An
 * endpoint that declares no port at all is not judged (its ports are simply undeclared).
 */
final class PortsAreServed implements Check {
  @Override
  public boolean needsEveryObject() {
    return true;
  }

  @Override
  public Code code() {
    return Code.NETC223;
  }

  /** Endpoints grouped by namespace and labels, so each selector is evaluated once a group. */
  private List<List<Endpoint>> groups;

  @Override
  public void check(Topology t, Diagnostics out) {
    java.util.Map<String, List<Endpoint>> byKey = new java.util.LinkedHashMap<>();
    for (Endpoint e : t.endpoints()) {
      byKey.computeIfAbsent(e.namespace() + "|" + new java.util.TreeMap<>(e.labels()), k -> new ArrayList<>()).add(e);
    }
    groups = new ArrayList<>(byKey.values());
    for (Service s : t.services()) {
      List<Endpoint> targets = selected(t, s.namespace(), s.selector());
      for (Service.Port p : s.ports()) {
        PortSpec want = new PortSpec(PortRange.of(p.targetPort()), p.protocol());
        if (!served(targets, want)) {
          out.add(Diagnostic.of(Code.NETC223, p.span(), "service `" + s.name() + "` forwards to "
                  + want + ", which none of the endpoints it selects exposes or publishes")
              .withHint("add `expose " + want + "` to the endpoints, or fix the target port"));
        }
      }
    }
    for (Policy pol : t.policies()) {
      for (Policy.Rule r : pol.rules()) {
        if (r.action() != Policy.Action.ALLOW || r.ports().isEmpty()) {
          continue;
        }
        List<Endpoint> receivers = r.direction() == Direction.INGRESS
            ? selected(t, pol.namespace(), pol.selector()) : peers(t, pol.namespace(), r.peers());
        for (PortSpec want : r.ports()) {
          if (!served(receivers, want)) {
            String who = r.direction() == Direction.INGRESS ? "the endpoints it selects" : "its peers";
            out.add(Diagnostic.of(Code.NETC223, r.span(), "policy `" + pol.name() + "` admits "
                    + want + ", which none of " + who + " exposes or publishes")
                .withHint("add `expose " + want + "` where it is served, or fix the port"));
          }
        }
      }
    }
  }

  private List<Endpoint> selected(Topology t, String ns, Selector sel) {
    List<Endpoint> out = new ArrayList<>();
    for (List<Endpoint> g : groups) {
      Endpoint e = g.get(0);
      if (e.namespace().equals(ns) && sel.matches(e.labels())) {
        out.addAll(g);
      }
    }
    return out;
  }

  /** The endpoints an egress rule's peers name (CIDR and special peers name none). */
  private List<Endpoint> peers(Topology t, String ns, List<Peer> peers) {
    List<Endpoint> out = new ArrayList<>();
    for (Peer p : peers) {
      if (p.kind() != Peer.Kind.ENDPOINTS) {
        return List.of(); // an address block may serve anything: nothing to judge
      }
      for (List<Endpoint> g : groups) {
        Endpoint e = g.get(0);
        boolean nsOk = p.namespaces().map(nsSel -> t.namespaces().stream()
                .anyMatch(n -> n.name().equals(e.namespace()) && nsSel.matches(n.labels())))
            .orElse(e.namespace().equals(ns));
        if (nsOk && p.endpoints().matches(e.labels())) {
          out.addAll(g);
        }
      }
    }
    return out;
  }

  /** True when some endpoint serves the port, or when no endpoint declares any port. */
  private static boolean served(List<Endpoint> endpoints, PortSpec want) {
    boolean anyDeclared = false;
    for (Endpoint e : endpoints) {
      List<PortSpec> ports = new ArrayList<>(e.exposes());
      e.members().forEach(m -> ports.addAll(m.exposes()));
      for (Publish p : e.publishes()) {
        ports.add(new PortSpec(p.containerPorts(), p.protocol()));
      }
      anyDeclared |= !ports.isEmpty();
      for (PortSpec have : ports) {
        if (have.protocol() == want.protocol() && have.range().overlaps(want.range())) {
          return true;
        }
      }
    }
    return !anyDeclared;
  }

}
