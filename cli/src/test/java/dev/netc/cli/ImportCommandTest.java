package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.front.Frontend;
import dev.netc.compiler.parse.Parse;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code netc import}: the front end is chosen by name (with {@code k8s} for {@code
 * kubernetes}), a file it does not accept is a one-line error, and its declarations print as
 * canonical {@code .netc} under a header naming the file. The real front ends are tested where
 * they are; here a fake one stands in: it accepts files that start with {@code # fake}, reads the
 * rest as {@code .netc}, and warns about each line that says {@code warn} and fails on
 * {@code broken}.
 */
class ImportCommandTest {
  /** A front end that reads {@code .netc} in disguise. */
  private record Fake(String name) implements Frontend {
    @Override
    public boolean accepts(SourceFile file) {
      return file.text().startsWith("# fake");
    }

    @Override
    public List<Decl> read(SourceFile file, Diagnostics diags) {
      int warn = file.text().indexOf("# warn");
      if (warn >= 0) {
        diags.add(Diagnostic.of(Code.NETC113, new Span(file, warn, warn + 6), "a warning"));
      }
      int broken = file.text().indexOf("# broken");
      if (broken >= 0) {
        diags.add(Diagnostic.of(Code.NETC010, new Span(file, broken, broken + 8), "an error"));
        return List.of();
      }
      return Parse.file(file).decls();
    }
  }

  private static CliRunner cli() {
    CliRunner cli = new CliRunner();
    cli.frontends = List.of(new Fake("compose"), new Fake("kubernetes"));
    return cli;
  }

  private static final String FAKE = """
      # fake compose file
      topology shop
      network back{subnet 10.20.0.0/24;internal}
      container db{labels app=db "service"=db canary=""
      attach back{ip 10.20.0.10}
      expose 5432/tcp}
      """;

  @Test
  void printsCanonicalNetcWithAHeader() {
    CliRunner cli = cli();
    cli.write("docker-compose.yml", FAKE);
    CliRunner.Result r = cli.run("import", "compose", "docker-compose.yml");
    assertEquals(new CliRunner.Result(0, """
        # Imported from docker-compose.yml by `netc import compose`.

        topology shop

        network back {
          subnet 10.20.0.0/24
          internal
        }

        container db {
          labels app=db "service"=db canary=""
          attach back { ip 10.20.0.10 }
          expose 5432/tcp
        }
        """, ""), r);
    // what it prints is a topology netc compiles, already formatted
    cli.write("shop.netc", r.out());
    assertEquals(0, cli.run("fmt", "--check", "shop.netc").status());
    assertEquals(0, cli.run("lint", "-q", "shop.netc").status());
  }

  @Test
  void k8sIsTheKubernetesFrontEnd() {
    CliRunner cli = cli();
    cli.write("app.yaml", FAKE);
    CliRunner.Result k8s = cli.run("import", "k8s", "app.yaml");
    assertEquals(0, k8s.status(), k8s.err());
    assertTrue(k8s.out().startsWith("# Imported from app.yaml by `netc import k8s`.\n"), k8s.out());
    assertEquals(0, cli.run("import", "kubernetes", "app.yaml").status());
  }

  @Test
  void aFileTheFrontEndDoesNotAcceptIsAOneLineError() {
    CliRunner cli = cli();
    cli.write("notes.yaml", "hello: world\n");
    assertEquals(new CliRunner.Result(1, "", "netc: `notes.yaml` is not a Compose file\n"),
        cli.run("import", "compose", "notes.yaml"));
    assertEquals(new CliRunner.Result(1, "", "netc: `notes.yaml` is not a Kubernetes file\n"),
        cli.run("import", "k8s", "notes.yaml"));
    cli.write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n");
    cli.write("compose.yaml", "services:\n  web:\n    image: nginx\n");
    assertEquals(new CliRunner.Result(1, "", "netc: `pod.yaml` is not a Compose file: it is a Kubernetes file,"
        + " read by `netc import k8s`\n"), cli.run("import", "compose", "pod.yaml"));
    assertEquals(new CliRunner.Result(1, "", "netc: `compose.yaml` is not a Kubernetes file: it is a Compose file,"
        + " read by `netc import compose`\n"), cli.run("import", "k8s", "compose.yaml"));
  }

  /**
   * Without FORMAT, the front end that accepts the file reads it (as {@code netc lint} tells
   * them apart); a folder is Kubernetes manifests; a file none accepts, a {@code .netc} file, a
   * format without a file and a third word are one-line errors.
   */
  @Test
  void withoutAFormatTheFileTellsIt() {
    CliRunner cli = cli();
    cli.write("docker-compose.yml", FAKE);
    CliRunner.Result r = cli.run("import", "docker-compose.yml");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("# Imported from docker-compose.yml by `netc import compose`.\n"), r.out());
    assertEquals(cli.run("import", "compose", "docker-compose.yml").out(), r.out());
    r = cli.run("import", "k8s");
    assertEquals(new CliRunner.Result(1, "", "netc: missing FILE: `netc import k8s FILE`\n"), r, "the format alone");
    cli.write("compose", FAKE);
    r = cli.run("import", "compose");
    assertEquals(0, r.status(), "a file named compose is a file: " + r.err());
    assertTrue(r.out().startsWith("# Imported from compose by `netc import compose`.\n"), r.out());
    cli.write("notes.yaml", "hello: world\n");
    assertEquals(new CliRunner.Result(1, "", "netc: `notes.yaml` is neither a Compose nor a Kubernetes file that netc"
        + " can tell; name its format: `netc import compose notes.yaml` or `netc import k8s notes.yaml`\n"),
        cli.run("import", "notes.yaml"));
    cli.write("shop.netc", "topology shop\n");
    assertEquals(new CliRunner.Result(1, "", "netc: `shop.netc` is netc source already: `netc import` reads"
        + " Compose and Kubernetes YAML\n"), cli.run("import", "shop.netc"));
    assertEquals(new CliRunner.Result(1, "", "netc: unexpected `b.yaml`: `netc import [FORMAT] FILE` reads one"
        + " input (the files of one Kubernetes input are joined by `,`: `a.yaml,b.yaml`)\n"),
        cli.run("import", "compose", "a.yaml", "b.yaml"));
    assertEquals(new CliRunner.Result(1, "", "netc: cannot read `nope.yaml`: no such file\n"),
        cli.run("import", "nope.yaml"));
    assertEquals(new CliRunner.Result(1, "", "netc: the file name is empty: name a .netc file, a Compose or"
        + " Kubernetes YAML file, or a folder of Kubernetes manifests\n"), cli.run("import", ""));
    // two files: one input only, said as for three words (not "unknown format `docker-compose.yml`")
    assertEquals(new CliRunner.Result(1, "", "netc: unexpected `notes.yaml`: `netc import [FORMAT] FILE` reads one"
        + " input (the files of one Kubernetes input are joined by `,`: `a.yaml,b.yaml`)\n"),
        cli.run("import", "docker-compose.yml", "notes.yaml"));
    // a file that is not UTF-8: its diagnostic with a position, as with the format named
    try {
      java.nio.file.Files.write(cli.fs.getPath("latin1.yaml"),
          new byte[] {'s', 'e', 'r', 'v', 'i', 'c', 'e', 's', ':', ' ', (byte) 0xe9, '\n'});
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    CliRunner.Result bad = cli.run("import", "latin1.yaml");
    assertEquals(1, bad.status());
    assertEquals(cli.run("import", "compose", "latin1.yaml").err(), bad.err());
    assertTrue(bad.err().contains("latin1.yaml:1:"), bad.err());
  }

  @Test
  void unknownFormatsMissingFrontEndsAndMissingFilesAreOneLineErrors() {
    CliRunner cli = cli();
    assertEquals(new CliRunner.Result(1, "", "netc: unknown format `helm`: expected `compose` or `k8s`\n"),
        cli.run("import", "helm", "x.yaml"));
    assertEquals(new CliRunner.Result(1, "", "netc: cannot read `nope.yaml`: no such file\n"),
        cli.run("import", "compose", "nope.yaml"));
    CliRunner bare = new CliRunner();
    bare.frontends = List.of();
    bare.write("a.yaml", FAKE);
    assertEquals(new CliRunner.Result(1, "", "netc: this netc has no Compose front end yet\n"),
        bare.run("import", "compose", "a.yaml"));
  }

  @Test
  void warningsGoToStderrAndErrorsFail() {
    CliRunner cli = cli();
    cli.write("warn.yaml", FAKE + "# warn\n");
    CliRunner.Result warned = cli.run("import", "compose", "warn.yaml");
    assertEquals(0, warned.status());
    assertTrue(warned.err().contains("warning[NETC113]: a warning"), warned.err());
    assertTrue(warned.out().contains("container db {"), warned.out());
    assertEquals("", cli.run("import", "-q", "compose", "warn.yaml").err());

    cli.write("broken.yaml", FAKE + "# broken\n");
    CliRunner.Result broken = cli.run("import", "compose", "broken.yaml");
    assertEquals(1, broken.status());
    assertEquals("", broken.out());
    assertTrue(broken.err().contains("error[NETC010]: an error"), broken.err());
  }

  /**
   * An error found after reading (a Compose service named `my_api`, which Docker takes and netc's
   * names do not) is an error of the printed source too: the source is printed, the error and what
   * to do follow on stderr, exit 1, as lint of the YAML fails. It once printed and exited 0.
   */
  @Test
  void anErrorFoundAfterReadingFollowsThePrintedSourceAndFails() {
    CliRunner cli = new CliRunner();
    cli.write("docker-compose.yml", """
        name: shop
        services:
          my_api:
            image: api
        """);
    CliRunner.Result r = cli.run("import", "docker-compose.yml");
    assertEquals(1, r.status(), r.err());
    assertTrue(r.out().contains("container my_api {"), r.out());
    assertTrue(r.err().startsWith("error[NETC103]: "), r.err());
    assertTrue(r.err().endsWith("netc: the printed source does not compile as it is: fix the error above in it,"
        + " or in docker-compose.yml\n"), r.err());
    assertEquals(1, cli.run("lint", "docker-compose.yml").status());
  }

  /**
   * A Kubernetes Pod and a Service of one name compile (the name is the Service's), but {@code
   * .netc} cannot keep a pod's name out of name resolution: the import prints both, says so on
   * stderr, and the printed source is NETC102 until one is renamed.
   */
  @Test
  void aPodNamedAsItsServiceIsPrintedWithANote() {
    CliRunner cli = new CliRunner();
    cli.write("web.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: web, labels: {app: web}}
        spec: {containers: [{name: nginx, ports: [{containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
        """);
    assertEquals(0, cli.run("lint", "-q", "web.yaml").status());
    CliRunner.Result r = cli.run("import", "k8s", "web.yaml");
    assertEquals(0, r.status(), r.err());
    assertEquals("netc: pod `default/web` and Service `default/web` share a name, which resolves to"
        + " the Service; in .netc a service may not have an endpoint's name (NETC102): rename one of"
        + " them in the printed source\n", r.err());
    assertTrue(r.out().contains("  pod web {") && r.out().contains("  service web {"), r.out());
    assertEquals(r.err(), cli.run("import", "-q", "k8s", "web.yaml").err()); // a problem: said with -q too
    cli.write("web.netc", r.out());
    CliRunner.Result lint = cli.run("lint", "web.netc");
    assertEquals(1, lint.status());
    assertTrue(lint.out().contains("error[NETC102]: service `web` has the name of an endpoint"), lint.out());
  }
}
