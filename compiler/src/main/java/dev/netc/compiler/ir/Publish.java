package dev.netc.compiler.ir;

import dev.netc.compiler.source.Span;
import java.util.Optional;

/**
 * A published port: connections to the host on {@code hostPorts} are forwarded to the endpoint's
 * {@code containerPorts}.
 *
 * @param hostAddress the host address it binds to; empty means every address
 * @param hostPorts empty means a port chosen automatically
 */
public record Publish(
    Optional<IpAddress> hostAddress,
    Optional<PortRange> hostPorts,
    PortRange containerPorts,
    Protocol protocol,
    Span span) {}
