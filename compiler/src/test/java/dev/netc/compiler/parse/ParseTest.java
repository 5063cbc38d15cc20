package dev.netc.compiler.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.source.SourceFile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParseTest {
  private static ParsedFile parse(String text) {
    return Parse.file(new SourceFile("t.netc", text));
  }

  @Test
  void validInputNeedsNoLlFallback() {
    long before = Parse.llFallbacks();
    ParsedFile f = parse("network a { subnet 10.0.0.0/24 }\ncontainer b {\n  attach a\n}\n"
        + "policy p { select app in (a, b) !c d\n allow ingress from namespace x=y pods z, cidr 10.0.0.0/8 except 10.1.0.0/16 port 80 }\n");
    assertTrue(f.diagnostics().isEmpty(), f.diagnostics().toString());
    assertEquals(before, Parse.llFallbacks());
    assertEquals(3, f.decls().size());
  }

  @Test
  void everySyntaxErrorOfAFileIsReportedInOneRun() {
    ParsedFile f = parse("network a {\n  subnett 10.0.0.0/24\n}\ncontainer b {\n  replicas\n}\n"
        + "policy p {\n  allow sideways\n}\n");
    List<Integer> lines = new ArrayList<>();
    for (Diagnostic d : f.diagnostics()) {
      assertEquals(Code.NETC001, d.code());
      lines.add(d.span().line());
    }
    assertEquals(List.of(2, 5, 8), lines);
    assertTrue(f.decls().isEmpty(), "no AST from a file with syntax errors");
  }

  /** Each syntax error as "line:column message", with its hint when it has one. */
  private static List<String> errors(ParsedFile f) {
    List<String> out = new ArrayList<>();
    for (Diagnostic d : f.diagnostics()) {
      out.add(d.span().line() + ":" + d.span().column() + " " + d.message()
          + d.hint().map(h -> " (" + h + ")").orElse(""));
    }
    return out;
  }

  @Test
  void anUnknownWordIsToldAndSkippedAndTheParseGoesOnInItsBlock() {
    ParsedFile f = parse("network front {\n  subnet 10.30.0.0/24\n  colour blue\n  ip 10.30.0.1\n}\n"
        + "container a {\n  attach front {\n    ip 10.30.0.5; colour { x\n }\n  }\n  publish 8080\n}\n"
        + "pod p { attach front; 42 }\n");
    assertEquals(List.of(
        "3:3 `colour` is not a statement in network `front` (expected one of: `driver`, `encrypted`, "
            + "`gateway`, `internal`, `mode`, `mtu`, `parent`, `pool`, `port`, `reserve`, `resolve`, "
            + "`subnet`, `vni`)",
        "4:3 `ip` is not a statement in network `front` (expected one of: `driver`, `encrypted`, "
            + "`gateway`, `internal`, `mode`, `mtu`, `parent`, `pool`, `port`, `reserve`, `resolve`, "
            + "`subnet`, `vni`)",
        "8:19 `colour` is not a statement in attach `front` (expected one of: `alias`, `ip`, `mac`)",
        "13:23 `42` is not a statement in pod `p` (expected one of: `attach`, `container`, `expose`, "
            + "`labels`, `mode`, `on`, `publish`, `replicas`)"),
        errors(f));
  }

  @Test
  void wordsAfterAStatementAreSkippedWithTheRestOfTheLine() {
    ParsedFile f = parse("container web {\n  on h1 \"s\" x\n  attach front network back\n  publish 8080\n}\n"
        + "network back {\n  mtu 1500 1400\n  host h\n}\n");
    assertEquals(List.of(
        "2:9 unexpected `\"s\"` in container `web`; expected `}` or end of line",
        "3:16 unexpected `network` in container `web`; expected `{`, `}` or end of line",
        "7:12 unexpected `1400` in network `back`; expected `}` or end of line",
        "8:3 `host` declares at the top level, not in network `back` (close the block of network "
            + "`back` with `}` before it)"),
        errors(f));
  }

  @Test
  void aWordWhereTheStatementCouldGoOnIsToldWithWhatItCouldTake() {
    ParsedFile f = parse("policy p {\n  allow ingress form app=db\n  isolate ingress egres\n"
        + "  deny egress to app=db port 53 colour\n}\nservice s {\n  port 80 -> 8080 node-prt 3000\n}\n");
    assertEquals(List.of(
        "2:17 unexpected `form` in policy `p`; expected `from`, `port`, `ports`, `to`, `}` or end of line"
            + " (did you mean `from`?)",
        "3:19 unexpected `egres` in policy `p`; expected `egress`, `ingress`, `}` or end of line"
            + " (did you mean `egress`?)",
        "4:33 unexpected `colour` in policy `p`; expected `}`, `,` or end of line",
        "7:19 unexpected `node-prt` in service `s`; expected `node-port`, `}` or end of line"
            + " (did you mean `node-port`?)"),
        errors(f));
  }

  @Test
  void aDeclarationKeywordInABrokenStatementDoesNotEndTheBlock() {
    ParsedFile f = parse("policy p {\n  allow ingress from namespace\n  select service\n"
        + "  deny egress to pods network\n}\n");
    List<Integer> lines = new ArrayList<>();
    for (Diagnostic d : f.diagnostics()) {
      assertTrue(d.message().endsWith("in policy `p`; expected `!`, `@outside` or `@host` or a name or value")
          || d.message().endsWith("in policy `p`; expected `!` or a name or value"), d.message());
      lines.add(d.span().line());
    }
    assertEquals(List.of(2, 3, 4), lines);
  }

  @Test
  void hostOrNetworkAloneInAContainerIsAStatementMeant() {
    ParsedFile f = parse("container a {\n  network front\n  host h1\n  publish 8080\n}\n"
        + "pod p { network \"front\" }\n"
        + "container b {\n  network back {\n    subnet 10.0.0.0/24\n  }\n");
    assertEquals(List.of(
        "2:3 `network` declares at the top level, not in container `a` (to attach it to network "
            + "`front`, write `attach front`; a `network` is declared at the top level)",
        "3:3 `host` declares at the top level, not in container `a` (to run it on a host, write "
            + "`on NAME` in its block; a `host` is declared at the top level)",
        "6:9 `network` declares at the top level, not in pod `p` (to attach it to network `front`, "
            + "write `attach \"front\"`; a `network` is declared at the top level)",
        // with a block of its own, it is a declaration after a block left open
        "8:3 `network` declares at the top level, not in container `b` (close the block of "
            + "container `b` with `}` before it)"),
        errors(f));
  }

  @Test
  void aStatementCutShortAtTheEndOfItsLineIsOneErrorAndTheNextLineIsParsedAsItStands() {
    ParsedFile f = parse("network front { subnet 10.0.0.0/24 }\ncontainer web {\n  labels pod=\n  attach front\n}\n"
        + "host h1\ncontainer a { on \n host h1 }\n"
        + "container b {\n  on\n    h1\n  labels app=\n    web\n  labels tier\n  attach\n  publish 80\n}\n"
        + "pod p {\n  attach\n    network front\n  labels x=; replicas 2\n}\n");
    assertEquals(List.of(
        // the next line starts a statement: it is parsed as one, not as the label's value
        "3:14 label `pod` has no value in container `web` (write its value after `=` on the same line, "
            + "as in `pod=web`)",
        // `host h1` on the line after `on`: `on h1` meant
        "7:18 unexpected end of line in container `a`; expected a name or value (did you mean `on h1`? "
            + "a statement ends at the end of its line, and a `host` is declared at the top level)",
        // the next line starts no statement: it is the rest of this one
        "10:5 unexpected end of line in container `b`; expected a name or value (a statement ends at the "
            + "end of its line: write `on h1` on one line)",
        "12:14 label `app` has no value in container `b` (a statement ends at the end of its line: write "
            + "`labels app=web` on one line)",
        "14:14 label `tier` has no value in container `b` (write its value after `=` on the same line, "
            + "as in `tier=web`)",
        "15:9 unexpected end of line in container `b`; expected a name or value",
        "19:9 unexpected end of line in pod `p`; expected a name or value (did you mean `attach front`? "
            + "a statement ends at the end of its line, and a `network` is declared at the top level)",
        // a `;` ends a statement on purpose: never read past
        "21:12 label `x` has no value in pod `p` (write its value after `=` on the same line, as in `x=web`)"),
        errors(f));
  }

  @Test
  void aDeclarationKeywordAloneOnItsLineDoesNotEndTheBlock() {
    ParsedFile f = parse("network front {\n  container\n  subnet 10.0.0.0/24\n}\n"
        + "policy p {\n  select all\n  service\n  isolate ingress\n}\n"
        + "container a {\n  host\n  network; attach front\n  publish 80\n}\n"
        + "service s { select all; import }\n");
    assertEquals(List.of(
        "2:3 `container` declares at the top level, not in network `front` (declare it at the top level, "
            + "with a name (`container NAME`), after the block's `}`)",
        "7:3 `service` declares at the top level, not in policy `p` (declare it at the top level, with a "
            + "name (`service NAME`), after the block's `}`)",
        "11:3 `host` declares at the top level, not in container `a` (to run it on a host, write `on NAME` "
            + "in its block; a `host` is declared at the top level)",
        "12:3 `network` declares at the top level, not in container `a` (to attach it to a network, write "
            + "`attach NAME`; a `network` is declared at the top level)",
        "15:25 `import` declares at the top level, not in service `s` (declare it at the top level, with a "
            + "file (`import \"FILE\"`), after the block's `}`)"),
        errors(f));
  }

  @Test
  void aBrokenLineInABlockLeavesTheBlockOpen() {
    ParsedFile f = parse("container web {\n  attach attach edge {\n    ip 10.0.0.1\n  }\n"
        + "  attach { alias x }\n  publish 80\n}\n"
        + "network edge { {\n  subnet 10.0.0.0/24\n}\n"
        + "policy q {\n  allow ingress from pods pods app=api port 80\n  allow egress\n}\n");
    assertEquals(List.of(
        // the block the broken line opens is skipped with it: its `}` does not end the container
        "2:17 unexpected `edge` in container `web`; expected `{`, `}` or end of line",
        // the `{` is not dropped to make `alias` the name: its `}` would end the container
        "5:10 unexpected `{` in container `web`; expected a name or value",
        // a `{` too many opens no block: the `}` ends the network
        "8:16 unexpected `{` in network `edge`; expected `driver`, `encrypted`, `gateway`, `internal`, "
            + "`mode`, `mtu`, `parent`, `pool` or ...",
        // after an error inside a statement, the rest of its line is skipped inside the block
        "12:32 unexpected `app` in policy `q`; expected `!` or a name or value"),
        errors(f));
  }

  @Test
  void linesThatStartNoDeclarationAreOneErrorUpToTheNextDeclaration() {
    ParsedFile f = parse("network front {\n  subnet 10.0.0.0/24\n}\nfrontend {\n  subnet 10.1.0.0/24\n  internal\n}\n"
        + "network network back {\n  mtu 1400\n}\ncontainer web { attach front }\n}\n");
    assertEquals(List.of(
        "4:1 `frontend` does not start a declaration (expected one of: `container`, `host`, `import`, "
            + "`namespace`, `network`, `pod`, `policy`, `service`, `topology`)",
        "8:17 unexpected `back`; expected `container`, `host`, `import`, `namespace`, `network`, `pod`, "
            + "`policy`, `service` or ...",
        // a `}` that starts a line after a declaration is still told
        "12:1 unexpected `}`: no block is open here (remove it, or look for a block closed too early above)"),
        errors(f));
    // the `}` of a block that recovery ended, skipped with junk, is not the excuse of a later stray `}`
    f = parse("network a {\n  container b {\n  }\n  junk\n}\nnetwork c\n}\n");
    assertEquals(List.of(
        "2:3 `container` declares at the top level, not in network `a` (close the block of network `a` "
            + "with `}` before it)",
        "4:3 `junk` does not start a declaration (expected one of: `container`, `host`, `import`, "
            + "`namespace`, `network`, `pod`, `policy`, `service`, `topology`)",
        "7:1 unexpected `}`: no block is open here (remove it, or look for a block closed too early above)"),
        errors(f));
  }

  @Test
  void aBlockWhoseBraceIsLostIsOneError() {
    ParsedFile f = parse("network frontend\n  subnet 10.0.0.0/24\n  mtu 1400\n}\n"
        + "namespace shop {\n  service checkout\n    select app=checkout\n    port 443\n  }\n  pod web\n}\n"
        + "container a {\n  attach frontend\n    ip 10.0.0.5\n  }\n  publish 80\n}\n"
        + "container b {\n  attach frontend\n  8080\n  expose 80\n}\n");
    assertEquals(List.of(
        "2:3 `subnet` does not start a declaration (did you forget `{` after `network frontend`?)",
        "7:5 `select` is not a statement in namespace `shop` (did you forget `{` after `service checkout`?)",
        "14:5 `ip` is not a statement in container `a` (did you forget `{` after `attach frontend`?)",
        // `8080` starts no statement of an attachment: not taken for a lost `{`
        "20:3 `8080` is not a statement in container `b` (expected one of: `attach`, `expose`, `labels`, "
            + "`mode`, `on`, `publish`, `replicas`)"),
        errors(f));
  }

  @Test
  void aStatementOfAnInnerBlockWrittenInTheOuterOneIsOneError() {
    // no `}` to spare: no block was opened, and the `}` after the line closes the block it stands in
    ParsedFile f = parse("container a {\n  attach frontend\n  ip 10.0.0.5\n}\ncontainer b { attach frontend }\n"
        + "container c {\n  attach frontend\n  alias www  # the proxy\n}\ncontainer d { attach frontend }\n"
        + "namespace shop {\n  service checkout\n  select app=x\n}\nnamespace ops { pod p }\n"
        + "network back\nmtu 1400\ncontainer e { attach back }\n");
    assertEquals(List.of(
        "3:3 `ip` is not a statement in container `a` "
            + "(`ip` belongs in an `attach` block: `attach frontend { ip 10.0.0.5 }`)",
        "8:3 `alias` is not a statement in container `c` "
            + "(`alias` belongs in an `attach` block: `attach frontend { alias www }`)",
        "13:3 `select` is not a statement in namespace `shop` "
            + "(`select` belongs in a `service` block: `service checkout { select app=x }`)",
        "17:1 `mtu` does not start a declaration (`mtu` belongs in a `network` block: `network back { mtu 1400 }`)"),
        errors(f));
  }

  @Test
  void anAttachmentLeftOpenIsOneErrorAndTheContainerGoesOn() {
    ParsedFile f = parse("container web {\n  attach front { alias www\n  publish 8080\n  expose 80\n}\n"
        + "container db {\n  attach front {\n    ip 10.0.0.5\n    publish 8080\n  }\n  expose 80\n}\n"
        + "namespace n {\n  pod web {\n    attach front {\n      ip 10.0.0.5\n    publish 8080\n  }\n  pod x\n}\n");
    assertEquals(List.of(
        "3:3 the block of attach `front` is never closed (add `}` before this line to close it: `publish` "
            + "is a statement of the container `web` around it)",
        // the attachment's `}` comes later: a statement misplaced in it, as before
        "9:5 `publish` is not a statement in attach `front` (expected one of: `alias`, `ip`, `mac`)",
        "17:5 the block of attach `front` is never closed (add `}` before this line to close it: `publish` "
            + "is a statement of the pod `web` around it)"),
        errors(f));
  }

  @Test
  void keywordsServeAsNamesAndValues() {
    ParsedFile f = parse("network internal { internal }\ncontainer host { labels role=pod; attach internal }\n");
    assertTrue(f.diagnostics().isEmpty(), f.diagnostics().toString());
  }

  @Test
  void positionsCountCodePointsBeyondTheBmp() {
    ParsedFile f = parse("# 🚀 rocket\ncontainer web { labels note=\"🚀\" $ }\n");
    Diagnostic d = f.diagnostics().get(0);
    assertEquals(Code.NETC002, d.code());
    assertEquals(2, d.span().line());
    assertEquals(33, d.span().column());
    assertEquals("$", d.span().text());
  }

  @Test
  void deepNestingAndHugeInputsEndInDiagnostics() {
    ParsedFile f = parse("network a " + "{".repeat(10_000) + "\n");
    assertTrue(!f.diagnostics().isEmpty());
    assertTrue(f.diagnostics().size() <= SyntaxErrorStrategy.LIMIT + 1);
  }

  @Test
  void aCommentAfterAWholeLineSpreadOverSeveralStaysOnItsFirst() {
    // a suppression covers its own line: after fmt it is still the line of the declaration
    String src = "network spare { subnet 10.73.0.0/24; internal } # netc:ignore NETC113 \"spare\"\n"
        + "network n { # netc:ignore NETC113 \"also\"\n  subnet 10.74.0.0/24\n}\n";
    List<Diagnostic> problems = new ArrayList<>();
    String once = Formatter.format(new SourceFile("t.netc", src), problems).orElseThrow();
    assertEquals("network spare {  # netc:ignore NETC113 \"spare\"\n  subnet 10.73.0.0/24\n  internal\n}\n"
        + "network n {  # netc:ignore NETC113 \"also\"\n  subnet 10.74.0.0/24\n}\n", once);
    assertEquals(once, Formatter.format(new SourceFile("t.netc", once), problems).orElseThrow());
  }

  @Test
  void formatterIsIdempotentAndKeepsComments() {
    String src = "# top\nnetwork a{subnet 10.0.0.0/24 # why\n\n\n  mtu 1400}\n"
        + "container b { labels x = y ; attach a {ip 10.0.0.5} }\n";
    List<Diagnostic> problems = new ArrayList<>();
    String once = Formatter.format(new SourceFile("t.netc", src), problems).orElseThrow();
    String twice = Formatter.format(new SourceFile("t.netc", once), problems).orElseThrow();
    assertEquals(once, twice);
    assertEquals("# top\nnetwork a {\n  subnet 10.0.0.0/24  # why\n\n  mtu 1400\n}\n"
        + "container b {\n  labels x=y\n  attach a { ip 10.0.0.5 }\n}\n", once);
    assertTrue(problems.isEmpty());
  }

  @Test
  void crlfAndCrInputFormatLikeLf() {
    String lf = "network a {\n  subnet 10.0.0.0/24\n}\n";
    List<Diagnostic> p = new ArrayList<>();
    assertEquals(lf, Formatter.format(new SourceFile("t", lf.replace("\n", "\r\n")), p).orElseThrow());
    assertEquals(lf, Formatter.format(new SourceFile("t", lf.replace("\n", "\r")), p).orElseThrow());
  }
}
