package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.runner.netlink.NetlinkNamespaces;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The elements the kernel keeps, printed back as the backends print them ({@link ElementDrift}),
 * for every kind of set netc loads: a hash set, a set of one field with ranges (the kernel's
 * start and end elements), a concatenation with ranges (key and key end), a map, IPv6, interface
 * names and MAC addresses; a set that cannot be printed back ({@code typeof}) is told so.
 */
class ElementDriftKernelTest extends SandboxTest {
  private LiveReader netlink;

  private Optional<String> describe(String set, String type, List<String> applied) {
    List<dev.netc.runner.netlink.NftDump.SetElement> live = netlink.setElements(s, "inet", "w", set).orElseThrow();
    return ElementDrift.describe(set, type, applied, live);
  }

  private void nft(String command) {
    CommandExecutor.Result r = Kernel.EXEC.run(List.of("ip", "netns", "exec", s, "nft", "-f", "-"), command + "\n");
    assertTrue(r.ok(), r.err());
  }

  @Test
  void theKernelsElementsReadBackAsPrinted() {
    runner.apply(Kernel.target(Kernel.compile("examples/webshop.netc"), s)); // makes S
    netlink = new LiveReader(Kernel.EXEC, Runner.ETC_NETNS, stateDir, new NetlinkNamespaces(Path.of("/run/netns")));
    nft(String.join("\n",
        "table inet w {",
        "  set h { type ipv4_addr; elements = { 10.1.0.1, 10.1.0.2 } }",
        "  set i { type ipv4_addr; flags interval; elements = { 10.2.0.0/16, 10.3.0.1-10.3.0.9, 10.4.0.7 } }",
        "  set c { type ipv4_addr . inet_proto . inet_service; flags interval; elements = { 10.4.0.1-10.4.0.3 . tcp . 80-90 } }",
        "  map m { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; elements = { 127.0.0.1 . tcp . 8080 : 10.5.0.1 . 80 } }",
        "  set v6 { type ipv6_addr . inet_service; elements = { fd00::1 . 80 } }",
        "  set p { type ifname . ether_addr; elements = { \"ve-a\" . 02:42:0a:00:00:01 } }",
        "  set t { typeof ip saddr; elements = { 10.9.0.1 } }",
        "}"));
    // as loaded: no difference, whatever order the kernel keeps them in
    assertEquals(Optional.empty(), describe("h", "type ipv4_addr", List.of("10.1.0.2", "10.1.0.1")));
    List<String> i = List.of("10.2.0.0/16 comment \"policy a x.netc:3\"", "10.3.0.1-10.3.0.9", "10.4.0.7");
    assertEquals(Optional.empty(), describe("i", "type ipv4_addr", i));
    String c = "type ipv4_addr . inet_proto . inet_service";
    assertEquals(Optional.empty(), describe("c", c, List.of("10.4.0.1-10.4.0.3 . tcp . 80-90 comment \"p x.netc:9\"")));
    String m = "type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service";
    assertEquals(Optional.empty(), describe("m", m, List.of("127.0.0.1 . tcp . 8080 comment \"web x.netc:2\" : 10.5.0.1 . 80")));
    assertEquals(Optional.empty(), describe("v6", "type ipv6_addr . inet_service", List.of("fd00::1 . 80")));
    assertEquals(Optional.empty(), describe("p", "type ifname . ether_addr", List.of("\"ve-a\" . 02:42:0a:00:00:01")));

    // changed by hand: named, the deleted with the comment that says where they came from
    nft("add element inet w h { 10.1.0.3 }; delete element inet w h { 10.1.0.2 }");
    assertEquals(Optional.of("set h: 10.1.0.3 added since apply, 10.1.0.2 deleted since apply"),
        describe("h", "type ipv4_addr", List.of("10.1.0.2", "10.1.0.1")));
    // a range touching another one, a range to the top of the space, one deleted
    nft("add element inet w i { 10.3.0.10-10.3.0.12, 255.255.255.0/24 }; delete element inet w i { 10.2.0.0/16 }");
    assertEquals(Optional.of("set i: 10.3.0.10-10.3.0.12 and 255.255.255.0/24 added since apply,"
        + " 10.2.0.0/16 (policy a x.netc:3) deleted since apply"), describe("i", "type ipv4_addr", i));
    nft("add element inet w c { 10.4.0.8-10.4.0.9 . udp . 53, 10.4.1.0/24 . tcp . 22 }");
    assertEquals(Optional.of("set c: 10.4.0.8/31 . udp . 53 and 10.4.1.0/24 . tcp . 22 added since apply"),
        describe("c", c, List.of("10.4.0.1-10.4.0.3 . tcp . 80-90 comment \"p x.netc:9\"")));
    // a map's value changed: its old element deleted, the new one added
    nft("delete element inet w m { 127.0.0.1 . tcp . 8080 }; add element inet w m { 127.0.0.1 . tcp . 8080 : 10.5.0.2 . 80 }");
    assertEquals(Optional.of("map m: 127.0.0.1 . tcp . 8080 : 10.5.0.2 . 80 added since apply,"
        + " 127.0.0.1 . tcp . 8080 : 10.5.0.1 . 80 (web x.netc:2) deleted since apply"),
        describe("m", m, List.of("127.0.0.1 . tcp . 8080 comment \"web x.netc:2\" : 10.5.0.1 . 80")));
    nft("add element inet w v6 { fd00::2:0:0:1 . 443 }; add element inet w p { \"ve-b\" . 02:42:0a:00:00:ff }");
    assertEquals(Optional.of("set v6: fd00::2:0:0:1 . 443 added since apply"),
        describe("v6", "type ipv6_addr . inet_service", List.of("fd00::1 . 80")));
    assertEquals(Optional.of("set p: \"ve-b\" . 02:42:0a:00:00:ff added since apply"),
        describe("p", "type ifname . ether_addr", List.of("\"ve-a\" . 02:42:0a:00:00:01")));
    // many: three named, the rest counted
    nft("add element inet w h { 10.1.0.4, 10.1.0.5, 10.1.0.6 }");
    assertEquals(Optional.of("set h: 10.1.0.3, 10.1.0.4, 10.1.0.5 and 1 more added since apply,"
        + " 10.1.0.2 deleted since apply"), describe("h", "type ipv4_addr", List.of("10.1.0.2", "10.1.0.1")));
    // the catch-all element, which has no key
    nft("add element inet w v6 { * }");
    assertEquals(Optional.of("set v6: * and fd00::2:0:0:1 . 443 added since apply"),
        describe("v6", "type ipv6_addr . inet_service", List.of("fd00::1 . 80")));
    // a typeof set, or bytes that are not of the type the file says: not named
    nft("add element inet w t { 10.9.0.2 }");
    assertEquals(Optional.empty(), describe("t", "typeof ip saddr", List.of("10.9.0.1")));
    assertEquals(Optional.empty(), describe("v6", "type ipv4_addr . inet_service", List.of("fd00::1 . 80")));
  }
}
