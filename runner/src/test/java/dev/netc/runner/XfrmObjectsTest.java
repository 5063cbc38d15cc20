package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netc.backends.plan.ObjectId;
import dev.netc.runner.netlink.XfrmDump;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The IPsec objects of a namespace that carry a topology's {@code reqid}, from netlink dumps
 * ({@link XfrmDump}) and from the text {@code ip xfrm} printed of the same objects (captured
 * together: {@code netlink/xfrm-*.hex}, {@code netlink/xfrm-*.txt}): the same identities, those
 * of ESP states and of policies in and out whose selector is UDP to a port, on no device, with a
 * template of the {@code reqid}.
 */
class XfrmObjectsTest {
  @Test
  void theDumpsGiveTheObjectsIpsTextGives() throws IOException {
    XfrmDump.Objects dumped = XfrmDump.objects(captured("xfrm-states.hex"), captured("xfrm-policies.hex"));
    String text = text("xfrm-states.txt") + text("xfrm-policies.txt");
    java.util.function.Function<String, ObjectId> x = n -> new ObjectId(ObjectId.Kind.XFRM, "h", n);
    Set<ObjectId> seven = Set.of(x.apply("state 192.0.2.2>192.0.2.1 spi 0x00002000"),
        x.apply("state 2001:db8::1>2001:db8::2 spi 0xfedcba98"), x.apply("state 192.0.2.1>192.0.2.2 spi 0x00001234"),
        x.apply("policy in 10.0.0.0>10.1.0.0 udp/4792"), x.apply("policy out 0.0.0.0>0.0.0.0 udp/4790"),
        x.apply("policy in 2001:db8::2>2001:db8::1 udp/4789"), x.apply("policy out 192.0.2.1>192.0.2.2 udp/4789"));
    assertEquals(seven, LiveReader.xfrmObjects("h", text, 7));
    assertEquals(seven, LiveReader.xfrmObjects("h", dumped, 7));
    Set<ObjectId> nine = Set.of(x.apply("state 192.0.2.1>192.0.2.5 spi 0x00003000"), x.apply("policy out 192.0.2.1>192.0.2.5 udp/4789"));
    assertEquals(nine, LiveReader.xfrmObjects("h", text, 9));
    assertEquals(nine, LiveReader.xfrmObjects("h", dumped, 9));
    // (of reqid 8: a policy whose second template has 7 but whose first has 8)
    assertEquals(Set.of(x.apply("policy in 10.0.0.0>10.1.0.0 udp/4792")), LiveReader.xfrmObjects("h", dumped, 8));
    assertEquals(LiveReader.xfrmObjects("h", text, 8), LiveReader.xfrmObjects("h", dumped, 8));
    assertEquals(Set.of(), LiveReader.xfrmObjects("h", dumped, 70));
    assertEquals(Set.of(), LiveReader.xfrmObjects("h", new XfrmDump.Objects(List.of(), List.of()), 7));
  }

  /** The payloads of the messages of a captured dump, one a line in hex (x86_64: little-endian). */
  private static List<java.nio.ByteBuffer> captured(String name) throws IOException {
    return text(name).lines().filter(l -> !l.isBlank()).map(h -> java.nio.ByteBuffer.wrap(java.util.HexFormat.of().parseHex(h.strip()))
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)).toList();
  }

  private static String text(String name) throws IOException {
    try (InputStream in = XfrmObjectsTest.class.getResourceAsStream("netlink/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
