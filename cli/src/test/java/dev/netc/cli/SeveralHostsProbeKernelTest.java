package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.compiler.Compiler;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code netc probe}, {@code verify} and {@code exec} on {@code examples/overlay.netc} (two hosts,
 * each a namespace {@code S-host_H} on the sandbox underlay) against a real sandbox (root):
 * without {@code --host} they cover every host in one run, the cells between hosts included
 * (their number computed from the model); a firewall of another tool that drops the tunnel's
 * packets on one host, where drift does not look, is found as exactly the cells between hosts
 * that only the overlay carries; a forwarding entry deleted by hand is drift. The sandbox is
 * removed in {@code finally}.
 */
@Timeout(120)
class SeveralHostsProbeKernelTest {
  private static final Pattern SUMMARY = Pattern.compile("in (\\d+) cells \\(sandbox \\S+, topology overlay, (\\d+)"
      + " ports, (\\d+) connections in ([0-9.]+) s\\)");

  @Test
  void verifyWithoutHostCoversEveryHostAndTheCellsBetweenThem() throws Exception {
    DiffKernelTest.assumeKernel();
    String s = String.format("nm%06x", new SecureRandom().nextInt(1 << 24));
    CliRunner cli = new CliRunner();
    String text = Files.readString(DiffKernelTest.ROOT.resolve("examples/overlay.netc"));
    cli.write("overlay.netc", text);
    Reachability model = new Reachability(new Compiler().compile(DiffKernelTest.ROOT.resolve("examples/overlay.netc"))
        .topology().orElseThrow());
    List<Node> nodes = model.nodes();
    int ports = model.defaultPorts().size();
    long onH1 = nodes.stream().filter(n -> n.host().equals(java.util.Optional.of("h1"))).count();
    long onH2 = nodes.stream().filter(n -> n.host().equals(java.util.Optional.of("h2"))).count();
    long all = (long) nodes.size() * nodes.size() * ports;
    long h1 = (onH1 + 1) * (onH1 + 1) * ports; // its nodes and @outside
    long h2 = (onH2 + 1) * (onH2 + 1) * ports;
    long between = 2 * onH1 * onH2 * ports;
    assertEquals(all, h1 + h2 - ports + between, "every cell is on one host, with the outside, or between hosts");
    try {
      CliRunner.Result r = cli.run("verify", "overlay.netc", "--sandbox", s);
      assertEquals("netc: verify failed: topology overlay is not applied in sandbox " + s + ": run `netc apply` first\n",
          r.err());
      assertEquals(0, cli.run("apply", "overlay.netc", "--sandbox", s).status());

      for (String format : new String[] {"text", "json", "csv"}) {
        CliRunner.Result probe = cli.run("probe", "overlay.netc", "--sandbox", s, "--format", format);
        assertEquals(0, probe.status(), probe.err());
        assertEquals(cli.run("matrix", "overlay.netc", "--format", format).out(), probe.out(), format);
      }

      long start = System.nanoTime();
      r = cli.run("verify", "overlay.netc", "--sandbox", s);
      double wall = (System.nanoTime() - start) / 1e9;
      assertEquals(0, r.status(), r.out() + r.err());
      assertTrue(r.out().startsWith("Verified: the kernel admits exactly what the model says in " + all + " cells"),
          r.out());
      Matcher m = SUMMARY.matcher(r.out());
      assertTrue(m.find(), r.out());
      System.out.printf("overlay verify, every host: %s cells, %s connections, probe %s s, command %.2f s%n",
          m.group(1), m.group(3), m.group(4), wall);
      for (String[] host : new String[][] {{"h1", Long.toString(h1)}, {"h2", Long.toString(h2)}}) {
        r = cli.run("verify", "overlay.netc", "--sandbox", s, "--host", host[0], "-q");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().startsWith("Verified: the kernel admits exactly what the model says in " + host[1]
            + " cells"), r.out());
      }
      verifiesEveryCell(cli, "overlay.netc", s, all);

      // exec finds an endpoint on any host, and each host's namespace
      assertEquals(0, cli.run("exec", "overlay.netc", "--sandbox", s, "api", "--", "sh", "-c",
          "getent hosts web | grep -q '^10.40.0.2 '").status(), "api on h2 resolves web on h1");
      assertEquals(0, cli.run("exec", "overlay.netc", "--sandbox", s, "@host/h2", "--", "sh", "-c",
          "[ \"$(ip netns identify)\" = " + s + "-host_h2 ]").status());

      // another tool's table on h2 drops the tunnel's packets: drift does not see it (not netc's);
      // verify finds the cells between web on h1 and the endpoints of h2, except those to web's
      // port 80, which h2's endpoints still reach through the port web publishes on h1 (8080)
      assertEquals(0, DiffKernelTest.run("ip", "netns", "exec", s + "-host_h2", "nft", "add", "table", "inet", "other"));
      assertEquals(0, DiffKernelTest.run("ip", "netns", "exec", s + "-host_h2", "nft", "add", "chain", "inet", "other",
          "in", "{ type filter hook input priority -10 ; }"));
      assertEquals(0, DiffKernelTest.run("ip", "netns", "exec", s + "-host_h2", "nft", "add", "rule", "inet", "other",
          "in", "udp", "dport", "4789", "drop"));
      assertEquals(0, cli.run("diff", "overlay.netc", "--sandbox", s).status(), "in sync");
      List<String> cut = new ArrayList<>();
      for (String x : List.of("api", "worker-1", "worker-2")) {
        for (PortSpec p : model.defaultPorts()) {
          cut.add("web -> " + x + " on " + p);
        }
      }
      for (String x : List.of("api", "worker-1", "worker-2")) {
        cut.add(x + " -> web on 3000/tcp");
      }
      r = cli.run("verify", "overlay.netc", "--sandbox", s);
      assertEquals(1, r.status(), r.out() + r.err());
      assertEquals(cut, r.out().lines().filter(l -> l.contains(": model ")).map(l -> l.substring(0, l.indexOf(':')))
          .toList(), r.out());
      assertTrue(r.out().contains("\nweb -> api on 3000/tcp: model admits, kernel denies (10.40.0.3:3000 timed out)\n"
          + "  model: path: both on network `mesh`; `web` is not isolated for egress\n"), r.out());
      // and the table is named, on its host
      assertTrue(r.out().contains("\nnote: namespace " + s + "-host_h2 holds nftables table inet other (not netc's) with"
          + " base chain in (input, policy accept): it also filters the traffic verify measured\n\nDiffer: "), r.out());
      assertTrue(r.out().contains("\nDiffer: " + cut.size() + " of " + all + " cells (sandbox " + s), r.out());
      // one host at a time sees none of it
      assertEquals(0, cli.run("verify", "overlay.netc", "--sandbox", s, "--host", "h2", "-q").status());
      assertEquals(0, DiffKernelTest.run("ip", "netns", "exec", s + "-host_h2", "nft", "delete", "table", "inet", "other"));

      // h1's forwarding entry to h2 deleted by hand: drift, which verify reports for every host
      assertEquals(0, DiffKernelTest.run("bridge", "-n", s + "-host_h1", "fdb", "del", "00:00:00:00:00:00", "dev",
          "vx-mesh", "dst", "192.168.56.12"));
      for (String[] args : new String[][] {{}, {"--host", "h1"}}) {
        List<String> argv = new ArrayList<>(List.of("verify", "overlay.netc", "--sandbox", s));
        argv.addAll(List.of(args));
        r = cli.run(argv.toArray(String[]::new));
        assertEquals(new CliRunner.Result(1, "", "netc: verify failed: sandbox " + s + " is not in sync with topology"
            + " overlay (1 missing, 0 changed, 0 unexpected; `netc diff` lists them): run `netc apply` first\n"), r);
      }
      assertEquals(0, cli.run("apply", "overlay.netc", "--sandbox", s).status());
      assertEquals(0, cli.run("verify", "overlay.netc", "--sandbox", s, "-q").status());
      assertEquals(0, cli.run("destroy", "overlay.netc", "--sandbox", s).status());
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }

  /**
   * The same topology on an IPv6 underlay (its overlay's MTU left to the default): each host
   * namespace routes IPv6 only to the outside and the other host, so `mesh`, which is IPv4-only,
   * reaches neither off its host, nor does a port it publishes (no family is translated). The
   * model said it did: 18 of 98 cells differed.
   */
  @Test
  void anIpv6UnderlayCarriesNoIpv4OffTheHosts() throws Exception {
    DiffKernelTest.assumeKernel();
    String s = String.format("nm%06x", new SecureRandom().nextInt(1 << 24));
    CliRunner cli = new CliRunner();
    String text = overlayOnIpv6Underlays();
    cli.write("overlay.netc", text);
    try {
      assertEquals(0, cli.run("apply", "overlay.netc", "--sandbox", s).status());
      CliRunner.Result r = verifiesEveryCell(cli, "overlay.netc", s, 98);
      r = cli.run("explain", "overlay.netc", "web", "@outside");
      assertTrue(r.out().contains("denied"), r.out());
      CliRunner.Result probe = cli.run("probe", "overlay.netc", "--sandbox", s);
      assertEquals(0, probe.status(), probe.err());
      assertEquals(cli.run("matrix", "overlay.netc").out(), probe.out());
      assertEquals(0, cli.run("destroy", "overlay.netc", "--sandbox", s).status());
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }

  /**
   * The same topology on an IPv6 underlay with an IPv6 subnet on `mesh`, and a bridge network of
   * IPv6 on both hosts: each host masquerades its endpoints' IPv6 out of its underlay, as IPv4
   * (`ip6 saddr @masquerade6`). Without it the endpoints left with their own addresses, which
   * nothing routes back to one host (an overlay's subnet is on both, and so is a bridge network's):
   * 8 of 98 cells differed (every endpoint to `@outside`), and 5 of 25 on the bridge network (to
   * `@outside`, to the other host, through a port published on the other host).
   */
  @Test
  void anIpv6SubnetLeavesAHostOfSeveralMasqueraded() throws Exception {
    DiffKernelTest.assumeKernel();
    String s = String.format("nm%06x", new SecureRandom().nextInt(1 << 24));
    CliRunner cli = new CliRunner();
    String text = overlayOnIpv6Underlays().replace("  subnet 10.40.0.0/24\n", "  subnet 10.40.0.0/24\n  subnet fd00:40::/64\n");
    assertTrue(text.contains("fd00:40::/64"), text);
    cli.write("overlay.netc", text);
    cli.write("lan.netc", """
        topology lan
        host h1 { underlay fd00:56::11 }
        host h2 { underlay fd00:56::12 }
        network lan { subnet fd00:41::/64 }
        container a { on h1; attach lan; publish 8080 -> 80/tcp }
        container c { on h2; attach lan }
        """);
    try {
      for (String[] c : new String[][] {{"overlay.netc", "98"}, {"lan.netc", "25"}}) {
        assertEquals(0, cli.run("apply", c[0], "--sandbox", s).status(), c[0]);
        assertTrue(cli.run("explain", c[0], c[0].equals("lan.netc") ? "c" : "web", "@outside").out()
            .contains("allowed"), c[0]);
        CliRunner.Result r = verifiesEveryCell(cli, c[0], s, c[1]);
        assertEquals(0, cli.run("destroy", c[0], "--sandbox", s).status(), c[0]);
      }
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }

  /**
   * Hosts of both families on one sandbox underlay: the bridge `underlay` of `S` routes for each
   * (it had the first host's family only, so `h3`, of IPv4, had no way out), and the model gives
   * each host its own family only, and none between hosts of different families.
   */
  @Test
  void anUnderlayOfBothFamiliesRoutesEach() throws Exception {
    DiffKernelTest.assumeKernel();
    String s = String.format("nm%06x", new SecureRandom().nextInt(1 << 24));
    CliRunner cli = new CliRunner();
    cli.write("fam.netc", """
        topology fam
        host h1 { underlay fd00:56::11 }
        host h2 { underlay fd00:56::12 }
        host h3 { underlay 192.168.56.13 }
        network v4 { subnet 10.1.0.0/24 }
        container a { on h1; attach v4; publish 8080 -> 80/tcp }
        container c { on h2; attach v4 }
        container d { on h3; attach v4; publish 8082 -> 80/tcp }
        """);
    try {
      assertEquals(0, cli.run("apply", "fam.netc", "--sandbox", s).status());
      CliRunner.Result r = verifiesEveryCell(cli, "fam.netc", s, 49);
      // d on h3 (IPv4) reaches the outside, the outside reaches d's port; h3 and h1 do not meet
      assertTrue(cli.run("explain", "fam.netc", "d", "@outside").out().contains("allowed"));
      assertTrue(cli.run("explain", "fam.netc", "@outside", "d").out().contains("allowed"));
      assertTrue(cli.run("explain", "fam.netc", "@host/h1", "@host/h3").out().contains("denied"));
      assertEquals(0, cli.run("diff", "fam.netc", "--sandbox", s).status(), "in sync");
      assertEquals(0, cli.run("destroy", "fam.netc", "--sandbox", s).status());
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }

  /** examples/overlay.netc on IPv6 underlays, its overlay's MTU left to the default (1430 then). */
  private static String overlayOnIpv6Underlays() throws Exception {
    String text = Files.readString(DiffKernelTest.ROOT.resolve("examples/overlay.netc"))
        .replace("underlay 192.168.56.11", "underlay fd00:56::11")
        .replace("underlay 192.168.56.12", "underlay fd00:56::12")
        .replace("  mtu 1450\n", "");
    assertTrue(text.contains("fd00:56::12") && !text.contains("mtu 1450"), text);
    return text;
  }

  /** `verify FILE --sandbox S --format json` succeeds, compares all {@code cells} cells and finds none differing. */
  private static CliRunner.Result verifiesEveryCell(CliRunner cli, String file, String s, Object cells) {
    CliRunner.Result r = cli.run("verify", file, "--sandbox", s, "--format", "json");
    assertEquals(0, r.status(), r.out() + r.err());
    assertTrue(r.out().contains("\"cells\": " + cells + ",\n    \"compared\": " + cells + ",\n    \"skipped\": 0,\n"
        + "    \"differ\": 0,"), r.out());
    return r;
  }
}
