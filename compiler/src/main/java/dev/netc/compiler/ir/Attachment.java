package dev.netc.compiler.ir;

import dev.netc.compiler.source.Span;
import java.util.List;
import java.util.Optional;

/**
 * An endpoint's interface on a network, in attachment order ({@code eth0} first).
 *
 * @param addresses the endpoint's addresses on the network, at most one per family: the static
 *     ones the user gave and, once IPAM ran, the ones it assigned
 * @param assigned those of {@code addresses} that IPAM assigned (empty before IPAM)
 * @param aliases extra names that resolve to this endpoint on this network
 */
public record Attachment(
    String network, List<IpAddress> addresses, List<IpAddress> assigned, List<String> aliases,
    Optional<String> mac, Span span) {
  public Attachment {
    addresses = List.copyOf(addresses);
    assigned = List.copyOf(assigned);
    aliases = List.copyOf(aliases);
  }

  /** The addresses the user gave. */
  public List<IpAddress> staticAddresses() {
    return addresses.stream().filter(a -> !assigned.contains(a)).toList();
  }
}
