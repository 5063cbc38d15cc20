package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
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

/**
 * {@code netc diff} against a real sandbox (root): in sync after apply; a veth deleted, the table
 * flushed and an address changed by hand are each named, exit 2; apply repairs; in sync again.
 * The sandbox is removed in {@code finally}, also when the test fails.
 */
@Timeout(120)
class DiffKernelTest {
  static final Path ROOT = Path.of(System.getProperty("netc.root", "..")).toAbsolutePath().normalize();

  /** Skips with a printed reason unless root with ip and nft. */
  static void assumeKernel() {
    String reason = null;
    if (!"root".equals(System.getProperty("user.name"))) {
      reason = "kernel tests need root";
    } else if (run("nft", "--version") != 0) {
      reason = "nft is not installed (apt-get install nftables)";
    } else if (run("ip", "netns", "list") != 0) {
      reason = "iproute2 is not installed";
    }
    if (reason != null) {
      System.out.println("skipped: " + reason);
    }
    assumeTrue(reason == null, reason);
  }

  static int run(String... argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  static String output(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(20, TimeUnit.SECONDS);
    return out;
  }

  /** Every namespace {@code S} and {@code S-*}, their /etc/netns folders, netc's records of S. */
  static void removeSandbox(String s) throws IOException, InterruptedException {
    List<String> del = new ArrayList<>();
    for (String line : output("ip", "netns", "list").split("\n")) {
      String n = line.split(" ", 2)[0];
      if (n.equals(s) || n.startsWith(s + "-")) {
        del.add(n);
      }
    }
    for (String n : del) {
      run("ip", "netns", "del", n);
    }
    for (Path dir : List.of(Path.of("/etc/netns"), Path.of("/run/netc"))) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> list = Files.list(dir)) {
        for (Path d : list.filter(p -> p.getFileName().toString().startsWith(s + "-")
            || p.getFileName().toString().startsWith(s + ".")).toList()) {
          try (Stream<Path> walk = Files.walk(d)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
              Files.deleteIfExists(p);
            }
          }
        }
      }
    }
  }

  @Test
  void driftMadeByHandIsNamedAndApplyRepairsIt() throws Exception {
    assumeKernel();
    String s = String.format("nd%06x", new SecureRandom().nextInt(1 << 24));
    CliRunner cli = new CliRunner();
    cli.write("webshop.netc", Files.readString(ROOT.resolve("examples/webshop.netc")));
    try {
      CliRunner.Result r = cli.run("apply", "webshop.netc", "--sandbox", s);
      assertEquals(0, r.status(), r.err());
      r = cli.run("diff", "webshop.netc", "--sandbox", s);
      assertEquals(0, r.status(), r.out() + r.err());
      assertEquals("In sync: sandbox " + s + " matches topology webshop.\n", r.out());

      // drift by hand: a veth deleted, the table flushed, an address changed
      assertEquals(0, run("ip", "-n", s, "link", "del", "ve-db-0"));
      assertEquals(0, run("ip", "netns", "exec", s, "nft", "flush", "table", "inet", "netc_webshop"));
      assertEquals(0, run("ip", "-n", s + "-api-1", "address", "del", "10.20.0.3/24", "dev", "eth0"));
      assertEquals(0, run("ip", "-n", s + "-api-1", "address", "add", "10.20.0.33/24", "dev", "eth0"));

      r = cli.run("diff", "webshop.netc", "--sandbox", s);
      assertEquals(2, r.status(), r.out() + r.err());
      List<String> lines = r.out().lines().toList();
      assertTrue(lines.contains("missing     link:" + s + ":ve-db-0"), r.out());
      assertTrue(lines.contains("missing     link:" + s + "-db:eth0"), r.out());
      assertTrue(lines.contains("missing     address:" + s + "-db:eth0/10.20.0.5/24"), r.out());
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("changed     table:" + s + ":inet netc_webshop  (9 rules, applied with 26: chain forward flushed (12 rules),"
          + " chain policy_check flushed (2 rules), chain output: `dnat ip to ip daddr . meta l4proto . th dport map @published4_local")),
          r.out());
      // the address replaced: one changed address, from what it is to what it should be
      assertTrue(lines.contains("changed     address:" + s + "-api-1:eth0/10.20.0.3/24  (10.20.0.33/24 -> 10.20.0.3/24)"), r.out());
      // the new eth0 of db is made with IPv6 on: its switch is missing with it
      assertTrue(lines.contains("missing     sysctl:" + s + "-db:net.ipv6.conf.eth0.disable_ipv6  (1)"), r.out());
      assertEquals(8, lines.size(), r.out());
      assertEquals("Drift: 4 missing, 2 changed, 0 unexpected (sandbox " + s
          + ", topology webshop); `netc apply` repairs it.", lines.get(lines.size() - 1), r.out());
      r = cli.run("diff", "webshop.netc", "--sandbox", s, "--format", "json");
      assertEquals(2, r.status(), r.err());
      assertTrue(r.out().contains("\"summary\": {\n    \"missing\": 4,\n    \"changed\": 2,\n    \"unexpected\": 0\n  }"),
          r.out());

      r = cli.run("apply", "webshop.netc", "--sandbox", s);
      assertEquals(0, r.status(), r.err());
      r = cli.run("diff", "webshop.netc", "--sandbox", s);
      assertEquals(0, r.status(), r.out() + r.err());
      assertTrue(output("ip", "netns", "exec", s, "nft", "list", "table", "inet", "netc_webshop").contains("dnat"),
          "the flushed table is loaded again");

      r = cli.run("destroy", "webshop.netc", "--sandbox", s);
      assertEquals(0, r.status(), r.err());
      r = cli.run("diff", "webshop.netc", "--sandbox", s, "-q");
      assertEquals(2, r.status(), "a destroyed topology has drifted from its desired state");
    } finally {
      removeSandbox(s);
    }
  }
}
