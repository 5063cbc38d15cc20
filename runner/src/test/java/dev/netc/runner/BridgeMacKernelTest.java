package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bridge keeps the MAC address netc gives it, whatever ports come and go: the members' neighbour
 * entries for the gateway stay right, and the gateway answers at once after an apply that removes
 * a member (a bridge that takes the lowest MAC address of its ports changed it then, and the other
 * members lost the gateway for some 10 s). A bridge an older netc made without one is given it in
 * place, and announces it: a member's entry holds the new address right after the apply.
 */
class BridgeMacKernelTest extends SandboxTest {
  @TempDir Path dir;

  private String bridgeMac() {
    return Kernel.run("ip", "-n", s, "-br", "link", "show", "br-back").out().strip().split("\\s+")[2];
  }

  /** The MAC address {@code web}'s neighbour entry holds for the gateway of {@code back}, or "". */
  private String gatewayEntry() {
    String out = Kernel.run("ip", "-n", s + "-web", "neigh", "show", "10.20.0.1").out();
    return out.contains(" lladdr ") ? out.replaceAll("(?s).* lladdr (\\S+).*", "$1") : "";
  }

  private boolean gatewayAnswers() {
    return Kernel.run("ip", "netns", "exec", s + "-web", "ping", "-c", "1", "-W", "1", "10.20.0.1").ok();
  }

  @Test
  void theGatewayKeepsItsAddressWhenAMemberGoes() throws Exception {
    String source = Files.readString(Kernel.root().resolve("examples/webshop.netc"));
    runner.apply(Kernel.target(dir, "webshop.netc", source, s));
    String mac = bridgeMac();
    assertTrue(mac.startsWith("02:"), mac);
    // the kernel reports it as set, not derived from the ports (addr_assign_type 3)
    assertEquals("3", Kernel.run("ip", "netns", "exec", s, "cat", "/sys/class/net/br-back/addr_assign_type").out().strip());
    assertTrue(gatewayAnswers());
    assertEquals(mac, gatewayEntry());

    // db goes: its host end leaves the bridge
    String withoutDb = source.substring(0, source.indexOf("container db {")) + source.substring(source.indexOf("policy isolate-all"));
    withoutDb = withoutDb.substring(0, withoutDb.indexOf("policy api-to-db"));
    runner.apply(Kernel.target(dir, "webshop.netc", withoutDb, s));
    assertEquals(mac, bridgeMac());
    assertTrue(gatewayAnswers(), "the gateway does not answer at once");
    assertEquals(mac, gatewayEntry());
  }

  @Test
  void aBridgeWithoutItsAddressIsGivenItInPlaceAndAnnouncesIt() throws Exception {
    Runner.Target t = Kernel.target(Kernel.compile("examples/webshop.netc"), s);
    runner.apply(t);
    String mac = bridgeMac();
    // as an older netc left it: the address the kernel took from a port
    assertTrue(Kernel.run("ip", "-n", s, "link", "set", "br-back", "address", "06:00:00:00:00:01").ok());
    assertTrue(gatewayAnswers());
    assertEquals("06:00:00:00:00:01", gatewayEntry());
    Plan plan = runner.plan(t);
    assertEquals(List.of("~ link:" + s + ":br-back  (address 06:00:00:00:00:01 -> " + mac + ")"),
        plan.changes().stream().map(Change::line).toList(), plan.text());
    runner.apply(t);
    assertEquals(mac, bridgeMac());
    // the gratuitous ARP of the change (arp_notify) updated web's entry: no 10 s without the gateway
    assertEquals(mac, gatewayEntry());
    assertTrue(gatewayAnswers());
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
  }
}
