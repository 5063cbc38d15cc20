package dev.netc.runner;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netc.backends.Templates;
import dev.netc.backends.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an apply would do to a sandbox ({@code sandbox} {@code ""}: the host): changes in the order
 * they are made, and notes on what could not be read (said once, above the summary).
 */
public record Plan(String topology, String sandbox, List<Change> changes, List<String> notes) {
  public Plan {
    changes = List.copyOf(changes);
    notes = List.copyOf(notes);
  }

  public Plan(String topology, String sandbox, List<Change> changes) {
    this(topology, sandbox, changes, List.of());
  }

  /** {@code sandbox S} or {@code the host}. */
  public String where() {
    return sandbox.isEmpty() ? "the host" : "sandbox " + sandbox;
  }

  public boolean empty() {
    return changes.isEmpty();
  }

  public long count(Change.Action a) {
    return changes.stream().filter(c -> c.action() == a).count();
  }

  /** The summary line. */
  public String summary() {
    if (empty()) {
      return "No changes: " + where() + " matches topology " + topology + ".";
    }
    return "Plan: " + counts() + ".";
  }

  /**
   * {@code 3 to create, 1 to update, 1 to replace, 0 to delete}: each change counted once (a
   * replacement, {@code -/+}, is neither a create nor a delete).
   */
  String counts() {
    return count(Change.Action.CREATE) + " to create, " + count(Change.Action.UPDATE) + " to update, "
        + count(Change.Action.REPLACE) + " to replace, " + count(Change.Action.DELETE) + " to delete";
  }

  /** One line per change, then the summary ({@code plan-text.ftl}). */
  public String text() {
    return Templates.render("plan-text.ftl",
        Map.of("lines", changes.stream().map(Change::line).toList(), "notes", notes, "summary", summary()));
  }

  /**
   * {@code plan --format json}: {@code {"changes": [{"action", "kind", "id", "namespace",
   * "detail": {}}], "summary": {"create", "update", "replace", "delete"}}}, changes in the order apply makes
   * them; {@code id} is the object's name in its namespace ({@code ""}: the host's), {@code
   * detail} holds {@code note} when the plan says more about the change.
   */
  public String json() {
    ObjectNode root = Json.object();
    ArrayNode list = root.putArray("changes");
    for (Change c : changes) {
      ObjectNode o = list.addObject();
      o.put("action", c.action().name().toLowerCase(java.util.Locale.ROOT));
      o.put("kind", c.id().kind().label());
      o.put("id", c.id().name());
      o.put("namespace", c.id().namespace());
      ObjectNode d = o.putObject("detail");
      if (!c.detail().isEmpty()) {
        d.put("note", c.detail());
      }
    }
    if (!notes.isEmpty()) {
      ArrayNode n = root.putArray("notes");
      notes.forEach(n::add);
    }
    ObjectNode sum = root.putObject("summary");
    sum.put("create", count(Change.Action.CREATE));
    sum.put("update", count(Change.Action.UPDATE));
    sum.put("replace", count(Change.Action.REPLACE));
    sum.put("delete", count(Change.Action.DELETE));
    return Json.pretty(root);
  }

  /**
   * {@code plan --format markdown}: a pull-request comment ({@code plan-markdown.ftl}), counts
   * first, then one collapsible section per action with the changes in the order apply makes
   * them (the same plan gives the same text).
   */
  public String markdown() {
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("summary", markdownEscape(empty() ? summary() : counts()));
    model.put("create", count(Change.Action.CREATE));
    model.put("update", count(Change.Action.UPDATE));
    model.put("replace", count(Change.Action.REPLACE));
    model.put("delete", count(Change.Action.DELETE));
    model.put("sandbox", markdownEscape(sandbox.isEmpty() ? "(host)" : sandbox));
    model.put("notes", notes.stream().map(Plan::markdownEscape).toList());
    model.put("topology", markdownEscape(topology));
    List<Map<String, Object>> sections = new ArrayList<>();
    for (Change.Action a : Change.Action.values()) {
      List<Map<String, String>> items = changes.stream().filter(c -> c.action() == a)
          .map(c -> Map.of("id", c.id().toString().replace("`", "'"), "detail", markdownEscape(c.detail())))
          .toList();
      if (!items.isEmpty()) {
        sections.add(Map.of("title", a.symbol + " " + a.name().toLowerCase(java.util.Locale.ROOT), "items", items));
      }
    }
    model.put("sections", sections);
    return Templates.render("plan-markdown.ftl", model);
  }

  /**
   * Text outside code spans: HTML and table metacharacters escaped, and {@code @} as {@code &#64;}
   * so that {@code @outside} in a comment mentions no one.
   */
  static String markdownEscape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
        .replace("@", "&#64;");
  }
}
