package dev.netc.compiler.ir;

import dev.netc.compiler.source.Span;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A layer-2 network that endpoints attach to.
 *
 * @param subnets at most one IPv4 and one IPv6 subnet, IPv4 first
 * @param resolve whether members resolve each other by name (off for the {@code default} network)
 * @param implicit true for the {@code default} network that netc adds for endpoints with no
 *     attachment
 * @param overlay VXLAN settings, present exactly when the driver is overlay
 * @param macvlan macvlan settings, present exactly when the driver is macvlan
 */
public record Network(
    String name,
    Driver driver,
    List<Subnet> subnets,
    OptionalInt mtu,
    boolean internal,
    boolean resolve,
    boolean implicit,
    Optional<Overlay> overlay,
    Optional<Macvlan> macvlan,
    Span span) {
  /** IPv6's minimum link MTU (RFC 8200): under it, the kernel keeps no IPv6 state on a link. */
  public static final int IPV6_MIN_MTU = 1280;

  public static final String DEFAULT = "default";

  public Network {
    subnets = List.copyOf(subnets);
  }

  /** VXLAN settings of an overlay network. */
  public record Overlay(int vni, int port, boolean encrypted) {}

  /** The parent interface and mode of a macvlan network. */
  public record Macvlan(String parent, MacvlanMode mode) {}
}
