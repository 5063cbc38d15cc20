package dev.netc.backends.plan;

import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Host;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Topology;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the overlay and macvlan drivers need beyond a bridge network: the hosts a network spans,
 * the sandbox underlay, and the MAC addresses netc gives.
 */
final class Drivers {
  /** The bytes VXLAN adds to a frame (outer Ethernet, IPv4, UDP, VXLAN headers). */
  static final int VXLAN_OVERHEAD = 50;

  /** The same over an IPv6 underlay, whose header is 20 bytes longer: the kernel keeps the tunnel within it. */
  static final int VXLAN_OVERHEAD_V6 = 70;

  private Drivers() {}

  /** The hosts with a {@code mode bridge} member of {@code n}, in declaration order. */
  static List<String> spannedHosts(Topology t, Network n) {
    Set<String> hosts = new LinkedHashSet<>();
    for (Endpoint e : t.endpoints()) {
      if (e.mode() == NetMode.BRIDGE && e.attachments().stream().anyMatch(a -> a.network().equals(n.name()))) {
        hosts.add(e.host());
      }
    }
    return t.hosts().stream().map(Host::name).filter(hosts::contains).toList();
  }

  /** Whether the topology's hosts get their own namespaces in sandbox {@code sandbox}. */
  static boolean hostNamespaces(Topology t, String sandbox) {
    return !sandbox.isEmpty() && t.hosts().size() > 1;
  }

  /**
   * The sandbox underlay: for every host that declares an underlay address, its address on it.
   * The subnet is a /24 (IPv4) or /64 (IPv6), or the smallest wider one that holds every host's
   * address of that family; {@code S} routes at its highest address that no host takes (below the
   * IPv4 broadcast address).
   */
  static Map<String, Underlay> underlays(Topology t, String sandbox) {
    Map<String, Underlay> out = new LinkedHashMap<>();
    if (!hostNamespaces(t, sandbox)) {
      return out;
    }
    for (IpAddress.Family f : IpAddress.Family.values()) {
      List<IpAddress> all = new ArrayList<>();
      t.hosts().forEach(h -> h.underlay().filter(a -> a.family() == f).ifPresent(all::add));
      if (all.isEmpty()) {
        continue;
      }
      int prefix = f == IpAddress.Family.V4 ? 24 : 64;
      while (prefix > 0 && !allIn(all, prefix)) {
        prefix--;
      }
      IpAddress base = Cidr.mask(all.get(0), prefix);
      int hostBits = f.bits() - prefix;
      IpAddress router = hostBits >= 63 ? base.plus(Long.MAX_VALUE - 1) : base.plus((1L << hostBits) - 2);
      while (all.contains(router)) {
        router = router.plus(-1);
      }
      for (Host h : t.hosts()) {
        if (h.underlay().filter(a -> a.family() == f).isPresent()) {
          out.put(h.name(), new Underlay(h.name(), KernelNames.hostNamespace(sandbox, h.name()),
              h.underlay().get(), prefix, router));
        }
      }
    }
    return out;
  }

  private static boolean allIn(List<IpAddress> all, int prefix) {
    Cidr c = new Cidr(Cidr.mask(all.get(0), prefix), prefix);
    return all.stream().allMatch(c::contains);
  }

  /**
   * The MAC address of a network's bridge, the gateway's ({@code 02:} and five bytes of the
   * SHA-256 of {@code gateway:TOPOLOGY:NETWORK}), fixed at its creation. A bridge without one
   * takes the lowest MAC address of its ports and changes it when a port comes or goes; the
   * members keep the old one in their neighbour caches and lose the gateway (the host, the way
   * out, the replies of published ports) for some 10 s, until the kernel gives up on it. Docker
   * fixes its bridges' MAC addresses for the same reason. On an overlay network it is the same
   * on every host: every host has the gateway address on its bridge, and a member that asks
   * for the gateway gets one answer whichever host replies, and its frames to the gateway stay
   * on its own host (a bridge keeps frames to its own address). Frames of another host's bridge
   * that cross the tunnel carry this host's own address as their source: the bridge logs them
   * and forwards them (measured, docs/drivers.md), but a member's answer to that address stays on
   * the member's own host.
   */
  static String gatewayMac(String topology, String network) {
    return mac("02", sha256("gateway:" + topology + ":" + network), 5);
  }

  /**
   * The MAC address of a macvlan sub-interface that the topology does not fix: {@code 02:42} and
   * the four bytes of the member's IPv4 address on the network, as Docker derives it ({@code
   * 192.0.2.50} gives {@code 02:42:c0:00:02:32}); without an IPv4 address, {@code 02:} and five
   * bytes of the SHA-256 of {@code macvlan:TOPOLOGY:ENDPOINT:INDEX}, also when the IPv4 one is
   * a MAC address another attachment of the network fixes ({@code taken}).
   */
  static String macvlanMac(String topology, String endpoint, int index, List<IpAddress> addresses, Set<String> taken) {
    return memberMac("macvlan", topology, endpoint, index, addresses, taken);
  }

  /**
   * The MAC address of a container's end of a veth on a bridge network that the topology does
   * not fix, derived as {@link #macvlanMac} (the hash of {@code veth:TOPOLOGY:ENDPOINT:INDEX}
   * without an IPv4 address). Known in advance, it is what the container's port on the bridge
   * may send from (the port filter), so that no container takes another's frames by sending
   * with its MAC address.
   */
  static String vethMac(String topology, String endpoint, int index, List<IpAddress> addresses, Set<String> taken) {
    return memberMac("veth", topology, endpoint, index, addresses, taken);
  }

  private static String memberMac(String kind, String topology, String endpoint, int index, List<IpAddress> addresses,
      Set<String> taken) {
    Optional<IpAddress> v4 = addresses.stream().filter(IpAddress::isV4).findFirst();
    if (v4.isPresent()) {
      long a = v4.get().lo();
      String fromIpv4 = String.format(Locale.ROOT, "02:42:%02x:%02x:%02x:%02x", (a >>> 24) & 255, (a >>> 16) & 255,
          (a >>> 8) & 255, a & 255);
      if (!taken.contains(fromIpv4)) {
        return fromIpv4;
      }
    }
    return mac("02", sha256(kind + ":" + topology + ":" + endpoint + ":" + index), 5);
  }

  private static String mac(String first, byte[] bytes, int count) {
    StringBuilder out = new StringBuilder(first);
    for (int i = 0; i < count; i++) {
      out.append(String.format(Locale.ROOT, ":%02x", bytes[i] & 255));
    }
    return out.toString();
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * Splits a macvlan parent such as {@code eth0.10} into the trunk and the 802.1q VLAN id, when
   * the part after the last dot is a VLAN id (1-4094).
   */
  static Optional<Map.Entry<String, Integer>> vlan(String parent) {
    int dot = parent.lastIndexOf('.');
    if (dot <= 0 || dot == parent.length() - 1) {
      return Optional.empty();
    }
    String id = parent.substring(dot + 1);
    if (!id.matches("[0-9]{1,4}") || Integer.parseInt(id) < 1 || Integer.parseInt(id) > 4094) {
      return Optional.empty();
    }
    return Optional.of(Map.entry(parent.substring(0, dot), Integer.parseInt(id)));
  }
}
