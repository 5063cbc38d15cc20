package dev.netc.backends.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netc.backends.Templates;
import dev.netc.backends.json.Json;
import dev.netc.compiler.model.ReachabilityDelta;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Renders {@code netc review}: the reachability delta of each topology file between a git
 * revision and the working tree, as text, JSON or a Markdown pull-request comment with a Mermaid
 * flowchart of the changed flows.
 */
public final class ReviewReport {
  private ReviewReport() {}

  /** The formats of {@code netc review}. */
  public enum Format {
    TEXT,
    JSON,
    MARKDOWN
  }

  /** Whether a reviewed file exists on both sides, only in the working tree, or only at the base. */
  public enum Status {
    MODIFIED,
    ADDED,
    DELETED
  }

  /** One reviewed file and its delta. */
  public record FileDelta(String file, Status status, ReachabilityDelta delta) {}

  public static String render(Format f, String base, List<FileDelta> files) {
    return switch (f) {
      case TEXT -> Templates.render("review-text.ftl", model(base, files, false));
      case MARKDOWN -> Templates.render("review-markdown.ftl", model(base, files, true));
      case JSON -> json(base, files);
    };
  }

  private static Map<String, Object> model(String base, List<FileDelta> files, boolean md) {
    List<Map<String, Object>> out = new ArrayList<>();
    int opened = 0;
    int closed = 0;
    int added = 0;
    int removed = 0;
    int moved = 0;
    for (FileDelta fd : files) {
      ReachabilityDelta d = fd.delta();
      opened += d.opened().size();
      closed += d.closed().size();
      added += d.added().size();
      removed += d.removed().size();
      moved += d.addresses().size();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", md ? Markdown.html(fd.file()) : fd.file());
      m.put("changed", d.changed() || !d.addresses().isEmpty());
      m.put("status", switch (fd.status()) {
        case MODIFIED -> "";
        case ADDED -> "new ";
        case DELETED -> "deleted ";
      });
      m.put("opened", flows(d.opened(), md));
      m.put("closed", flows(d.closed(), md));
      m.put("added", d.added().stream().map(s -> md ? Markdown.code(s) : s).toList());
      m.put("removed", d.removed().stream().map(s -> md ? Markdown.code(s) : s).toList());
      List<Map<String, Object>> addr = new ArrayList<>();
      for (ReachabilityDelta.AddressChange a : d.addresses()) {
        addr.add(Map.of("endpoint", md ? Markdown.code(a.endpoint()) : a.endpoint(),
            "before", md ? Markdown.code(a.before()) : a.before(),
            "after", md ? Markdown.code(a.after()) : a.after()));
      }
      m.put("addresses", addr);
      if (md) {
        m.put("graph", graph(d));
      }
      out.add(m);
    }
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("base", md ? Markdown.code(base) : base);
    model.put("files", out);
    model.put("opened", opened);
    model.put("closed", closed);
    model.put("added", added);
    model.put("removed", removed);
    model.put("moved", moved);
    model.put("changed", opened + closed + added + removed > 0);
    return model;
  }

  private static List<Map<String, Object>> flows(List<ReachabilityDelta.Flow> flows, boolean md) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ReachabilityDelta.Flow f : flows) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("from", md ? Markdown.code(f.from()) : f.from());
      m.put("to", md ? Markdown.code(f.to()) : f.to());
      m.put("ports", String.join(", ", f.ports()));
      m.put("pairs", f.pairs());
      m.put("reason", md ? Markdown.prose(f.reason()) : f.reason());
      m.put("location", md && !f.location().isEmpty() ? Markdown.code(f.location()) : f.location());
      m.put("source", md && !f.source().isEmpty() ? Markdown.code(f.source()) : f.source());
      out.add(m);
    }
    return out;
  }

  /** Mermaid: one node per group that a changed flow touches, solid edges opened, dotted closed. */
  private static Map<String, Object> graph(ReachabilityDelta d) {
    TreeSet<String> names = new TreeSet<>();
    for (ReachabilityDelta.Flow f : d.opened()) {
      names.add(f.from());
      names.add(f.to());
    }
    for (ReachabilityDelta.Flow f : d.closed()) {
      names.add(f.from());
      names.add(f.to());
    }
    Map<String, String> ids = new LinkedHashMap<>();
    List<Map<String, Object>> nodes = new ArrayList<>();
    for (String n : names) {
      String id = "n" + ids.size();
      ids.put(n, id);
      nodes.add(Map.of("id", id, "label", Markdown.mermaid(n)));
    }
    List<Map<String, Object>> edges = new ArrayList<>();
    for (ReachabilityDelta.Flow f : d.opened()) {
      edges.add(Map.of("from", ids.get(f.from()), "to", ids.get(f.to()), "label",
          "+" + String.join(", ", f.ports()), "opened", true));
    }
    for (ReachabilityDelta.Flow f : d.closed()) {
      edges.add(Map.of("from", ids.get(f.from()), "to", ids.get(f.to()), "label",
          "-" + String.join(", ", f.ports()), "opened", false));
    }
    return Map.of("nodes", nodes, "edges", edges);
  }

  private static String json(String base, List<FileDelta> files) {
    ObjectNode root = Json.object();
    root.put("base", base);
    ArrayNode arr = root.putArray("files");
    for (FileDelta fd : files) {
      ReachabilityDelta d = fd.delta();
      ObjectNode o = arr.addObject();
      o.put("file", fd.file());
      o.put("status", fd.status().name().toLowerCase(java.util.Locale.ROOT));
      o.put("changed", d.changed());
      flowsJson(o.putArray("opened"), d.opened());
      flowsJson(o.putArray("closed"), d.closed());
      ArrayNode added = o.putArray("added");
      d.added().forEach(added::add);
      ArrayNode removed = o.putArray("removed");
      d.removed().forEach(removed::add);
      ArrayNode addr = o.putArray("addresses");
      for (ReachabilityDelta.AddressChange a : d.addresses()) {
        addr.addObject().put("endpoint", a.endpoint()).put("before", a.before()).put("after", a.after());
      }
    }
    return Json.pretty(root);
  }

  private static void flowsJson(ArrayNode arr, List<ReachabilityDelta.Flow> flows) {
    for (ReachabilityDelta.Flow f : flows) {
      ObjectNode o = arr.addObject();
      o.put("from", f.from());
      o.put("to", f.to());
      ArrayNode ports = o.putArray("ports");
      for (String p : f.ports()) {
        int slash = p.indexOf('/');
        ports.addObject().put("port", Integer.parseInt(p.substring(0, slash)))
            .put("protocol", p.substring(slash + 1));
      }
      o.put("pairs", f.pairs());
      o.put("reason", f.reason());
      if (!f.location().isEmpty()) {
        int colon = f.location().lastIndexOf(':');
        o.put("file", f.location().substring(0, colon));
        o.put("line", Integer.parseInt(f.location().substring(colon + 1)));
        o.put("source", f.source());
      }
    }
  }
}
