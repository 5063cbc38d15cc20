package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Saved plans against a real sandbox (root): {@code plan --out} then {@code apply PLAN} makes
 * exactly the saved changes, even when the topology file changed since; the same file applied
 * again is stale; a plan made before drift by hand is stale. The sandbox is removed in {@code
 * finally}.
 */
@Timeout(120)
class SavedPlanKernelTest {
  @Test
  void aSavedPlanIsAppliedOnceAndRefusedWhenTheLiveStateMoved() throws Exception {
    DiffKernelTest.assumeKernel();
    String s = String.format("np%06x", new SecureRandom().nextInt(1 << 24));
    CliRunner cli = new CliRunner();
    String source = Files.readString(DiffKernelTest.ROOT.resolve("examples/webshop.netc"));
    cli.write("webshop.netc", source);
    try {
      CliRunner.Result r = cli.run("plan", "webshop.netc", "--sandbox", s, "--out", "shop.plan");
      assertEquals(0, r.status(), r.err());
      assertEquals("Saved the plan to shop.plan: `netc apply shop.plan` makes exactly these changes.\n", r.err());
      String planned = r.out();
      // the route_localnet of the bridge the plan makes: made with it, as IPv6 off on a new interface
      assertTrue(planned.contains("\n+ sysctl:" + s + ":net.ipv4.conf.br-front.route_localnet  (1)\n"), planned);
      assertTrue(planned.contains("\n+ sysctl:" + s + "-web:net.ipv6.conf.eth0.disable_ipv6  (1)\n"), planned);
      // the source changes after the plan: apply still makes the saved changes, as Terraform does
      cli.write("webshop.netc", source.replace("replicas 2", "replicas 3"));

      r = cli.run("apply", "shop.plan");
      assertEquals(0, r.status(), r.err());
      assertTrue(r.out().startsWith("Applied webshop in sandbox " + s + ": 48 created, 0 updated, 0 replaced, 0 deleted"),
          r.out());
      assertTrue(DiffKernelTest.output("ip", "netns", "list").contains(s + "-api-2"), "api-2 is there");
      assertTrue(!DiffKernelTest.output("ip", "netns", "list").contains(s + "-api-3"), "no api-3: the saved plan has two");
      cli.write("webshop.netc", source);
      r = cli.run("plan", "webshop.netc", "--sandbox", s, "--detailed-exitcode");
      assertEquals(0, r.status(), "in sync after the saved plan: " + r.out() + r.err());
      assertTrue(planned.endsWith("Plan: 48 to create, 0 to update, 0 to replace, 0 to delete.\n"), planned);

      r = cli.run("apply", "shop.plan");
      assertEquals(1, r.status(), r.out());
      assertTrue(r.err().startsWith("netc: saved plan is stale: the live state of sandbox " + s
          + " changed since the plan was made (fingerprint "), r.err());
      assertTrue(r.err().endsWith("), and matches topology webshop already: was the plan applied?; run netc plan"
          + " again\n"), r.err());
      assertEquals(1, r.err().lines().count(), r.err());

      // planned, then drift by hand, then applied: stale, nothing changed
      r = cli.run("plan", "webshop.netc", "--sandbox", s, "--out", "empty.plan");
      assertEquals(0, r.status(), r.err());
      assertEquals(0, DiffKernelTest.run("ip", "-n", s, "link", "set", "dev", "br-front", "mtu", "1400"));
      r = cli.run("apply", "empty.plan", "--sandbox", s);
      assertEquals(1, r.status(), r.out());
      assertTrue(r.err().startsWith("netc: saved plan is stale: "), r.err());
      assertTrue(!r.err().contains("already"), "drift is not a plan applied: " + r.err());
      assertTrue(DiffKernelTest.output("ip", "-n", s, "-o", "link", "show", "br-front").contains(" mtu 1400 "),
          "the stale plan changed nothing");
      r = cli.run("apply", "empty.plan", "--sandbox", "other");
      assertEquals(1, r.status());
      assertEquals("netc: `empty.plan` is a plan for sandbox " + s + ", not sandbox other; run netc plan again\n", r.err());

      r = cli.run("destroy", "webshop.netc", "--sandbox", s);
      assertEquals(0, r.status(), r.err());
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }
}
