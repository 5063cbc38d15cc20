package dev.netc.runner;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netc.backends.Templates;
import dev.netc.backends.json.Json;
import dev.netc.backends.plan.ObjectId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Drift ({@code netc diff}): how the live state of what a topology owns in a sandbox differs from
 * its desired state, object by object. It is the plan read the other way round: an object apply
 * would create is <b>missing</b>, one it would update or replace is <b>changed</b>, an owned object it would
 * delete is <b>unexpected</b>. What the plan makes again only because of another change (with a
 * replaced link its addresses, routes, forwarding entries, per-device sysctls, the ports of a
 * replaced bridge; the routes of a device whose address is replaced, or added back to it when it
 * has none left; the IPv6 addresses and the
 * routes of a link set down, the IPv6 ones of a link whose MTU was under 1280: {@link #follows}) is part of that
 * change, not drift: it is neither listed nor counted. An address replaced on a device is one
 * changed address, with what it is and what it should be.
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

  /**
   * The plan's changes that are drift: all but those that only follow another ({@link #follows}),
   * with an address replaced on a device (one of a family missing there, and one of that family
   * unexpected) as one change of the desired address, {@code changed address:S-web:eth0/10.10.0.10/24
   * (10.10.0.99/24 -> 10.10.0.10/24)}, where the missing address's line would have been.
   */
  public List<Change> changes() {
    List<Change> own = plan.changes().stream().filter(c -> !follows(c)).toList();
    // the addresses apply adds and deletes, by device and family
    Map<String, List<Change>> added = new HashMap<>();
    Map<String, List<Change>> deleted = new HashMap<>();
    for (Change c : own) {
      if (c.id().kind() == ObjectId.Kind.ADDRESS && (c.action() == Change.Action.CREATE || c.action() == Change.Action.DELETE)) {
        (c.action() == Change.Action.CREATE ? added : deleted).computeIfAbsent(device(c.id()), k -> new ArrayList<>()).add(c);
      }
    }
    Map<Change, Change> replaced = new HashMap<>();
    added.forEach((device, now) -> {
      List<Change> gone = deleted.getOrDefault(device, List.of());
      if (now.size() == 1 && gone.size() == 1) {
        replaced.put(now.get(0), new Change(Change.Action.UPDATE, now.get(0).id(), cidr(gone.get(0).id()) + " -> " + cidr(now.get(0).id())));
        replaced.put(gone.get(0), null);
      }
    });
    if (replaced.isEmpty()) {
      return own;
    }
    List<Change> out = new ArrayList<>();
    for (Change c : own) {
      if (!replaced.containsKey(c)) {
        out.add(c);
      } else if (replaced.get(c) != null) {
        out.add(replaced.get(c));
      }
    }
    return out;
  }

  /**
   * Whether a change of the plan only makes again what another change takes or took with it:
   * what goes with a replaced link ({@link Rebuild#follows}); the routes made again after the
   * address of their device is replaced, the IPv6 addresses and the routes of a link set down by
   * hand, made again once it is up, and the IPv6 ones of a link whose MTU rises to 1280 or more, with its
   * IPv6 settings ({@code again, after ...}, {@code IPv6 back with the MTU}: {@link Runner#plan}).
   * They are there as desired, or the kernel took them with that other change, which drift names.
   */
  static boolean follows(Change c) {
    return Rebuild.follows(c) || c.action() != Change.Action.REPLACE && c.action() != Change.Action.DELETE
        && (c.detail().startsWith(Runner.AGAIN_AFTER) || c.detail().endsWith(Runner.IPV6_BACK));
  }

  /** {@code S-web eth0 4}: the namespace, device and family of the address {@code DEV/ADDRESS/PREFIX}. */
  private static String device(ObjectId address) {
    return address.namespace() + " " + address.name().substring(0, address.name().indexOf('/'))
        + (Runner.v4Address(address) ? " 4" : " 6");
  }

  /** {@code ADDRESS/PREFIX} of the address {@code DEV/ADDRESS/PREFIX}. */
  private static String cidr(ObjectId address) {
    return address.name().substring(address.name().indexOf('/') + 1);
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
