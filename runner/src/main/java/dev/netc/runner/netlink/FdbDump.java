package dev.netc.runner.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The forwarding entries of one device with a remote, as {@code bridge -j fdb show dev VX} lists
 * them for a VXLAN device (its {@code mac} and {@code dst}): one {@code RTM_GETNEIGH} dump of
 * family {@code AF_BRIDGE} in the network namespace of the calling thread.
 */
public final class FdbDump {
  private static final int RTM_GETNEIGH = 30;
  private static final int AF_BRIDGE = 7;
  private static final int NDA_DST = 1;
  private static final int NDA_LLADDR = 2;

  private FdbDump() {}

  /**
   * A forwarding entry with a remote: its link-layer address as {@code bridge} prints it ({@code
   * aa:bb:...}; empty without one) and the remote's address ({@link RouteDump#address}).
   */
  public record Entry(String mac, String dst) {}

  /** The entries with a remote of the device of index {@code ifindex}, in the kernel's order. */
  static List<Entry> read(int ifindex) throws IOException {
    try (NetlinkSocket sock = NetlinkSocket.open()) {
      return entries(sock.dump(RTM_GETNEIGH, request(ifindex)), ifindex);
    }
  }

  /**
   * The dump's request, as {@code bridge fdb show dev VX} sends it: an {@code ifinfomsg} of
   * family {@code AF_BRIDGE} whose index is the device's. The kernel (without strict checking,
   * which this socket does not ask for) takes that index as the one port to list: the device's
   * own entries (a VXLAN device's, with their remotes), and those its bridge has of it.
   */
  static byte[] request(int ifindex) {
    return ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).put(0, (byte) AF_BRIDGE).putInt(4, ifindex).array();
  }

  /**
   * The entries of the messages of such a dump ({@code struct ndmsg}, 12 bytes, then {@code NDA_*}
   * attributes) that are the device's and have a remote ({@code NDA_DST}, IPv4 or IPv6).
   */
  static List<Entry> entries(List<ByteBuffer> messages, int ifindex) {
    List<Entry> out = new ArrayList<>();
    for (ByteBuffer m : messages) {
      if (m.limit() < 12 || (m.get(0) & 0xff) != AF_BRIDGE || m.getInt(4) != ifindex) {
        continue;
      }
      RouteDump.Attrs a = RouteDump.Attrs.of(m, 12);
      String dst = a.has(NDA_DST) ? a.address(NDA_DST) : "";
      if (dst.isEmpty()) {
        continue; // the bridge's entries of the port: no remote
      }
      out.add(new Entry(a.has(NDA_LLADDR) ? a.mac(NDA_LLADDR) : "", dst));
    }
    return out;
  }
}
