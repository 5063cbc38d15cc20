package dev.netc.backends.graph;

import dev.netc.backends.Templates;
import dev.netc.compiler.ir.Topology;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code netc emit --backend dot} and {@code --backend mermaid}: the {@link Graph} of a topology
 * in Graphviz DOT ({@code dot.ftl}) or as a Mermaid flowchart that GitHub renders in Markdown
 * ({@code mermaid.ftl}). Java escapes every label for its syntax; node ids are letters and digits.
 */
public final class GraphExport {
  private GraphExport() {}

  /** A node as a template prints it: id, label already escaped, and its kind in lower case. */
  public record VNode(String id, String label, String kind) {}

  /** A cluster as a template prints it. */
  public record VCluster(String id, String label, List<VCluster> clusters, List<VNode> nodes) {}

  /** An edge as a template prints it; {@code label} is "" for a membership line. */
  public record VEdge(String from, String to, boolean flow, boolean partial, boolean both,
      String label) {}

  public static String dot(Topology t) {
    return render("dot.ftl", Graph.of(t), GraphExport::dotString, "\\n");
  }

  public static String mermaid(Topology t) {
    Graph g = Graph.of(t);
    Map<String, Object> model = model(g, GraphExport::mermaidText, "<br/>");
    // membership lines are drawn faint: Mermaid styles links by their index
    List<Integer> faint = new ArrayList<>();
    for (int i = 0; i < g.edges().size(); i++) {
      if (!g.edges().get(i).flow()) {
        faint.add(i);
      }
    }
    model.put("faint", faint.stream().map(String::valueOf).toList());
    return Templates.render("mermaid.ftl", model);
  }

  private static String render(String template, Graph g, Function<String, String> escape, String br) {
    return Templates.render(template, model(g, escape, br));
  }

  private static Map<String, Object> model(Graph g, Function<String, String> escape, String br) {
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("title", escape.apply(g.title()));
    model.put("nodes", nodes(g.nodes(), escape, br));
    model.put("clusters", clusters(g.clusters(), escape, br));
    List<VEdge> edges = new ArrayList<>();
    for (Graph.Edge e : g.edges()) {
      edges.add(new VEdge(e.from(), e.to(), e.flow(), e.partial(), e.both(),
          escape.apply(e.label())));
    }
    model.put("edges", edges);
    return model;
  }

  private static List<VCluster> clusters(List<Graph.Cluster> in, Function<String, String> escape, String br) {
    List<VCluster> out = new ArrayList<>();
    for (Graph.Cluster c : in) {
      out.add(new VCluster(c.id(), escape.apply(c.label()), clusters(c.clusters(), escape, br),
          nodes(c.nodes(), escape, br)));
    }
    return out;
  }

  private static List<VNode> nodes(List<Graph.GNode> in, Function<String, String> escape, String br) {
    List<VNode> out = new ArrayList<>();
    for (Graph.GNode n : in) {
      List<String> lines = new ArrayList<>();
      n.lines().forEach(l -> lines.add(escape.apply(l)));
      out.add(new VNode(n.id(), String.join(br, lines), n.kind().name().toLowerCase(java.util.Locale.ROOT)));
    }
    return out;
  }

  /** The inside of a DOT double-quoted string. */
  static String dotString(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("[\\r\\n]+", " ");
  }

  /**
   * The inside of a Mermaid {@code "..."} label. Mermaid's entity codes ({@code #quot;}) and
   * HTML escapes are not decoded alike by every version, so the characters Mermaid or its HTML
   * labels would read are replaced by look-alikes that need no escaping; netc's own names and
   * label values never hold them.
   */
  static String mermaidText(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append('\'');
        case '<' -> sb.append('\u2039'); // ‹
        case '>' -> sb.append('\u203a'); // ›
        case '#' -> sb.append('\uff03'); // ＃
        case '&' -> sb.append('\uff06'); // ＆
        case '\r', '\n' -> sb.append(' ');
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

}
