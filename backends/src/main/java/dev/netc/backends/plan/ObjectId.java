package dev.netc.backends.plan;

import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;

/**
 * The stable identity of a kernel object: its kind, the network namespace it lives in and its
 * name there. Two desired states of one topology name the same object the same way, so a runner
 * diffs them (and the live state) by identity.
 *
 * @param namespace the network namespace ({@code ""}: the real host namespace; for a namespace
 *     itself, and for files, the namespace they belong to is in the name)
 * @param name unique for the kind within the namespace: an interface name, {@code
 *     DEVICE/ADDRESS/PREFIX}, a route's destination, {@code DEVICE/MAC/REMOTE} of a forwarding
 *     entry, {@code state SRC>DST spi SPI} or {@code policy DIR SRC>DST udp/PORT}, a sysctl key, a
 *     file path, {@code inet TABLE}
 */
public record ObjectId(Kind kind, String namespace, String name) implements Comparable<ObjectId> {
  /** What an object is. */
  public enum Kind {
    NAMESPACE,
    LINK,
    ADDRESS,
    ROUTE,
    /**
     * A policy routing rule ({@code ip rule}), named by the words of {@code ip rule}: never
     * desired, read only in an endpoint's namespace, where one made by hand is unexpected.
     */
    RULE,
    /** A static forwarding entry of a VXLAN device ({@code bridge fdb}). */
    FDB,
    /** An IPsec (xfrm) security association or policy of an encrypted overlay. */
    XFRM,
    SYSCTL,
    FILE,
    TABLE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final Comparator<ObjectId> ORDER = Comparator.comparing(ObjectId::kind)
      .thenComparing(ObjectId::namespace).thenComparing(ObjectId::name);

  public ObjectId {
    Objects.requireNonNull(kind);
    Objects.requireNonNull(namespace);
    Objects.requireNonNull(name);
  }

  /** How a namespace is shown: its name, or {@code (host)} for the real host namespace. */
  public static String show(String namespace) {
    return namespace.isEmpty() ? "(host)" : namespace;
  }

  /**
   * Written out rather than the record's own (which goes through method handles: the diff of
   * 1,000 containers, some 12,000 objects looked up in maps, spent a tenth of its time there in
   * a JVM that compiles with C1 only).
   */
  @Override
  public boolean equals(Object o) {
    return this == o || o instanceof ObjectId other && kind == other.kind && name.equals(other.name)
        && namespace.equals(other.namespace);
  }

  @Override
  public int hashCode() {
    return (kind.ordinal() * 31 + namespace.hashCode()) * 31 + name.hashCode();
  }

  @Override
  public int compareTo(ObjectId o) {
    return ORDER.compare(this, o);
  }

  /** {@code kind:namespace:name}, as plans and diffs print it. */
  @Override
  public String toString() {
    return kind.label() + ":" + show(namespace) + ":" + name;
  }
}
