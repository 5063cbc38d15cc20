package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.backends.nftables.PortFilter;
import dev.netc.compiler.ir.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container's MAC address changed in place on a dual-stack network (root, its own sandbox):
 * the kernel keeps the link-local address it made from the old one, which the port filter no
 * longer admits; apply gives the interface the new one, and link-local traffic passes.
 */
@Timeout(60)
class MacChangeKernelTest extends SandboxTest {
  @TempDir Path dir;

  private Runner.Target target(String name, String attach) throws Exception {
    Path file = dir.resolve(name + ".netc");
    Files.writeString(file, "topology t\nnetwork n { subnet 10.1.0.0/24; subnet fd00:1::/64 }\ncontainer a { attach n" + attach + " }\n");
    Topology t = new dev.netc.compiler.Compiler().compile(file).topology().orElseThrow();
    return Kernel.target(t, s);
  }

  private List<String> linkLocals(String ns, String dev) {
    Matcher m = Pattern.compile("inet6 (fe80::[0-9a-f:]+)/64").matcher(Kernel.run("ip", "-n", ns, "-6", "address", "show", "dev", dev).out());
    List<String> out = new java.util.ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void theInterfaceGetsTheLinkLocalAddressOfItsNewMac() throws Exception {
    runner.apply(target("e1", ""));
    Runner.Target fixed = target("e2", " { mac 02:00:00:00:00:10 }");
    runner.apply(fixed);
    assertTrue(runner.plan(fixed).empty(), () -> runner.plan(fixed).text());
    assertEquals(List.of(PortFilter.linkLocal("02:00:00:00:00:10").toString()), linkLocals(s + "-a", "eth0"));
    String gateway = linkLocals(s, "br-n").get(0);
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-a", "ping", "-6", "-c", "1", "-W", "2", gateway + "%eth0").ok(),
        "the bridge's link-local address answers the container's");
  }
}
