package dev.netc.compiler.front;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.source.SourceFile;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/** Reading YAML documents, and reading on after a syntax error in one of them. */
class YamlTest {
  /** The value of key {@code name} of each document read. */
  private static List<String> names(List<Node> docs) {
    return docs.stream().map(d -> ((MappingNode) d).getValue().stream()
            .filter(t -> ((ScalarNode) t.getKeyNode()).getValue().equals("name"))
            .map(t -> ((ScalarNode) t.getValueNode()).getValue()).findFirst().orElse("?"))
        .toList();
  }

  private static String lines(Diagnostics diags) {
    return diags.sorted().stream().map(d -> d.code() + "@" + d.span().line()).collect(Collectors.joining(" "));
  }

  @Test
  void aSyntaxErrorLeavesOutOnlyItsDocumentsWhenReadingOn() {
    String text = "name: a\n---\nname: b\nlabels: {x: 1\n---\nname: c\n---\nname: d\n\tbad: tab\n";
    Diagnostics diags = new Diagnostics();
    List<Node> docs = Yaml.of(new SourceFile("in.yaml", text)).documents(diags, true);
    assertEquals(List.of("a", "c"), names(docs));
    // each error where the YAML reader meets it: the line numbers are the file's
    assertEquals("NETC010@5 NETC010@9", lines(diags));
    // without reading on (Compose): nothing, one error
    Diagnostics once = new Diagnostics();
    assertEquals(List.of(), Yaml.of(new SourceFile("in.yaml", text)).documents(once));
    assertEquals("NETC010@5", lines(once));
  }

  @Test
  void anErrorOnTheSeparatorLineReadsTheDocumentItStarts() {
    // the open quote runs into the next `---`, where the reader stops: the document after it is whole
    String text = "name: a\n---\nname: \"b\n---\nname: c\r\n---\r\nname: d\r\n";
    Diagnostics diags = new Diagnostics();
    assertEquals(List.of("a", "c", "d"), names(Yaml.of(new SourceFile("in.yaml", text)).documents(diags, true)));
    assertEquals(1, diags.errorCount(), lines(diags));
  }

  @Test
  void afterFiftyBrokenStretchesTheRestIsNotRead() {
    String text = IntStream.range(0, 80).mapToObj(i -> "name: p" + i + "\nlabels: {x: 1\n").collect(Collectors.joining("---\n"));
    Diagnostics diags = new Diagnostics();
    assertEquals(List.of(), Yaml.of(new SourceFile("in.yaml", text)).documents(diags, true));
    List<Diagnostic> all = diags.sorted();
    assertEquals(Yaml.SYNTAX_ERRORS, all.stream().filter(d -> d.code() == Code.NETC010).count());
    assertTrue(all.stream().anyMatch(d -> d.code() == Code.NETC005 && d.message().contains("stopped after 50")), lines(diags));
  }

  @Test
  void theCommentsOfTheDocumentsReadAfterASyntaxErrorAreFound() {
    // (their `# netc:ignore` suppressions hold for the documents read on)
    String text = "# first\nname: a\nlabels: {x: 1\n---\n# netc:ignore NETC024 \"by hand\"\nname: b # after\n";
    List<String> comments = Yaml.comments(new SourceFile("in.yaml", text)).stream()
        .map(c -> c.text() + "@" + c.span().line()).toList();
    assertEquals(List.of("# first@1", "# netc:ignore NETC024 \"by hand\"@5", "# after@6"), comments);
  }

  @Test
  void aDocumentStartsAtThreeDashesAloneOrBeforeASpace() {
    SourceFile f = new SourceFile("in.yaml", "a: 1\n----\n---x\n--- # next\nb: 2\n---\n");
    assertEquals(OptionalInt.of(3), Yaml.documentStart(f, 0));
    assertEquals(OptionalInt.of(5), Yaml.documentStart(f, 4));
    assertEquals(OptionalInt.empty(), Yaml.documentStart(f, 6));
  }
}
