package dev.netc.backends.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netc.backends.Templates;
import dev.netc.backends.json.Json;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.model.Matrix;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Verdict;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the reachability matrix ({@code netc matrix}: text grid, JSON as in ARCHITECTURE.md,
 * CSV) and a single explained verdict ({@code netc explain}).
 */
public final class MatrixReport {
  private MatrixReport() {}

  /** The formats of {@code netc matrix}. */
  public enum Format {
    TEXT,
    JSON,
    CSV
  }

  /** Writes the matrix to {@code out}; JSON and CSV are streamed, so millions of cells fit. */
  public static void render(Format f, List<Node> nodes, List<PortSpec> ports, List<Matrix.Cell> cells,
      java.io.Writer out) {
    render(f, nodes, ports, cells, "", out);
  }

  /**
   * The same, of the connections of one address family alone ({@code family}: {@code IPv4} or
   * {@code IPv6}, empty for both), which the text's grids say ({@code 443/tcp in IPv6: ...}).
   */
  public static void render(Format f, List<Node> nodes, List<PortSpec> ports, List<Matrix.Cell> cells,
      String family, java.io.Writer out) {
    switch (f) {
      case TEXT -> write(out, text(nodes, ports, cells, family));
      case JSON -> json(cells, out);
      case CSV -> Templates.render("matrix-csv.ftl", Map.of("rows", new CsvRows(cells)), out);
    }
  }

  private static void write(java.io.Writer out, String s) {
    try {
      out.write(s);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** {@code {"probes": [{"from", "to", "port", "protocol", "allowed"}]}}, as a string. */
  public static String json(List<Matrix.Cell> cells) {
    java.io.StringWriter w = new java.io.StringWriter();
    json(cells, w);
    return w.toString();
  }

  /** {@code {"probes": [{"from", "to", "port", "protocol", "allowed"}]}}, streamed. */
  public static void json(List<Matrix.Cell> cells, java.io.Writer out) {
    try (com.fasterxml.jackson.core.JsonGenerator g = Json.generator(out)) {
      g.writeStartObject();
      g.writeArrayFieldStart("probes");
      for (Matrix.Cell c : cells) {
        g.writeStartObject();
        g.writeStringField("from", c.from().name());
        g.writeStringField("to", c.to().name());
        g.writeNumberField("port", c.port().range().first());
        g.writeStringField("protocol", c.port().protocol().label());
        g.writeBooleanField("allowed", c.allowed());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
      g.flush();
      out.write("\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public static String csv(List<Matrix.Cell> cells) {
    return Templates.render("matrix-csv.ftl", Map.of("rows", new CsvRows(cells)));
  }

  /** The CSV rows, made one at a time as the template iterates (no list of millions of rows). */
  private static final class CsvRows extends java.util.AbstractList<List<String>> {
    private final List<Matrix.Cell> cells;

    CsvRows(List<Matrix.Cell> cells) {
      this.cells = cells;
    }

    @Override
    public List<String> get(int i) {
      Matrix.Cell c = cells.get(i);
      return List.of(field(c.from().name()), field(c.to().name()),
          Integer.toString(c.port().range().first()), c.port().protocol().label(),
          Boolean.toString(c.allowed()));
    }

    @Override
    public int size() {
      return cells.size();
    }
  }

  /** RFC 4180 quoting. */
  private static String field(String s) {
    return s.contains(",") || s.contains("\"") || s.contains("\n")
        ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  /** One grid a port: rows are sources, columns destinations; ✓ admitted, ✗ not. */
  public static String text(List<Node> nodes, List<PortSpec> ports, List<Matrix.Cell> cells) {
    return text(nodes, ports, cells, "");
  }

  /** The same, of one address family ({@code family}, empty for both). */
  public static String text(List<Node> nodes, List<PortSpec> ports, List<Matrix.Cell> cells, String family) {
    int n = nodes.size();
    int width = "from \\ to".length();
    for (Node x : nodes) {
      width = Math.max(width, x.name().length());
    }
    List<Map<String, Object>> grids = new ArrayList<>();
    for (int p = 0; p < ports.size(); p++) {
      List<String> header = new ArrayList<>();
      for (Node x : nodes) {
        header.add(x.name());
      }
      List<Map<String, Object>> rows = new ArrayList<>();
      int allowed = 0;
      for (int i = 0; i < n; i++) {
        StringBuilder marks = new StringBuilder();
        for (int j = 0; j < n; j++) {
          Matrix.Cell c = cells.get((i * n + j) * ports.size() + p);
          allowed += c.allowed() ? 1 : 0;
          String mark = c.allowed() ? "✓" : "✗";
          marks.append(pad(mark, nodes.get(j).name().length())).append("  ");
        }
        rows.add(Map.of("name", pad(nodes.get(i).name(), width), "marks", marks.toString().stripTrailing()));
      }
      Map<String, Object> g = new LinkedHashMap<>();
      g.put("port", ports.get(p).toString() + (family.isEmpty() ? "" : " in " + family));
      g.put("corner", pad("from \\ to", width));
      g.put("header", String.join("  ", header));
      g.put("rows", rows);
      g.put("allowed", allowed);
      g.put("total", n * n);
      grids.add(g);
    }
    return Templates.render("matrix-text.ftl", Map.of("grids", grids));
  }

  private static String pad(String s, int width) {
    int len = s.codePointCount(0, s.length());
    return len >= width ? s : s + " ".repeat(width - len);
  }

  /** The explanation of one verdict, each step with the source line it refers to. */
  public static String explain(List<Verdict> verdicts) {
    List<Map<String, Object>> items = new ArrayList<>();
    for (Verdict v : verdicts) {
      List<Map<String, Object>> steps = new ArrayList<>();
      for (Verdict.Step s : v.steps()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", DiagnosticReport.clean(s.text()));
        s.where().ifPresent(span -> m.put("source", source(span)));
        steps.add(m);
      }
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("from", v.from().name());
      item.put("to", v.to().name());
      item.put("port", v.port().toString());
      item.put("verdict", v.allowed() ? "allowed" : "denied");
      item.put("steps", steps);
      items.add(item);
    }
    return Templates.render("explain.ftl", Map.of("items", items));
  }

  private static String source(Span span) {
    String line = span.file().lineText(span.line()).strip();
    return span.file().path() + ":" + span.line() + ": " + DiagnosticReport.clean(line);
  }
}
