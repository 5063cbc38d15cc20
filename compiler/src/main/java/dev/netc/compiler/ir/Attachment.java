package dev.netc.compiler.ir;

import dev.netc.compiler.source.Span;
import java.util.List;
import java.util.Optional;

/**
 * An endpoint's interface on a network, in attachment order ({@code eth0} first).
 *
 * @param addresses static addresses the user gave (at most one per family); the rest come from
 *     IPAM
 * @param aliases extra names that resolve to this endpoint on this network
 */
public record Attachment(
    String network, List<IpAddress> addresses, List<String> aliases, Optional<String> mac,
    Span span) {
  public Attachment {
    addresses = List.copyOf(addresses);
    aliases = List.copyOf(aliases);
  }
}
