package dev.netc.compiler.ir;

import java.util.List;
import java.util.Optional;

/**
 * The other side of a policy rule: every peer, endpoints by labels (optionally in namespaces
 * chosen by labels), an address block with exceptions, or a special endpoint ({@code @outside},
 * {@code @host}).
 */
public record Peer(
    Kind kind,
    Optional<Selector> namespaces,
    Selector endpoints,
    Optional<Cidr> cidr,
    List<Cidr> except,
    Optional<String> special) {

  /** What a peer names. */
  public enum Kind {
    ALL,
    ENDPOINTS,
    CIDR,
    SPECIAL
  }

  public Peer {
    except = List.copyOf(except);
  }

  public static Peer all() {
    return new Peer(Kind.ALL, Optional.empty(), Selector.ALL, Optional.empty(), List.of(),
        Optional.empty());
  }

  public static Peer endpoints(Optional<Selector> namespaces, Selector endpoints) {
    return new Peer(Kind.ENDPOINTS, namespaces, endpoints, Optional.empty(), List.of(),
        Optional.empty());
  }

  public static Peer cidr(Cidr cidr, List<Cidr> except) {
    return new Peer(Kind.CIDR, Optional.empty(), Selector.ALL, Optional.of(cidr), except,
        Optional.empty());
  }

  public static Peer special(String name) {
    return new Peer(Kind.SPECIAL, Optional.empty(), Selector.ALL, Optional.empty(), List.of(),
        Optional.of(name));
  }
}
