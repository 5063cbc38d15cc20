package dev.netc.backends.nftables;

/** A packet field that rules match on and set keys are built from. */
public enum Expr {
  IP_SADDR("ip saddr", FieldType.IPV4_ADDR),
  IP_DADDR("ip daddr", FieldType.IPV4_ADDR),
  IP6_SADDR("ip6 saddr", FieldType.IPV6_ADDR),
  IP6_DADDR("ip6 daddr", FieldType.IPV6_ADDR),
  L4PROTO("meta l4proto", FieldType.INET_PROTO),
  TH_DPORT("th dport", FieldType.INET_SERVICE),
  CT_ORIGINAL_IP_DADDR("ct original ip daddr", FieldType.IPV4_ADDR),
  CT_ORIGINAL_IP6_DADDR("ct original ip6 daddr", FieldType.IPV6_ADDR),
  /** The source MAC address of a frame (bridge family). */
  ETHER_SADDR("ether saddr", FieldType.ETHER_ADDR),
  /** The sender's IPv4 address of an ARP message (bridge family). */
  ARP_SADDR_IP("arp saddr ip", FieldType.IPV4_ADDR),
  /**
   * The target address of an IPv6 neighbour advertisement: 128 bits from the 8th byte of the
   * ICMPv6 header (nft 1.0.6 has no name for it), an integer to nft.
   */
  ND_TARGET("@th,64,128", FieldType.INTEGER),
  IIFNAME("iifname", FieldType.IFNAME),
  OIFNAME("oifname", FieldType.IFNAME);

  private final String text;
  private final FieldType type;

  Expr(String text, FieldType type) {
    this.text = text;
    this.type = type;
  }

  public String text() {
    return text;
  }

  public FieldType type() {
    return type;
  }

  /** The type of the values of a set keyed by some fields. */
  public enum FieldType {
    IPV4_ADDR("ipv4_addr"),
    IPV6_ADDR("ipv6_addr"),
    INET_PROTO("inet_proto"),
    INET_SERVICE("inet_service"),
    IFNAME("ifname"),
    ETHER_ADDR("ether_addr"),
    /** A raw payload field: sets keyed by it are declared with {@code typeof}. */
    INTEGER("integer"),
    VERDICT("verdict");

    private final String text;

    FieldType(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }
}
