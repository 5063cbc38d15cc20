package dev.netc.runner.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The forwarding entries of an {@code RTM_GETNEIGH} dump of family {@code AF_BRIDGE}, from
 * messages captured on x86_64 (Linux 6.18, little-endian): those of the device asked for with a
 * remote, IPv4 or IPv6, as {@code bridge -j fdb show dev VX} gives them ({@code mac}, {@code dst});
 * the bridge's entries of the port (no remote) and another device's are left out.
 */
class FdbDumpTest {
  /** A VXLAN device (index 4) enslaved to a bridge: two entries of the bridge, then its own to 192.168.56.12. */
  private static final List<String> BRIDGE_PORT = List.of(
      "0700000004000000020000000a000200d27dfe0a241b0000080009000300000008000f00000000001400030000000000623c0000420e000000000000",
      "0700000004000000800000000a000200c6dc4f46e0f80000080009000300000008000f000000000014000300000000006c3c00006c3c000000000000",
      "0700000004000000c00002010a000200000000000000000008000100c0a8380c140003000000000075050000693c000000000000");

  @Test
  void readsTheDevicesEntriesWithARemote() {
    assertEquals(List.of(new FdbDump.Entry("00:00:00:00:00:00", "192.168.56.12")), FdbDump.entries(messages(BRIDGE_PORT), 4));
    // (another device's: none)
    assertEquals(List.of(), FdbDump.entries(messages(BRIDGE_PORT), 5));
  }

  @Test
  void readsEveryRemoteOfAnEntryAndIPv6Remotes() {
    // `bridge fdb append 00:00:00:00:00:00 dev vx0 dst 192.0.2.2` and `... dst 192.0.2.3` (index 2)
    assertEquals(List.of(new FdbDump.Entry("00:00:00:00:00:00", "192.0.2.2"), new FdbDump.Entry("00:00:00:00:00:00", "192.0.2.3")),
        FdbDump.entries(messages(List.of(
            "0700000002000000c00002010a000200000000000000000008000100c00002021400030000000000610200006102000000000000",
            "0700000002000000c00002010a000200000000000000000008000100c00002031400030000000000610200006102000000000000")), 2));
    // `bridge fdb add 02:00:00:00:00:01 dev vx6 dst 2001:db8::9` (index 3)
    assertEquals(List.of(new FdbDump.Entry("02:00:00:00:00:01", "2001:db8::9")), FdbDump.entries(messages(List.of(
        "0700000003000000c00002010a00020002000000000100001400010020010db80000000000000000000000091400030000000000780200007802000000000000")),
        3));
  }

  /** The request: an {@code ifinfomsg} of family {@code AF_BRIDGE} with the device's index, as {@code bridge fdb show dev} sends. */
  @Test
  void asksForOneDevice() {
    ByteBuffer r = ByteBuffer.wrap(FdbDump.request(4)).order(ByteOrder.nativeOrder());
    assertEquals(16, r.limit());
    assertEquals(7, r.get(0));
    assertEquals(4, r.getInt(4));
  }

  static List<ByteBuffer> messages(List<String> hex) {
    return hex.stream().map(h -> ByteBuffer.wrap(HexFormat.of().parseHex(h)).order(ByteOrder.LITTLE_ENDIAN)).toList();
  }
}
