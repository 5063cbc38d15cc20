package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Driver;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Service;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.AutomaticPorts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Published ports belong to endpoints with a network of their own: in {@code host} mode the
 * process already listens on the host, in {@code none} mode nothing can reach it. Docker
 * ignores them with a warning; so does netc. So are the ports of an endpoint whose networks are
 * all internal (or internal and macvlan): a port is forwarded only to a network with a route out,
 * as Docker does. An endpoint on macvlan networks only is NETC408's. Likewise a node port does
 * not lead to such an endpoint: its DNAT keeps the client's address, to which the endpoint has no
 * route back (the model gives that way no path either).
 */
final class PublishNeedsOwnNetwork implements Check {
  @Override
  public Code code() {
    return Code.NETC221;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    Map<String, Network> networks = byName(t);
    Set<Publish> seen = new HashSet<>();
    for (Endpoint e : t.endpoints()) {
      String name = e.replicaOf().orElse(e.name());
      Optional<String> why;
      String hint;
      if (e.mode() == NetMode.BRIDGE) {
        why = withoutRouteOut(e, networks);
        hint = "remove the `publish`, or attach `" + name + "` to a network that is not internal as well";
      } else {
        why = Optional.of(e.mode() == NetMode.HOST
            ? "a `host` mode endpoint listens on the host's own ports already"
            : "a `none` mode endpoint has only loopback, so nothing can reach it");
        hint = "remove the `publish`, or drop `mode " + e.mode().label() + "`";
      }
      if (why.isEmpty()) {
        continue;
      }
      for (Publish p : e.publishes()) {
        if (!seen.add(p)) {
          continue; // one report for all replicas
        }
        out.add(Diagnostic.of(Code.NETC221, p.span(), "this published port of `" + name
                + "` is ignored: " + why.get())
            .withHint(compose(p) ? inCompose(hint) : hint));
      }
    }
    nodePorts(t, networks, out);
    clientsElsewhere(t, networks, out);
  }

  /**
   * One warning per service and declaration of an endpoint it leads to whose networks are all
   * internal, when some client connects to the service's virtual address from a network the
   * endpoint is not on (its default route's, else its first bridge or overlay network): the DNAT
   * keeps that address, and the endpoint has no route back to it. Names the first such client.
   */
  private static void clientsElsewhere(Topology t, Map<String, Network> networks, Diagnostics out) {
    for (Service s : t.services()) {
      if (s.ports().isEmpty()) {
        continue;
      }
      Set<String> seen = new HashSet<>();
      for (Endpoint e : t.endpoints()) {
        String name = e.replicaOf().orElse(e.name());
        if (e.mode() != NetMode.BRIDGE || !e.namespace().equals(s.namespace()) || !s.balancesTo(e.labels())
            || internalOnly(e, networks).isEmpty() || !seen.add(name)) {
          continue;
        }
        Set<String> own = new HashSet<>();
        e.attachments().forEach(a -> own.add(a.network()));
        for (Endpoint c : t.endpoints()) {
          Optional<String> from = c.mode() == NetMode.BRIDGE && c.host().equals(e.host())
              ? sourceNetwork(c, networks) : Optional.empty();
          if (c.replicaOf().orElse(c.name()).equals(name) || from.isEmpty() || own.contains(from.get())) {
            continue;
          }
          String client = c.replicaOf().orElse(c.name());
          out.add(Diagnostic.of(Code.NETC221, s.span(), "service `" + s.name() + "` leads to `" + name + "`, which is on "
                  + internalOnly(e, networks).get() + " only: it has no route back to a client that connects from"
                  + " another network, such as `" + client + "` from network `" + from.get() + "`, so such a"
                  + " connection never completes")
              .withRelated(e.span(), "`" + name + "` is selected by it")
              .withRelated(c.span(), "`" + client + "` connects from network `" + from.get() + "`")
              .withHint("attach `" + name + "` to a network that is not internal as well, or connect to `" + name
                  + "` directly on a network it shares with the client"));
          break;
        }
      }
    }
  }

  /**
   * The network an endpoint connects to a virtual address from: its first network with a route
   * out (its default route), else its first bridge or overlay network; empty without either.
   */
  private static Optional<String> sourceNetwork(Endpoint e, Map<String, Network> networks) {
    Optional<String> bridged = Optional.empty();
    for (Attachment a : e.attachments()) {
      Network n = networks.get(a.network());
      if (n == null || n.driver() == Driver.MACVLAN) {
        continue;
      }
      if (!n.internal()) {
        return Optional.of(n.name());
      }
      if (bridged.isEmpty()) {
        bridged = Optional.of(n.name());
      }
    }
    return bridged;
  }

  /**
   * One warning per node port and declaration of an endpoint the service leads to (it gives it a
   * share) whose networks are all internal: a client off the host connects from its own address,
   * which the DNAT keeps, and the endpoint has no route back to it.
   */
  private static void nodePorts(Topology t, Map<String, Network> networks, Diagnostics out) {
    for (Service s : t.services()) {
      for (Service.Port p : s.ports()) {
        if (p.nodePort().isEmpty()) {
          continue;
        }
        Set<String> seen = new HashSet<>();
        for (Endpoint e : t.endpoints()) {
          String name = e.replicaOf().orElse(e.name());
          if (e.mode() != NetMode.BRIDGE || !e.namespace().equals(s.namespace()) || !s.balancesTo(e.labels())
              || !seen.add(name)) {
            continue;
          }
          Optional<String> internal = internalOnly(e, networks);
          if (internal.isEmpty()) {
            continue;
          }
          out.add(Diagnostic.of(Code.NETC221, p.span(), "node port " + p.nodePort().getAsInt() + " of service `"
                  + s.name() + "` does not lead to `" + name + "`: it is on " + internal.get() + " only, and has no"
                  + " route back to a client off the host, whose address the node port keeps")
              .withRelated(e.span(), "`" + name + "` is selected by it")
              .withHint("attach `" + name + "` to a network that is not internal as well, or reach it through the"
                  + " service's virtual address from an endpoint on its network"));
        }
      }
    }
  }
  /**
   * Whether {@code p} was written in a Compose file's {@code ports}, not as a {@code publish}
   * (judged by the file's content, as the other checks' hints are: {@link Names#input}).
   */
  static boolean compose(Publish p) {
    return Names.input(p.span()) == Frontends.Input.COMPOSE;
  }

  /** The hint in a Compose file's words: its {@code ports}, {@code networks} and {@code network_mode}. */
  private static String inCompose(String hint) {
    return hint.replace("remove the `publish`", "remove the port from `ports`")
        .replace("drop `mode host`", "drop `network_mode: host`")
        .replace("drop `mode none`", "drop `network_mode: none`")
        .replace("attach `", "give `").replace("` to a network that is not internal as well",
            "` a network that is not `internal: true` as well, in its `networks`");
  }

  /**
   * Whether no host forwards the ports an endpoint in mode bridge publishes: it is attached, to
   * internal or macvlan networks only (this check's, or NETC408's). Such ports are not checked
   * for collisions either, nor for the database ports of NETC403.
   */
  static boolean forwardsNoPort(Endpoint e, Map<String, Network> networks) {
    return !e.attachments().isEmpty() && AutomaticPorts.routeOut(e, networks).isEmpty();
  }

  /**
   * The internal networks of an endpoint whose networks are all internal or macvlan ones, at least
   * one internal ("internal network `back`", joined by "and"); empty otherwise.
   */
  private static Optional<String> internalOnly(Endpoint e, Map<String, Network> networks) {
    List<String> names = new ArrayList<>();
    for (Attachment a : e.attachments()) {
      Network n = networks.get(a.network());
      if (n == null || (n.driver() != Driver.MACVLAN && !n.internal())) {
        return Optional.empty();
      }
      if (n.driver() != Driver.MACVLAN) {
        names.add("internal network `" + n.name() + "`");
      }
    }
    return names.isEmpty() ? Optional.empty() : Optional.of(String.join(" and ", names));
  }

  /** The networks of a topology by name. */
  static Map<String, Network> byName(Topology t) {
    Map<String, Network> networks = new HashMap<>();
    t.networks().forEach(n -> networks.put(n.name(), n));
    return networks;
  }

  /**
   * Why an endpoint in mode bridge has no network a published port could be forwarded to: its
   * networks, all internal ones or macvlan ones and at least one internal (macvlan ones only is
   * NETC408); empty when it has one, or none at all, or one that is not resolved.
   */
  static Optional<String> withoutRouteOut(Endpoint e, Map<String, Network> networks) {
    List<String> names = new ArrayList<>();
    boolean internal = false;
    for (Attachment a : e.attachments()) {
      Network n = networks.get(a.network());
      if (n == null || (n.driver() != Driver.MACVLAN && !n.internal())) {
        return Optional.empty();
      }
      internal |= n.driver() != Driver.MACVLAN;
      names.add((n.driver() == Driver.MACVLAN ? "macvlan" : "internal") + " network `" + n.name() + "`");
    }
    if (!internal) {
      return Optional.empty();
    }
    return Optional.of("it is on " + String.join(" and ", names) + " only, and no host forwards a"
        + " port into a network without a route out (as Docker does not)");
  }
}
