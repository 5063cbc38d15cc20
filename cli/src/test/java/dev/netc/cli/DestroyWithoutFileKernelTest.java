package dev.netc.cli;

import static dev.netc.cli.DiffKernelTest.ROOT;
import static dev.netc.cli.DiffKernelTest.assumeKernel;
import static dev.netc.cli.DiffKernelTest.output;
import static dev.netc.cli.DiffKernelTest.removeSandbox;
import static dev.netc.cli.DiffKernelTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code netc destroy} of a topology whose file no longer compiles, or is gone (root): it
 * removes, from the marks in the sandbox and the records of apply, exactly what a destroy with
 * the file removes (the same deletions), and nothing of another topology in the sandbox or of
 * anyone else. The sandboxes are removed in {@code finally}, also when a test fails.
 */
@Timeout(180)
class DestroyWithoutFileKernelTest {
  private static final String OTHER = """
      topology other

      network side {
        subnet 10.99.0.0/24
      }

      container worker {
        attach side
      }

      container helper {
        attach side
      }
      """;

  @Test
  void aFileThatNoLongerCompilesIsDestroyedFromTheRecordsAndNothingElseIs() throws Exception {
    assumeKernel();
    String s = String.format("dw%06x", new SecureRandom().nextInt(1 << 24));
    CliRunner cli = new CliRunner();
    String shop = Files.readString(ROOT.resolve("examples/webshop.netc"));
    cli.write("shop.netc", shop);
    cli.write("other.netc", OTHER);
    try {
      CliRunner.Result applied = cli.run("apply", "shop.netc", "--sandbox", s);
      assertEquals(0, applied.status(), applied.err());
      applied = cli.run("apply", "other.netc", "--sandbox", s);
      assertEquals(0, applied.status(), applied.err());
      // someone else's: a link and a table in S, a namespace S-*
      assertEquals(0, run("ip", "-n", s, "link", "add", "foreign0", "type", "bridge"));
      assertEquals(0, run("ip", "netns", "exec", s, "nft", "add", "table", "inet", "foreign"));
      assertEquals(0, run("ip", "netns", "add", s + "-foreign"));
      Set<String> shopNamespaces = Set.of(s + "-web", s + "-api-1", s + "-api-2", s + "-db");
      assertTrue(namespaces(s).containsAll(shopNamespaces), namespaces(s)::toString);
      assertTrue(Files.exists(Path.of("/etc/netns", s + "-web", "hosts")));
      assertTrue(Files.exists(Path.of("/run/netc", s + ".webshop.nft.sha256")));
      assertTrue(Files.exists(Path.of("/run/netc", s + ".webshop.nft")));

      // what a destroy with the file deletes, then the same topology applied again
      CliRunner.Result compiling = cli.run("destroy", "shop.netc", "--sandbox", s, "-v");
      assertEquals(0, compiling.status(), compiling.err());
      assertEquals(0, cli.run("apply", "shop.netc", "--sandbox", s).status());
      String otherLinks = output("ip", "-n", s, "-o", "link", "show").lines()
          .filter(l -> l.contains("netc:other:")).map(l -> l.replaceAll("^[0-9]+: ", "").replaceAll("@.*", ""))
          .sorted().collect(Collectors.joining("\n"));

      // the file broken mid-edit: its topology line still reads
      cli.write("shop.netc", shop + "\ncontainer half {\n  attach\n");
      assertEquals(1, cli.run("lint", "shop.netc").status());
      CliRunner.Result r = cli.run("destroy", "shop.netc", "--sandbox", s, "-v");
      assertEquals(0, r.status(), r.err());
      assertTrue(r.err().contains("netc: shop.netc does not compile (2 errors); destroying topology webshop from the"
          + " records of apply and the marks in sandbox " + s + " instead (`netc lint shop.netc` lists them)\n"), r.err());
      assertEquals(deletions(compiling.err()), deletions(r.err()), "the same deletions as a destroy with the file");
      assertTrue(r.out().startsWith("Destroyed webshop in sandbox " + s + ": " + deletions(compiling.err()).size()
          + " deleted"), r.out());

      // nothing of the web shop is left
      Set<String> left = namespaces(s);
      shopNamespaces.forEach(n -> assertFalse(left.contains(n), n));
      assertFalse(output("ip", "-n", s, "-o", "link", "show").contains("netc:webshop:"));
      assertFalse(output("ip", "netns", "exec", s, "nft", "list", "tables").contains("netc_webshop"));
      for (String n : shopNamespaces) {
        assertFalse(Files.exists(Path.of("/etc/netns", n)), n);
      }
      try (Stream<Path> records = Files.list(Path.of("/run/netc"))) {
        assertEquals(List.of(), records.map(p -> p.getFileName().toString())
            .filter(f -> f.startsWith(s + ".webshop.") || f.startsWith(s + "-")).toList());
      }
      // someone else's is there still, and so is the other topology, untouched
      assertTrue(left.containsAll(Set.of(s, s + "-outside", s + "-foreign", s + "-worker", s + "-helper")), left::toString);
      assertTrue(output("ip", "-n", s, "link", "show", "foreign0").contains("foreign0"));
      assertTrue(output("ip", "netns", "exec", s, "nft", "list", "tables").contains("table inet foreign"));
      assertTrue(output("ip", "netns", "exec", s, "nft", "list", "tables").contains("table inet netc_other"));
      assertEquals(otherLinks, output("ip", "-n", s, "-o", "link", "show").lines()
          .filter(l -> l.contains("netc:other:")).map(l -> l.replaceAll("^[0-9]+: ", "").replaceAll("@.*", ""))
          .sorted().collect(Collectors.joining("\n")));
      assertEquals(0, cli.run("plan", "other.netc", "--sandbox", s, "--detailed-exitcode").status(),
          "the other topology is as it was applied");
      assertTrue(Files.exists(Path.of("/etc/netns", s + "-worker", "hosts")));
      // a second destroy finds nothing more
      r = cli.run("destroy", "shop.netc", "--sandbox", s);
      assertEquals(0, r.status(), r.err());
      assertTrue(r.out().startsWith("Destroyed webshop in sandbox " + s + ": 0 deleted"), r.out());
    } finally {
      removeSandbox(s);
    }
  }

  @Test
  void aFileThatIsGoneIsDestroyedByTheTopologyOptionEveryHostAtOnceAndComposeByItsProject() throws Exception {
    assumeKernel();
    String s = String.format("dw%06x", new SecureRandom().nextInt(1 << 24));
    CliRunner cli = new CliRunner();
    cli.write("lab.netc", Files.readString(ROOT.resolve("examples/overlay.netc")));
    cli.write("other.netc", OTHER);
    try {
      assertEquals(0, cli.run("apply", "other.netc", "--sandbox", s).status());
      assertEquals(0, cli.run("apply", "lab.netc", "--sandbox", s).status());
      assertTrue(Files.exists(Path.of("/run/netc", s + "-host_h2.overlay.nft.sha256")));
      Files.delete(cli.fs.getPath("lab.netc"));
      Set<String> before = namespaces(s);

      // without a name, or with --host, nothing is touched
      CliRunner.Result r = cli.run("destroy", "lab.netc", "--sandbox", s);
      assertEquals(new CliRunner.Result(1, "", "netc: cannot read `lab.netc`: no such file and the name of its"
          + " topology cannot be read from it: say which topology to destroy with `--topology NAME`\n"), r);
      r = cli.run("destroy", "lab.netc", "--sandbox", s, "--topology", "overlay", "--host", "h1");
      assertEquals(new CliRunner.Result(1, "", "netc: cannot read `lab.netc`: no such file: `--host` needs the file"
          + " to compile (which endpoints are host h1's is known from the file only); without `--host`, destroy"
          + " removes every host of topology overlay in sandbox " + s + "\n"), r);
      r = cli.run("destroy", "other.netc", "--sandbox", s, "--topology", "overlay");
      assertEquals(new CliRunner.Result(1, "", "netc: `--topology overlay`, but other.netc is topology other: leave"
          + " `--topology` out, or name the file of topology overlay\n"), r);
      // a file that compiles names its topology even when its kernel plan cannot be made
      cli.write("split.netc", Files.readString(ROOT.resolve("golden-tests/plan/overlay-no-underlay/input.netc")));
      // (its plan's NETC520 is apply's to tell, not destroy's)
      r = cli.run("destroy", "split.netc", "--sandbox", s, "--topology", "overlay");
      assertEquals(new CliRunner.Result(1, "", "netc: `--topology overlay`, but split.netc is topology split: leave"
          + " `--topology` out, or name the file of topology overlay\n"), r);
      assertEquals(before, namespaces(s));

      r = cli.run("destroy", "lab.netc", "--sandbox", s, "--topology", "overlay");
      assertEquals(0, r.status(), r.err());
      assertTrue(r.err().startsWith("netc: cannot read `lab.netc`: no such file; destroying topology overlay from the"
          + " records of apply and the marks in sandbox " + s + " instead\nnetc: kept sandbox " + s + ": it still holds"
          + " namespace "), r.err());
      assertTrue(r.err().endsWith("; they are topology other's (`netc destroy` with its file removes them)\n"), r.err());
      assertTrue(r.out().startsWith("Destroyed overlay in sandbox " + s + ": "), r.out());
      Set<String> left = namespaces(s);
      for (String n : List.of("web", "api", "worker-1", "worker-2")) {
        assertFalse(left.contains(s + "-" + n), n);
        assertFalse(Files.exists(Path.of("/etc/netns", s + "-" + n)), n);
      }
      for (String h : List.of("h1", "h2")) {
        // the hosts only overlay played go with it, by its record of them, and their ports in S
        assertFalse(left.contains(s + "-host_" + h), h);
        assertFalse(output("ip", "-n", s, "-o", "link", "show").contains("ul-" + h + "@"), h);
        assertFalse(Files.exists(Path.of("/run/netc", s + "-host_" + h + ".overlay.nft.sha256")), h);
        assertFalse(Files.exists(Path.of("/run/netc", s + "-host_" + h + ".overlay.nft")), h);
      }
      assertFalse(Files.exists(Path.of("/run/netc", s + ".overlay.hosts")));
      assertFalse(output("ip", "-n", s, "-o", "link", "show").contains("netc:overlay:"));
      assertTrue(left.containsAll(Set.of(s, s + "-worker", s + "-helper")), left::toString);
      assertEquals(0, cli.run("plan", "other.netc", "--sandbox", s, "--detailed-exitcode").status());

      // a Compose file with a front end's error: named by its project (its folder), as when it compiled
      String compose = "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n  api:\n    image: api\n";
      cli.write("my_app/compose.yaml", compose);
      r = cli.run("apply", "my_app/compose.yaml", "--sandbox", s);
      assertEquals(0, r.status(), r.err());
      assertTrue(r.out().startsWith("Applied my-app in sandbox " + s), r.out());
      cli.write("my_app/compose.yaml", compose + "  db:\n    image: pg\n    network_mode: nosuch\n");
      r = cli.run("destroy", "my_app/compose.yaml", "--sandbox", s);
      assertEquals(0, r.status(), r.err());
      assertTrue(r.err().startsWith("netc: my_app/compose.yaml does not compile (1 error); destroying topology my-app"
          + " from the records of apply and the marks in sandbox " + s + " instead"), r.err());
      assertTrue(r.out().startsWith("Destroyed my-app in sandbox " + s + ": "), r.out());
      assertEquals(Set.of(s, s + "-outside", s + "-worker", s + "-helper"),
          namespaces(s).stream().filter(n -> !n.startsWith(s + "-host_")).collect(Collectors.toSet()));
      assertFalse(output("ip", "-n", s, "-o", "link", "show").contains("netc:my-app:"));
      assertFalse(Files.exists(Path.of("/run/netc", s + ".my-app.nft")));
      assertEquals(0, cli.run("plan", "other.netc", "--sandbox", s, "--detailed-exitcode").status());
    } finally {
      removeSandbox(s);
    }
  }

  /** The namespaces {@code S} and {@code S-*}. */
  private static Set<String> namespaces(String s) throws Exception {
    return output("ip", "netns", "list").lines().map(l -> l.split(" ", 2)[0])
        .filter(n -> n.equals(s) || n.startsWith(s + "-")).collect(Collectors.toCollection(TreeSet::new));
  }

  /** The deletions {@code destroy -v} lists ({@code - KIND:...}), as a set. */
  private static Set<String> deletions(String err) {
    return err.lines().filter(l -> l.startsWith("- ")).collect(Collectors.toCollection(TreeSet::new));
  }
}
