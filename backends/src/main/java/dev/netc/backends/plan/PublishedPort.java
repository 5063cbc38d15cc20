package dev.netc.backends.plan;

import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.source.Span;
import java.util.Optional;

/**
 * One host port forwarded to one container port (a {@code publish} range gives one per port),
 * for one address family: the DNAT the nftables ruleset does.
 *
 * @param scope which host addresses take the port
 * @param hostAddress the address for {@link Scope#ADDRESS} and {@link Scope#LOOPBACK}
 * @param target the endpoint's address on its first network with a route out (the model's
 *     published port needs one)
 * @param bridge the bridge of that network
 * @param automatic the host port was chosen by netc ({@code publish PORT/PROTO})
 */
public record PublishedPort(
    Scope scope,
    IpAddress.Family family,
    Optional<IpAddress> hostAddress,
    Protocol protocol,
    int hostPort,
    IpAddress target,
    int targetPort,
    String bridge,
    String endpoint,
    boolean automatic,
    Span span) {

  /** Which host addresses a port is published on. */
  public enum Scope {
    /** Every address of the family (no host address, or {@code 0.0.0.0} / {@code ::}). */
    ANY,
    /** One host address that is not loopback. */
    ADDRESS,
    /** An IPv4 loopback address: reached from the host itself only. */
    LOOPBACK
  }

  public PublishedPort {
    if (target.family() != family || hostAddress.map(a -> a.family() != family).orElse(false)) {
      throw new IllegalArgumentException("published port mixes address families");
    }
    if ((scope == Scope.ANY) != hostAddress.isEmpty()) {
      throw new IllegalArgumentException("a published port has a host address unless it takes every one");
    }
  }
}
