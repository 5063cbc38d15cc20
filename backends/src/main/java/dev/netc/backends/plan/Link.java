package dev.netc.backends.plan;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * A network interface of the desired state, always up: an endpoint namespace's loopback, a
 * bridge (one per network per host), or one end of a veth pair. A veth pair is created in one
 * command from its host end, with the container end made straight in the endpoint's namespace
 * ({@code link add H type veth peer name eth0 netns NS}); no interface ever moves between
 * namespaces.
 *
 * @param alias the ownership mark ({@link Ownership})
 * @param master the bridge a veth's host end is enslaved to
 * @param peer the other end of a veth
 * @param createsPeer true on the host end of a veth: its creation makes the peer too
 * @param mac a MAC address the topology fixes (on a container end)
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
    boolean hairpin) implements KernelObject {
  private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

  /** What kind of link. */
  public enum Type {
    LOOPBACK,
    BRIDGE,
    VETH
  }

  /** A link by namespace and name. */
  public record Ref(String namespace, String name) {
    public Ref {
      KernelNames.checkNetns(namespace);
      KernelNames.checkIfname(name);
    }
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
    mac.ifPresent(m -> {
      if (!MAC.matcher(m).matches()) {
        throw new IllegalArgumentException("bad MAC address `" + m + "`");
      }
    });
  }

  /** A link without hairpin mode. */
  public Link(String namespace, String name, Type type, String alias, OptionalInt mtu, Optional<String> master,
      Optional<Ref> peer, boolean createsPeer, Optional<String> mac) {
    this(namespace, name, type, alias, mtu, master, peer, createsPeer, mac, false);
  }

  /** The same link with hairpin mode on. */
  public Link withHairpin() {
    return new Link(namespace, name, type, alias, mtu, master, peer, createsPeer, mac, true);
  }

  public Ref ref() {
    return new Ref(namespace, name);
  }

  @Override
  public ObjectId id() {
    return new ObjectId(ObjectId.Kind.LINK, namespace, name);
  }
}
