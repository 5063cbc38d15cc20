package dev.netc.backends.plan;

import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.MacvlanMode;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * A network interface of the desired state, always up: an endpoint namespace's loopback, a
 * bridge (one per bridge or overlay network per host), one end of a veth pair, the VXLAN device
 * of an overlay network, a container's macvlan sub-interface, or a VLAN sub-interface. A veth pair is created in one
 * command from its host end, with the container end made straight in the endpoint's namespace
 * ({@code link add H type veth peer name eth0 netns NS}); no interface ever moves between
 * namespaces.
 *
 * @param alias the ownership mark ({@link Ownership})
 * @param master the bridge a veth's host end is enslaved to
 * @param peer the other end of a veth
 * @param createsPeer true on the host end of a veth: its creation makes the peer too
 * @param mac a MAC address the topology fixes (on a container end), netc derives (a macvlan
 *     sub-interface) or gives every host alike (the bridge of an overlay network)
 * @param params what a VXLAN, macvlan or VLAN link is made of (empty for the other types)
 * @param hairpin on a veth's host end: the bridge may send a frame back out of the port it came
 *     in by ({@code bridge_slave hairpin on}), for an endpoint that reaches a service forwarding
 *     to itself
 */
public record Link(
    String namespace,
    String name,
    Type type,
    String alias,
    OptionalInt mtu,
    Optional<String> master,
    Optional<Ref> peer,
    boolean createsPeer,
    Optional<String> mac,
    Optional<Params> params,
    boolean hairpin) implements KernelObject {
  private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

  /** What kind of link. */
  public enum Type {
    LOOPBACK,
    BRIDGE,
    VETH,
    /** The tunnel end of an overlay network on one host, a port of the network's bridge. */
    VXLAN,
    /** A container's sub-interface of a host interface (the parent), made in its namespace. */
    MACVLAN,
    /** An 802.1q sub-interface ({@code eth0.10}) of a host interface, a macvlan parent. */
    VLAN
  }

  /** What the links that are not plain devices are made of. */
  public sealed interface Params {}

  /**
   * A VXLAN device: {@code id VNI dstport PORT [local ADDRESS] [dev DEVICE] nolearning}; the
   * remote hosts are static {@link FdbEntry forwarding entries}, never learnt.
   *
   * @param local the host's underlay address
   * @param device the underlay interface (in a sandbox: the host namespace's {@code underlay})
   */
  public record Vxlan(int vni, int port, Optional<IpAddress> local, Optional<String> device) implements Params {
    public Vxlan {
      if (vni < 1 || vni > 16777215 || port < 1 || port > 65535) {
        throw new IllegalArgumentException("bad vxlan id " + vni + " or port " + port);
      }
      device.ifPresent(KernelNames::checkIfname);
    }
  }

  /**
   * A macvlan sub-interface, created by the host namespace straight into the endpoint's (the
   * kernel looks the parent up where the command runs, and makes the link where {@code netns}
   * says).
   *
   * @param parent the parent interface in the host namespace
   * @param hostNamespace where the parent is and the creating command runs
   */
  public record Macvlan(String parent, String hostNamespace, MacvlanMode mode) implements Params {
    public Macvlan {
      KernelNames.checkIfname(parent);
      KernelNames.checkNetns(hostNamespace);
    }
  }

  /** An 802.1q VLAN sub-interface of {@code parent} with VLAN id {@code id}. */
  public record Vlan(String parent, int id) implements Params {
    public Vlan {
      KernelNames.checkIfname(parent);
      if (id < 1 || id > 4094) {
        throw new IllegalArgumentException("bad vlan id " + id);
      }
    }
  }

  /** A link by namespace and name. */
  public record Ref(String namespace, String name) {
    public Ref {
      KernelNames.checkNetns(namespace);
      KernelNames.checkIfname(name);
    }
  }

  /** A link without hairpin mode. */
  public Link(String namespace, String name, Type type, String alias, OptionalInt mtu, Optional<String> master,
      Optional<Ref> peer, boolean createsPeer, Optional<String> mac, Optional<Params> params) {
    this(namespace, name, type, alias, mtu, master, peer, createsPeer, mac, params, false);
  }

  /** A link of a plain type (loopback, bridge or veth end), with or without hairpin mode. */
  public Link(String namespace, String name, Type type, String alias, OptionalInt mtu, Optional<String> master,
      Optional<Ref> peer, boolean createsPeer, Optional<String> mac, boolean hairpin) {
    this(namespace, name, type, alias, mtu, master, peer, createsPeer, mac, Optional.empty(), hairpin);
  }

  public Link {
    KernelNames.checkNetns(namespace);
    KernelNames.checkIfname(name);
    Objects.requireNonNull(alias);
    if (!alias.startsWith(Ownership.PREFIX) || alias.length() > 255 || alias.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new IllegalArgumentException("bad alias `" + alias + "`");
    }
    master.ifPresent(KernelNames::checkIfname);
    if (hairpin && master.isEmpty()) {
      throw new IllegalArgumentException("hairpin mode needs a bridge port");
    }
    if (type == Type.VETH && peer.isEmpty()) {
      throw new IllegalArgumentException("a veth needs its peer");
    }
    boolean fits = switch (type) {
      case VXLAN -> params.filter(p -> p instanceof Vxlan).isPresent();
      case MACVLAN -> params.filter(p -> p instanceof Macvlan).isPresent();
      case VLAN -> params.filter(p -> p instanceof Vlan).isPresent();
      default -> params.isEmpty();
    };
    if (!fits) {
      throw new IllegalArgumentException("link " + name + " of type " + type + " with " + params);
    }
    mac.ifPresent(m -> {
      if (!MAC.matcher(m).matches()) {
        throw new IllegalArgumentException("bad MAC address `" + m + "`");
      }
    });
  }

  /** A link of a plain type (loopback, bridge or veth end) without hairpin mode. */
  public Link(String namespace, String name, Type type, String alias, OptionalInt mtu, Optional<String> master,
      Optional<Ref> peer, boolean createsPeer, Optional<String> mac) {
    this(namespace, name, type, alias, mtu, master, peer, createsPeer, mac, Optional.empty(), false);
  }

  /** The same link with hairpin mode on. */
  public Link withHairpin() {
    return new Link(namespace, name, type, alias, mtu, master, peer, createsPeer, mac, params, true);
  }

  public Ref ref() {
    return new Ref(namespace, name);
  }

  @Override
  public ObjectId id() {
    return new ObjectId(ObjectId.Kind.LINK, namespace, name);
  }
}
