package dev.netc.runner.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The IPsec states and policies of {@code XFRM_MSG_GETSA} and {@code XFRM_MSG_GETPOLICY} dumps
 * captured on x86_64 (Linux 6.18, little-endian; {@code xfrm-states.hex}, {@code
 * xfrm-policies.hex}, one message's payload a line, beside what {@code ip xfrm state list} and
 * {@code ip xfrm policy list} printed of them, {@code xfrm-states.txt}, {@code
 * xfrm-policies.txt}): this kernel has no ESP, so the states are larval ones ({@code ip xfrm
 * state allocspi}), with their SPI and {@code reqid}; the policies have UDP, TCP, IPv4, IPv6
 * selectors, a source port, a device, no addresses, several templates, each direction.
 */
class XfrmDumpTest {
  @Test
  void readsTheStatesAddressesSpiProtocolAndReqid() throws IOException {
    assertEquals(List.of(new XfrmDump.State("192.0.2.2", "192.0.2.1", 0x2000, 50, 7),
        new XfrmDump.State("2001:db8::1", "2001:db8::2", 0xfedcba98L, 50, 7),
        new XfrmDump.State("192.0.2.1", "192.0.2.2", 0x1234, 50, 7),
        new XfrmDump.State("192.0.2.1", "192.0.2.5", 0x3000, 50, 9)), XfrmDump.states(captured("xfrm-states.hex")));
  }

  @Test
  void readsThePoliciesSelectorDirectionAndTemplates() throws IOException {
    assertEquals(List.of(
        new XfrmDump.Policy(1, new XfrmDump.Selector("192.0.2.1", 32, "192.0.2.7", 32, 6, -1, 4789, 0), List.of(7L)),
        new XfrmDump.Policy(1, new XfrmDump.Selector("192.0.2.1", 32, "192.0.2.6", 32, 17, -1, 4789, 1), List.of(7L)),
        new XfrmDump.Policy(1, new XfrmDump.Selector("192.0.2.1", 32, "192.0.2.5", 32, 17, -1, 4789, 0), List.of(9L)),
        new XfrmDump.Policy(0, new XfrmDump.Selector("10.0.0.0", 8, "10.1.0.0", 16, 17, -1, 4792, 0), List.of(8L, 7L)),
        new XfrmDump.Policy(2, new XfrmDump.Selector("10.0.0.0", 8, "10.1.0.0", 16, 17, 5, 4791, 0), List.of(7L)),
        new XfrmDump.Policy(1, new XfrmDump.Selector("0.0.0.0", 0, "0.0.0.0", 0, 17, -1, 4790, 0), List.of(7L)),
        new XfrmDump.Policy(0, new XfrmDump.Selector("2001:db8::2", 128, "2001:db8::1", 128, 17, -1, 4789, 0), List.of(7L)),
        new XfrmDump.Policy(1, new XfrmDump.Selector("192.0.2.1", 32, "192.0.2.2", 32, 17, -1, 4789, 0), List.of(7L))),
        XfrmDump.policies(captured("xfrm-policies.hex")));
  }

  /** The payloads of the messages of a captured dump, one a line in hex. */
  private static List<ByteBuffer> captured(String name) throws IOException {
    try (InputStream in = XfrmDumpTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII).lines().filter(l -> !l.isBlank())
          .map(h -> ByteBuffer.wrap(HexFormat.of().parseHex(h.strip())).order(ByteOrder.LITTLE_ENDIAN)).toList();
    }
  }
}
