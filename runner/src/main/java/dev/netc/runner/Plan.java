package dev.netc.runner;

import java.util.List;

/** What an apply would do to a sandbox: changes in the order they are made. */
public record Plan(String topology, String sandbox, List<Change> changes) {
  public Plan {
    changes = List.copyOf(changes);
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
      return "No changes: sandbox " + sandbox + " matches topology " + topology + ".";
    }
    return "Plan: " + count(Change.Action.CREATE) + " to create, " + count(Change.Action.UPDATE)
        + " to update, " + count(Change.Action.DELETE) + " to delete.";
  }

  /** One line per change, then the summary. */
  public String text() {
    StringBuilder out = new StringBuilder();
    changes.forEach(c -> out.append(c.line()).append('\n'));
    if (!empty()) {
      out.append('\n');
    }
    return out.append(summary()).append('\n').toString();
  }
}
