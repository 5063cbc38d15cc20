package dev.netc.runner;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netc.backends.Templates;
import dev.netc.backends.json.Json;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Drift ({@code netc diff}): how the live state of what a topology owns in a sandbox differs from
 * its desired state, object by object. It is the plan read the other way round: an object apply
 * would create is <b>missing</b>, one it would update or replace is <b>changed</b>, an owned object it would
 * delete is <b>unexpected</b>. What the plan makes again only because a link is replaced (its
 * addresses, routes, forwarding entries, per-device sysctls, the ports of a replaced bridge:
 * {@link Rebuild#follows}) is part of that replacement, not drift: it is neither listed nor counted.
 */
public record Drift(Plan plan) {
  /** How one object drifted. */
  public enum State {
    MISSING, CHANGED, UNEXPECTED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    static State of(Change.Action a) {
      return switch (a) {
        case CREATE -> MISSING;
        case UPDATE, REPLACE -> CHANGED;
        case DELETE -> UNEXPECTED;
      };
    }
  }

  /** The plan's changes that are drift: all but those that only go with a replaced link. */
  public List<Change> changes() {
    return plan.changes().stream().filter(c -> !Rebuild.follows(c)).toList();
  }

  public boolean inSync() {
    return changes().isEmpty();
  }

  public long count(State s) {
    return changes().stream().filter(c -> State.of(c.action()) == s).count();
  }

  public String summary() {
    if (inSync()) {
      return "In sync: " + plan.where() + " matches topology " + plan.topology() + ".";
    }
    return "Drift: " + count(State.MISSING) + " missing, " + count(State.CHANGED) + " changed, "
        + count(State.UNEXPECTED) + " unexpected (" + plan.where() + ", topology "
        + plan.topology() + "); `netc apply` repairs it.";
  }

  /** {@code missing     link:demo:ve-web-0}, one line per object, then the summary ({@code drift-text.ftl}). */
  public String text() {
    List<String> lines = changes().stream()
        .map(c -> String.format("%-11s %s%s", State.of(c.action()).label(), c.id(),
            c.detail().isEmpty() ? "" : "  (" + c.detail() + ")"))
        .toList();
    return Templates.render("drift-text.ftl", Map.of("lines", lines, "notes", plan.notes(), "summary", summary()));
  }

  /**
   * {@code diff --format json}: {@code {"drift": [{"state", "kind", "id", "namespace", "detail":
   * {}}], "summary": {"missing", "changed", "unexpected"}}}, fields as in {@link Plan#json}.
   */
  public String json() {
    ObjectNode root = Json.object();
    ArrayNode list = root.putArray("drift");
    for (Change c : changes()) {
      ObjectNode o = list.addObject();
      o.put("state", State.of(c.action()).label());
      o.put("kind", c.id().kind().label());
      o.put("id", c.id().name());
      o.put("namespace", c.id().namespace());
      ObjectNode d = o.putObject("detail");
      if (!c.detail().isEmpty()) {
        d.put("note", c.detail());
      }
    }
    if (!plan.notes().isEmpty()) {
      ArrayNode n = root.putArray("notes");
      plan.notes().forEach(n::add);
    }
    ObjectNode sum = root.putObject("summary");
    for (State s : State.values()) {
      sum.put(s.label(), count(s));
    }
    return Json.pretty(root);
  }
}
