package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host mode (no {@code --sandbox}) against a real kernel, without touching the real host's
 * network namespace: {@code netc} runs as its own process under {@code nsenter --net} in a fresh
 * namespace T, so "the host" is T (the mount namespace stays the machine's, so the namespaces
 * it adds persist between runs). The topology gets a unique name, so its namespaces {@code
 * netc-hmXXXXXX-*}, files and records are unique too. Everything is removed in {@code finally}.
 */
@Timeout(180)
class HostModeKernelTest {
  record Run(int status, String out, String err) {}

  private static Run netc(String hostNs, Path dir, String... args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + hostNs,
        ProcessHandle.current().info().command().orElse("java"), "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), "dev.netc.cli.Main"));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).directory(dir.toFile())
        .redirectError(dir.resolve("err.txt").toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "netc finished");
    return new Run(p.exitValue(), out, Files.readString(dir.resolve("err.txt")));
  }

  @Test
  void planApplyDiffAndDestroyInHostModeLeaveTheHostAsItWas(@TempDir Path dir) throws Exception {
    DiffKernelTest.assumeKernel();
    assumeTrue(DiffKernelTest.run("nsenter", "--version") == 0, "nsenter (util-linux) is not installed");
    String id = String.format("%06x", new SecureRandom().nextInt(1 << 24));
    String topology = "hm" + id;
    String other = "ho" + id;
    String t = "nh" + id;
    Files.writeString(dir.resolve("shop.netc"), Files.readString(DiffKernelTest.ROOT.resolve("examples/webshop.netc"))
        .replace("topology webshop", "topology " + topology));
    Files.writeString(dir.resolve("other.netc"), "topology " + other + "\n\nnetwork side {\n  subnet 10.99.0.0/24\n}\n\n"
        + "container worker {\n  attach side\n}\n");
    Path record = null;
    String realLinks = DiffKernelTest.output("ip", "-o", "link", "show");
    try {
      assertEquals(0, DiffKernelTest.run("ip", "netns", "add", t));
      assertEquals(0, DiffKernelTest.run("ip", "-n", t, "link", "add", "foreign0", "type", "bridge"));
      String dad = DiffKernelTest.output("ip", "netns", "exec", t, "sysctl", "-n", "net.ipv6.conf.default.accept_dad");
      String forwarding = DiffKernelTest.output("ip", "netns", "exec", t, "sysctl", "-n", "net.ipv4.ip_forward").strip();
      assertEquals("0", forwarding, "a new namespace does not forward");
      // the record of the sysctls' values before netc is T's own, named after its inode
      record = Path.of("/run/netc/@host.net-" + Files.getAttribute(Path.of("/run/netns/" + t), "unix:ino") + ".sysctl");

      Run r = netc(t, dir, "plan", "shop.netc", "--detailed-exitcode");
      assertEquals(2, r.status(), r.err());
      assertTrue(r.out().startsWith("+ namespace:(host):netc-" + topology + "-web\n"), r.out());
      assertTrue(r.out().contains("\n+ link:(host):br-front\n"), r.out());
      assertTrue(r.out().contains("\n+ table:(host):inet netc_" + topology + "\n"), r.out());
      assertTrue(r.out().endsWith("\nPlan: 43 to create, 1 to update, 0 to replace, 0 to delete.\n"), r.out());

      r = netc(t, dir, "apply", "shop.netc");
      assertEquals(0, r.status(), r.err());
      assertTrue(r.out().startsWith("Applied " + topology + " in the host: 43 created, 1 updated,"), r.out());
      assertTrue(DiffKernelTest.output("ip", "-n", t, "-o", "link", "show", "br-front").contains("br-front"));
      assertTrue(DiffKernelTest.output("ip", "netns", "exec", "netc-" + topology + "-web", "getent", "hosts", "api-1")
          .contains("10.20.0.3"), "web resolves api-1");
      assertTrue(DiffKernelTest.output("ip", "netns", "exec", t, "nft", "list", "tables")
          .contains("inet netc_" + topology));
      assertFalse(DiffKernelTest.output("ip", "-o", "link", "show").contains("netc:" + topology + ":"),
          "the bridges and veths are in T, not in the real host namespace");
      assertEquals(dad, DiffKernelTest.output("ip", "netns", "exec", t, "sysctl", "-n", "net.ipv6.conf.default.accept_dad"),
          "the host's DAD default is not netc's to change");
      assertEquals("1", sysctl(t, "net.ipv4.ip_forward"));
      assertTrue(Files.readString(record).contains("net.ipv4.ip_forward=0\n"), Files.readString(record));

      r = netc(t, dir, "plan", "shop.netc", "--detailed-exitcode");
      assertEquals(0, r.status(), r.out() + r.err());
      assertEquals("No changes: the host matches topology " + topology + ".\n", r.out());
      assertEquals(0, DiffKernelTest.run("ip", "-n", t, "link", "set", "dev", "br-back", "mtu", "1400"));
      r = netc(t, dir, "diff", "shop.netc");
      assertEquals(2, r.status(), r.out() + r.err());
      assertTrue(r.out().startsWith("changed     link:(host):br-back  (mtu 1400 -> 1500)\n"), r.out());
      r = netc(t, dir, "apply", "shop.netc");
      assertEquals(0, r.status(), r.err());
      assertEquals(0, netc(t, dir, "diff", "shop.netc").status());

      // a second topology with a bridge needs forwarding too: the shop's destroy leaves it on
      r = netc(t, dir, "apply", "other.netc");
      assertEquals(0, r.status(), r.err());
      assertTrue(Files.readString(record).contains("net.ipv4.ip_forward=0\n"), "the first value stays recorded");
      r = netc(t, dir, "destroy", "shop.netc");
      assertEquals(0, r.status(), r.err());
      assertTrue(r.err().contains("netc: left net.ipv4.ip_forward") && r.err().contains("topology " + other + " still uses"),
          r.err());
      assertEquals("1", sysctl(t, "net.ipv4.ip_forward"), "the other topology still forwards");
      // the last destroy gives the host its value from before netc
      r = netc(t, dir, "destroy", "other.netc");
      assertEquals(0, r.status(), r.err());
      assertEquals(forwarding, sysctl(t, "net.ipv4.ip_forward"), "ip_forward is back");
      assertFalse(Files.exists(record), "the record is gone with the last topology");
      assertFalse(DiffKernelTest.output("ip", "netns", "list").contains("netc-" + topology + "-"));
      assertEquals(List.of("lo", "foreign0"), DiffKernelTest.output("ip", "-n", t, "-o", "link", "show").lines()
          .map(l -> l.split(": ")[1].split("[:@]")[0]).toList(), "only the foreign bridge is left in T");
      assertFalse(DiffKernelTest.output("ip", "netns", "exec", t, "nft", "list", "tables").contains(topology));
      assertFalse(Files.exists(Path.of("/etc/netns/netc-" + topology + "-web")));
      assertFalse(Files.exists(Path.of("/run/netc/@host." + topology + ".nft.sha256")));
      String now = DiffKernelTest.output("ip", "-o", "link", "show");
      assertFalse(now.contains("netc:" + topology + ":"), "no link of the topology ever reached the real host");
      for (String link : List.of("br-front", "br-back", "ve-web-0", "ve-db-0")) {
        assertEquals(names(realLinks).contains(link), names(now).contains(link), link + " in the real host namespace");
      }
    } finally {
      if (record != null) {
        Files.deleteIfExists(record);
      }
      for (String line : DiffKernelTest.output("ip", "netns", "list").split("\n")) {
        String n = line.split(" ", 2)[0];
        if (n.equals(t) || n.startsWith("netc-" + topology + "-") || n.startsWith("netc-" + other + "-")) {
          DiffKernelTest.run("ip", "netns", "del", n);
        }
      }
      for (Path d : List.of(Path.of("/etc/netns"), Path.of("/run/netc"))) {
        if (Files.isDirectory(d)) {
          try (Stream<Path> list = Files.list(d)) {
            for (Path p : list.filter(p -> p.getFileName().toString().startsWith("netc-" + topology + "-")
                || p.getFileName().toString().startsWith("netc-" + other + "-")
                || p.getFileName().toString().startsWith("@host." + topology + ".")
                || p.getFileName().toString().startsWith("@host." + other + ".")).toList()) {
              try (Stream<Path> walk = Files.walk(p)) {
                for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                  Files.deleteIfExists(x);
                }
              }
            }
          }
        }
      }
    }
  }

  /** The value of a sysctl in namespace {@code ns}. */
  private static String sysctl(String ns, String key) throws IOException, InterruptedException {
    return DiffKernelTest.output("ip", "netns", "exec", ns, "sysctl", "-n", key).strip();
  }

  /** The names of {@code ip -o link show}'s links. */
  private static List<String> names(String ipOLink) {
    return ipOLink.lines().map(l -> l.split(": ")[1].split("[:@]")[0]).sorted().toList();
  }
}
