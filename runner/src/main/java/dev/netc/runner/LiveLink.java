package dev.netc.runner;

/**
 * The attributes of an owned link as {@code ip -j link show} gives them: what plan compares with
 * the desired {@link dev.netc.backends.plan.Link} to update it in place or replace it.
 *
 * @param kind the kernel's kind ({@code ip -d}: {@code linkinfo.info_kind}: {@code bridge},
 *     {@code veth}, {@code vxlan}, {@code macvlan}, {@code vlan}), {@code loopback}, or {@code
 *     other}; without details, {@code bridge} (listed by {@code link show type bridge}) or {@code
 *     veth} (a link with a peer: {@code link_index})
 * @param mtu the MTU
 * @param up whether it is administratively up ({@code UP} among its flags)
 * @param master the bridge it is enslaved to ({@code ""}: none)
 * @param mac its MAC address
 * @param ifindex its index in its namespace
 * @param peer a veth's peer's index in the peer's namespace ({@code -1}: none)
 * @param params what a VXLAN, macvlan or VLAN link is made of, as {@code key=value} words ({@code
 *     id=42 port=4789 local=10.0.0.1}, {@code mode=bridge}, {@code id=10}); {@code ""} for the
 *     other kinds
 * @param hairpin whether a bridge port sends frames back out the port they came in on ({@code
 *     ip -d}: {@code linkinfo.info_slave_data.hairpin}); false for a link that is no bridge port
 */
public record LiveLink(String kind, int mtu, boolean up, String master, String mac, int ifindex, int peer,
    String params, boolean hairpin) {
  /** The MTU the kernel gives a new bridge or veth: what a link without {@code mtu} must have. */
  public static final int DEFAULT_MTU = 1500;

  /** A link of a plain kind (nothing it is made of to compare), without hairpin mode. */
  public LiveLink(String kind, int mtu, boolean up, String master, String mac, int ifindex, int peer) {
    this(kind, mtu, up, master, mac, ifindex, peer, "", false);
  }

  /** A link without hairpin mode. */
  public LiveLink(String kind, int mtu, boolean up, String master, String mac, int ifindex, int peer, String params) {
    this(kind, mtu, up, master, mac, ifindex, peer, params, false);
  }

  /** {@code kind=veth mtu=1500 up master=br-front mac=... ifindex=3 peer=2}: for fingerprints. */
  String canonical() {
    return "kind=" + kind + " mtu=" + mtu + " " + (up ? "up" : "down") + " master=" + master + " mac=" + mac
        + " ifindex=" + ifindex + " peer=" + peer + (params.isEmpty() ? "" : " " + params) + (hairpin ? " hairpin" : "");
  }
}
