package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * Topologies of several Kubernetes files: a folder (its .yaml and .yml files in name order, its
 * subfolders with {@code -R}) or files and folders separated by commas, as {@code kubectl apply
 * -f} takes them, for every command that reads a topology; diagnostics point into the right file.
 */
class ManifestInputsTest {
  private static final String NAMESPACE = """
      apiVersion: v1
      kind: Namespace
      metadata:
        name: shop
      """;
  private static final String WEB = """
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
        namespace: shop
        labels:
          app: web
      spec:
        containers:
          - name: web
            ports:
              - containerPort: 8080
      """;
  private static final String API = """
      apiVersion: v1
      kind: Pod
      metadata:
        name: api
        namespace: shop
        labels:
          app: api
      spec:
        containers:
          - name: api
            ports:
              - containerPort: 3000
      """;
  /** Only web may reach api, on 3000. */
  private static final String POLICY = """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: api
        namespace: shop
      spec:
        podSelector:
          matchLabels:
            app: api
        ingress:
          - from:
              - podSelector:
                  matchLabels:
                    app: web
            ports:
              - port: 3000
      """;

  private static CliRunner shop() {
    CliRunner cli = new CliRunner();
    cli.write("shop/a-namespace.yaml", NAMESPACE);
    cli.write("shop/b-pods.yml", WEB + "---\n" + API + "---\n" + API.replace("name: api", "name: db").replace("app: api", "app: db"));
    cli.write("shop/policies/api.yaml", POLICY);
    cli.write("shop/README.md", "not read\n");
    return cli;
  }

  @Test
  void aFolderIsOneTopologyNamedAfterIt() {
    CliRunner cli = shop();
    CliRunner.Result r = cli.run("explain", "shop", "shop/web", "shop/api:3000");
    assertEquals(0, r.status(), r.err());
    // without -R the policy in the subfolder is not read: nothing isolates api
    CliRunner.Result db = cli.run("explain", "shop", "shop/db", "shop/api:3000");
    assertEquals(0, db.status(), db.out());
    CliRunner.Result recursive = cli.run("explain", "-R", "shop", "shop/db", "shop/api:3000");
    assertEquals(3, recursive.status(), recursive.out());
    assertTrue(recursive.out().contains("shop/policies/api.yaml"), recursive.out());
  }

  @Test
  void aPodNamedWithoutItsNamespaceIsPointedToIt() {
    CliRunner cli = shop();
    CliRunner.Result r = cli.run("explain", "shop", "web", "shop/api:3000");
    assertEquals(new CliRunner.Result(1, "", "netc: no endpoint `web` in the topology; did you mean `shop/web`?\n"), r);
  }

  @Test
  void filesOfOneFolderLintedOneByOneGetANote() {
    CliRunner cli = shop();
    cli.write("shop/c-policy.yaml", POLICY.replace("port: 3000", "port: 3001"));
    CliRunner.Result r = cli.run("lint", "shop/a-namespace.yaml", "shop/b-pods.yml", "shop/c-policy.yaml");
    assertTrue(r.out().contains("NETC"), r.out());
    assertTrue(r.err().endsWith("netc: note: shop/a-namespace.yaml, shop/b-pods.yml, shop/c-policy.yaml were linted"
        + " one by one, each as a cluster of its own; to read them as one: `netc lint shop/`\n"), r.err());
    r = cli.run("lint", "shop/b-pods.yml", "shop/c-policy.yaml");
    assertTrue(r.err().endsWith("to read them as one: `netc lint shop/b-pods.yml,shop/c-policy.yaml`\n"), r.err());
    assertEquals("", cli.run("lint", "-q", "shop/b-pods.yml", "shop/c-policy.yaml").err());
    assertEquals("", cli.run("lint", "shop/", "shop/c-policy.yaml").err(), "a folder is read as one already");
  }

  @Test
  void commasJoinFilesAndFolders() {
    CliRunner cli = shop();
    CliRunner.Result r = cli.run("matrix", "shop,shop/policies/api.yaml", "--port", "3000/tcp");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("shop/db    ✓         ✗         ✓"), r.out());
    CliRunner.Result denied = cli.run("explain", "shop/b-pods.yml,shop/policies/api.yaml,shop/a-namespace.yaml",
        "shop/db", "shop/api:3000");
    assertEquals(3, denied.status(), denied.out());
  }

  @Test
  void theLockFileIsNamedAfterTheFolder() {
    CliRunner cli = shop();
    CliRunner.Result r = cli.run("lock", "-R", "shop");
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.exists(cli.fs.getPath("shop.lock")), r.out() + r.err());
    assertTrue(cli.read("shop.lock").contains("shop/web"), cli.read("shop.lock"));
    assertEquals(0, cli.run("lint", "--locked", "-R", "shop").status());
  }

  @Test
  void diagnosticsPointIntoTheirOwnFile() {
    CliRunner cli = shop();
    cli.write("shop/c-again.yaml", "# the pod once more\n" + WEB);
    CliRunner.Result r = cli.run("lint", "shop");
    assertEquals(1, r.status(), r.out());
    assertTrue(r.out().contains("error[NETC102]: Pod `web` in namespace `shop` is declared twice"), r.out());
    assertTrue(r.out().contains("--> shop/c-again.yaml:5:9"), r.out());
    assertTrue(r.out().contains("::: shop/b-pods.yml:4:9"), r.out());
    assertTrue(r.out().contains("in 3 files"), r.out());
  }

  @Test
  void lintTakesSeveralTopologiesEachOfSeveralFiles() {
    CliRunner cli = shop();
    cli.write("other/pod.yaml", API.replace("namespace: shop", "namespace: other"));
    CliRunner.Result r = cli.run("lint", "-R", "shop", "other/pod.yaml,shop/a-namespace.yaml");
    assertEquals(0, r.status(), r.out());
    assertTrue(r.out().contains("in 4 files"), r.out()); // shop/a-namespace.yaml once
  }

  @Test
  void importReadsAFolder() {
    CliRunner cli = shop();
    CliRunner.Result r = cli.run("import", "k8s", "-R", "shop");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("policy api {"), r.out());
    assertTrue(r.out().contains("pod web {"), r.out());
    CliRunner.Result compose = cli.run("import", "compose", "shop");
    assertEquals(new CliRunner.Result(1, "", "netc: a Compose input is one file; `shop` names 2 files\n"), compose);
  }

  @Test
  void importNamesTheTopologyTheManifestsAre() {
    // saved under another name, the printed source is still topology shop-v1, as the folder is:
    // plan, apply and destroy of either act on the same objects
    CliRunner cli = new CliRunner();
    cli.write("Shop_V1/a.yaml", NAMESPACE);
    CliRunner.Result r = cli.run("import", "k8s", "Shop_V1");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("# Imported from Shop_V1 by `netc import k8s`.\n\ntopology shop-v1\n\n"), r.out());
    cli.write("cluster.netc", r.out());
    assertTrue(cli.run("emit", "cluster.netc", "--backend", "json").out().startsWith("{\n  \"topology\": \"shop-v1\","));
  }

  @Test
  void onlyKubernetesFilesAreReadTogether() {
    CliRunner cli = shop();
    cli.write("compose.yaml", "services:\n  web:\n    image: nginx\n");
    cli.write("t.netc", "topology t\n");
    CliRunner.Result r = cli.run("lint", "shop,compose.yaml,t.netc");
    assertEquals(1, r.status(), r.out());
    assertTrue(r.out().contains("error[NETC021]: `compose.yaml` is not Kubernetes YAML but a Compose file"), r.out());
    assertTrue(r.out().contains("error[NETC021]: `t.netc` is not Kubernetes YAML"), r.out());
    assertFalse(r.out().contains("Exception"), r.out());
    assertEquals(new CliRunner.Result(1, "", "netc: cannot read `nope`: no such file\n"),
        cli.run("lint", "shop,nope"));
    assertEquals(new CliRunner.Result(1, "", "netc: `shop,` has an empty name between its commas\n"),
        cli.run("lint", "shop,"));
  }

  /**
   * Of a list of files, the one that cannot be read is named, not the whole list (on the real
   * file system: {@code /dev/zero} is a device, which netc does not read).
   */
  @Test
  void theFileOfAListThatCannotBeReadIsNamed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(java.nio.file.Path.of("/dev/zero")), "no /dev/zero");
    java.nio.file.Path shop = Files.writeString(dir.resolve("shop.yaml"), """
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec: {containers: [{name: nginx, image: nginx}]}
        """);
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int status = Netc.run(new String[] {"matrix", shop + ",/dev/zero"}, new Netc.Context(java.nio.file.FileSystems.getDefault(),
        new java.io.PrintWriter(out), new java.io.PrintWriter(err), Terminal.NONE, dev.netc.compiler.front.Frontends.ALL));
    assertEquals(1, status);
    assertEquals("netc: cannot read `/dev/zero`: not a regular file (a pipe, a device or a socket)\n", err.toString());
  }
}
