package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code netc import} with the real front ends carries the {@code # netc:ignore} comments of the
 * YAML into the {@code .netc} it prints: {@code netc lint} of the printed file reports exactly
 * what {@code netc lint} of the YAML reports, suppressed findings (with their reasons) and
 * suppressions that match nothing included.
 */
class ImportSuppressionsTest {
  /**
   * A deny-all policy makes every pod an island (NETC307): the database's islands are suppressed
   * for the whole Deployment (two pods), the web pod's are not; a policy that selects nothing
   * (NETC303) is suppressed; a suppression matches nothing (NETC112); the front end's warning
   * about `hostPort` (NETC023) is suppressed too, and so the import prints no warning.
   */
  private static final String K8S = """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: deny-all
      spec:
        podSelector: {}
        policyTypes: [Ingress, Egress]
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      # netc:ignore NETC303 "the batch pods arrive next quarter"
      metadata:
        name: batch
      spec:
        podSelector:
          matchLabels:
            app: batch
        policyTypes: [Ingress]
      ---
      # netc:ignore NETC307 "the database answers; it opens no connection of its own"
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: db
      spec:
        replicas: 2
        selector:
          matchLabels:
            app: db
        template:
          metadata:
            labels:
              app: db
          spec:
            containers:
              - name: db
                ports:
                  - containerPort: 5432 # netc:ignore NETC113 "stale: no network here"
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
        labels:
          app: web
      spec:
        containers:
          - name: web
            ports:
              - containerPort: 80
                hostPort: 8080 # netc:ignore NETC023 "kind clusters only"
      """;

  @Test
  void lintOfAnImportedManifestReportsWhatLintOfTheManifestReports() {
    CliRunner cli = new CliRunner();
    cli.write("shop.yaml", K8S);
    CliRunner.Result imported = cli.run("import", "k8s", "shop.yaml");
    assertEquals(new CliRunner.Result(0, """
        # Imported from shop.yaml by `netc import k8s`.

        topology shop

        network pod-network { subnet 10.244.0.0/16 }

        namespace default {
          # netc:ignore NETC307 "the database answers; it opens no connection of its own"
          pod db-1 {
            labels app=db
            attach pod-network
            # netc:ignore NETC113 "stale: no network here"
            container db { expose 5432/tcp }
          }

          # netc:ignore NETC307 "the database answers; it opens no connection of its own"
          pod db-2 {
            labels app=db
            attach pod-network
            container db { expose 5432/tcp }
          }

          pod web {
            labels app=web
            attach pod-network
            container web { expose 80/tcp }
          }

          policy deny-all {
            select all
            isolate ingress egress
          }

          # netc:ignore NETC303 "the batch pods arrive next quarter"
          policy batch {
            select app=batch
            isolate ingress
          }
        }
        """, ""), imported);
    cli.write("shop.netc", imported.out());
    assertSameFindings(cli, "shop.yaml", "shop.netc",
        List.of("warning NETC112 this suppression of `NETC113` matches no diagnostic",
            "note NETC307 `default/web` is isolated for egress and no rule admits any egress traffic: it can"
                + " connect to nothing (its own host aside)",
            "note NETC307 `default/web` is isolated for ingress and no rule admits any ingress traffic: nothing can"
                + " connect to it (its own host aside)"));
    assertEquals(0, cli.run("fmt", "--check", "shop.netc").status(), "printed formatted");
  }

  @Test
  void lintOfAnImportedComposeFileReportsWhatLintOfTheComposeFileReports() {
    CliRunner cli = new CliRunner();
    cli.write("compose.yaml", """
        services:
          # netc:ignore NETC403, NETC032 "a throwaway database for the demo"
          db:
            image: postgres:16
            ports:
              - "5432:5432"
            links: [cache]
          cache:
            image: redis:7
            ports:
              - "6379:6379"
          search:
            image: elasticsearch:8
            ports:
              - "9200:9200" # netc:ignore NETC403 "only on the laptop"
          api:
            image: example/api
            expose: ["3000"] # netc:ignore NETC221 "stale: nothing to suppress here"
        """);
    CliRunner.Result imported = cli.run("import", "compose", "compose.yaml");
    assertEquals(0, imported.status(), imported.err());
    assertEquals("", imported.err(), "the front end's warning about `links` is suppressed");
    assertTrue(imported.out().contains("""

        # netc:ignore NETC403 "a throwaway database for the demo"
        container db {
        """), imported.out());
    assertTrue(imported.out().contains("""
          # netc:ignore NETC403 "only on the laptop"
          publish 9200 -> 9200
        """), imported.out());
    assertTrue(imported.out().contains("""
          # netc:ignore NETC221 "stale: nothing to suppress here"
          expose 3000
        """), imported.out());
    cli.write("compose.netc", imported.out());
    assertSameFindings(cli, "compose.yaml", "compose.netc",
        List.of("warning NETC403 `cache` publishes 6379/tcp (usually Redis) on every host address (no host address"
                + " is given): anyone who reaches the host reaches it",
            "warning NETC112 this suppression of `NETC221` matches no diagnostic"));
  }

  @Test
  void aBrokenSuppressionIsAnErrorOfTheImportAsOfLint() {
    CliRunner cli = new CliRunner();
    cli.write("pod.yaml", """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web # netc:ignore NETC307
        spec:
          containers:
            - name: web
        """);
    CliRunner.Result r = cli.run("import", "k8s", "pod.yaml");
    assertEquals(1, r.status());
    assertEquals("", r.out());
    assertTrue(r.err().startsWith("error[NETC109]: a suppression needs a reason\n"), r.err());
    assertEquals(1, cli.run("lint", "pod.yaml").status());
  }

  /**
   * {@code netc lint} of both files: the same exit status and the same findings (severity, code
   * and message of what is not suppressed: {@code expected}), and every finding the YAML
   * suppresses is suppressed in the printed file too, for the same reason.
   */
  private static void assertSameFindings(CliRunner cli, String yaml, String netc, List<String> expected) {
    CliRunner.Result a = cli.run("lint", "--format", "json", yaml);
    CliRunner.Result b = cli.run("lint", "--format", "json", netc);
    assertEquals(a.status(), b.status());
    assertEquals(expected, findings(a.out(), false), "lint " + yaml);
    assertEquals(expected, findings(b.out(), false), "lint " + netc);
    Set<String> suppressed = new TreeSet<>(findings(a.out(), true));
    // the front end's findings are gone from the printed file, and so are their suppressions
    suppressed.removeIf(f -> f.contains(" NETC023 ") || f.contains(" NETC032 "));
    assertTrue(!suppressed.isEmpty());
    assertTrue(findings(b.out(), true).containsAll(suppressed), suppressed + " in " + b.out());
  }

  /** The findings of lint's JSON that are (or are not) suppressed, with the reason when they are. */
  private static List<String> findings(String json, boolean suppressed) {
    JsonNode all;
    try {
      all = new ObjectMapper().readTree(json).get("diagnostics");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> out = new ArrayList<>();
    for (JsonNode d : all) {
      if (d.has("suppressed") == suppressed) {
        out.add(d.get("severity").asText() + " " + d.get("code").asText() + " " + d.get("message").asText()
            + (suppressed ? " because " + d.get("suppressed").get("reason").asText() : ""));
      }
    }
    return out;
  }
}
