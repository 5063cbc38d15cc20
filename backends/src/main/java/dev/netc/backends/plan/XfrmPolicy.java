package dev.netc.backends.plan;

import dev.netc.compiler.ir.IpAddress;
import java.util.Locale;

/**
 * An IPsec policy of an encrypted overlay: the VXLAN packets ({@code udp} to the network's port)
 * between two hosts' underlay addresses must be ESP in transport mode, with the states of the
 * topology ({@code reqid}). {@code OUT} for what this host sends, {@code IN} for what it accepts;
 * a VXLAN packet in clear from the other host is refused.
 */
public record XfrmPolicy(String namespace, Direction dir, IpAddress src, IpAddress dst, int port, long reqid)
    implements KernelObject {
  /** Which way. */
  public enum Direction {
    OUT,
    IN;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public XfrmPolicy {
    KernelNames.checkNetns(namespace);
    if (src.family() != dst.family() || port < 1 || port > 65535 || reqid < 1) {
      throw new IllegalArgumentException("bad xfrm policy " + src + ">" + dst + " " + port);
    }
  }

  private String selector() {
    int bits = src.family().bits();
    return "src " + src + "/" + bits + " dst " + dst + "/" + bits + " proto udp dport " + port + " dir " + dir.label();
  }

  /** The {@code ip -batch} line. */
  public String command() {
    return "xfrm policy add " + selector() + " tmpl src " + src + " dst " + dst + " proto esp reqid " + reqid
        + " mode transport";
  }

  public String deletion() {
    return "xfrm policy del " + selector();
  }

  @Override
  public ObjectId id() {
    return new ObjectId(ObjectId.Kind.XFRM, namespace, "policy " + dir.label() + " " + src + ">" + dst + " udp/" + port);
  }
}
