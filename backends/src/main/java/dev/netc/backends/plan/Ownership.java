package dev.netc.backends.plan;

/**
 * The marks that tell a topology's kernel objects from everyone else's. A runner changes or
 * deletes an object only when it carries its topology's mark:
 *
 * <ul>
 *   <li>links: the alias {@code netc:TOPOLOGY:KIND:NAME} ({@code ifalias} in {@code ip -j link});
 *   <li>namespaces: the name prefix ({@code netc-TOPOLOGY-}, or {@code S-} in a sandbox), and the
 *       alias of their loopback, {@code netc:TOPOLOGY:namespace:ENDPOINT};
 *   <li>the nftables table: its name {@code netc_TOPOLOGY} ({@code -} becomes {@code _}) and its
 *       comment {@code netc:TOPOLOGY};
 *   <li>files: they live under {@code /etc/netns/NS/} of an owned namespace, and their first line
 *       is {@code # netc:TOPOLOGY:...}.
 * </ul>
 *
 * Addresses and routes belong to the link they are on. Topology names are DNS labels, so they
 * hold no {@code :} and no {@code _}: the marks of two topologies never overlap.
 */
public final class Ownership {
  /** What every mark starts with. */
  public static final String PREFIX = "netc:";

  private Ownership() {}

  /** {@code netc:TOPOLOGY:}: the start of every mark of the topology. */
  public static String of(String topology) {
    return PREFIX + topology + ":";
  }

  /** Whether a link alias, table comment or file's first line marks an object of {@code topology}. */
  public static boolean owns(String topology, String mark) {
    return mark != null && (mark.startsWith(of(topology)) || mark.equals(PREFIX + topology)
        || mark.startsWith("# " + of(topology)));
  }

  public static String bridge(String topology, String network) {
    return of(topology) + "bridge:" + network;
  }

  /** The host end of the veth of an endpoint's attachment number {@code index}. */
  public static String veth(String topology, String endpoint, int index) {
    return of(topology) + "veth:" + endpoint + ":" + index;
  }

  /** The container end ({@code ethN}) of that veth. */
  public static String eth(String topology, String endpoint, int index) {
    return of(topology) + "eth:" + endpoint + ":" + index;
  }

  /** The VXLAN device of an overlay network on a host. */
  public static String vxlan(String topology, String network) {
    return of(topology) + "vxlan:" + network;
  }

  /** A container's macvlan sub-interface, its attachment number {@code index}. */
  public static String macvlan(String topology, String endpoint, int index) {
    return of(topology) + "macvlan:" + endpoint + ":" + index;
  }

  /** An 802.1q sub-interface that netc makes as a macvlan parent. */
  public static String vlan(String topology, String name) {
    return of(topology) + "vlan:" + name;
  }

  /**
   * In a sandbox, the veth that stands for a macvlan parent ({@code end} {@code parent}), and its
   * other end ({@code peer}).
   */
  public static String parent(String topology, String name, String end) {
    return of(topology) + "parent:" + name + ":" + end;
  }

  /** The loopback of an endpoint's namespace: marks the namespace itself. */
  public static String namespace(String topology, String endpoint) {
    return of(topology) + "namespace:" + endpoint;
  }

  /** The nftables table of a topology: {@code netc_} and the name with {@code -} as {@code _}. */
  public static String table(String topology) {
    return "netc_" + topology.replace('-', '_');
  }

  /**
   * The topology whose table {@code name} is ({@link #table}: {@code netc_NAME}, {@code -} written
   * {@code _}); empty for a table not netc's.
   */
  public static java.util.Optional<String> topologyOfTable(String name) {
    return name.startsWith("netc_") && name.length() > "netc_".length()
        ? java.util.Optional.of(name.substring("netc_".length()).replace('_', '-')) : java.util.Optional.empty();
  }

  /**
   * The topology a mark {@code netc:TOPOLOGY:WHAT} names ({@link #of}); empty for a mark that is
   * not a topology's (none, someone else's, the sandbox's {@code netc-sandbox:...}).
   */
  public static java.util.Optional<String> topologyOfMark(String mark) {
    String[] m = mark.split(":", 3);
    return m.length == 3 && m[0].equals("netc") ? java.util.Optional.of(m[1]) : java.util.Optional.empty();
  }

  /** The comment of the table: {@code netc:TOPOLOGY}. */
  public static String tableComment(String topology) {
    return PREFIX + topology;
  }

  /** The first line of a file under {@code /etc/netns/NS/}. */
  public static String file(String topology, String what, String endpoint) {
    return "# " + of(topology) + what + ":" + endpoint;
  }
}
