package dev.netc.runner.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Addresses read from netlink are written as {@code ip} writes them (IPv6: RFC 5952); a link's
 * peer or parent in another namespace is kept when its index is the link's own.
 */
class RouteDumpTest {
  @ParameterizedTest
  @CsvSource({
      "fd64:0:0:0:0:0:0:1, fd64::1",
      "0:0:0:0:0:0:0:1, ::1",
      "0:0:0:0:0:0:0:0, ::",
      "fe80:0:0:0:a8c1:abff:fe12:3456, fe80::a8c1:abff:fe12:3456",
      "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
      "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
      "fd00:10:96:0:0:0:0:a, fd00:10:96::a",
      "2001:db8:1:2:3:4:5:6, 2001:db8:1:2:3:4:5:6",
      "2001:0:0:1:0:0:0:0, 2001:0:0:1::"})
  void writesAsIpDoes(String full, String expected) throws Exception {
    byte[] bytes = java.net.InetAddress.getByName(full).getAddress();
    assertEquals(expected, RouteDump.address(java.nio.ByteBuffer.wrap(bytes)));
  }

  @ParameterizedTest
  @CsvSource({"10.64.0.2", "0.0.0.0", "255.255.255.255", "198.18.0.1"})
  void writesIPv4AsADottedQuad(String quad) throws Exception {
    assertEquals(quad, RouteDump.address(java.nio.ByteBuffer.wrap(java.net.InetAddress.getByName(quad).getAddress())));
  }

  /**
   * A macvlan (or veth) whose parent (peer) in another namespace has the index the link has in
   * its own: {@code link_index} and {@code link_netnsid}, as {@code ip -j} gives them (before,
   * neither: the plan took the macvlan as on any parent, a veth as without its peer). A link that
   * names itself in its own namespace (a device without a lower one) has no peer.
   */
  @Test
  void aPeerElsewhereWithTheLinksOwnIndexIsKept() {
    JsonNode links = RouteDump.documents(List.of(link(4, "eth0", 4, 0), link(2, "eth1", 2, -1)), List.of(), List.of()).get(0);
    assertEquals(4, links.get(0).path("link_index").asInt(), links.toString());
    assertEquals(0, links.get(0).path("link_netnsid").asInt(-1), links.toString());
    assertFalse(links.get(1).has("link_index") || links.get(1).has("link"), links.toString());
  }

  /** An {@code RTM_NEWLINK} message: {@code ifinfomsg}, {@code IFLA_IFNAME}, {@code IFLA_LINK}, and {@code IFLA_LINK_NETNSID} unless {@code netnsid < 0}. */
  private static ByteBuffer link(int index, String name, int link, int netnsid) {
    ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
    b.putShort(2, (short) 1).putInt(4, index); // ARPHRD_ETHER
    int at = 16;
    byte[] n = (name + "\0").getBytes(StandardCharsets.US_ASCII);
    b.putShort(at, (short) (4 + n.length)).putShort(at + 2, (short) 3).put(at + 4, n);
    at += (4 + n.length + 3) & ~3;
    b.putShort(at, (short) 8).putShort(at + 2, (short) 5).putInt(at + 4, link);
    at += 8;
    if (netnsid >= 0) {
      b.putShort(at, (short) 8).putShort(at + 2, (short) 37).putInt(at + 4, netnsid);
      at += 8;
    }
    return b.limit(at);
  }
}
