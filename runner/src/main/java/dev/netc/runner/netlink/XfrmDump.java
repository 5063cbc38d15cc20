package dev.netc.runner.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The IPsec objects of the network namespace of the calling thread, as {@code ip xfrm state
 * list} and {@code ip xfrm policy list} list them: two dumps over a {@code NETLINK_XFRM} socket
 * ({@code XFRM_MSG_GETSA}, {@code XFRM_MSG_GETPOLICY}), of which what netc's objects are made of
 * is kept. The structures are those of {@code linux/xfrm.h} on a 64-bit machine: {@code struct
 * xfrm_usersa_info} (224 bytes), {@code struct xfrm_userpolicy_info} (168 bytes), each followed
 * by {@code XFRMA_*} attributes, a policy's templates in {@code XFRMA_TMPL} ({@code struct
 * xfrm_user_tmpl}, 64 bytes each).
 */
public final class XfrmDump {
  private static final int XFRM_MSG_GETSA = 0x12;
  private static final int XFRM_MSG_GETPOLICY = 0x15;
  private static final int XFRMA_TMPL = 5;
  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;
  private static final int SA_INFO = 224;
  private static final int POLICY_INFO = 168;
  private static final int TMPL = 64;

  private XfrmDump() {}

  /**
   * A security association: its source and destination ({@link RouteDump#address}), SPI, protocol
   * ({@code IPPROTO_ESP} 50 ...) and {@code reqid}.
   */
  public record State(String src, String dst, long spi, int proto, long reqid) {}

  /**
   * A policy's selector: its source and destination and their prefix lengths, protocol, ports
   * (-1: none, their mask is 0) and device index (0: none).
   */
  public record Selector(String src, int srcLen, String dst, int dstLen, int proto, int sport, int dport, int ifindex) {}

  /** A policy: its direction ({@code XFRM_POLICY_IN} 0, {@code OUT} 1, {@code FWD} 2 ...), selector and its templates' {@code reqid}s. */
  public record Policy(int dir, Selector selector, List<Long> reqids) {
    public Policy {
      reqids = List.copyOf(reqids);
    }
  }

  /** The states and policies of a namespace, in the kernel's order. */
  public record Objects(List<State> states, List<Policy> policies) {
    public Objects {
      states = List.copyOf(states);
      policies = List.copyOf(policies);
    }
  }

  /**
   * The states and policies of the calling thread's namespace. The structures' layouts are those
   * of a 64-bit process (a 32-bit one gets others, with 4-byte alignment of 64-bit fields on x86):
   * in another, this fails, and {@code ip} reads them.
   */
  static Objects read() throws IOException {
    if (com.sun.jna.Native.LONG_SIZE != 8) {
      throw new IOException("the xfrm structures are read in 64-bit processes only");
    }
    try (NetlinkSocket sock = NetlinkSocket.open(NetlinkSocket.NETLINK_XFRM)) {
      // (an empty request: every object; `ip xfrm ... list` sends the same)
      return new Objects(states(sock.dump(XFRM_MSG_GETSA, new byte[0])), policies(sock.dump(XFRM_MSG_GETPOLICY, new byte[0])));
    }
  }

  /** The objects of the messages of the two dumps (each message's payload: what follows its header). */
  public static Objects objects(List<ByteBuffer> states, List<ByteBuffer> policies) {
    return new Objects(states(states), policies(policies));
  }

  /** The states of the messages of an {@code XFRM_MSG_GETSA} dump ({@code struct xfrm_usersa_info}). */
  static List<State> states(List<ByteBuffer> messages) {
    List<State> out = new ArrayList<>();
    for (ByteBuffer m : messages) {
      if (m.limit() < SA_INFO) {
        continue;
      }
      int family = m.getShort(212) & 0xffff; // after sel, id, saddr, lft, curlft, stats, seq
      int len = length(family);
      if (len == 0) {
        continue;
      }
      String dst = RouteDump.address(m, 56, len); // id.daddr
      long spi = m.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(72) & 0xffffffffL; // id.spi
      int proto = m.get(76) & 0xff; // id.proto
      String src = RouteDump.address(m, 80, len); // saddr
      out.add(new State(src, dst, spi, proto, m.getInt(208) & 0xffffffffL));
    }
    return out;
  }

  /** The policies of the messages of an {@code XFRM_MSG_GETPOLICY} dump ({@code struct xfrm_userpolicy_info}). */
  static List<Policy> policies(List<ByteBuffer> messages) {
    List<Policy> out = new ArrayList<>();
    for (ByteBuffer m : messages) {
      if (m.limit() < POLICY_INFO) {
        continue;
      }
      // struct xfrm_selector: daddr, saddr, dport, dport_mask, sport, sport_mask (network order),
      // family, prefixlen_d, prefixlen_s, proto, ifindex; as ip prints it, of family AF_INET
      // when it has none
      int family = m.getShort(40) & 0xffff;
      int len = length(family == 0 ? AF_INET : family);
      if (len == 0) {
        continue;
      }
      ByteBuffer be = m.duplicate().order(ByteOrder.BIG_ENDIAN);
      int dport = (be.getShort(34) & 0xffff) != 0 ? be.getShort(32) & 0xffff : -1;
      int sport = (be.getShort(38) & 0xffff) != 0 ? be.getShort(36) & 0xffff : -1;
      Selector sel = new Selector(RouteDump.address(m, 16, len), m.get(43) & 0xff, RouteDump.address(m, 0, len),
          m.get(42) & 0xff, m.get(44) & 0xff, sport, dport, m.getInt(48));
      List<Long> reqids = new ArrayList<>();
      ByteBuffer t = RouteDump.attributes(m, POLICY_INFO).get(XFRMA_TMPL);
      if (t != null) {
        for (int at = 0; at + TMPL <= t.limit(); at += TMPL) {
          reqids.add(t.getInt(at + 44) & 0xffffffffL); // after id, family, saddr
        }
      }
      out.add(new Policy(m.get(160) & 0xff, sel, reqids));
    }
    return out;
  }

  private static int length(int family) {
    return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
  }
}
