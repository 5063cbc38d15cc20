package dev.netc.runner.netlink;

import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Parsed;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lines of an endpoint's {@code ip -batch} that netc can send as rtnetlink requests itself,
 * with the meaning {@code ip} gives them: {@code link set DEV alias TEXT}, {@code link set DEV
 * up}, {@code address add ADDR/LEN dev DEV [nodad]} and {@code route add|replace (default|PREFIX) via
 * GATEWAY dev DEV}. A batch with any other line is not taken ({@link #parse} is empty) and runs
 * through {@code ip} as before. {@link #run} sends them in order, one request at a time, and
 * stops at the first the kernel refuses, as {@code ip -batch} does.
 */
public final class IpLines {
  private static final int RTM_SETLINK = 19;
  private static final int RTM_NEWADDR = 20;
  private static final int RTM_NEWROUTE = 24;
  private static final int IFLA_IFNAME = 3;
  private static final int IFLA_IFALIAS = 20;
  private static final int IFA_ADDRESS = 1;
  private static final int IFA_LOCAL = 2;
  private static final int IFA_F_NODAD = 0x02;
  private static final int RTA_DST = 1;
  private static final int RTA_OIF = 4;
  private static final int RTA_GATEWAY = 5;
  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;
  private static final int IFF_UP = 1;
  private static final String NAME = "([A-Za-z0-9_.@:-]{1,15})";
  private static final Pattern ALIAS = Pattern.compile("link set (?:dev )?" + NAME + " alias (\\S{1,255})");
  private static final Pattern UP = Pattern.compile("link set (?:dev )?" + NAME + " up");
  private static final Pattern ADDRESS = Pattern.compile("address add ([0-9a-fA-F.:]+)/(\\d{1,3}) dev " + NAME + "( nodad)?");
  private static final Pattern ROUTE = Pattern.compile("route (add|replace) (default|[0-9a-fA-F.:]+/\\d{1,3}) via ([0-9a-fA-F.:]+) dev " + NAME);

  /** One line, as the request it becomes. */
  record Line(String text, int type, int flags, String device, Encoder payload) {}

  /** Builds a request's payload once the device's index is known. */
  @FunctionalInterface
  interface Encoder {
    byte[] encode(int ifindex);
  }

  /** A line the kernel refused: its number (from 1), its text and the kernel's reason. */
  public record Failure(int line, String text, String error) {}

  private final List<Line> lines;

  private IpLines(List<Line> lines) {
    this.lines = lines;
  }

  /** The lines as requests, or empty when one of them is not of the four kinds taken. */
  public static Optional<IpLines> parse(List<String> batch) {
    List<Line> out = new ArrayList<>();
    for (String raw : batch) {
      String l = raw.strip();
      Matcher m;
      if ((m = ALIAS.matcher(l)).matches()) {
        byte[] alias = m.group(2).getBytes(StandardCharsets.UTF_8);
        String dev = m.group(1);
        out.add(new Line(l, RTM_SETLINK, 0, dev, i -> link(dev, 0, 0, attr(IFLA_IFALIAS, cstring(alias)))));
      } else if ((m = UP.matcher(l)).matches()) {
        String dev = m.group(1);
        out.add(new Line(l, RTM_SETLINK, 0, dev, i -> link(dev, IFF_UP, IFF_UP, new byte[0])));
      } else if ((m = ADDRESS.matcher(l)).matches()) {
        byte[] a = address(m.group(1));
        int len = Integer.parseInt(m.group(2));
        if (a == null || len > a.length * 8) {
          return Optional.empty();
        }
        boolean nodad = m.group(4) != null;
        out.add(new Line(l, RTM_NEWADDR, NetlinkSocket.NLM_F_CREATE | NetlinkSocket.NLM_F_EXCL, m.group(3), i -> {
          ByteBuffer b = buffer(8);
          b.put((byte) (a.length == 4 ? AF_INET : AF_INET6)).put((byte) len).put((byte) (nodad ? IFA_F_NODAD : 0))
              .put((byte) scope(a)).putInt(i);
          return concat(b.array(), attr(IFA_LOCAL, a), attr(IFA_ADDRESS, a));
        }));
      } else if ((m = ROUTE.matcher(l)).matches()) {
        String to = m.group(2);
        byte[] via = address(m.group(3));
        byte[] dst = to.equals("default") ? new byte[via == null ? 4 : via.length] : address(to.split("/")[0]);
        int len = to.equals("default") ? 0 : Integer.parseInt(to.split("/")[1]);
        if (via == null || dst == null || dst.length != via.length || len > dst.length * 8) {
          return Optional.empty();
        }
        // add: a route of that destination there already is an error; replace: it is changed
        int how = m.group(1).equals("add") ? NetlinkSocket.NLM_F_EXCL : NetlinkSocket.NLM_F_REPLACE;
        out.add(new Line(l, RTM_NEWROUTE, NetlinkSocket.NLM_F_CREATE | how, m.group(4), i -> {
          ByteBuffer b = buffer(12);
          // family, dst_len, src_len, tos, table main, protocol boot (ip's), scope universe, type unicast, flags
          b.put((byte) (via.length == 4 ? AF_INET : AF_INET6)).put((byte) len).put((byte) 0).put((byte) 0)
              .put((byte) 254).put((byte) 3).put((byte) 0).put((byte) 1).putInt(0);
          return concat(b.array(), len > 0 ? attr(RTA_DST, dst) : new byte[0], attr(RTA_GATEWAY, via), attr(RTA_OIF, u32(i)));
        }));
      } else {
        return Optional.empty();
      }
    }
    return Optional.of(new IpLines(List.copyOf(out)));
  }

  /** How many lines. */
  public int size() {
    return lines.size();
  }

  /**
   * Sends the lines in the calling thread's namespace, in order, over {@code sock}; stops at the
   * first the kernel refuses and returns it.
   */
  Optional<Failure> run(NetlinkSocket sock) throws IOException {
    LibC.check();
    for (int n = 0; n < lines.size(); n++) {
      Line l = lines.get(n);
      int index = LibC.if_nametoindex(l.device());
      int errno;
      if (index == 0) {
        errno = 19; // ENODEV, as the kernel says it for a name it does not know
      } else {
        errno = sock.request(l.type(), l.flags(), l.payload().encode(index));
      }
      if (errno != 0) {
        String why = errno == 19 ? "Cannot find device \"" + l.device() + "\"" : "RTNETLINK answers: " + LibC.strerror(errno);
        return Optional.of(new Failure(n + 1, l.text(), why));
      }
    }
    return Optional.empty();
  }

  /** An {@code RTM_SETLINK} of a link known by name: its flags and attributes. */
  private static byte[] link(String dev, int flags, int change, byte[] attrs) {
    ByteBuffer b = buffer(16);
    b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(0).putInt(flags).putInt(change);
    return concat(b.array(), attr(IFLA_IFNAME, cstring(dev.getBytes(StandardCharsets.UTF_8))), attrs);
  }

  /** The scope {@code ip address add} gives an address when none is named. */
  private static int scope(byte[] a) {
    if (a.length == 4) {
      return (a[0] & 0xff) == 127 ? 254 : 0;
    }
    boolean loopback = true;
    for (int i = 0; i < 15; i++) {
      loopback &= a[i] == 0;
    }
    if (loopback && a[15] == 1) {
      return 254;
    }
    return (a[0] & 0xff) == 0xfe && (a[1] & 0xc0) == 0x80 ? 253 : 0;
  }

  /** The bytes of an address literal, in network order; null when the text is not one (left to ip). */
  private static byte[] address(String text) {
    Parsed<IpAddress> p = IpAddress.parse(text);
    if (!p.ok()) {
      return null;
    }
    IpAddress a = p.get();
    return a.isV4() ? ByteBuffer.allocate(4).putInt((int) a.lo()).array()
        : ByteBuffer.allocate(16).putLong(a.hi()).putLong(a.lo()).array();
  }

  private static ByteBuffer buffer(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.nativeOrder());
  }

  private static byte[] u32(int v) {
    return buffer(4).putInt(v).array();
  }

  private static byte[] cstring(byte[] s) {
    byte[] out = new byte[s.length + 1];
    System.arraycopy(s, 0, out, 0, s.length);
    return out;
  }

  /** An attribute: length, type, value, padded to 4 bytes. */
  private static byte[] attr(int type, byte[] value) {
    int len = 4 + value.length;
    ByteBuffer b = buffer(NetlinkSocket.align(len));
    b.putShort((short) len).putShort((short) type).put(value);
    return b.array();
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
