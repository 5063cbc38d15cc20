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
        out.add(Diagnostic.of(Code.NETC228, p.span(), "this published port of `" + Names.declared(e)
                + "` is not forwarded: it binds `::1`, and IPv6 has no `route_localnet`, so no host"
                + " forwards its IPv6 loopback address to a container")
            .withHint(PublishNeedsOwnNetwork.compose(p)
                ? "write `127.0.0.1` instead of `::1` in `ports` (the host's IPv4 loopback address is"
                    + " forwarded), or remove the port from `ports`"
                : "publish on `127.0.0.1` instead (the host's IPv4 loopback address is forwarded), or"
                    + " remove the `publish`"));
      }
    }
  }
}
