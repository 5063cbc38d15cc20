package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** {@code netc lint}: exit statuses, {@code --disable}, every output format, unreadable files. */
class LintCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ESC = "\u001b";

  private static final String WARNING_TEXT = """
      warning[NETC113]: network `empty` has no members
       --> warn.netc:3:9
        |
      3 | network empty {
        |         ^^^^^
        = help: attach a container to it, or remove it

      """;

  // ------------------------------------------------------------ exit statuses

  @Test
  void aCleanFileExitsZero() {
    CliRunner cli = new CliRunner();
    cli.write("ok.netc", Topologies.CLEAN);
    assertEquals(new CliRunner.Result(0, "netc: no problems in 1 file\n", ""),
        cli.run("lint", "ok.netc"));
  }

  @Test
  void errorsExitOne() {
    CliRunner cli = new CliRunner();
    cli.write("shop.netc", Topologies.ERRORS);
    CliRunner.Result r = cli.run("lint", "shop.netc");
    assertEquals(1, r.status());
    assertEquals("", r.err());
    assertTrue(r.out().endsWith("\nnetc: 2 errors, 1 warning in 1 file (1 suppressed)\n"), r.out());
  }

  @Test
  void warningsExitZeroAndOneWithWerror() {
    CliRunner cli = new CliRunner();
    cli.write("warn.netc", Topologies.WARNING);
    String expected = WARNING_TEXT + "netc: 1 warning in 1 file\n";
    assertEquals(new CliRunner.Result(0, expected, ""), cli.run("lint", "warn.netc"));
    assertEquals(new CliRunner.Result(1, expected, ""), cli.run("lint", "--werror", "warn.netc"));
  }

  @Test
  void aSuppressedWarningDoesNotFailWerror() {
    CliRunner cli = new CliRunner();
    cli.write("sup.netc", """
        topology t

        # netc:ignore NETC113 "kept for the next release"
        network empty {
          subnet 10.1.0.0/24
        }
        """);
    assertEquals(new CliRunner.Result(0, "netc: no problems in 1 file (1 suppressed)\n", ""),
        cli.run("lint", "--werror", "sup.netc"));
  }

  @Test
  void aMissingFileAmongOthersStillFailsButTheOthersAreLinted() {
    CliRunner cli = new CliRunner();
    cli.write("warn.netc", Topologies.WARNING);
    assertEquals(new CliRunner.Result(1, WARNING_TEXT + "netc: 1 warning in 1 file\n",
            "netc: cannot read `gone.netc`: no such file\n"),
        cli.run("lint", "gone.netc", "warn.netc"));
  }

  // ------------------------------------------------------------ --disable

  @Test
  void disableTurnsACodeOff() {
    CliRunner cli = new CliRunner();
    cli.write("warn.netc", Topologies.WARNING);
    CliRunner.Result clean = new CliRunner.Result(0, "netc: no problems in 1 file\n", "");
    assertEquals(clean, cli.run("lint", "--werror", "--disable", "NETC113", "warn.netc"));
    // Codes are case-insensitive and may be given as a comma-separated list.
    assertEquals(clean, cli.run("lint", "--werror", "--disable", "netc112,netc113", "warn.netc"));
  }

  @Test
  void errorsCannotBeDisabled() {
    CliRunner cli = new CliRunner();
    cli.write("warn.netc", Topologies.WARNING);
    assertEquals(new CliRunner.Result(1, "", "netc: `NETC101` is an error, and errors cannot be disabled\n"),
        cli.run("lint", "--disable", "NETC101", "warn.netc"));
  }

  @Test
  void disableLeavesOtherCodesAlone() {
    CliRunner cli = new CliRunner();
    cli.write("shop.netc", Topologies.ERRORS);
    CliRunner.Result r = cli.run("lint", "--format", "json", "--disable", "NETC113", "shop.netc");
    assertEquals(1, r.status());
    assertEquals(List.of("NETC102", "NETC101"), codes(r.out()));
  }

  @Test
  void anUnknownCodeIsAOneLineError() {
    CliRunner cli = new CliRunner();
    cli.write("warn.netc", Topologies.WARNING);
    assertEquals(new CliRunner.Result(1, "",
            "netc: unknown diagnostic code `NETC999` (see docs/diagnostics.md)\n"),
        cli.run("lint", "--disable", "NETC999", "warn.netc"));
  }

  // ------------------------------------------------------------ unreadable inputs

  @Test
  void aMissingFileIsAOneLineError() {
    CliRunner cli = new CliRunner();
    assertEquals(new CliRunner.Result(1, "", "netc: cannot read `nope.netc`: no such file\n"),
        cli.run("lint", "nope.netc"));
  }

  @Test
  void githubAnnotatesAFileThatCannotBeReadFirst() {
    CliRunner cli = new CliRunner();
    cli.write("warn.netc", Topologies.WARNING);
    assertEquals(new CliRunner.Result(1, """
            ::error file=gone.netc,title=file not read::cannot read `gone.netc`: no such file
            ::warning file=warn.netc,line=3,col=9,endLine=3,endColumn=14,title=NETC113 network has \
            no members::NETC113: network `empty` has no members (help: attach a container to it, or \
            remove it)
            """, "netc: cannot read `gone.netc`: no such file\n"),
        cli.run("lint", "--format", "github", "warn.netc", "gone.netc"));
    // alone, it is the whole output; of a comma-separated list, the file is the one not read,
    // escaped as a property
    assertEquals(new CliRunner.Result(1,
            "::error file=gone%3A1.yaml,title=file not read::cannot read `gone:1.yaml`: no such file\n",
            "netc: cannot read `gone:1.yaml`: no such file\n"),
        cli.run("lint", "--format", "github", "warn.netc,gone:1.yaml"));
  }

  @Test
  void markdownCountsAndListsAFileThatCannotBeRead() {
    CliRunner cli = new CliRunner();
    cli.write("warn.netc", Topologies.WARNING);
    assertEquals(new CliRunner.Result(1, """
            ### netc lint: 1 file not read, 1 warning in 1 file

            | errors | warnings | notes | suppressed | files |
            |---:|---:|---:|---:|---:|
            | 0 | 1 | 0 | 0 | 1 |

            - **error** cannot read `gone.netc`: no such file

            <details><summary>warn.netc: 1 finding</summary>

            - `warn.netc:3:9` **warning** NETC113: network `empty` has no members<br>help: attach a \
            container to it, or remove it

            </details>
            """, "netc: cannot read `gone.netc`: no such file\n"),
        cli.run("lint", "--format", "markdown", "gone.netc", "warn.netc"));
    assertEquals(new CliRunner.Result(1, """
            ### netc lint: 2 files not read

            | errors | warnings | notes | suppressed | files |
            |---:|---:|---:|---:|---:|
            | 0 | 0 | 0 | 0 | 0 |

            - **error** cannot read `gone.netc`: no such file
            - **error** cannot read `lost.netc`: no such file
            """, "netc: cannot read `gone.netc`: no such file\nnetc: cannot read `lost.netc`: no such file\n"),
        cli.run("lint", "--format", "markdown", "gone.netc", "lost.netc"));
  }

  @Test
  void aFolderWithoutManifestsIsAOneLineError() throws Exception {
    CliRunner cli = new CliRunner();
    Files.createDirectories(cli.fs.getPath("topologies/sub"));
    cli.write("topologies/main.netc", "topology t\n");
    assertEquals(new CliRunner.Result(1, "",
            "netc: `topologies` holds no .yaml or .yml file (its subfolders are read with -R); a folder"
                + " stands for Kubernetes manifests: name a .netc file itself, such as `topologies/main.netc`\n"),
        cli.run("lint", "topologies"));
  }

  @Test
  void aFolderWithoutManifestsOrNetcFilesSaysNoMore() throws Exception {
    CliRunner cli = new CliRunner();
    Files.createDirectories(cli.fs.getPath("empty"));
    cli.write("empty/README.md", "notes\n");
    assertEquals(new CliRunner.Result(1, "",
            "netc: `empty` holds no .yaml or .yml file (its subfolders are read with -R)\n"),
        cli.run("lint", "empty"));
  }

  @Test
  void aBinaryFileIsADiagnosticNotACrash() {
    CliRunner cli = new CliRunner();
    cli.write("bin.netc", "topology x\n\0\1\2");
    CliRunner.Result r = cli.run("lint", "--format", "json", "bin.netc");
    assertEquals(1, r.status());
    assertEquals("", r.err());
    assertEquals(List.of("NETC004"), codes(r.out()));
  }

  // ------------------------------------------------------------ syntax errors

  @Test
  void threeSyntaxErrorsOnThreeLinesAreThreeDiagnostics() throws Exception {
    CliRunner cli = new CliRunner();
    cli.write("three.netc", Topologies.THREE_SYNTAX_ERRORS);
    CliRunner.Result r = cli.run("lint", "--format", "json", "three.netc");
    assertEquals(1, r.status());
    List<String> found = new ArrayList<>();
    for (JsonNode d : JSON.readTree(r.out()).get("diagnostics")) {
      found.add(d.get("code").asText() + " " + d.get("line").asInt() + ":"
          + d.get("column").asInt() + " " + d.get("message").asText());
    }
    assertEquals(List.of(
        "NETC001 4:10 unexpected `=` in network `front`; expected a name or value",
        "NETC001 8:22 unexpected `10.3.0.0/24` in network `back`; expected `}` or end of line",
        "NETC001 13:10 unexpected `,` in container `web`; expected a name or value"), found);
  }

  // ------------------------------------------------------------ --format json

  @Test
  void jsonHasExactlyTheDocumentedKeys() throws Exception {
    CliRunner cli = new CliRunner();
    cli.write("shop.netc", Topologies.ERRORS);
    CliRunner.Result r = cli.run("lint", "--format", "json", "shop.netc");
    assertEquals(1, r.status());
    assertEquals("", r.err());
    JsonNode root = JSON.readTree(r.out());
    assertEquals(Set.of("diagnostics"), keys(root));
    Set<String> required = Set.of("code", "severity", "message", "file", "line", "column",
        "endLine", "endColumn", "hint");
    List<String> seen = new ArrayList<>();
    for (JsonNode d : root.get("diagnostics")) {
      Set<String> extra = new TreeSet<>(keys(d));
      assertTrue(extra.containsAll(required), d.toString());
      extra.removeAll(required);
      assertTrue(Set.of("related", "suppressed").containsAll(extra), d.toString());
      seen.add(d.get("code").asText() + " " + d.get("severity").asText() + " "
          + d.get("file").asText() + ":" + d.get("line").asInt() + ":" + d.get("column").asInt()
          + "-" + d.get("endLine").asInt() + ":" + d.get("endColumn").asInt() + " " + extra);
    }
    assertEquals(List.of(
        "NETC113 warning shop.netc:3:9-3:14 []",
        "NETC113 warning shop.netc:8:9-8:14 [suppressed]",
        "NETC102 error shop.netc:12:9-12:14 [related]",
        "NETC101 error shop.netc:17:10-17:14 []"), seen);

    JsonNode duplicate = root.at("/diagnostics/2");
    assertEquals("network `front` is declared twice", duplicate.get("message").asText());
    assertEquals("rename one of them, or merge the two declarations",
        duplicate.get("hint").asText());
    JsonNode related = duplicate.at("/related/0");
    assertEquals(Set.of("message", "file", "line", "column", "endLine", "endColumn"),
        keys(related));
    assertEquals("first declared here 3:1-5:2", related.get("message").asText() + " "
        + related.get("line").asInt() + ":" + related.get("column").asInt() + "-"
        + related.get("endLine").asInt() + ":" + related.get("endColumn").asInt());
    assertEquals("reserved for the batch jobs",
        root.at("/diagnostics/1/suppressed/reason").asText());
  }

  @Test
  void jsonLinesAndColumnsAreOneBased() throws Exception {
    CliRunner cli = new CliRunner();
    cli.write("first.netc", "^ topology x\n");
    JsonNode d = JSON.readTree(cli.run("lint", "--format", "json", "first.netc").out())
        .at("/diagnostics/0");
    assertEquals("NETC002 1:1-1:2", d.get("code").asText() + " " + d.get("line").asInt() + ":"
        + d.get("column").asInt() + "-" + d.get("endLine").asInt() + ":"
        + d.get("endColumn").asInt());
  }

  @Test
  void columnsCountCodePoints() throws Exception {
    CliRunner cli = new CliRunner();
    // Two code points (one of them outside the BMP, two UTF-16 units) before the error.
    cli.write("u.netc", """
        topology t
        network n {
          subnet 10.0.0.0/24
        }
        container c {
          labels note="\uD83D\uDE00\u00e9" = x
          attach n
        }
        """);
    JsonNode d = JSON.readTree(cli.run("lint", "--format", "json", "u.netc").out())
        .at("/diagnostics/0");
    assertEquals("NETC001 6:20-6:21", d.get("code").asText() + " " + d.get("line").asInt() + ":"
        + d.get("column").asInt() + "-" + d.get("endLine").asInt() + ":"
        + d.get("endColumn").asInt());
  }

  @Test
  void jsonOfACleanFileIsAnEmptyList() throws Exception {
    CliRunner cli = new CliRunner();
    cli.write("ok.netc", Topologies.CLEAN);
    CliRunner.Result r = cli.run("lint", "--format", "json", "ok.netc");
    assertEquals(0, r.status());
    assertEquals(JSON.readTree("{\"diagnostics\": []}"), JSON.readTree(r.out()));
  }

  // ------------------------------------------------------------ --format github

  @Test
  void githubPrintsOneWorkflowCommandPerUnsuppressedDiagnostic() {
    CliRunner cli = new CliRunner();
    cli.write("shop.netc", Topologies.ERRORS);
    CliRunner.Result r = cli.run("lint", "--format", "github", "shop.netc");
    assertEquals(1, r.status());
    assertEquals("""
        ::warning file=shop.netc,line=3,col=9,endLine=3,endColumn=14,title=NETC113 network has \
        no members::NETC113: network `front` has no members (help: attach a container to it, or \
        remove it)
        ::error file=shop.netc,line=12,col=9,endLine=12,endColumn=14,title=NETC102 duplicate \
        name::NETC102: network `front` is declared twice (help: rename one of them, or merge the \
        two declarations)
        ::error file=shop.netc,line=17,col=10,endLine=17,endColumn=14,title=NETC101 unknown \
        reference::NETC101: unknown network `back` (help: declared: `front`, `spare`)
        """, r.out());
  }

  @Test
  void githubEscapesPropertiesAndData() {
    CliRunner cli = new CliRunner();
    cli.write("a,b:c.netc", Topologies.WARNING);
    CliRunner.Result r = cli.run("lint", "--format", "github", "a,b:c.netc");
    assertEquals(0, r.status());
    assertTrue(r.out().startsWith("::warning file=a%2Cb%3Ac.netc,line=3,col=9,"), r.out());
    assertEquals(1, r.out().lines().count(), r.out());
  }

  // ------------------------------------------------------------ text and colour

  @Test
  void textHasNoEscapesWithoutColour() {
    CliRunner cli = new CliRunner();
    cli.write("shop.netc", Topologies.ERRORS);
    CliRunner.Result r = cli.run(Terminal.NONE, "lint", "shop.netc");
    assertEquals(1, r.status());
    assertFalse(r.out().contains(ESC), r.out());
    assertTrue(r.out().startsWith("warning[NETC113]: network `front` has no members\n"), r.out());
  }

  @Test
  void textIsColouredOnAColourTerminal() {
    CliRunner cli = new CliRunner();
    cli.write("shop.netc", Topologies.ERRORS);
    CliRunner.Result r = cli.run(new Terminal(true, true), "lint", "shop.netc");
    assertEquals(1, r.status());
    assertTrue(r.out().startsWith(ESC + "[1;33mwarning[NETC113]" + ESC + "[0m"), r.out());
    assertTrue(r.out().contains(ESC + "[1;31merror[NETC102]" + ESC + "[0m"), r.out());
    // Without the escapes it is the plain text, character for character.
    assertEquals(cli.run(Terminal.NONE, "lint", "shop.netc").out(),
        r.out().replaceAll(ESC + "\\[[0-9;]*m", ""));
  }

  @Test
  void quietDropsTheSummary() {
    CliRunner cli = new CliRunner();
    cli.write("warn.netc", Topologies.WARNING);
    cli.write("ok.netc", Topologies.CLEAN);
    assertEquals(new CliRunner.Result(0, WARNING_TEXT, ""), cli.run("lint", "-q", "warn.netc"));
    assertEquals(new CliRunner.Result(0, "", ""), cli.run("lint", "-q", "ok.netc"));
  }

  @Test
  void quietLeavesNoOpenEscapeOnAColourTerminal() {
    CliRunner cli = new CliRunner();
    cli.write("warn.netc", Topologies.WARNING);
    cli.write("ok.netc", Topologies.CLEAN);
    Terminal colour = new Terminal(true, true);
    CliRunner.Result r = cli.run(colour, "lint", "-q", "warn.netc");
    assertEquals(WARNING_TEXT, r.out().replaceAll(ESC + "\\[[0-9;]*m", ""));
    // Every colour that was switched on is switched off again: the last escape is a reset.
    assertTrue(r.out().startsWith(ESC + "[0m", r.out().lastIndexOf(ESC)), r.out());
    assertEquals(new CliRunner.Result(0, "", ""), cli.run(colour, "lint", "-q", "ok.netc"));
  }

  // ------------------------------------------------------------ CRLF

  @Test
  void crlfInputGivesTheSameDiagnosticsAsLf() {
    for (String text : List.of(Topologies.ERRORS, Topologies.THREE_SYNTAX_ERRORS,
        Topologies.WARNING)) {
      for (String format : List.of("json", "text", "github", "sarif")) {
        CliRunner lf = new CliRunner();
        lf.write("t.netc", text);
        CliRunner crlf = new CliRunner();
        crlf.write("t.netc", Topologies.crlf(text));
        CliRunner.Result expected = lf.run("lint", "--format", format, "t.netc");
        assertEquals(expected, crlf.run("lint", "--format", format, "t.netc"), format);
        assertFalse(expected.out().contains("\r"), expected.out());
      }
    }
  }

  // ------------------------------------------------------------ helpers

  private static List<String> codes(String json) {
    List<String> out = new ArrayList<>();
    try {
      JSON.readTree(json).get("diagnostics").forEach(d -> out.add(d.get("code").asText()));
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + json, e);
    }
    return out;
  }

  private static Set<String> keys(JsonNode node) {
    Set<String> out = new TreeSet<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  void markdownIsAPullRequestComment() {
    CliRunner cli = new CliRunner();
    cli.write("w.netc", Topologies.WARNING);
    CliRunner.Result r = cli.run("lint", "--format", "markdown", "w.netc");
    assertEquals(0, r.status(), r.err());
    assertEquals("""
        ### netc lint: 1 warning in 1 file

        | errors | warnings | notes | suppressed | files |
        |---:|---:|---:|---:|---:|
        | 0 | 1 | 0 | 0 | 1 |

        <details><summary>w.netc: 1 finding</summary>

        """, r.out().substring(0, r.out().indexOf("- `w.netc:3:9`")));
    assertTrue(r.out().contains("- `w.netc:3:9` **warning** NETC113: "), r.out());
    assertTrue(r.out().endsWith("\n</details>\n"), r.out());
  }
}
