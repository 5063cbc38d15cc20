package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netc review} against real git repositories: the web shop example, changed in two
 * commits (a port opened between tiers, the database moved to another network), reports exactly
 * those deltas, with the rule and line of the opened flow.
 */
class ReviewCommandTest {
  static final Path ROOT = Path.of(System.getProperty("netc.root", "..")).toAbsolutePath().normalize();

  static String webshop() throws IOException {
    return Files.readString(ROOT.resolve("examples/webshop.netc"), StandardCharsets.UTF_8);
  }

  static final String OPEN_FROM = "  allow ingress from app=api port 5432/tcp\n";
  static final String OPEN_TO = OPEN_FROM + "  allow ingress from app=web port 5432/tcp\n";
  static final String MOVE_FROM = "container db {\n  labels app=db\n  attach back";
  static final String MOVE_TO = "container db {\n  labels app=db\n  attach front";

  private static JsonNode json(String s) throws IOException {
    return new ObjectMapper().readTree(s);
  }

  @Test
  void twoCommitsOfTheWebShopReportExactlyTheirDeltas(@TempDir Path tmp) throws IOException {
    GitRepo repo = new GitRepo(tmp);
    repo.write("webshop.netc", webshop());
    repo.write("other.netc", Topologies.CLEAN);
    repo.commit("web shop");
    repo.edit("webshop.netc", OPEN_FROM, OPEN_TO);
    repo.commit("web reaches the database on 5432/tcp");
    String statusBefore = repo.git("status", "--porcelain");

    CliRunner.Result r = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD~1", "--format", "json");
    assertEquals(2, r.status(), r.err());
    JsonNode files = json(r.out()).get("files");
    assertEquals(1, files.size(), "only the changed file: " + r.out());
    JsonNode f = files.get(0);
    assertEquals("webshop.netc", f.get("file").asText());
    assertEquals(1, f.get("opened").size(), r.out());
    JsonNode opened = f.get("opened").get(0);
    assertEquals("web", opened.get("from").asText());
    assertEquals("db", opened.get("to").asText());
    assertEquals(5432, opened.get("ports").get(0).get("port").asInt());
    assertEquals("tcp", opened.get("ports").get(0).get("protocol").asText());
    assertEquals("webshop.netc", opened.get("file").asText());
    assertEquals(lineOf(repo.read("webshop.netc"), "allow ingress from app=web port 5432/tcp"),
        opened.get("line").asInt());
    assertEquals("allow ingress from app=web port 5432/tcp", opened.get("source").asText());
    assertEquals(0, f.get("closed").size());
    assertEquals(0, f.get("added").size());
    assertEquals(0, f.get("removed").size());
    assertEquals(0, f.get("addresses").size());

    CliRunner.Result text = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD~1", "webshop.netc");
    assertEquals(2, text.status(), text.err());
    assertTrue(text.out().contains("  + web -> db on 5432/tcp: ")
        && text.out().contains("      webshop.netc:52: allow ingress from app=web port 5432/tcp\n"), text.out());
    assertEquals(statusBefore, repo.git("status", "--porcelain"), "the working tree is untouched");

    repo.edit("webshop.netc", MOVE_FROM, MOVE_TO);
    repo.commit("the database moves to the front network");
    r = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD~1", "--format", "json");
    assertEquals(2, r.status(), r.err());
    f = json(r.out()).get("files").get(0);
    assertEquals(1, f.get("opened").size(), r.out());
    opened = f.get("opened").get(0);
    assertEquals("db", opened.get("from").asText());
    assertEquals("@outside", opened.get("to").asText());
    assertEquals("[80, 3000, 5432]", ports(opened));
    assertEquals(1, f.get("closed").size(), r.out());
    JsonNode closed = f.get("closed").get(0);
    assertEquals("api ×2", closed.get("from").asText());
    assertEquals("db", closed.get("to").asText());
    assertEquals(2, closed.get("pairs").asInt());
    assertEquals("[5432]", ports(closed));
    assertTrue(closed.get("reason").asText().startsWith("no path:"), r.out());
    // a path that vanished is traced to the attachment that moved
    int attach = lineOf(repo.read("webshop.netc"), "container db {") + 2;
    for (JsonNode row : java.util.List.of(opened, closed)) {
      assertEquals("webshop.netc", row.get("file").asText());
      assertEquals(attach, row.get("line").asInt());
      assertEquals("attach front", row.get("source").asText());
    }
    assertEquals(1, f.get("addresses").size());
    assertEquals("db", f.get("addresses").get(0).get("endpoint").asText());
    assertTrue(f.get("addresses").get(0).get("after").asText().startsWith("front 10.10.0."), r.out());
    assertEquals(0, f.get("added").size());
    assertEquals(0, f.get("removed").size());
  }

  /**
   * A flow opened by an egress rule, where an ingress rule admitted it already: the egress rule
   * is the change, and the one cited (the ingress rule, unchanged, was cited before).
   */
  @Test
  void aFlowOpenedOnItsEgressSideCitesTheEgressRule(@TempDir Path tmp) throws IOException {
    GitRepo repo = new GitRepo(tmp);
    String text = "network n {\n  subnet 10.6.0.0/24\n}\n\ncontainer web {\n  labels app=web\n  attach n\n}\n\n"
        + "container db {\n  labels app=db\n  attach n\n  expose 5432/tcp\n}\n\npolicy iso {\n  select all\n"
        + "  isolate ingress egress\n}\n\npolicy db-in {\n  select app=db\n  allow ingress from app=web port 5432/tcp\n}\n";
    repo.write("t.netc", text);
    repo.commit("isolated");
    repo.write("t.netc", text + "\npolicy web-out {\n  select app=web\n  allow egress to app=db port 5432/tcp\n}\n");
    repo.commit("web reaches db");
    CliRunner.Result r = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD~1");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.out().contains("  + web -> db on 5432/tcp: ")
        && r.out().contains("      t.netc:" + lineOf(repo.read("t.netc"), "allow egress to app=db")
            + ": allow egress to app=db port 5432/tcp\n"), r.out());
  }

  @Test
  void exitZeroWhenNothingChangedAndOneOnErrors(@TempDir Path tmp) throws IOException {
    GitRepo repo = new GitRepo(tmp);
    repo.write("webshop.netc", webshop());
    repo.commit("web shop");
    CliRunner.Result r = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD", "webshop.netc");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("webshop.netc (since HEAD): no change in reachability"), r.out());
    r = repo.netc("review", "-q", "-v", "-C", tmp.toString(), "--base", "HEAD", "webshop.netc");
    assertEquals("webshop.netc (since HEAD): no change in reachability\n", r.out());
    assertTrue(r.err().startsWith("netc: reviewed webshop.netc in "), r.err());

    r = repo.netc("review", "-C", tmp.toString(), "--base", "no-such-rev");
    assertEquals(1, r.status());
    assertEquals("netc: unknown revision `no-such-rev`\n", r.err());

    repo.edit("webshop.netc", "attach front {", "attach fornt {");
    r = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("unknown network `fornt`"), r.err());
  }

  /**
   * With {@code --format json}, what stops the review is JSON on stdout in place of the report,
   * as for the other commands: the diagnostics of a topology that does not compile (a file of
   * the revision named {@code REV:path}, in the text on stderr too, never by the temporary
   * folder it was compiled in; a file of the working tree relative to {@code -C DIR}), a file
   * that is nowhere, exit status 1.
   */
  @Test
  void jsonWhenATopologyDoesNotCompile(@TempDir Path tmp) throws IOException {
    GitRepo repo = new GitRepo(tmp);
    repo.write("ok.netc", Topologies.CLEAN);
    repo.commit("clean");
    repo.edit("ok.netc", "attach n", "attach m");
    String diagnostic = """
            {
              "code": "NETC101",
              "severity": "error",
              "message": "unknown network `m`",
              "file": "%s",
              "line": 8,
              "column": 10,
              "endLine": 8,
              "endColumn": 11,
              "hint": "did you mean `n`?"
            }
        """;
    String head = """
        {
          "diagnostics": [
        %s  ]
        }
        """.formatted(diagnostic.formatted("ok.netc"));
    CliRunner.Result r = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD", "--format", "json");
    // (the diagnostics are the JSON report's, as lint's are: not on stderr too)
    assertEquals(new CliRunner.Result(1, head, ""), r);
    // text: the report of the topologies that compile, none here: nothing (a summary of zeros
    // read as "no change"), the errors on stderr
    String errors = """
        netc: `ok.netc` does not compile:
        error[NETC101]: unknown network `m`
         --> ok.netc:8:10
          |
        8 |   attach m
          |          ^
          = help: did you mean `n`?

        netc: 1 error in 1 file
        """;
    assertEquals(new CliRunner.Result(1, "", errors), repo.netc("review", "-C", tmp.toString(), "--base", "HEAD"));
    assertEquals(new CliRunner.Result(1, "", errors),
        repo.netc("review", "-C", tmp.toString(), "--base", "HEAD", "--format", "markdown"));

    // broken at the revision, fixed in the working tree; and a file that is nowhere
    repo.commit("broken");
    repo.edit("ok.netc", "attach m", "attach n");
    r = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD", "--format", "json", "nowhere.netc", "ok.netc");
    assertEquals(1, r.status());
    assertEquals("""
        {
          "diagnostics": [
            {
              "code": "failed",
              "severity": "error",
              "message": "`nowhere.netc` is neither at HEAD nor in the working tree"
            },
        %s  ]
        }
        """.formatted(diagnostic.formatted("HEAD:ok.netc")), r.out());
    assertEquals("netc: `nowhere.netc` is neither at HEAD nor in the working tree\n", r.err());
  }

  @Test
  void importsAndLockFilesAreReadFromTheRevision(@TempDir Path tmp) throws IOException {
    GitRepo repo = new GitRepo(tmp);
    String split = Files.readString(ROOT.resolve("examples/split/main.netc"), StandardCharsets.UTF_8);
    String nets = Files.readString(ROOT.resolve("examples/split/networks.netc"), StandardCharsets.UTF_8);
    repo.write("net/main.netc", split);
    repo.write("net/networks.netc", nets);
    repo.write("shop/webshop.netc", webshop());
    Files.write(tmp.resolve("bytes.netc"), new byte[] {(byte) 0xff, (byte) 0xfe, 'x', '\n'});
    repo.commit("split shop and web shop");
    assertEquals(0, repo.netc("lock", tmp.resolve("shop/webshop.netc").toString()).status());
    repo.commit("lock");
    // the imported file changes in the working tree only: the base must read its own copy
    repo.write("net/networks.netc", nets.replace("internal", "internal\n  # still internal"));
    repo.edit("shop/webshop.netc", MOVE_FROM, MOVE_TO);
    CliRunner.Result r = repo.netc("review", "-C", tmp.resolve("shop").toString(), "--base", "HEAD",
        "--format", "json");
    assertEquals(2, r.status(), r.err());
    JsonNode files = json(r.out()).get("files");
    assertEquals(1, files.size(), "only files under the folder: " + r.out());
    assertEquals("webshop.netc", files.get(0).get("file").asText());
    r = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD", "net/main.netc");
    assertEquals(0, r.status(), r.err() + r.out());
    // without FILE, a changed fragment brings in the topology that imports it
    r = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD", "--format", "json");
    assertEquals(2, r.status(), r.err());
    java.util.List<String> names = new java.util.ArrayList<>();
    json(r.out()).get("files").forEach(f -> names.add(f.get("file").asText()));
    assertEquals(java.util.List.of("net/main.netc", "net/networks.netc", "shop/webshop.netc"), names);
  }

  @Test
  void composeAndKubernetesInputsAreFoundByContent(@TempDir Path tmp) throws IOException {
    GitRepo repo = new GitRepo(tmp);
    String compose = Files.readString(ROOT.resolve("examples/compose/webapp.yaml"), StandardCharsets.UTF_8);
    repo.write("compose.yaml", compose);
    StringBuilder shop = new StringBuilder(); // the shop's four manifests as one file
    for (String part : java.util.List.of("namespaces", "deployments", "services", "policies")) {
      shop.append(Files.readString(ROOT.resolve("examples/k8s/shop/" + part + ".yaml"), StandardCharsets.UTF_8))
          .append("---\n");
    }
    repo.write("k8s/shop.yaml", shop.toString());
    repo.write("ci/config.yaml", "steps:\n  - run: make\n");
    repo.commit("inputs");
    repo.edit("compose.yaml", "    expose:\n      - 6379\n    networks:\n      - backend",
        "    expose:\n      - 6379\n    networks:\n      - frontend\n      - backend");
    repo.edit("ci/config.yaml", "make", "make test");
    CliRunner.Result r = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD", "--format", "markdown");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.out().contains("<summary>compose.yaml: 3 opened, 0 closed</summary>"), r.out());
    assertTrue(!r.out().contains("config.yaml"), "a YAML file no front end accepts is skipped: " + r.out());
    assertTrue(r.out().contains("```mermaid\nflowchart LR\n"), r.out());
    assertEquals(0, repo.netc("review", "-C", tmp.toString(), "--base", "HEAD", "k8s/shop.yaml").status());
  }

  static final String POSTGRES_POLICY = "---\n# the database: from the API only\n";

  @Test
  void aFolderOfManifestsIsReviewedAsOneTopology(@TempDir Path tmp) throws IOException {
    GitRepo repo = new GitRepo(tmp);
    for (String part : java.util.List.of("namespaces", "deployments", "services", "policies")) {
      repo.write("k8s/shop/" + part + ".yaml",
          Files.readString(ROOT.resolve("examples/k8s/shop/" + part + ".yaml"), StandardCharsets.UTF_8));
    }
    repo.commit("the shop's manifests");
    // a new lock file beside the folder brings in the folder, and pins what it had
    assertEquals(0, repo.netc("lock", tmp.resolve("k8s/shop").toString()).status());
    CliRunner.Result locked = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD");
    assertEquals(new CliRunner.Result(0, "k8s/shop/ (since HEAD): no change in reachability\n"
        + "netc review: 0 flows opened, 0 closed, 0 endpoints added, 0 removed, 0 address changes\n", ""), locked);
    // the database's policy moves from policies.yaml to deployments.yaml: the cluster is the same
    String policies = repo.read("k8s/shop/policies.yaml");
    int cut = policies.indexOf(POSTGRES_POLICY);
    assertTrue(cut > 0, policies);
    repo.write("k8s/shop/policies.yaml", policies.substring(0, cut));
    repo.write("k8s/shop/deployments.yaml", repo.read("k8s/shop/deployments.yaml") + policies.substring(cut));
    CliRunner.Result r = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD", "--format", "json");
    assertEquals(0, r.status(), r.err() + r.out());
    JsonNode files = json(r.out()).get("files");
    assertEquals(1, files.size(), r.out());
    assertEquals("k8s/shop/", files.get(0).get("file").asText());
    assertEquals("modified", files.get(0).get("status").asText());
    assertEquals(false, files.get(0).get("changed").asBoolean(), r.out());
    // reviewed file by file, deployments.yaml would have gained a policy and lost flows
    r = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD", "k8s/shop/deployments.yaml");
    assertEquals(2, r.status(), r.err() + r.out());
    repo.commit("the database's policy beside its StatefulSet");

    // a change in one file of the folder is reported with that file's path and line
    repo.edit("k8s/shop/policies.yaml", "        - port: 443\n", "        - port: 443\n        - port: 80\n");
    r = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD", "--format", "json");
    assertEquals(2, r.status(), r.err() + r.out());
    files = json(r.out()).get("files");
    assertEquals(1, files.size(), r.out());
    JsonNode f = files.get(0);
    assertEquals("k8s/shop/", f.get("file").asText());
    assertEquals(1, f.get("opened").size(), r.out());
    JsonNode opened = f.get("opened").get(0);
    assertEquals("backend/app=api ×2", opened.get("from").asText());
    assertEquals("@outside", opened.get("to").asText());
    assertEquals("[80]", ports(opened));
    assertEquals("k8s/shop/policies.yaml", opened.get("file").asText());
    String now = repo.read("k8s/shop/policies.yaml");
    assertEquals(now.substring(0, now.indexOf("        - ipBlock:")).split("\n", -1).length - 1,
        opened.get("line").asInt(), "the line of the rule's `- to:`: " + r.out());
    assertEquals(0, f.get("closed").size(), r.out());

    // named as a folder, from inside it, or with its files at the revision only
    // `-C DIR/.`, as the working directory is when netc runs without -C
    CliRunner.Result named = repo.netc("review", "-C", tmp + "/.", "--base", "HEAD", "--format", "json", "k8s/shop");
    assertEquals(r.out(), named.out(), named.err());
    CliRunner.Result inside = repo.netc("review", "-C", tmp.resolve("k8s/shop").toString(), "--base", "HEAD");
    assertEquals(2, inside.status(), inside.err());
    assertTrue(inside.out().startsWith("./ (since HEAD):\n  + backend/app=api ×2 -> @outside on 80/tcp (2 pairs): "), inside.out());
    assertTrue(inside.out().contains("      policies.yaml:"), inside.out());
    repo.git("rm", "-q", "-r", "-f", "k8s/shop");
    r = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.out().startsWith("k8s/shop/ (deleted since HEAD):\n  - endpoint backend/api-1\n"), r.out());
  }

  @Test
  void aFolderWithOtherYamlOrOneManifestIsReviewedFileByFile(@TempDir Path tmp) throws IOException {
    GitRepo repo = new GitRepo(tmp);
    String deployments = Files.readString(ROOT.resolve("examples/k8s/shop/deployments.yaml"), StandardCharsets.UTF_8);
    String namespaces = Files.readString(ROOT.resolve("examples/k8s/shop/namespaces.yaml"), StandardCharsets.UTF_8);
    repo.write("mixed/shop.yaml", namespaces + "---\n" + deployments);
    repo.write("mixed/ci.yaml", "steps:\n  - run: make\n");
    repo.write("one/shop.yaml", namespaces + "---\n" + deployments);
    repo.write("one/notes.txt", "not YAML\n");
    repo.commit("two folders that are not manifest sets");
    repo.edit("mixed/shop.yaml", "replicas: 2", "replicas: 3");
    repo.edit("one/shop.yaml", "replicas: 2", "replicas: 3");
    CliRunner.Result r = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD", "--format", "json");
    assertEquals(2, r.status(), r.err() + r.out());
    java.util.List<String> names = new java.util.ArrayList<>();
    json(r.out()).get("files").forEach(f -> names.add(f.get("file").asText()));
    assertEquals(java.util.List.of("mixed/shop.yaml", "one/shop.yaml"), names);
  }

  @Test
  void newAndDeletedFilesListTheirEndpoints(@TempDir Path tmp) throws IOException {
    GitRepo repo = new GitRepo(tmp);
    repo.write("old.netc", Topologies.CLEAN);
    repo.commit("old");
    repo.git("rm", "-q", "old.netc");
    repo.write("new.netc", Topologies.CLEAN.replace("container c", "container d"));
    CliRunner.Result r = repo.netc("review", "-C", tmp.toString(), "--base", "HEAD");
    assertEquals(2, r.status(), r.err());
    assertEquals("""
        new.netc (new since HEAD):
          + endpoint d
        old.netc (deleted since HEAD):
          - endpoint c
        netc review: 0 flows opened, 0 closed, 1 endpoint added, 1 removed, 0 address changes
        """, r.out());
  }

  private static String ports(JsonNode flow) {
    StringBuilder b = new StringBuilder();
    flow.get("ports").forEach(p -> b.append(b.length() == 0 ? "" : ", ").append(p.get("port").asInt()));
    return "[" + b + "]";
  }

  static int lineOf(String text, String needle) {
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains(needle)) {
        return i + 1;
      }
    }
    throw new AssertionError(needle + " not found");
  }
}
