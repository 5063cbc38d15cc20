package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.List;
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
  void probeIsTheMatrixVerifyFindsAHandMadeDropExecRunsInEndpoints() throws Exception {
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

      // a hole made by hand in netc's table: drift sees it, so verify refuses, and apply repairs it
      assertEquals(0, DiffKernelTest.run("ip", "netns", "exec", s, "nft", "add", "element", "inet", "netc_webshop",
          "allow_in4", "{ 10.20.0.4 . 10.20.0.5 . tcp . 3000 }"));
      r = cli.run("verify", "webshop.netc", "--sandbox", s, "--port", "3000");
      assertEquals(1, r.status(), r.out() + r.err());
      assertEquals("netc: verify failed: sandbox " + s + " is not in sync with topology webshop (0 missing, 1 changed,"
          + " 0 unexpected; `netc diff` lists them): run `netc apply` first\n", r.err());
      r = cli.run("diff", "webshop.netc", "--sandbox", s);
      assertEquals(2, r.status(), r.out() + r.err());
      assertTrue(r.out().startsWith("changed     table:" + s + ":inet netc_webshop  (set allow_in4: 10.20.0.4 . 10.20.0.5 . tcp . 3000"
          + " added since apply; replaced atomically)\n"), r.out());
      assertEquals(0, cli.run("apply", "webshop.netc", "--sandbox", s).status());

      // a drop made by hand where drift does not look (someone else's table in db's namespace):
      // api-2 no longer reaches db on 5432/tcp
      assertEquals(0, DiffKernelTest.run("ip", "netns", "exec", s + "-db", "nft", "add table inet foreign; add chain inet"
          + " foreign in { type filter hook input priority 0; }; add rule inet foreign in tcp dport 5432 ip saddr 10.20.0.4 drop"));
      r = cli.run("verify", "webshop.netc", "--sandbox", s, "--port", "5432");
      assertEquals(1, r.status(), r.out() + r.err());
      // and the table is named, since it is what drops them
      String note = "namespace " + s + "-db holds nftables table inet foreign (not netc's) with base chain in (input,"
          + " policy accept): it also filters the traffic verify measured";
      assertEquals("""
          api-2 -> db on 5432/tcp: model admits, kernel denies (10.20.0.5:5432 timed out)
            model: path: both on network `back`; `db` is isolated for ingress; admitted by policy `api-to-db`: `allow ingress from app=api port 5432/tcp` (webshop.netc:51)

          note: %s

          """.formatted(note), r.out().substring(0, Math.max(0, r.out().indexOf("Differ: "))));
      assertTrue(r.out().startsWith("Differ: 1 of 36 cells (sandbox " + s + ", topology webshop, 1 port, ",
          r.out().indexOf("Differ: ")), r.out());
      r = cli.run("verify", "webshop.netc", "--sandbox", s, "--port", "5432/tcp", "--format", "json");
      assertEquals(1, r.status());
      assertTrue(r.out().startsWith("""
          {
            "differences": [
              {
                "from": "api-2",
                "to": "db",
                "port": 5432,
                "protocol": "tcp",
                "model": true,
                "kernel": false,
                "detail": "10.20.0.5:5432 timed out",
          """), r.out());
      assertTrue(r.out().contains("""
            "notes": [
              "%s"
            ],
          """.formatted(note)), r.out());

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

  /**
   * A member of a pod (a Compose service that joins another's namespace) runs in its pod's
   * namespace, named by itself or as POD/MEMBER (it was "no endpoint `side`; did you mean
   * `@outside`?").
   */
  @Test
  void execOfAPodMemberRunsInItsPod() throws Exception {
    DiffKernelTest.assumeKernel();
    String s = sandbox();
    CliRunner cli = new CliRunner();
    cli.write("compose.yaml", """
        name: pm
        services:
          app:
            image: nginx
          side:
            image: alpine
            network_mode: "service:app"
        """);
    try {
      assertEquals(0, cli.run("apply", "compose.yaml", "--sandbox", s).status());
      for (String name : List.of("side", "app/side", "app")) {
        assertEquals(0, cli.run("exec", "compose.yaml", "--sandbox", s, name, "--", "sh", "-c",
            "[ \"$(ip netns identify)\" = " + s + "-app ]").status(), name);
      }
      CliRunner.Result r = cli.run("exec", "compose.yaml", "--sandbox", s, "other/side", "--", "true");
      assertEquals(1, r.status());
      assertTrue(r.err().startsWith("netc: no endpoint `other/side` in sandbox " + s), r.err());
      assertEquals(0, cli.run("destroy", "compose.yaml", "--sandbox", s).status());
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }

  /**
   * A published range is probed on its first and last container port, as {@code netc matrix}
   * shows it (the host ports published to them measured too): probe and matrix line up, and
   * verify compares both ends. (Host ports other than the container ports: a host port that is
   * also a probed port is the container's, a known difference where probe and matrix differ.)
   */
  @Test
  void aPublishedRangeIsProbedAtBothEndsAsTheMatrixShowsIt() throws Exception {
    DiffKernelTest.assumeKernel();
    String s = sandbox();
    CliRunner cli = new CliRunner();
    cli.write("ranges.netc", """
        topology ranges
        network front { subnet 10.72.0.0/24 }
        container web {
          attach front
          publish 18000-18002 -> 8000-8002/tcp
          publish 9000-9002 -> 80-82/udp
        }
        """);
    try {
      assertEquals(0, cli.run("apply", "ranges.netc", "--sandbox", s).status());
      CliRunner.Result matrix = cli.run("matrix", "ranges.netc", "--format", "csv");
      assertEquals(0, matrix.status(), matrix.err());
      for (String port : new String[] {"8000", "8002", "80", "82"}) {
        assertTrue(matrix.out().contains("@outside,web," + port + ","), port + "\n" + matrix.out());
      }
      for (String format : new String[] {"text", "csv"}) {
        CliRunner.Result probe = cli.run("probe", "ranges.netc", "--sandbox", s, "--format", format);
        assertEquals(0, probe.status(), probe.err());
        assertEquals(cli.run("matrix", "ranges.netc", "--format", format).out(), probe.out(), format);
      }
      CliRunner.Result r = cli.run("verify", "ranges.netc", "--sandbox", s);
      assertEquals(0, r.status(), r.out() + r.err());
      assertTrue(r.out().startsWith("Verified: the kernel admits exactly what the model says in 36 cells (sandbox "
          + s + ", topology ranges, 4 ports, "), r.out());
      assertEquals(0, cli.run("destroy", "ranges.netc", "--sandbox", s).status());
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }

  /**
   * {@code --family}: a dual-stack endpoint that publishes one port on {@code [::]} alone and
   * another without an address. Probed in each family apart, the measured matrix is the model's
   * of that family ({@code matrix --family}); they differ on the port published in IPv6 alone,
   * where the outside gets through in IPv6 and not in IPv4.
   */
  @Test
  void eachFamilyProbedApartIsThatFamilysMatrix() throws Exception {
    DiffKernelTest.assumeKernel();
    String s = sandbox();
    CliRunner cli = new CliRunner();
    cli.write("dual.netc", """
        topology dual
        network front {
          subnet 10.73.0.0/24
          subnet fd00:73::/64
        }
        container web {
          attach front
          publish [::]:8443 -> 443/tcp
          publish 8080 -> 80/tcp
        }
        container client { attach front }
        """);
    try {
      assertEquals(0, cli.run("apply", "dual.netc", "--sandbox", s).status());
      for (String family : new String[] {"ipv4", "ipv6"}) {
        CliRunner.Result probe = cli.run("probe", "dual.netc", "--sandbox", s, "--format", "csv", "--family", family);
        assertEquals(0, probe.status(), probe.err());
        assertEquals(cli.run("matrix", "dual.netc", "--format", "csv", "--family", family).out(), probe.out(), family);
      }
      assertTrue(cli.run("probe", "dual.netc", "--sandbox", s, "--format", "csv", "--family", "ipv4").out()
          .contains("@outside,web,443,tcp,false"));
      assertTrue(cli.run("probe", "dual.netc", "--sandbox", s, "--format", "csv", "--family", "ipv6").out()
          .contains("@outside,web,443,tcp,true"));
      assertEquals(0, cli.run("destroy", "dual.netc", "--sandbox", s).status());
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
