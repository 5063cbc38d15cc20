package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.AutomaticPorts;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A port published on {@code ::1} is forwarded by no host: IPv6 has no {@code route_localnet},
 * so the kernel drops a packet from {@code ::1} that a DNAT sends out of the host's loopback,
 * and nothing else reaches {@code ::1}. The kernel plan says so in a note and the model gives the
 * port no path; this says it to the user, whatever the families of the endpoint's addresses.
 * One report per {@code publish}, for all the replicas. Ports that no host forwards anyway (host
 * or none mode, no network with a route out) are {@link PublishNeedsOwnNetwork}'s (and NETC408's).
 */
final class PublishOnIpv6LoopbackIsNotForwarded implements Check {
  private static final IpAddress V6_LOOPBACK = IpAddress.parse("::1").get();
  private static final IpAddress V4_LOOPBACK = IpAddress.parse("127.0.0.1").get();
  private static final IpAddress V4_ANY = IpAddress.parse("0.0.0.0").get();

  @Override
  public Code code() {
    return Code.NETC228;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    Map<String, Network> networks = PublishNeedsOwnNetwork.byName(t);
    Set<Publish> seen = new HashSet<>();
    for (Endpoint e : t.endpoints()) {
      if (e.mode() != NetMode.BRIDGE || AutomaticPorts.routeOut(e, networks).isEmpty()) {
        continue; // ignored in any case: NETC221, NETC408
      }
      for (Publish p : e.publishes()) {
        if (!p.hostAddress().equals(Optional.of(V6_LOOPBACK)) || !seen.add(p)) {
          continue;
        }
        boolean compose = PublishNeedsOwnNetwork.compose(p);
        out.add(Diagnostic.of(Code.NETC228, p.span(), "this published port of `" + Names.declared(e)
                + "` is not forwarded: it binds `::1`, and IPv6 has no `route_localnet`, so no host"
                + " forwards its IPv6 loopback address to a container")
            .withHint(hint(e, p, networks, compose)));
      }
    }
  }

  /**
   * What to do instead: publish on {@code 127.0.0.1} (every network has an IPv4 subnet, so every
   * endpoint here has an IPv4 address to forward it to), unless another line of the endpoint
   * forwards that port of {@code 127.0.0.1} already (a second one would collide, NETC220).
   */
  private static String hint(Endpoint e, Publish p, Map<String, Network> networks, boolean compose) {
    String remove = compose ? "remove the port from `ports`" : "remove the `publish`";
    Optional<Publish> loopback = e.publishes().stream()
        .filter(o -> o != p && o.protocol() == p.protocol()
            && o.hostAddress().map(a -> a.equals(V4_LOOPBACK) || a.equals(V4_ANY)).orElse(true)
            && o.hostPorts().isPresent() && p.hostPorts().isPresent() && o.hostPorts().get().overlaps(p.hostPorts().get()))
        .findFirst();
    if (loopback.isPresent()) {
      return remove + ": line " + loopback.get().span().line() + " forwards this port of the host's IPv4"
          + " loopback address already";
    }
    return compose
        ? "write `127.0.0.1` instead of `::1` in `ports` (the host's IPv4 loopback address is forwarded), or " + remove
        : "publish on `127.0.0.1` instead (the host's IPv4 loopback address is forwarded), or " + remove;
  }
}
