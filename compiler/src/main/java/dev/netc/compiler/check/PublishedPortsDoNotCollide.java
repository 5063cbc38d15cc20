package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * No two published ports claim the same host port: on one host, for one protocol, overlapping
 * host port ranges collide when their host addresses are equal or either is unspecified
 * (none binds every address; {@code 0.0.0.0} and {@code ::} every address of their family). Automatically chosen host ports never collide. Nor does a
 * published port take a port that a {@code host} mode endpoint of its host exposes, since that
 * endpoint listens on the host's own ports (on whatever address).
 */
final class PublishedPortsDoNotCollide implements Check {
  @Override
  public Code code() {
    return Code.NETC220;
  }

  private record Claim(Endpoint endpoint, Publish publish) {}

  @Override
  public void check(Topology t, Diagnostics out) {
    Map<String, List<Claim>> byHostAndProto = new HashMap<>();
    Set<List<Span>> reported = new HashSet<>(); // one report per pair of lines: replicas share theirs
    Map<String, Network> networks = PublishNeedsOwnNetwork.byName(t);
    for (Endpoint e : t.endpoints()) {
      if (e.mode() != NetMode.BRIDGE || PublishNeedsOwnNetwork.forwardsNoPort(e, networks)) {
        continue; // ignored, see PublishNeedsOwnNetwork
      }
      for (Publish p : e.publishes()) {
        if (p.hostPorts().isPresent()) {
          byHostAndProto.computeIfAbsent(e.host() + "|" + p.protocol(), k -> new ArrayList<>())
              .add(new Claim(e, p));
        }
      }
    }
    for (List<Claim> claims : byHostAndProto.values()) {
      claims.sort(Comparator.comparingInt((Claim c) -> c.publish().hostPorts().get().first()));
      // sweep: compare each claim with the earlier ones whose range still reaches it
      List<Claim> open = new ArrayList<>();
      for (Claim c : claims) {
        int first = c.publish().hostPorts().get().first();
        open.removeIf(o -> o.publish().hostPorts().get().last() < first);
        for (Claim o : open) {
          if (sameAddress(o.publish(), c.publish())) {
            report(out, o, c, reported);
            break;
          }
        }
        open.add(c);
      }
    }
    Set<List<Span>> told = new HashSet<>(); // one report for all replicas of either
    for (Endpoint h : t.endpoints()) {
      if (h.mode() != NetMode.HOST) {
        continue;
      }
      for (PortSpec listen : listens(h)) {
        for (Claim c : byHostAndProto.getOrDefault(h.host() + "|" + listen.protocol(), List.of())) {
          if (c.publish().hostPorts().get().overlaps(listen.range())
              && told.add(List.of(h.span(), c.publish().span()))) {
            String who = h.replicaOf().orElse(h.name());
            String publisher = c.endpoint().replicaOf().orElse(c.endpoint().name());
            out.add(Diagnostic.of(Code.NETC220, c.publish().span(), "`" + publisher + "` publishes "
                    + where(c.publish()) + " on host `" + h.host() + "`, where `" + who
                    + "` listens on " + listen + " in the host's own network stack (`mode host`)")
                .withRelated(h.span(), "`" + who + "` exposes " + listen + " here")
                .withHint("use another host port for the `publish` (or let netc choose one: "
                    + "`publish PORT/PROTO`), or give `" + who + "` a network of its own"));
          }
        }
      }
    }
    hostModeTwice(t, out);
  }

  /**
   * Two {@code host} mode endpoints of one host that listen on one port (in one protocol), or the
   * replicas of one (all on its host): they share the host's stack, where only one can bind it.
   */
  private static void hostModeTwice(Topology t, Diagnostics out) {
    Map<String, List<Endpoint>> byHost = new HashMap<>();
    for (Endpoint h : t.endpoints()) {
      if (h.mode() == NetMode.HOST) {
        byHost.computeIfAbsent(h.host(), k -> new ArrayList<>()).add(h);
      }
    }
    Set<List<Span>> told = new HashSet<>(); // one report per pair of declarations
    for (List<Endpoint> hs : byHost.values()) {
      for (int j = 1; j < hs.size(); j++) {
        Endpoint b = hs.get(j);
        for (int i = 0; i < j; i++) {
          Endpoint a = hs.get(i);
          Span first = a.span().compareTo(b.span()) <= 0 ? a.span() : b.span();
          Span second = first == a.span() ? b.span() : a.span();
          if (told.contains(List.of(first, second))) {
            continue;
          }
          shared(listens(a), listens(b)).ifPresent(port -> {
            told.add(List.of(first, second));
            String host = b.host();
            if (first.equals(second)) {
              String who = b.replicaOf().orElse(b.name());
              out.add(Diagnostic.of(Code.NETC220, b.span(), "replicas of `" + who + "` run in mode host on host `"
                      + host + "` and all listen on " + port + " in its network stack, where only one can bind it")
                  .withHint("use one replica, or give `" + who + "` a network of its own and publish the port"
                      + " (`publish PORT/PROTO` lets netc choose each replica's host port)"));
            } else {
              Endpoint x = first == a.span() ? a : b;
              Endpoint y = x == a ? b : a;
              String xn = x.replicaOf().orElse(x.name());
              String yn = y.replicaOf().orElse(y.name());
              out.add(Diagnostic.of(Code.NETC220, y.span(), "`" + yn + "` listens on " + port + " in the network stack of host `"
                      + host + "` (`mode host`), as `" + xn + "` does: only one of them can bind it")
                  .withRelated(x.span(), "`" + xn + "` exposes " + port + " here, in mode host")
                  .withHint("expose another port in one of them, or give one of them a network of its own"));
            }
          });
        }
      }
    }
  }

  /** The ports both lists listen on, in one protocol, joined for a message; empty when none. */
  private static java.util.Optional<String> shared(List<PortSpec> a, List<PortSpec> b) {
    List<String> both = new ArrayList<>();
    for (PortSpec x : a) {
      for (PortSpec y : b) {
        if (x.protocol() == y.protocol() && x.range().overlaps(y.range())) {
          int first = Math.max(x.range().first(), y.range().first());
          int last = Math.min(x.range().last(), y.range().last());
          String port = new PortSpec(new PortRange(first, last), x.protocol()).toString();
          if (!both.contains(port)) {
            both.add(port);
          }
        }
      }
    }
    return both.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(both.size() == 1 ? both.get(0)
        : String.join(", ", both.subList(0, both.size() - 1)) + " and " + both.get(both.size() - 1));
  }

  /** The ports a {@code host} mode endpoint listens on in its host's stack: what it and its members expose. */
  static List<PortSpec> listens(Endpoint h) {
    List<PortSpec> ports = new ArrayList<>(h.exposes());
    h.members().forEach(m -> ports.addAll(m.exposes()));
    return ports;
  }

  /**
   * Whether two lines bind a common host address: no address binds every address, {@code
   * 0.0.0.0} every IPv4 one, {@code ::} every IPv6 one.
   */
  private static boolean sameAddress(Publish a, Publish b) {
    if (a.hostAddress().isEmpty() || b.hostAddress().isEmpty()) {
      return true;
    }
    var x = a.hostAddress().get();
    var y = b.hostAddress().get();
    return x.family() == y.family() && (x.equals(y) || x.isUnspecified() || y.isUnspecified());
  }

  private static String where(Publish p) {
    return p.hostAddress().map(a -> a.isV4() ? a + ":" : "[" + a + "]:").orElse("")
        + p.hostPorts().get() + "/" + p.protocol().label();
  }

  private static void report(Diagnostics out, Claim first, Claim second, Set<List<Span>> reported) {
    Claim a = first.publish().span().compareTo(second.publish().span()) <= 0 ? first : second;
    Claim b = a == first ? second : first;
    if (!reported.add(List.of(a.publish().span(), b.publish().span()))) {
      return;
    }
    String same = a.endpoint().replicaOf().isPresent()
        && a.endpoint().replicaOf().equals(b.endpoint().replicaOf())
        ? " (replicas on one host cannot publish one port)" : "";
    out.add(Diagnostic.of(Code.NETC220, b.publish().span(), "`" + b.endpoint().name()
            + "` publishes " + where(b.publish()) + ", which `" + a.endpoint().name()
            + "` already publishes on host `" + b.endpoint().host() + "`" + same)
        .withRelated(a.publish().span(), "`" + a.endpoint().name() + "` publishes " + where(a.publish()) + " here")
        .withHint(inWords(b.publish(), same.isEmpty()
            ? "use another host port or host address, or let netc choose one (`publish PORT/PROTO`)"
            : "let netc choose each replica's host port (`publish PORT/PROTO`), or use one replica")));
  }

  /** {@code hint} in a Compose file's words when {@code p} is one of its {@code ports}: the container port alone. */
  private static String inWords(Publish p, String hint) {
    if (!PublishNeedsOwnNetwork.compose(p)) {
      return hint;
    }
    String alone = "(the container port alone in `ports`, `\"" + p.containerPorts()
        + (p.protocol() == Protocol.TCP ? "" : "/" + p.protocol().label()) + "\"`)";
    return hint.replace("let netc choose one (`publish PORT/PROTO`)", "let Docker choose one " + alone)
        .replace("let netc choose each replica's host port (`publish PORT/PROTO`)", "let Docker choose each replica's host port " + alone);
  }
}
