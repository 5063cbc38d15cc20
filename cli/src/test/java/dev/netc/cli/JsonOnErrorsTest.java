package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every command asked for {@code --format json} (and {@code emit --backend json}) prints JSON on
 * stdout when the topology does not compile: the diagnostics, as {@code netc lint --format json}
 * prints them, with exit status 1; stderr still has their text form. So do the one-line errors
 * (a file that cannot be read, a bad option value, a command line that does not parse): one
 * diagnostic without a position, its code {@code failed} or {@code usage}. None of these runs
 * reads the kernel: the topology or the command line stops them first.
 */
class JsonOnErrorsTest {
  /** An error (NETC101 at 8:10) and a warning (NETC113 at 3:9). */
  private static final String BROKEN = """
      topology t

      network n {
        subnet 10.0.0.0/24
      }

      container web {
        attach nope
      }
      """;

  private static final String JSON = """
      {
        "diagnostics": [
          {
            "code": "NETC113",
            "severity": "warning",
            "message": "network `n` has no members",
            "file": "t.netc",
            "line": 3,
            "column": 9,
            "endLine": 3,
            "endColumn": 10,
            "hint": "attach a container to it, or remove it"
          },
          {
            "code": "NETC101",
            "severity": "error",
            "message": "unknown network `nope`",
            "file": "t.netc",
            "line": 8,
            "column": 10,
            "endLine": 8,
            "endColumn": 14,
            "hint": "declared: `n`"
          }
        ]
      }
      """;

  @Test
  void everyJsonCommandPrintsTheDiagnosticsAsLintDoes() {
    CliRunner cli = new CliRunner();
    cli.write("t.netc", BROKEN);
    CliRunner.Result lint = cli.run("lint", "--format", "json", "t.netc");
    assertEquals(new CliRunner.Result(1, JSON, ""), lint);
    String text = cli.run("lint", "t.netc").out();
    List<List<String>> commands = List.of(
        List.of("plan", "t.netc", "--format", "json"),
        List.of("plan", "t.netc", "--sandbox", "cl-absent", "--format", "json", "--detailed-exitcode"),
        List.of("diff", "t.netc", "--sandbox", "cl-absent", "--format", "json"),
        List.of("matrix", "t.netc", "--format", "json"),
        List.of("probe", "t.netc", "--sandbox", "cl-absent", "--format", "json"),
        List.of("verify", "t.netc", "--sandbox", "cl-absent", "--format", "json"),
        List.of("emit", "t.netc", "--backend", "json"));
    for (List<String> command : commands) {
      assertEquals(new CliRunner.Result(1, JSON, text), cli.run(command.toArray(String[]::new)),
          String.join(" ", command));
    }
  }

  /** A diagnostic without a hint has no `hint` key (docs/diagnostics.md: "when present"), not `"hint": null`. */
  @Test
  void aDiagnosticWithoutAHintHasNoHintKey() {
    CliRunner cli = new CliRunner();
    cli.write("t.netc", "network n { subnet 10.0.0.0/33 }\ncontainer a { attach n }\n");
    assertEquals(new CliRunner.Result(1, """
        {
          "diagnostics": [
            {
              "code": "NETC202",
              "severity": "error",
              "message": "expected a prefix length in 0-32 for an IPv4 prefix, got `33`",
              "file": "t.netc",
              "line": 1,
              "column": 20,
              "endLine": 1,
              "endColumn": 31
            }
          ]
        }
        """, ""), cli.run("lint", "--format", "json", "t.netc"));
  }

  @Test
  void otherFormatsKeepStdoutEmpty() {
    CliRunner cli = new CliRunner();
    cli.write("t.netc", BROKEN);
    String text = cli.run("lint", "t.netc").out();
    List<List<String>> commands = List.of(
        List.of("plan", "t.netc"),
        List.of("plan", "t.netc", "--format", "markdown"),
        List.of("matrix", "t.netc", "--format", "csv"),
        List.of("verify", "t.netc", "--sandbox", "cl-absent"),
        List.of("emit", "t.netc", "--backend", "dot"),
        // written to files: stdout is not where the JSON goes
        List.of("emit", "t.netc", "--backend", "json", "--out", "out"));
    for (List<String> command : commands) {
      assertEquals(new CliRunner.Result(1, "", text), cli.run(command.toArray(String[]::new)),
          String.join(" ", command));
    }
  }

  @Test
  void aPlanThatCannotBeMadeIsJsonToo() {
    CliRunner cli = new CliRunner();
    // endpoint `outside` in sandbox `lab` would be lab-outside, the sandbox's own outside (NETC521)
    cli.write("t.netc", """
        network apps {
          subnet 10.30.0.0/24
        }

        container outside {
          attach apps
        }
        """);
    CliRunner.Result r = cli.run("plan", "t.netc", "--sandbox", "lab", "--format", "json");
    assertEquals(new CliRunner.Result(1, """
        {
          "diagnostics": [
            {
              "code": "NETC521",
              "severity": "error",
              "message": "endpoint `outside` would run in namespace `lab-outside`, which is the outside of sandbox `lab`",
              "file": "t.netc",
              "line": 5,
              "column": 1,
              "endLine": 7,
              "endColumn": 2,
              "hint": "rename the endpoint, or plan without `--sandbox`"
            }
          ]
        }
        """, """
        error[NETC521]: endpoint `outside` would run in namespace `lab-outside`, which is the outside of sandbox `lab`
         --> t.netc:5:1
          |
        5 | container outside {
          | ^^^^^^^^^^^^^^^^^^^
          = help: rename the endpoint, or plan without `--sandbox`

        netc: 1 error in 1 file
        """), r);
    assertEquals(r, cli.run("diff", "t.netc", "--sandbox", "lab", "--format", "json"));
  }

  /** The document of one error without a position: what stderr says, without {@code netc: }. */
  private static String failed(String message) {
    return """
        {
          "diagnostics": [
            {
              "code": "failed",
              "severity": "error",
              "message": "%s"
            }
          ]
        }
        """.formatted(message);
  }

  @Test
  void oneLineErrorsAreJsonToo() {
    CliRunner cli = new CliRunner();
    cli.write("ok.netc", Topologies.CLEAN);
    String missing = "cannot read `missing.netc`: no such file";
    String host = "unknown host `h9`; the topology has `local`";
    String sandbox = "invalid `--sandbox`: expected a sandbox name of 1-32 letters, digits, `_`, `.` or `-`"
        + " starting with a letter or digit, got `a/b`";
    String required = "`--sandbox S` is required: `netc %s` runs only in a sandbox (host mode has no outside"
        + " namespace to probe from)";
    List<List<String>> commands = List.of(
        List.of(missing, "lint", "missing.netc", "--format", "json"),
        List.of(missing, "plan", "missing.netc", "--format", "json"),
        List.of(missing, "diff", "missing.netc", "--sandbox", "cl-absent", "--format", "json"),
        List.of(missing, "matrix", "missing.netc", "--format", "json"),
        List.of(missing, "probe", "missing.netc", "--sandbox", "cl-absent", "--format", "json"),
        List.of(missing, "verify", "missing.netc", "--sandbox", "cl-absent", "--format", "json"),
        List.of(missing, "emit", "missing.netc", "--backend", "json"),
        List.of(host, "plan", "ok.netc", "--sandbox", "cl-absent", "--host", "h9", "--format", "json"),
        List.of(host, "diff", "ok.netc", "--sandbox", "cl-absent", "--host", "h9", "--format", "json"),
        List.of(host, "probe", "ok.netc", "--sandbox", "cl-absent", "--host", "h9", "--format", "json"),
        List.of(host, "verify", "ok.netc", "--sandbox", "cl-absent", "--host", "h9", "--format", "json"),
        List.of(sandbox, "plan", "ok.netc", "--sandbox", "a/b", "--format", "json"),
        List.of(sandbox, "diff", "ok.netc", "--sandbox", "a/b", "--format", "json"),
        List.of(sandbox, "probe", "ok.netc", "--sandbox", "a/b", "--format", "json"),
        List.of(sandbox, "verify", "ok.netc", "--sandbox", "a/b", "--format", "json"),
        List.of("`--sandbox` and `--host` apply to the ip and nft backends only",
            "emit", "ok.netc", "--backend", "json", "--host", "h9"),
        List.of(required.formatted("probe"), "probe", "ok.netc", "--format", "json"),
        List.of(required.formatted("verify"), "verify", "ok.netc", "--format", "json"),
        List.of("unknown diagnostic code `NETC999` (see docs/diagnostics.md)",
            "lint", "ok.netc", "--disable", "NETC999", "--format", "json"),
        // any case, and --format=json
        List.of(missing, "plan", "missing.netc", "--format=JSON"));
    for (List<String> c : commands) {
      List<String> command = c.subList(1, c.size());
      assertEquals(new CliRunner.Result(1, failed(c.get(0)), "netc: " + c.get(0) + "\n"),
          cli.run(command.toArray(String[]::new)), String.join(" ", command));
      // without JSON (or with the json backend written to files), stdout stays empty
      List<String> text = new java.util.ArrayList<>(command.stream()
          .map(a -> a.equals("json") && !command.contains("--backend") ? "text" : a.equals("--format=JSON") ? "--format=text" : a)
          .toList());
      if (command.contains("--backend")) {
        text.addAll(List.of("--out", "out"));
      }
      assertEquals(new CliRunner.Result(1, "", "netc: " + c.get(0) + "\n"),
          cli.run(text.toArray(String[]::new)), String.join(" ", text));
    }
  }

  @Test
  void lintListsTheFilesItCannotReadFirst() {
    CliRunner cli = new CliRunner();
    cli.write("t.netc", BROKEN);
    CliRunner.Result r = cli.run("lint", "t.netc", "missing.netc", "--format", "json");
    String listed = JSON.substring(JSON.indexOf("    {"));
    assertEquals(new CliRunner.Result(1, """
        {
          "diagnostics": [
            {
              "code": "failed",
              "severity": "error",
              "message": "cannot read `missing.netc`: no such file"
            },
        """ + listed, "netc: cannot read `missing.netc`: no such file\n"), r);
  }

  @Test
  void aCommandLineThatDoesNotParseIsJsonWhenItAsksForJson() {
    CliRunner cli = new CliRunner();
    cli.write("ok.netc", Topologies.CLEAN);
    List<List<String>> commands = List.of(
        List.of("Unknown option: '--bogus'", "netc plan", "plan", "ok.netc", "--bogus", "--format", "json"),
        List.of("Missing required parameter: 'FILE'", "netc matrix", "matrix", "--format", "json"),
        List.of("Missing required option: '--base=REV'", "netc review", "review", "--format", "json"),
        List.of("Invalid value for option '--detailed-exitcode': 'x' is not a boolean", "netc plan",
            "plan", "ok.netc", "--format=json", "--detailed-exitcode=x"),
        List.of("Unknown option: '--bogus'", "netc emit", "emit", "ok.netc", "--backend", "json", "--bogus"),
        // a command without --format: the line asks for JSON all the same
        List.of("Unknown options: '--format', 'json'", "netc apply", "apply", "ok.netc", "--format", "json"));
    for (List<String> c : commands) {
      List<String> command = c.subList(2, c.size());
      assertEquals(new CliRunner.Result(1, """
          {
            "diagnostics": [
              {
                "code": "usage",
                "severity": "error",
                "message": "%s",
                "hint": "try `%s --help`"
              }
            ]
          }
          """.formatted(c.get(0), c.get(1)), "netc: " + c.get(0) + " (try `" + c.get(1) + " --help`)\n"),
          cli.run(command.toArray(String[]::new)), String.join(" ", command));
    }
    // no JSON asked for: stdout stays empty, as it does for --backend json --out and for a
    // `--format json` after `--` (the words of exec's command)
    List<List<String>> text = List.of(
        List.of("Unknown option: '--bogus'", "netc plan", "plan", "ok.netc", "--bogus"),
        List.of("Unknown option: '--bogus'", "netc plan", "plan", "ok.netc", "--bogus", "--format", "markdown"),
        List.of("Unknown option: '--bogus'", "netc emit", "emit", "ok.netc", "--backend", "json", "--out", "d",
            "--bogus"),
        List.of("Unknown option: '--bogus'", "netc exec", "exec", "--bogus", "ok.netc", "--sandbox", "s", "c", "--",
            "tool", "--format", "json"));
    for (List<String> c : text) {
      List<String> command = c.subList(2, c.size());
      assertEquals(new CliRunner.Result(1, "", "netc: " + c.get(0) + " (try `" + c.get(1) + " --help`)\n"),
          cli.run(command.toArray(String[]::new)), String.join(" ", command));
    }
  }

  @Test
  void anInternalErrorIsJsonToo() {
    CliRunner cli = new CliRunner();
    // a file name with a NUL: no command line can hold one (argv is NUL-terminated), so it is the
    // way in to an exception that is no user error, from the file system's getPath
    String message = "internal error: java.nio.file.InvalidPathException: nul character not allowed at index 1: a\0b.netc";
    assertEquals(new CliRunner.Result(1, """
        {
          "diagnostics": [
            {
              "code": "internal",
              "severity": "error",
              "message": "internal error: java.nio.file.InvalidPathException: nul character not allowed at index 1: a\\u0000b.netc",
              "hint": "rerun with --debug for details"
            }
          ]
        }
        """, "netc: " + message + " (rerun with --debug for details)\n"),
        cli.run("plan", "a\0b.netc", "--format", "json"));
    assertEquals(new CliRunner.Result(1, "", "netc: " + message + " (rerun with --debug for details)\n"),
        cli.run("plan", "a\0b.netc"));
  }
}
