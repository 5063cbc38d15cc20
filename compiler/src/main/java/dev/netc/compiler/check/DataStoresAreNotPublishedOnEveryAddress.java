package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * No well-known database or cache port is published on every host address (no host address, or
 * {@code 0.0.0.0} or {@code ::}): such services often run without authentication, and scanners
 * look for them. The port judged is the container port, which says what listens; TCP for all of
 * them, and UDP too for memcached, whose UDP port is abused for amplification attacks. An
 * endpoint on no network with a route out (internal or macvlan ones only) has its ports
 * forwarded by no host (NETC221, NETC408), so it is not reported.
 */
final class DataStoresAreNotPublishedOnEveryAddress implements Check {
  private static final Map<Integer, String> SERVICES = new LinkedHashMap<>();

  static {
    SERVICES.put(3306, "MySQL or MariaDB");
    SERVICES.put(5432, "PostgreSQL");
    SERVICES.put(6379, "Redis");
    SERVICES.put(9200, "Elasticsearch");
    SERVICES.put(11211, "memcached");
    SERVICES.put(27017, "MongoDB");
  }

  @Override
  public Code code() {
    return Code.NETC403;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    Map<String, Network> networks = PublishNeedsOwnNetwork.byName(t);
    Set<Span> seen = new HashSet<>();
    for (Endpoint e : t.endpoints()) {
      if (e.mode() != NetMode.BRIDGE || PublishNeedsOwnNetwork.forwardsNoPort(e, networks)) {
        continue; // ignored, see PublishNeedsOwnNetwork and MacvlanMembersAreCutOffFromTheirHost
      }
      for (Publish p : e.publishes()) {
        if (!everyAddress(p) || !seen.add(p.span())) {
          continue;
        }
        List<String> found = new ArrayList<>();
        for (var s : SERVICES.entrySet()) {
          int port = s.getKey();
          boolean proto = p.protocol() == Protocol.TCP
              || (port == 11211 && p.protocol() == Protocol.UDP);
          if (proto && p.containerPorts().first() <= port && port <= p.containerPorts().last()) {
            found.add(port + "/" + p.protocol().label() + " (usually " + s.getValue() + ")");
          }
        }
        if (found.isEmpty()) {
          continue;
        }
        String how = p.hostAddress().map(a -> "`" + a + "`").orElse("no host address is given");
        out.add(Diagnostic.of(Code.NETC403, p.span(), "`" + Names.declared(e) + "` publishes "
                + String.join(" and ", found) + " on every host address (" + how
                + "): anyone who reaches the host reaches it")
            .withHint(hint(p)));
      }
    }
  }

  private static boolean everyAddress(Publish p) {
    return p.hostAddress().map(IpAddress::isUnspecified).orElse(true);
  }

  /**
   * Loopback instead of every address, keeping the ports (an automatic host port made fixed), in
   * the words of the input: a Compose file's {@code ports} and {@code networks}.
   */
  private static String hint(Publish p) {
    if (Names.input(p.span()) == Frontends.Input.COMPOSE) {
      String example = "`127.0.0.1:" + p.hostPorts().orElse(p.containerPorts()) + ":" + p.containerPorts()
          + (p.protocol() == Protocol.TCP ? "" : "/" + p.protocol().label()) + "`";
      return "bind it to the host's loopback (" + example + " in `ports`), or remove it from `ports` and"
          + " give the services that use it its network, in their `networks`";
    }
    String example = "`publish 127.0.0.1:" + p.hostPorts().orElse(p.containerPorts()) + " -> "
        + p.containerPorts() + "/" + p.protocol().label() + "`";
    return "bind it to the host's loopback (" + example + "), or drop the `publish` and"
        + " `attach` the containers that use it to its network";
  }
}
