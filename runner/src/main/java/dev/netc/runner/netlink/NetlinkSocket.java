package dev.netc.runner.netlink;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A netlink socket ({@code NETLINK_ROUTE}, {@code NETLINK_NETFILTER} for nftables or {@code
 * NETLINK_XFRM} for IPsec) of the network namespace of the thread that opened it: dump
 * requests, and single requests answered with an acknowledgement, one at a time, so that a
 * sequence of them stops at the first that fails (as {@code ip -batch} does).
 */
final class NetlinkSocket implements AutoCloseable {
  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  static final int NETLINK_ROUTE = 0;
  static final int NETLINK_XFRM = 6;
  static final int NETLINK_NETFILTER = 12;
  static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;
  static final int NLM_F_REQUEST = 1;
  static final int NLM_F_ACK = 4;
  static final int NLM_F_REPLACE = 0x100;
  static final int NLM_F_EXCL = 0x200;
  static final int NLM_F_CREATE = 0x400;
  static final int NLM_F_DUMP = 0x300;

  /**
   * Where answers are received: one per thread (a thread reads namespace after namespace, a
   * socket each), outside the Java heap, so that a receive copies nothing but what the kernel
   * sends (see {@link LibC#recv}).
   */
  private static final ThreadLocal<ByteBuffer> BUFFER = ThreadLocal.withInitial(
      () -> ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.nativeOrder()));

  private final int fd;
  private final ByteBuffer buf = BUFFER.get();
  private int seq;

  private NetlinkSocket(int fd) {
    this.fd = fd;
  }

  /** A {@code NETLINK_ROUTE} socket in the calling thread's namespace. */
  static NetlinkSocket open() throws IOException {
    return open(NETLINK_ROUTE);
  }

  /** A socket of {@code protocol} in the calling thread's namespace. */
  static NetlinkSocket open(int protocol) throws IOException {
    LibC.check();
    try {
      return new NetlinkSocket(LibC.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol));
    } catch (LastErrorException e) {
      throw new IOException("cannot open a netlink socket: " + LibC.describe(e));
    }
  }

  /** A message of {@code type} and {@code flags} ({@code NLM_F_REQUEST} added) with {@code payload}. */
  private byte[] message(int type, int flags, byte[] payload, int s) {
    int len = 16 + payload.length;
    ByteBuffer m = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
    m.putInt(len).putShort((short) type).putShort((short) (NLM_F_REQUEST | flags)).putInt(s).putInt(0).put(payload);
    return m.array();
  }

  private void send(byte[] m) throws IOException {
    try {
      LibC.send(fd, m, m.length, 0);
    } catch (LastErrorException e) {
      throw new IOException("cannot send a netlink request: " + LibC.describe(e));
    }
  }

  private ByteBuffer receive() throws IOException {
    long n;
    try {
      n = LibC.recv(fd, buf.clear(), buf.capacity(), 0); // JNA passes the address at the position
    } catch (LastErrorException e) {
      throw new IOException("cannot read a netlink answer: " + LibC.describe(e));
    }
    return buf.limit((int) n);
  }

  /**
   * Sends one request with {@code NLM_F_ACK} and waits for its answer: 0, or the errno the kernel
   * refused it with (positive).
   */
  int request(int type, int flags, byte[] payload) throws IOException {
    int s = ++seq;
    send(message(type, flags | NLM_F_ACK, payload, s));
    return -answer(s, t -> t == NLMSG_ERROR).payload().getInt(0);
  }

  /** A message that answers a request: its type, and its payload (what follows the 16-byte header). */
  private record Answer(int type, ByteBuffer payload) {}

  /**
   * The first message that answers request {@code s} and whose type {@code wanted} takes; the
   * messages before it are passed over.
   */
  private Answer answer(int s, java.util.function.IntPredicate wanted) throws IOException {
    while (true) {
      ByteBuffer b = receive();
      while (b.remaining() >= 16) {
        int at = b.position();
        int mlen = b.getInt(at);
        if (mlen < 16 || at + mlen > b.limit()) {
          throw new IOException("a damaged netlink answer (length " + mlen + ")");
        }
        int type = b.getShort(at + 4) & 0xffff;
        if (b.getInt(at + 8) == s && wanted.test(type)) {
          byte[] msg = new byte[mlen - 16];
          b.get(at + 16, msg);
          return new Answer(type, ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder()));
        }
        b.position(at + align(mlen));
      }
    }
  }

  /**
   * Sends a dump request of {@code type} with a zeroed family header of {@code headerLength}
   * bytes (family {@code AF_UNSPEC}: both address families) and returns the payload of every
   * answer message (its family header and attributes), in order.
   */
  List<ByteBuffer> dump(int type, int headerLength) throws IOException {
    return dump(type, new byte[headerLength]);
  }

  /** A dump request of {@code type} with {@code payload} (a family header and attributes that filter). */
  List<ByteBuffer> dump(int type, byte[] payload) throws IOException {
    List<ByteBuffer> out = new ArrayList<>();
    dump(type, payload, out::add);
    return out;
  }

  /**
   * The same, each answer message's payload given to {@code each} as it arrives, until it says
   * stop ({@code false}; the rest of the dump is not read, so the socket is then good only to
   * close). Whether the dump was read to its end.
   */
  boolean dump(int type, byte[] payload, java.util.function.Predicate<ByteBuffer> each) throws IOException {
    int s = ++seq;
    send(message(type, NLM_F_DUMP, payload, s));
    while (true) {
      ByteBuffer b = receive();
      while (b.remaining() >= 16) {
        int at = b.position();
        int mlen = b.getInt(at);
        int mtype = b.getShort(at + 4) & 0xffff;
        if (mlen < 16 || at + mlen > b.limit()) {
          throw new IOException("a damaged netlink answer (length " + mlen + ")");
        }
        if (b.getInt(at + 8) == s) {
          if (mtype == NLMSG_DONE) {
            // (a dump that failed part way says so here, as a negative error: iproute2's
            // rtnl_dump_done fails on it too; a partial dump is no complete read)
            if (mlen >= 20 && b.getInt(at + 16) < 0) {
              throw new IOException("netlink dump " + type + " failed: " + LibC.describe(-b.getInt(at + 16)));
            }
            return true;
          }
          if (mtype == NLMSG_ERROR) {
            throw new IOException("netlink dump " + type + " failed: " + LibC.describe(-b.getInt(at + 16)));
          }
          byte[] msg = new byte[mlen - 16];
          b.get(at + 16, msg);
          if (!each.test(ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder()))) {
            return false;
          }
        }
        b.position(at + align(mlen));
      }
    }
  }

  /**
   * Sends one request that the kernel answers with one message (not a dump), and returns that
   * message's payload; an error answer throws with its errno.
   */
  ByteBuffer query(int type, byte[] payload) throws IOException {
    int s = ++seq;
    send(message(type, 0, payload, s));
    Answer a = answer(s, t -> true);
    if (a.type() == NLMSG_ERROR) { // a refusal: its errno first
      throw new IOException("netlink request " + type + " failed: " + LibC.describe(-a.payload().getInt(0)));
    }
    return a.payload();
  }

  /**
   * The cookie of the socket's network namespace ({@code SO_NETNS_COOKIE}, Linux 5.14): a number
   * the kernel never gives another namespace, unlike a namespace's inode number, which a namespace
   * made later may get again. Empty on an older kernel.
   */
  java.util.OptionalLong netnsCookie() {
    byte[] v = new byte[8];
    int[] len = {8};
    try {
      LibC.getsockopt(fd, 1, 71, v, len); // SOL_SOCKET, SO_NETNS_COOKIE
    } catch (LastErrorException e) {
      return java.util.OptionalLong.empty(); // ENOPROTOOPT: older than 5.14
    }
    return len[0] == 8 ? java.util.OptionalLong.of(ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getLong())
        : java.util.OptionalLong.empty();
  }

  static int align(int n) {
    return (n + 3) & ~3;
  }

  @Override
  public void close() {
    try {
      LibC.close(fd);
    } catch (LastErrorException e) {
      // nothing to do: the socket is not used again
    }
  }
}
