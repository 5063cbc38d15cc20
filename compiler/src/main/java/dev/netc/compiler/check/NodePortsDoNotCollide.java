package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Service;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * No node port is claimed twice. A node port is opened on every address of every host but
 * loopback. As Kubernetes allocates them, a node port belongs to one service port number of one
 * service, whatever its protocol: it collides with the same node port of another service (of any
 * namespace and protocol), and of another port of the same service; only the protocols of one
 * port ({@code port 53/udp} and {@code port 53/tcp}) may share it. For its protocol, it collides
 * with a fixed published host port range that contains it, on whatever host, unless that
 * `publish` binds a loopback address, and with a port that a {@code host} mode endpoint of any
 * host exposes, since that endpoint listens on its host's own ports.
 */
final class NodePortsDoNotCollide implements Check {
  private static final Cidr V4_LOOPBACK = Cidr.parse("127.0.0.0/8").get();
  private static final Cidr V6_LOOPBACK = Cidr.parse("::1/128").get();

  @Override
  public Code code() {
    return Code.NETC225;
  }

  private record NodePort(Service service, Service.Port port) {}

  @Override
  public void check(Topology t, Diagnostics out) {
    List<NodePort> nodePorts = new ArrayList<>();
    for (Service s : t.services()) {
      for (Service.Port p : s.ports()) {
        if (p.nodePort().isPresent()) {
          nodePorts.add(new NodePort(s, p));
        }
      }
    }
    nodePorts.sort((a, b) -> a.port().span().compareTo(b.port().span()));
    Map<Integer, List<NodePort>> earlier = new HashMap<>();
    for (NodePort n : nodePorts) {
      List<NodePort> same = earlier.computeIfAbsent(n.port().nodePort().getAsInt(), k -> new ArrayList<>());
      // the first claim of the same protocol, else the first other claim it cannot share with
      same.stream().filter(prev -> prev.port().protocol() == n.port().protocol()).findFirst()
          .or(() -> same.stream().filter(prev -> !shared(prev, n)).findFirst())
          .ifPresent(prev -> out.add(collision(prev, n)));
      same.add(n);
    }
    Map<String, Network> networks = PublishNeedsOwnNetwork.byName(t);
    for (NodePort n : nodePorts) {
      hostMode(t, n, out);
      Set<Span> seen = new HashSet<>(); // one report for all replicas of a container
      for (Endpoint e : t.endpoints()) {
        if (e.mode() != NetMode.BRIDGE || PublishNeedsOwnNetwork.forwardsNoPort(e, networks)) {
          continue; // ignored, see PublishNeedsOwnNetwork
        }
        for (Publish p : e.publishes()) {
          if (p.protocol() == n.port().protocol() && p.hostPorts().isPresent()
              && p.hostPorts().get().contains(PortRange.of(n.port().nodePort().getAsInt()))
              && !p.hostAddress().map(NodePortsDoNotCollide::loopback).orElse(false)
              && seen.add(p.span())) {
            String who = e.replicaOf().orElse(e.name());
            out.add(Diagnostic.of(Code.NETC225, n.port().span(), "service `" + n.service().name()
                    + "` opens node port " + label(n.port()) + " on every host, but `" + who
                    + "` publishes " + where(p) + " on host `" + e.host() + "`")
                .withRelated(p.span(), "`" + who + "` publishes " + where(p) + " here")
                .withHint("use another node port, or another host port for the `publish` (or let netc"
                    + " choose one: `publish PORT/PROTO`)"));
          }
        }
      }
    }
  }

  /** Kubernetes gives one node port to the protocols of one port of one service, and to nothing else. */
  private static boolean shared(NodePort a, NodePort b) {
    return a.service() == b.service() && a.port().port() == b.port().port()
        && a.port().protocol() != b.port().protocol();
  }

  private static Diagnostic collision(NodePort prev, NodePort n) {
    String who = "service `" + n.service().name() + "` opens node port " + label(n.port());
    Diagnostic d;
    String hint = "give each service port its own node port (30000-32767)";
    if (prev.port().protocol() == n.port().protocol()) {
      d = Diagnostic.of(Code.NETC225, n.port().span(), who + ", which " + (prev.service() == n.service()
          ? "it" : "service `" + prev.service().name() + "`") + " already opens on every host");
    } else if (prev.service() != n.service()) {
      d = Diagnostic.of(Code.NETC225, n.port().span(), who + ", but service `" + prev.service().name()
          + "` opens " + label(prev.port()) + ": Kubernetes gives a node port to one service, whatever"
          + " the protocol");
      hint = "give each service its own node ports (30000-32767)";
    } else {
      d = Diagnostic.of(Code.NETC225, n.port().span(), who + " for port " + n.port().port() + " and "
          + label(prev.port()) + " for port " + prev.port().port() + ": Kubernetes shares a node port"
          + " between protocols only for one port of a service");
      hint = "give each service port its own node port (30000-32767), or serve both protocols on one port";
    }
    return d.withRelated(prev.port().span(), "`" + prev.service().name() + "` opens node port "
            + label(prev.port()) + " here")
        .withHint(hint);
  }

  private static void hostMode(Topology t, NodePort n, Diagnostics out) {
    Set<Span> seen = new HashSet<>(); // one report for all replicas of an endpoint
    for (Endpoint h : t.endpoints()) {
      if (h.mode() != NetMode.HOST || seen.contains(h.span())) {
        continue;
      }
      for (PortSpec listen : PublishedPortsDoNotCollide.listens(h)) {
        if (listen.protocol() == n.port().protocol()
            && listen.range().contains(PortRange.of(n.port().nodePort().getAsInt())) && seen.add(h.span())) {
          String who = h.replicaOf().orElse(h.name());
          out.add(Diagnostic.of(Code.NETC225, n.port().span(), "service `" + n.service().name()
                  + "` opens node port " + label(n.port()) + " on every host, but `" + who + "` listens on "
                  + listen + " on host `" + h.host() + "` in the host's own network stack (`mode host`)")
              .withRelated(h.span(), "`" + who + "` exposes " + listen + " here")
              .withHint("use another node port, or give `" + who + "` a network of its own"));
        }
      }
    }
  }

  private static String label(Service.Port p) {
    return p.nodePort().getAsInt() + "/" + p.protocol().label();
  }

  private static boolean loopback(IpAddress a) {
    return (a.isV4() ? V4_LOOPBACK : V6_LOOPBACK).contains(a);
  }

  private static String where(Publish p) {
    return p.hostAddress().map(a -> a.isV4() ? a + ":" : "[" + a + "]:").orElse("")
        + p.hostPorts().get() + "/" + p.protocol().label();
  }
}
