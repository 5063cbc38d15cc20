package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code netc fmt}: canonical form, comments kept, idempotence, {@code --check}, bad input. */
class FmtCommandTest {
  private static final String MESSY = """
      # header comment
      topology   messy
      network front{
      subnet 10.1.0.0/24   # the subnet
          driver bridge
      }

      container web {
      attach front
        publish 127.0.0.1:8080->80/tcp
      }
      """;

  private static final String CANONICAL = """
      # header comment
      topology messy
      network front {
        subnet 10.1.0.0/24  # the subnet
        driver bridge
      }

      container web {
        attach front
        publish 127.0.0.1:8080 -> 80/tcp
      }
      """;

  @Test
  void rewritesAFileInCanonicalFormKeepingComments() {
    CliRunner cli = new CliRunner();
    cli.write("messy.netc", MESSY);
    assertEquals(new CliRunner.Result(0, "", "netc: formatted messy.netc\n"),
        cli.run("fmt", "messy.netc"));
    assertEquals(CANONICAL, cli.read("messy.netc"));
    assertEquals(List.of("messy.netc"), files(cli), "no temporary file is left behind");
  }

  @Test
  void aLinkIsFollowedAndTheFileKeepsItsPermissions() throws IOException {
    CliRunner cli = new CliRunner();
    cli.write("real.netc", MESSY);
    java.nio.file.Path real = cli.fs.getPath("real.netc");
    Files.setPosixFilePermissions(real, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
    Files.createSymbolicLink(cli.fs.getPath("link.netc"), cli.fs.getPath("real.netc"));
    assertEquals(0, cli.run("fmt", "link.netc").status());
    assertTrue(Files.isSymbolicLink(cli.fs.getPath("link.netc")), "the link stays a link");
    assertEquals(CANONICAL, cli.read("real.netc"));
    assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(real)));
    assertEquals(List.of("link.netc", "real.netc"), files(cli), "no temporary file is left behind");
  }

  @Test
  void aLinkThatLeadsOutOfTheProjectIsNeitherReadNorRewritten() throws IOException {
    CliRunner cli = new CliRunner();
    cli.write("/elsewhere/real.netc", MESSY);
    cli.write("shop/ok.netc", CANONICAL);
    Files.createSymbolicLink(cli.fs.getPath("shop/link.netc"), cli.fs.getPath("/elsewhere/real.netc"));
    CliRunner.Result r = cli.run("fmt", "shop");
    assertEquals(1, r.status());
    assertEquals("netc: not formatted `shop/link.netc`: it leads to `/elsewhere/real.netc`, outside `/work/shop` (netc reads"
        + " only files inside the Git work tree of the file it is given (without one, its folder): a symbolic link may"
        + " not lead out, NETC009)\n", r.err());
    assertEquals(MESSY, cli.read("/elsewhere/real.netc"), "the file outside is as it was");
    assertTrue(Files.isSymbolicLink(cli.fs.getPath("shop/link.netc")));
  }

  @Test
  void leavesKubernetesYamlAlone() {
    CliRunner cli = new CliRunner();
    String yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n";
    cli.write("pod.yaml", yaml);
    CliRunner.Result r = cli.run("fmt", "--check", "pod.yaml");
    assertEquals(0, r.status(), r.toString());
    assertEquals("", r.out());
    assertTrue(r.err().contains("skipped pod.yaml: it is kubernetes YAML"), r.err());
    assertEquals(yaml, cli.read("pod.yaml"));
  }

  @Test
  void isIdempotent() {
    CliRunner cli = new CliRunner();
    cli.write("messy.netc", MESSY);
    cli.run("fmt", "messy.netc");
    assertEquals(new CliRunner.Result(0, "", ""), cli.run("fmt", "messy.netc"));
    assertEquals(CANONICAL, cli.read("messy.netc"));
    assertEquals(new CliRunner.Result(0, "", ""), cli.run("fmt", "--check", "messy.netc"));
  }

  @Test
  void formattedOutputStillMeansTheSameTopology() {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP.replace("  ", "    ").replace(" {", "{"));
    String before = cli.run("emit", "--backend", "json", "web.netc").out();
    assertEquals(0, cli.run("fmt", "web.netc").status());
    assertEquals(Topologies.WEBSHOP, cli.read("web.netc"));
    assertEquals(before.replace("web.netc", ""),
        cli.run("emit", "--backend", "json", "web.netc").out().replace("web.netc", ""));
  }

  @Test
  void checkListsFilesThatWouldChangeAndWritesNothing() {
    CliRunner cli = new CliRunner();
    cli.write("messy.netc", MESSY);
    cli.write("ok.netc", Topologies.CLEAN);
    assertEquals(new CliRunner.Result(1, "messy.netc\n", ""),
        cli.run("fmt", "--check", "ok.netc", "messy.netc"));
    assertEquals(MESSY, cli.read("messy.netc"));
    assertEquals(Topologies.CLEAN, cli.read("ok.netc"));
    assertEquals(List.of("messy.netc", "ok.netc"), files(cli));
  }

  @Test
  void checkOfFormattedFilesExitsZeroSilently() {
    CliRunner cli = new CliRunner();
    cli.write("ok.netc", Topologies.CLEAN);
    cli.write("web.netc", Topologies.WEBSHOP);
    assertEquals(new CliRunner.Result(0, "", ""),
        cli.run("fmt", "--check", "ok.netc", "web.netc"));
  }

  @Test
  void crlfIsRewrittenAsLf() {
    CliRunner cli = new CliRunner();
    cli.write("ok.netc", Topologies.crlf(Topologies.CLEAN));
    assertEquals(new CliRunner.Result(1, "ok.netc\n", ""), cli.run("fmt", "--check", "ok.netc"));
    assertEquals(0, cli.run("fmt", "ok.netc").status());
    assertEquals(Topologies.CLEAN, cli.read("ok.netc"));
  }

  @Test
  void aSyntaxErrorExitsOneAndLeavesTheFileAlone() {
    CliRunner cli = new CliRunner();
    cli.write("three.netc", Topologies.THREE_SYNTAX_ERRORS);
    for (String[] args : List.of(new String[] {"fmt", "three.netc"},
        new String[] {"fmt", "--check", "three.netc"})) {
      CliRunner.Result r = cli.run(args);
      assertEquals(1, r.status());
      assertEquals("", r.out());
      assertTrue(r.err().startsWith("error[NETC001]: unexpected `=` in network `front`"), r.err());
      assertTrue(r.err().endsWith("netc: 3 errors in 1 file\n"), r.err());
      assertEquals(Topologies.THREE_SYNTAX_ERRORS, cli.read("three.netc"));
      assertEquals(List.of("three.netc"), files(cli));
    }
  }

  @Test
  void aBadFileDoesNotStopTheOthers() {
    CliRunner cli = new CliRunner();
    cli.write("three.netc", Topologies.THREE_SYNTAX_ERRORS);
    cli.write("messy.netc", MESSY);
    CliRunner.Result r = cli.run("fmt", "three.netc", "messy.netc");
    assertEquals(1, r.status());
    assertEquals(CANONICAL, cli.read("messy.netc"));
    assertTrue(r.err().endsWith("netc: formatted messy.netc\n"), r.err());
  }

  @Test
  void aMissingFileIsAOneLineError() {
    CliRunner cli = new CliRunner();
    assertEquals(new CliRunner.Result(1, "", "netc: cannot read `nope.netc`: no such file\n"),
        cli.run("fmt", "nope.netc"));
  }

  @Test
  void aFolderStandsForTheNetcFilesInIt() {
    CliRunner cli = new CliRunner();
    cli.write("net/b.netc", MESSY);
    cli.write("net/a.netc", MESSY.replace("messy", "other"));
    cli.write("net/ok.netc", Topologies.CLEAN);
    String pod = "apiVersion: v1\nkind: Pod\nmetadata:\n    name: web\n";
    cli.write("net/pod.yaml", pod);
    cli.write("net/README.md", "notes  \n");
    cli.write("net/sub/c.netc", MESSY);
    cli.write("net/.hidden/d.netc", MESSY);
    assertEquals(new CliRunner.Result(1, "net/a.netc\nnet/b.netc\n", ""), cli.run("fmt", "--check", "net/"));
    assertEquals(new CliRunner.Result(0, "", "netc: formatted net/a.netc\nnetc: formatted net/b.netc\n"),
        cli.run("fmt", "net"));
    assertEquals(CANONICAL, cli.read("net/b.netc"));
    assertEquals(CANONICAL.replace("messy", "other"), cli.read("net/a.netc"));
    assertEquals(pod, cli.read("net/pod.yaml"), "YAML is not netc's to format");
    assertEquals("notes  \n", cli.read("net/README.md"));
    assertEquals(MESSY, cli.read("net/sub/c.netc"), "subfolders only with -R");
    // -R: subfolders too, in name order, hidden ones aside
    assertEquals(new CliRunner.Result(1, "net/sub/c.netc\n", ""), cli.run("fmt", "--check", "-R", "net"));
    assertEquals(new CliRunner.Result(0, "", "netc: formatted net/sub/c.netc\n"), cli.run("fmt", "-R", "net"));
    assertEquals(CANONICAL, cli.read("net/sub/c.netc"));
    assertEquals(MESSY, cli.read("net/.hidden/d.netc"));
    assertEquals(new CliRunner.Result(0, "", ""), cli.run("fmt", "--check", "-R", "net", "net/a.netc"));
  }

  @Test
  void aFolderOfYamlIsANoteNotAnError() throws IOException {
    CliRunner cli = new CliRunner();
    String pod = "apiVersion: v1\nkind: Pod\nmetadata:\n    name: web\n";
    cli.write("shop/pod.yaml", pod);
    Files.createDirectories(cli.fs.getPath("empty"));
    assertEquals(new CliRunner.Result(0, "", "netc: `shop/` holds no .netc file (its subfolders are formatted"
        + " with -R); netc fmt formats .netc files only\n"), cli.run("fmt", "--check", "shop/"));
    assertEquals(new CliRunner.Result(0, "", ""), cli.run("fmt", "-q", "-R", "shop", "empty"));
    assertEquals(pod, cli.read("shop/pod.yaml"));
  }

  /** The names of the files in the working directory, sorted. */
  private static List<String> files(CliRunner cli) {
    try (Stream<java.nio.file.Path> s = Files.list(cli.fs.getPath("."))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
