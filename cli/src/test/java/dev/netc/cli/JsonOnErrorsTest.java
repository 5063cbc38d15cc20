package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every command asked for {@code --format json} (and {@code emit --backend json}) prints JSON on
 * stdout when the topology does not compile: the diagnostics, as {@code netc lint --format json}
 * prints them, with exit status 1; stderr still has their text form. None of these runs reads
 * the kernel: the topology stops them first.
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
}
