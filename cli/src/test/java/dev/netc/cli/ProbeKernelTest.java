package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code netc probe}, {@code verify} and {@code exec} against a real sandbox (root): the probe
 * prints exactly what {@code netc matrix} prints, verify passes, then fails with exactly the
 * cell an element added by hand opens; exec runs commands in endpoints, in the host's namespace
 * for a {@code mode host} endpoint, and returns their exit status. Sandboxes are removed in
 * {@code finally}.
 */
@Timeout(120)
class ProbeKernelTest {
  private static String sandbox() {
    return String.format("np%06x", new SecureRandom().nextInt(1 << 24));
  }

  @Test
  void probeIsTheMatrixVerifyFindsAHandMadeHoleExecRunsInEndpoints() throws Exception {
    DiffKernelTest.assumeKernel();
    String s = sandbox();
    CliRunner cli = new CliRunner();
    cli.write("webshop.netc", Files.readString(DiffKernelTest.ROOT.resolve("examples/webshop.netc")));
    try {
      CliRunner.Result r = cli.run("verify", "webshop.netc", "--sandbox", s);
      assertEquals(1, r.status());
      assertEquals("netc: verify failed: topology webshop is not applied in sandbox " + s + ": run `netc apply` first\n",
          r.err());
      assertEquals(0, cli.run("apply", "webshop.netc", "--sandbox", s).status());

      for (String format : new String[] {"text", "json", "csv"}) {
        CliRunner.Result probe = cli.run("probe", "webshop.netc", "--sandbox", s, "--format", format);
        assertEquals(0, probe.status(), probe.err());
        assertEquals(cli.run("matrix", "webshop.netc", "--format", format).out(), probe.out(), format);
      }
      r = cli.run("verify", "webshop.netc", "--sandbox", s);
      assertEquals(0, r.status(), r.out() + r.err());
      assertTrue(r.out().startsWith("Verified: the kernel admits exactly what the model says in 108 cells (sandbox "
          + s + ", topology webshop, 3 ports, 270 connections in "), r.out());

      // a hole made by hand where drift does not look: api-2 may reach db on 3000/tcp
      assertEquals(0, DiffKernelTest.run("ip", "netns", "exec", s, "nft", "add", "element", "inet", "netc_webshop",
          "allow_in4", "{ 10.20.0.4 . 10.20.0.5 . tcp . 3000 }"));
      r = cli.run("verify", "webshop.netc", "--sandbox", s, "--port", "3000");
      assertEquals(1, r.status(), r.out() + r.err());
      assertEquals("""
          api-2 -> db on 3000/tcp: model denies, kernel admits (via 10.20.0.5:3000)
            model: path: both on network `back`; no allow rule of a policy selecting `db` admits `api-2` on 3000/tcp (1 ingress allow rule checked)

          """, r.out().substring(0, r.out().indexOf("Differ: ")));
      assertTrue(r.out().startsWith("Differ: 1 of 36 cells (sandbox " + s + ", topology webshop, 1 port, ",
          r.out().indexOf("Differ: ")), r.out());
      r = cli.run("verify", "webshop.netc", "--sandbox", s, "--port", "3000/tcp", "--format", "json");
      assertEquals(1, r.status());
      assertTrue(r.out().startsWith("""
          {
            "differences": [
              {
                "from": "api-2",
                "to": "db",
                "port": 3000,
                "protocol": "tcp",
                "model": false,
                "kernel": true,
                "detail": "via 10.20.0.5:3000",
          """), r.out());

      assertEquals(0, cli.run("exec", "webshop.netc", "--sandbox", s, "web", "--", "getent", "hosts", "api-1").status());
      assertEquals(0, cli.run("exec", "webshop.netc", "--sandbox", s, "db", "--", "sh", "-c",
          "getent hosts api-2 | grep -q '^10.20.0.4 '").status());
      assertEquals(2, cli.run("exec", "webshop.netc", "--sandbox", s, "web", "--", "getent", "hosts", "nosuch").status());
      assertEquals(0, cli.run("exec", "webshop.netc", "--sandbox", s, "@outside", "--", "sh", "-c",
          "[ \"$(ip netns identify)\" = " + s + "-outside ]").status());
      assertEquals(0, cli.run("exec", "webshop.netc", "--sandbox", s, "@host", "--", "sh", "-c",
          "[ \"$(ip netns identify)\" = " + s + " ]").status());
      assertEquals(0, cli.run("destroy", "webshop.netc", "--sandbox", s).status());
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }

  @Test
  void execInAModeHostEndpointRunsInTheHostsNamespace() throws Exception {
    DiffKernelTest.assumeKernel();
    String s = sandbox();
    CliRunner cli = new CliRunner();
    cli.write("hn.netc", Files.readString(DiffKernelTest.ROOT.resolve("examples/host-and-none.netc")));
    try {
      assertEquals(0, cli.run("apply", "hn.netc", "--sandbox", s).status());
      assertEquals(0, cli.run("exec", "hn.netc", "--sandbox", s, "node-exporter", "--", "sh", "-c",
          "[ \"$(ip netns identify)\" = " + s + " ]").status());
      assertEquals(0, cli.run("exec", "hn.netc", "--sandbox", s, "batch", "--", "sh", "-c",
          "[ \"$(ip -o link | wc -l)\" = 1 ]").status(), "mode none: loopback only");
      CliRunner.Result r = cli.run("verify", "hn.netc", "--sandbox", s, "-q");
      assertEquals(0, r.status(), r.out() + r.err());
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }
}
