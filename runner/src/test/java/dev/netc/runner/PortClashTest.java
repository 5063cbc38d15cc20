package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PortClash}: a host port another topology's kept table publishes in the same host namespace. */
class PortClashTest {
  private static final Sandbox SB = new Sandbox("pc1");

  @TempDir Path dir;

  /** A kept table of topology a: 8080/tcp on every IPv4 address, 9090/tcp on 10.0.0.1, 5353/udp on 127.0.0.1, node port 30080/tcp. */
  private static final String KEPT = """
      table inet netc_a {
        map published4 {
          type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
          elements = {
            10.0.0.1 . tcp . 9090 comment "api a.netc:12" : 10.70.0.3 . 90
          }
        }

        map published4_any {
          type inet_proto . inet_service : ipv4_addr . inet_service
          elements = {
            tcp . 8080 comment "nginx compose.yaml:7" : 10.70.0.2 . 80,
            tcp . 8081 comment "nginx compose.yaml:7" : 10.70.0.2 . 81
          }
        }

        map published4_local {
          type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
          elements = {
            127.0.0.1 . udp . 5353 comment "dns a.netc:20" : 10.70.0.4 . 53
          }
        }

        map nodeports {
          type inet_proto . inet_service : verdict
          elements = {
            tcp . 30080 comment "service shop/web input.yaml:78" : goto svc_shop_web_80_tcp
          }
        }
      }
      """;

  private List<Runner.Target> b(String publish) throws Exception {
    return List.of(Kernel.target(dir, "b.netc", "topology b\nnetwork lan {\n  subnet 10.71.0.0/24\n}\n"
        + "container web {\n  attach lan\n" + publish + "}\n", "pc1"));
  }

  private Optional<String> check(String publish) throws Exception {
    return PortClash.check("b", SB, b(publish), Map.of("pc1", Map.of("a", KEPT)));
  }

  @Test
  void theKeptTableGivesItsPortsAndNodePorts() {
    assertEquals(List.of(
        new PortClash.Held(4, Optional.of("10.0.0.1"), false, "tcp", 9090, "api a.netc:12"),
        new PortClash.Held(4, Optional.empty(), false, "tcp", 8080, "nginx compose.yaml:7"),
        new PortClash.Held(4, Optional.empty(), false, "tcp", 8081, "nginx compose.yaml:7"),
        new PortClash.Held(4, Optional.of("127.0.0.1"), false, "udp", 5353, "dns a.netc:20"),
        new PortClash.Held(0, Optional.empty(), true, "tcp", 30080, "service shop/web input.yaml:78")),
        PortClash.kept(KEPT));
  }

  @Test
  void aHostPortEveryAddressOfTheOtherTakesClashesAsARange() throws Exception {
    assertEquals(Optional.of("topology b cannot publish its ports in sandbox pc1: host port 8080-8081/tcp on 10.0.0.2"
        + " (web " + dir.resolve("b.netc") + ":7) is topology a's on every IPv4 address (nginx compose.yaml:7) in pc1; a host port forwards to one"
        + " container, the first table's DNAT takes it: take another host port (8082-8083 for 8080-8081/tcp, say),"
        + " or destroy topology a there first"), check("  publish 10.0.0.2:8079-8081 -> 79-81/tcp\n"));
    // (8079 alone is free: the run is the ports that clash)
  }

  @Test
  void everyAddressClashesWithOneAddressAndANodePort() throws Exception {
    assertEquals(Optional.of("topology b cannot publish its ports in sandbox pc1: host port 9090/tcp on every IPv4 address"
        + " (web " + dir.resolve("b.netc") + ":7) is topology a's on 10.0.0.1 (api a.netc:12) in pc1; host port 30080/tcp on every IPv4 address"
        + " (web " + dir.resolve("b.netc") + ":8) is topology a's as a node port (service shop/web input.yaml:78) in pc1; a host port forwards"
        + " to one container, the first table's DNAT takes it: take another host port (9091 for 9090/tcp, 30081 for"
        + " 30080/tcp, say), or destroy topology a there first"),
        check("  publish 9090 -> 90/tcp\n  publish 30080 -> 80/tcp\n"));
  }

  @Test
  void anotherAddressProtocolOrPortIsNoClash() throws Exception {
    assertEquals(Optional.empty(), check("  publish 10.0.0.2:9090 -> 90/tcp\n"));
    assertEquals(Optional.empty(), check("  publish 127.0.0.2:5353 -> 53/udp\n"));
    assertEquals(Optional.empty(), check("  publish 8080 -> 80/udp\n"));
    assertEquals(Optional.empty(), check("  publish 8082 -> 80/tcp\n"));
    assertEquals(Optional.empty(), check("  publish [::]:8080 -> 80/tcp\n"));
    // a node port leaves loopback alone
    assertEquals(Optional.empty(), check("  publish 127.0.0.1:30080 -> 80/tcp\n"));
    // another host namespace
    assertEquals(Optional.empty(), PortClash.check("b", SB, b("  publish 8080 -> 80/tcp\n"), Map.of("pc1-host_h2", Map.of("a", KEPT))));
  }

  @Test
  void everyAddressTakesTheLoopbackFromTheHostToo() throws Exception {
    assertEquals(Optional.of("topology b cannot publish its ports in sandbox pc1: host port 8080/tcp on 127.0.0.1"
        + " (web " + dir.resolve("b.netc") + ":7) is topology a's on every IPv4 address (nginx compose.yaml:7) in pc1; a host port forwards to one"
        + " container, the first table's DNAT takes it: take another host port (8082 for 8080/tcp, say), or destroy"
        + " topology a there first"), check("  publish 127.0.0.1:8080 -> 80/tcp\n"));
  }
}
