package dev.netc.runner.probe;

import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Protocol;
import java.net.InetSocketAddress;

/**
 * One connection the probe opens: from namespace {@code from}, to {@code to} in {@code
 * protocol} (TCP or UDP).
 */
public record Attempt(String from, Protocol protocol, InetSocketAddress to) {
  public Attempt {
    if (protocol == Protocol.SCTP) {
      throw new IllegalArgumentException("SCTP cannot be probed on this kernel");
    }
  }

  /** The family of the address connected to. */
  public IpAddress.Family family() {
    return to.getAddress() instanceof java.net.Inet4Address ? IpAddress.Family.V4 : IpAddress.Family.V6;
  }

  /** {@code 10.20.0.3:3000}, {@code [2001:db8::3]:3000}. */
  public String destination() {
    String host = IpAddress.parse(to.getAddress().getHostAddress()).value().map(IpAddress::toString)
        .orElse(to.getAddress().getHostAddress()); // RFC 5952, as everywhere in netc
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + to.getPort();
  }
}
