package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ICMP redirect one container forges as if from the gateway never reaches another: the
 * container's port on the bridge drops redirects (only the host routes), and a source address
 * that is not the container's. Counted where it would arrive (the victim's {@code Icmp:
 * InRedirects}); with the port's chain and the forward chain flushed the same packets do arrive, so the test's packets
 * are real.
 */
@Timeout(120)
class RedirectKernelTest extends SandboxTest {
  private static final String V4 = "topology rd\n\nnetwork n {\n  subnet 10.78.0.0/24\n}\n\n"
      + "container a {\n  attach n\n}\n\ncontainer b {\n  attach n\n}\n";

  @Test
  void aRedirectForgedByAMemberIsDroppedOnTheBridge(@TempDir Path dir) throws Exception {
    Runner.Target t = Kernel.target(dir, "rd.netc", V4, s);
    runner.apply(t);
    Path script = dir.resolve("redirect.py");
    try (var in = RedirectKernelTest.class.getResourceAsStream("icmp-redirect.py")) {
      Files.copy(in, script);
    }
    // a, as the gateway 10.78.0.1, tells b to send 203.0.113.9's traffic through a (10.78.0.2)
    List<String> forge = List.of("ip", "netns", "exec", s + "-a", "python3", script.toString(),
        "10.78.0.1", "10.78.0.3", "10.78.0.2", "203.0.113.9");
    // a knows b's MAC address before it sends: nothing waits in a queue for ARP
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-a", "ping", "-c1", "-W2", "10.78.0.3").ok());
    long before = redirectsReceived();
    assertTrue(Kernel.EXEC.run(forge, "").ok());
    Thread.sleep(300);
    assertEquals(before, redirectsReceived(), "dropped on a's port");

    // both hooks flushed: the port's chain, and forward (which drops a redirect as belonging to no connection)
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "flush", "chain", "bridge", "netc_rd", "prerouting").ok());
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "flush", "chain", "inet", "netc_rd", "forward").ok());
    assertTrue(Kernel.EXEC.run(forge, "").ok());
    long deadline = System.nanoTime() + 3_000_000_000L;
    while (redirectsReceived() < before + 3 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(before + 3, redirectsReceived(), "without the rule the three redirects arrive");
  }

  /** The ICMP redirects namespace b has received ({@code /proc/net/snmp}, Icmp: InRedirects). */
  private long redirectsReceived() {
    List<String> icmp = Kernel.run("ip", "netns", "exec", s + "-b", "cat", "/proc/net/snmp").out().lines()
        .filter(l -> l.startsWith("Icmp: ")).toList();
    List<String> names = List.of(icmp.get(0).split(" "));
    return Long.parseLong(icmp.get(1).split(" ")[names.indexOf("InRedirects")]);
  }
}
