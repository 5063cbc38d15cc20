package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code netc emit}: JSON on stdout, {@code --out DIR}, and no output for a broken topology. */
class EmitCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void jsonBackendPrintsTheResolvedTopology() throws Exception {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    CliRunner.Result r = cli.run("emit", "--backend", "json", "web.netc");
    assertEquals(0, r.status());
    assertEquals("", r.err());
    JsonNode ir = JSON.readTree(r.out());
    assertEquals("webshop", ir.get("topology").asText());
    List<String> networks = new ArrayList<>();
    ir.get("networks").forEach(n -> networks.add(n.get("name").asText()));
    assertEquals(List.of("front", "back"), networks);
    assertEquals("10.10.0.0/24", ir.at("/networks/0/subnets/0/cidr").asText());
    assertEquals("10.10.0.1", ir.at("/networks/0/subnets/0/gateway").asText(),
        "the default gateway is the first usable address");
  }

  @Test
  void isDeterministic() {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    assertEquals(cli.run("emit", "--backend", "json", "web.netc"),
        cli.run("emit", "--backend", "json", "web.netc"));
  }

  @Test
  void crlfInputEmitsTheSameJson() {
    CliRunner lf = new CliRunner();
    lf.write("web.netc", Topologies.WEBSHOP);
    CliRunner crlf = new CliRunner();
    crlf.write("web.netc", Topologies.crlf(Topologies.WEBSHOP));
    assertEquals(lf.run("emit", "--backend", "json", "web.netc"),
        crlf.run("emit", "--backend", "json", "web.netc"));
  }

  @Test
  void outWritesTopologyNameDotJsonIntoTheDirectory() throws Exception {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    String printed = cli.run("emit", "--backend", "json", "web.netc").out();
    assertEquals(new CliRunner.Result(0, "", ""),
        cli.run("emit", "--backend", "json", "--out", "build/plans", "web.netc"));
    // Named after the topology, not the file; the missing folders are created.
    assertEquals(printed, cli.read("build/plans/webshop.json"));
    try (var s = Files.list(cli.fs.getPath("build/plans"))) {
      assertEquals(List.of("webshop.json"), s.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void aTopologyWithErrorsEmitsNothing() {
    CliRunner cli = new CliRunner();
    cli.write("shop.netc", Topologies.ERRORS);
    CliRunner.Result r = cli.run("emit", "--backend", "json", "--out", "out", "shop.netc");
    assertEquals(1, r.status());
    assertEquals("", r.out());
    assertTrue(r.err().contains("error[NETC102]: network `front` is declared twice"), r.err());
    assertTrue(r.err().endsWith("netc: 2 errors, 1 warning in 1 file (1 suppressed)\n"),
        r.err());
    assertEquals(false, Files.exists(cli.fs.getPath("out")));
  }

  @Test
  void aMissingFileIsAOneLineError() {
    CliRunner cli = new CliRunner();
    assertEquals(new CliRunner.Result(1, "", "netc: cannot read `nope.netc`: no such file\n"),
        cli.run("emit", "--backend", "ip", "nope.netc"));
    // the json backend printed on stdout gets it as JSON as well: JsonOnErrorsTest
  }

  /** `--out` names a folder: a file there, or a file in the way of its path, is said so. */
  @Test
  void outNamingAFileIsAOneLineError() {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    cli.write("afile", "x");
    assertEquals(new CliRunner.Result(1, "", "netc: cannot write into `afile`: it is a file; `--out` names the folder emit"
        + " writes its files in\n"), cli.run("emit", "--backend", "json", "--out", "afile", "web.netc"));
    assertEquals(new CliRunner.Result(1, "", "netc: cannot write into `afile/sub`: `afile` is a file; `--out` names the"
        + " folder emit writes its files in\n"),
        cli.run("emit", "--backend", "json", "--out", "afile/sub", "web.netc"));
    assertEquals("x", cli.read("afile"));
  }

  @Test
  void anUnknownBackendIsAnErrorWithExitOne() {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    CliRunner.Result r = cli.run("emit", "--backend", "carrier-pigeon", "web.netc");
    assertEquals(1, r.status());
    assertEquals("", r.out());
    assertTrue(r.err().startsWith("netc: Invalid value for option '--backend'"), r.err());
  }

  @Test
  void everyBackendPrintsAndWritesItsFile() {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    java.util.Map<String, String> files = java.util.Map.of("json", "webshop.json", "k8s",
        "webshop.k8s.yaml", "compose", "webshop.compose.yaml", "dot", "webshop.dot", "mermaid",
        "webshop.mmd");
    files.forEach((backend, name) -> {
      CliRunner.Result printed = cli.run("emit", "--backend", backend, "web.netc");
      assertEquals(0, printed.status(), backend + ": " + printed.err());
      CliRunner.Result written = cli.run("emit", "-q", "--backend", backend, "--out", "out", "web.netc");
      assertEquals(new CliRunner.Result(0, "", ""), written, backend);
      assertEquals(printed.out(), cli.read("out/" + name), backend);
    });
    assertTrue(cli.read("out/webshop.k8s.yaml").contains("kind: NetworkPolicy"));
    assertTrue(cli.read("out/webshop.compose.yaml").contains("services:"));
    assertTrue(cli.read("out/webshop.dot").startsWith("digraph \"webshop\" {"));
    assertTrue(cli.read("out/webshop.mmd").contains("flowchart LR"));
  }

  @Test
  void whatTheTargetCannotExpressIsAWarningOnStderr() {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    CliRunner.Result k8s = cli.run("emit", "--backend", "k8s", "web.netc");
    assertEquals(0, k8s.status());
    assertTrue(k8s.err().contains("warning[NETC504]: Kubernetes has no published ports"), k8s.err());
    assertTrue(k8s.out().contains("kind: NetworkPolicy"), k8s.out());
    CliRunner.Result compose = cli.run("emit", "--backend", "compose", "web.netc");
    assertEquals(0, compose.status());
    assertTrue(compose.err().contains("warning[NETC511]: Compose has no network policies"),
        compose.err());
    assertEquals("", cli.run("emit", "-q", "--backend", "compose", "web.netc").err());
    assertEquals("", cli.run("emit", "--backend", "dot", "web.netc").err());
  }

  @Test
  void theSuppressionsOfTheSourceAreWrittenSoThatLintOfTheExportSuppressesThemToo() {
    CliRunner cli = new CliRunner();
    cli.write("quiet.netc", """
        topology quiet

        # netc:ignore NETC401 "a node exporter reports the host's own interfaces"
        container exporter {
          mode host
        }
        """);
    String comment = "# netc:ignore NETC401 \"a node exporter reports the host's own interfaces\"";
    CliRunner.Result k8s = cli.run("emit", "--backend", "k8s", "--out", "out", "quiet.netc");
    assertEquals(0, k8s.status(), k8s.err());
    assertTrue(cli.read("out/quiet.k8s.yaml").contains("---\n" + comment + "\napiVersion: v1\nkind: Pod\n"),
        cli.read("out/quiet.k8s.yaml"));
    CliRunner.Result lint = cli.run("lint", "out/quiet.k8s.yaml");
    assertEquals("netc: no problems in 1 file (1 suppressed)\n", lint.out() + lint.err());
    CliRunner.Result compose = cli.run("emit", "--backend", "compose", "quiet.netc");
    assertTrue(compose.out().contains("services:\n  " + comment + "\n  \"exporter\":\n"), compose.out());
  }

  // ------------------------------------------------------------ ip and nft

  @Test
  void ipBackendPrintsAScriptOfBatchesInCreationOrder() {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    CliRunner.Result r = cli.run("emit", "--backend", "ip", "web.netc");
    assertEquals(0, r.status(), r.err());
    assertEquals("", r.err());
    String out = r.out();
    assertTrue(out.startsWith("#!/bin/sh\n"), out);
    int netns = out.indexOf("netns add netc-webshop-web\n");
    int bridge = out.indexOf("link add br-front address 02:b5:6e:8e:45:02 type bridge\n");
    int veth = out.indexOf("link add ve-web-0 type veth peer name eth0 address 02:42:0a:0a:00:0a netns netc-webshop-web\n");
    int address = out.indexOf("address add 10.10.0.10/24 dev eth0\n");
    int route = out.indexOf("route add default via 10.10.0.1 dev eth0\n");
    assertTrue(netns >= 0 && netns < bridge && bridge < veth && veth < address && address < route, out);
    assertTrue(out.contains("ip -n netc-webshop-web -batch - <<'NETC_EOF'\n"), out);
    assertTrue(out.contains("cat > /etc/netns/netc-webshop-web/hosts <<'NETC_EOF'\n"), out);
  }

  @Test
  void nftBackendPrintsAnAtomicTableReplacement() {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    CliRunner.Result r = cli.run("emit", "--backend", "nft", "web.netc");
    assertEquals(0, r.status(), r.err());
    String out = r.out();
    int create = out.indexOf("table inet netc_webshop {}\n");
    int delete = out.indexOf("delete table inet netc_webshop\n");
    int full = out.indexOf("table inet netc_webshop {\n  comment \"netc:webshop\"\n");
    assertTrue(create >= 0 && create < delete && delete < full, out);
    assertTrue(out.contains("ct state established,related accept"), out);
  }

  @Test
  void sandboxNamesTheNamespacesAfterIt() {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    CliRunner.Result r = cli.run("emit", "--backend", "ip", "--sandbox", "t1", "web.netc");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("netns add t1-web\n"), r.out());
    assertTrue(r.out().contains("ip -n t1 -batch - <<'NETC_EOF'\n"), r.out());
    assertTrue(r.out().contains("ip netns exec t1 sysctl -qw net.ipv4.ip_forward=1"), r.out());
    assertEquals(new CliRunner.Result(1, "", "netc: invalid `--sandbox`: expected a sandbox name of 1-32"
            + " letters, digits, `_`, `.` or `-` starting with a letter or digit, got `a/b`\n"),
        cli.run("emit", "--backend", "ip", "--sandbox", "a/b", "web.netc"));
  }

  @Test
  void outWritesAScriptAndBatchesPerHostAndATablePerHost() throws Exception {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    assertEquals(new CliRunner.Result(0, "", ""),
        cli.run("emit", "--backend", "ip", "--out", "plans", "web.netc"));
    assertEquals(new CliRunner.Result(0, "", ""),
        cli.run("emit", "--backend", "nft", "--out", "plans", "web.netc"));
    assertEquals(cli.run("emit", "--backend", "ip", "web.netc").out(), cli.read("plans/local.sh"));
    assertEquals(cli.run("emit", "--backend", "nft", "web.netc").out(), cli.read("plans/local.nft"));
    try (var s = Files.list(cli.fs.getPath("plans/local"))) {
      assertEquals(List.of("1-netns.batch", "2-host.batch", "3-netc-webshop-web.batch",
              "4-netc-webshop-api.batch"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertTrue(cli.read("plans/local/3-netc-webshop-web.batch")
        .startsWith("# endpoint web: ip -n netc-webshop-web -batch FILE\nlink set lo alias"));
  }

  @Test
  void notRealisedIsAWarningAndTheRestIsPlanned() {
    CliRunner cli = new CliRunner();
    cli.write("ov.netc", """
        host h1 { underlay 192.168.56.11 }
        host h2 { }
        # netc:ignore NETC406 "lab"
        network mesh {
          driver overlay
          subnet 10.40.0.0/24
        }
        network apps { subnet 10.30.0.0/24 }
        container web {
          on h1
          attach mesh
          attach apps
        }
        container api {
          on h2
          attach mesh
        }
        """);
    CliRunner.Result r = cli.run("emit", "--backend", "ip", "ov.netc");
    assertEquals(0, r.status());
    assertTrue(r.err().startsWith("warning[NETC520]: overlay network `mesh` is not realised in the kernel:"
        + " host `h2` declares no underlay address"), r.err());
    assertTrue(r.out().contains("link add ve-web-1 type veth peer name eth1 address 02:42:0a:1e:00:02 netns netc-ov-web"), r.out());
    CliRunner.Result both = cli.run("emit", "--backend", "ip", "--sandbox", "t1", "ov.netc");
    assertEquals(0, both.status(), "a sandbox plays every host, each in a namespace of its own");
    assertTrue(both.out().contains("ip -n t1-host_h1 -batch -"), both.out());
    assertTrue(both.out().contains("host `h2`, in namespace `t1-host_h2` of sandbox `t1`"), both.out());
    CliRunner.Result one = cli.run("emit", "--backend", "nft", "--sandbox", "t1", "--host", "h2", "ov.netc");
    assertEquals(0, one.status(), one.err());
    assertTrue(one.out().contains("host `h2`: no nftables table"), one.out());
  }
}
