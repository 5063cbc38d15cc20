package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The command line as a whole: bad command lines are one-line errors with exit status 1,
 * {@code --version}, {@code --help} and shell completion.
 */
class CliTest {
  @Test
  void anUnknownOptionIsAOneLineError() {
    CliRunner cli = new CliRunner();
    cli.write("ok.netc", Topologies.CLEAN);
    assertEquals(new CliRunner.Result(1, "",
            "netc: Unknown option: '--frobnicate' (try `netc lint --help`)\n"),
        cli.run("lint", "--frobnicate", "ok.netc"));
  }

  @Test
  void aMisspeltOptionOrCommandSaysWhichWasMeant() {
    CliRunner cli = new CliRunner();
    cli.write("ok.netc", Topologies.CLEAN);
    assertEquals(new CliRunner.Result(1, "",
            "netc: Unknown options: '--sandobx', 'demo'; did you mean `--sandbox`? (try `netc plan --help`)\n"),
        cli.run("plan", "ok.netc", "--sandobx", "demo"));
    assertEquals(new CliRunner.Result(1, "",
            "netc: Unknown option: '--formt'; did you mean `--format`? (try `netc lint --help`)\n"),
        cli.run("lint", "--formt", "json", "ok.netc"));
    assertEquals(new CliRunner.Result(1, "",
            "netc: Unmatched arguments from index 0: 'destory', 'ok.netc'; did you mean `destroy`? (try `netc --help`)\n"),
        cli.run("destory", "ok.netc"));
  }

  @Test
  void anUnknownCommandIsAOneLineError() {
    CliRunner cli = new CliRunner();
    assertEquals(new CliRunner.Result(1, "",
            "netc: Unmatched argument at index 0: 'frobnicate' (try `netc --help`)\n"),
        cli.run("frobnicate"));
  }

  @Test
  void noCommandIsAOneLineError() {
    CliRunner cli = new CliRunner();
    assertEquals(new CliRunner.Result(1, "",
            "netc: a command is required (try `netc --help`)\n"),
        cli.run());
  }

  @Test
  void explainOfANameThatIsNoNodeNamesTheNodesItStandsFor() {
    CliRunner cli = new CliRunner();
    cli.write("t.netc", """
        topology t
        host h1 { underlay 192.168.56.11 }
        host h2 { underlay 192.168.56.12 }
        network n { subnet 10.1.0.0/24 }
        container api { labels app=api; replicas 2; on h1; attach n; expose 80/tcp }
        pod web { on h2; attach n; container server { expose 8080/tcp } }
        service front { select app=api; port 80 -> 80/tcp }
        """);
    assertEquals(new CliRunner.Result(1, "", "netc: no endpoint `api` in the topology; did you mean `api-1`, `api-2`?\n"),
        cli.run("explain", "t.netc", "web", "api"));
    assertEquals(new CliRunner.Result(1, "", "netc: no endpoint `front` in the topology; `front` is a service: name an"
        + " endpoint it leads to, `api-1`, `api-2`\n"), cli.run("explain", "t.netc", "web", "front:80"));
    assertEquals(new CliRunner.Result(1, "", "netc: no endpoint `web/server` in the topology; did you mean `web`?\n"),
        cli.run("explain", "t.netc", "web/server", "api-1"));
    assertEquals(new CliRunner.Result(1, "", "netc: no endpoint `@host` in the topology; did you mean `@host/h1`,"
        + " `@host/h2`?\n"), cli.run("explain", "t.netc", "@host", "api-1"));
  }

  @Test
  void explainOfAServiceWithBackendsNamesTheEndpointsItGivesAShare() {
    CliRunner cli = new CliRunner();
    cli.write("t.netc", """
        network n { subnet 10.1.0.0/24 }
        container client { attach n }
        container stable { labels app=api track=stable; attach n; expose 80/tcp }
        container paused { labels app=api track=paused; attach n; expose 80/tcp }
        container old { labels app=api track=old; attach n; expose 80/tcp }
        service front { select app=api; port 80 -> 80/tcp; backend track=stable weight 1; backend track=paused weight 0 }
        service none { select app=api; port 80 -> 80/tcp; backend track=paused weight 0 }
        """);
    assertEquals(new CliRunner.Result(1, "", "netc: no endpoint `front` in the topology; `front` is a service: name an"
        + " endpoint it leads to, `stable`\n"), cli.run("explain", "t.netc", "client", "front:80"));
    assertEquals(new CliRunner.Result(1, "", "netc: no endpoint `none` in the topology; `none` is a service: name an"
        + " endpoint it leads to (it leads to none)\n"), cli.run("explain", "t.netc", "client", "none:80"));
  }

  @Test
  void aPortGivenTwiceIsOnePort() {
    CliRunner cli = new CliRunner();
    cli.write("ok.netc", Topologies.CLEAN);
    assertEquals(new CliRunner.Result(0, """
        from,to,port,protocol,allowed
        c,c,80,tcp,true
        c,@host,80,tcp,true
        c,@outside,80,tcp,true
        @host,c,80,tcp,true
        @host,@host,80,tcp,true
        @host,@outside,80,tcp,true
        @outside,c,80,tcp,false
        @outside,@host,80,tcp,true
        @outside,@outside,80,tcp,true
        """, ""), cli.run("matrix", "ok.netc", "--format", "csv", "--port", "80", "--port", "80/tcp"));
  }

  @Test
  void aMissingFileArgumentIsAOneLineError() {
    CliRunner cli = new CliRunner();
    assertEquals(new CliRunner.Result(1, "",
            "netc: Missing required parameter: 'FILE' (try `netc fmt --help`)\n"),
        cli.run("fmt"));
  }

  @Test
  void anUnknownOptionIsToldBeforeTheFileItLeftMissing() {
    CliRunner cli = new CliRunner();
    assertEquals(new CliRunner.Result(1, "", "netc: Unknown option: '-x' (try `netc --help`)\n"),
        cli.run("-x", "lint"));
    assertEquals(new CliRunner.Result(1, "",
            "netc: Unknown option: '--formt'; did you mean `--format`? (try `netc lint --help`)\n"),
        cli.run("lint", "--formt"));
  }

  @Test
  void aLoopOfLinksIsSaidSoNotMissing() throws Exception {
    CliRunner cli = new CliRunner();
    java.nio.file.Files.createSymbolicLink(cli.fs.getPath("a.netc"), cli.fs.getPath("b.netc"));
    java.nio.file.Files.createSymbolicLink(cli.fs.getPath("b.netc"), cli.fs.getPath("a.netc"));
    assertEquals(new CliRunner.Result(1, "", "netc: cannot read `a.netc`: a loop of symbolic links\n"), cli.run("lint", "a.netc"));
    assertEquals(new CliRunner.Result(1, "", "netc: cannot read `c.netc`: no such file\n"), cli.run("lint", "c.netc"));
  }

  @Test
  void aBadEnumValueIsTheValuesAsTheHelpListsThemInOneLine() {
    CliRunner cli = new CliRunner();
    cli.write("ok.netc", Topologies.CLEAN);
    assertEquals(new CliRunner.Result(1, "", "netc: Invalid value for option '--format': expected one of"
            + " [text, json] (case-insensitive) but was 'xml' (try `netc diff --help`)\n"),
        cli.run("diff", "--format", "xml", "ok.netc"));
    assertEquals(new CliRunner.Result(1, "", "netc: Invalid value for option '--backend': expected one of"
            + " [json, k8s, compose, dot, mermaid, ip, nft] (case-insensitive) but was 'foo' (try `netc emit --help`)\n"),
        cli.run("emit", "--backend", "foo", "ok.netc"));
    assertEquals(new CliRunner.Result(1, "", "netc: Invalid value for positional parameter at index 0 (SHELL):"
            + " expected one of [bash, zsh] (case-insensitive) but was 'fish' (try `netc completion --help`)\n"),
        cli.run("completion", "fish"));
    // any case is read
    assertEquals(0, cli.run("lint", "--format", "JSON", "ok.netc").status());
    assertEquals(0, cli.run("matrix", "--format", "Csv", "ok.netc").status());
  }

  /** netc's command line, its output thrown away: its commands' model. */
  private static picocli.CommandLine commands(CliRunner cli) {
    return Netc.commandLine(new Netc.Context(cli.fs, new java.io.PrintWriter(java.io.Writer.nullWriter()),
        new java.io.PrintWriter(java.io.Writer.nullWriter()), Terminal.NONE), false);
  }

  /**
   * Each line of a command's description is a paragraph that picocli wraps: one that stops
   * mid-sentence is printed with a line break there ("Without a\nport,\nevery port").
   */
  @Test
  void everyCommandsDescriptionIsWholeParagraphs() {
    int checked = 0;
    for (picocli.CommandLine c : commands(new CliRunner()).getSubcommands().values()) {
      String[] lines = c.getCommandSpec().usageMessage().description();
      for (int i = 0; i + 1 < lines.length; i++) {
        // a line that goes on in the next: no stop at its end, and the next starts in lower case
        boolean goesOn = !lines[i].matches("(?s).*[.:)]|") && lines[i + 1].matches("(?s)[a-z`(].*");
        assertFalse(goesOn, c.getCommandName() + ": " + lines[i] + " / " + lines[i + 1]);
        checked++;
      }
    }
    assertTrue(checked > 10, "description lines read: " + checked);
  }

  @Test
  void everyEnumOptionListsItsValuesInLowerCaseWhenGivenABadOne() {
    // every command's enum options and parameters, found in the model, so that a new one is covered too
    CliRunner cli = new CliRunner();
    picocli.CommandLine root = commands(cli);
    int checked = 0;
    for (picocli.CommandLine sub : root.getSubcommands().values()) {
      for (picocli.CommandLine.Model.OptionSpec o : sub.getCommandSpec().options()) {
        if (!o.type().isEnum()) {
          continue;
        }
        CliRunner.Result r = cli.run(sub.getCommandName(), o.longestName(), "nosuch", "x.netc");
        // the values as the user writes them, worked out here and not by EnumNames
        String values = java.util.Arrays.stream(o.type().getEnumConstants())
            .map(c -> ((Enum<?>) c).name().toLowerCase(java.util.Locale.ROOT))
            .collect(java.util.stream.Collectors.joining(", "));
        // and a value in upper case is taken (it fails later, on the missing file, not on the value)
        String upper = ((Enum<?>) o.type().getEnumConstants()[0]).name().toUpperCase(java.util.Locale.ROOT);
        CliRunner.Result taken = cli.run(sub.getCommandName(), o.longestName(), upper, "x.netc");
        assertFalse(taken.err().contains("Invalid value"), sub.getCommandName() + " " + o.longestName() + " " + upper + ": " + taken.err());
        assertEquals(new CliRunner.Result(1, "", "netc: Invalid value for option '" + o.longestName()
                + "': expected one of [" + values + "] (case-insensitive) but was 'nosuch' (try `netc "
                + sub.getCommandName() + " --help`)\n"),
            r, sub.getCommandName() + " " + o.longestName());
        checked++;
      }
    }
    assertTrue(checked >= 8, "the --format of lint, plan, diff, probe, verify, matrix, review and --backend: " + checked);
  }

  @Test
  void versionPrintsNetcAndTheVersion() {
    CliRunner cli = new CliRunner();
    String version = Netc.version();
    assertNotEquals("unknown", version);
    assertTrue(version.matches("\\d+\\.\\d+\\.\\d+(-[A-Za-z0-9.]+)?"), version);
    CliRunner.Result expected = new CliRunner.Result(0, "netc " + version + "\n", "");
    assertEquals(expected, cli.run("--version"));
    assertEquals(expected, cli.run("-V"));
  }

  @Test
  void versionWorksAfterACommandToo() {
    CliRunner cli = new CliRunner();
    CliRunner.Result expected = new CliRunner.Result(0, "netc " + Netc.version() + "\n", "");
    assertEquals(expected, cli.run("lint", "--version"));
    assertEquals(expected, cli.run("fmt", "--version"));
  }

  @Test
  void helpGoesToStdoutWithExitZero() {
    CliRunner cli = new CliRunner();
    CliRunner.Result r = cli.run("--help");
    assertEquals(0, r.status());
    assertEquals("", r.err());
    assertTrue(r.out().startsWith("Usage: netc "), r.out());
    for (String command : new String[] {"lint", "fmt", "emit", "completion"}) {
      assertTrue(r.out().contains("\n  " + command + " "), command + " in " + r.out());
    }
    CliRunner.Result lint = cli.run("lint", "--help");
    assertEquals(0, lint.status());
    assertTrue(lint.out().contains("--werror"), lint.out());
    assertTrue(lint.out().contains("text, json, github, sarif"), lint.out());
  }

  @Test
  void completionBashPrintsACompletionScript() {
    CliRunner cli = new CliRunner();
    CliRunner.Result r = cli.run("completion", "bash");
    assertEquals(0, r.status());
    assertEquals("", r.err());
    assertTrue(r.out().startsWith("#!/usr/bin/env bash\n"), r.out());
    assertTrue(r.out().contains("\ncomplete -F _complete_netc "), r.out());
    // The commands and their options are in it.
    assertTrue(r.out().contains("--werror"), r.out());
    assertTrue(r.out().contains("--check"), r.out());
    assertTrue(r.out().contains("(\"text\" \"json\" \"github\" \"sarif\" \"markdown\")"), r.out());
  }

  @Test
  void completionZshLoadsBashCompletion() {
    CliRunner cli = new CliRunner();
    CliRunner.Result r = cli.run("completion", "zsh");
    assertEquals(0, r.status());
    assertTrue(r.out().contains("bashcompinit"), r.out());
    assertTrue(r.out().contains("complete -F _complete_netc "), r.out());
  }

  @Test
  void completionForAnUnknownShellIsAnError() {
    CliRunner cli = new CliRunner();
    CliRunner.Result r = cli.run("completion", "fish");
    assertEquals(1, r.status());
    assertEquals("", r.out());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("netc: Invalid value for positional parameter"), r.err());
  }
}
