package dev.netc.compiler.model;

import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What changed in reachability between two versions of a topology ({@code netc review}): flows
 * newly allowed and newly denied, endpoints added and removed, addresses that moved. Flows are
 * aggregated by label group (endpoints of one namespace with equal labels, such as replicas), so
 * that opening a tier to another tier is one row. Every list is sorted: equal inputs give equal
 * deltas.
 *
 * @param opened flows denied before and allowed now, with the rule (or path) that admits them now;
 *     only between nodes present on both sides (a new endpoint is listed in {@code added})
 * @param closed flows allowed before and denied now, with what denies them now
 */
public record ReachabilityDelta(
    List<Flow> opened, List<Flow> closed, List<String> added, List<String> removed,
    List<AddressChange> addresses) {

  public ReachabilityDelta {
    opened = List.copyOf(opened);
    closed = List.copyOf(closed);
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    addresses = List.copyOf(addresses);
  }

  /**
   * One aggregated row of changed cells between two groups, on the ports (in order) where the
   * same rule decides with the same reason.
   *
   * @param pairs how many (from, to) node pairs the row stands for
   * @param reason the deciding step of the verdict on the new side, for the first pair
   * @param location {@code file:line} of the deciding rule or policy, empty when none (a path)
   * @param source the source line at {@code location}, trimmed, empty when none
   */
  public record Flow(String from, String to, List<String> ports, int pairs, String reason,
      String location, String source) {
    public Flow {
      ports = List.copyOf(ports);
    }
  }

  /** An endpoint present on both sides whose addresses differ. */
  public record AddressChange(String endpoint, String before, String after) {}

  /** Whether anything changed in reachability (flows or endpoints; addresses alone do not count). */
  public boolean changed() {
    return !opened.isEmpty() || !closed.isEmpty() || !added.isEmpty() || !removed.isEmpty();
  }

  /**
   * Compares {@code base} with {@code head}; either may be null (the file did not exist). File
   * names in locations go through {@code fileName}, so both sides name files alike.
   */
  public static ReachabilityDelta compute(Reachability base, Reachability head,
      Function<String, String> fileName) {
    Map<String, Node> before = byName(base);
    Map<String, Node> after = byName(head);
    Map<String, String> groupsBefore = groups(base);
    Map<String, String> groupsAfter = groups(head);
    List<String> added = new ArrayList<>(new TreeSet<>(after.values().stream()
        .filter(n -> n.isEndpoint() && !before.containsKey(n.name())).map(Node::name).toList()));
    List<String> removed = new ArrayList<>(new TreeSet<>(before.values().stream()
        .filter(n -> n.isEndpoint() && !after.containsKey(n.name())).map(Node::name).toList()));
    List<AddressChange> addresses = new ArrayList<>();
    for (Node n : after.values()) {
      Node old = before.get(n.name());
      if (old != null && n.isEndpoint() && old.isEndpoint()) {
        String was = addresses(old.endpoint().get());
        String is = addresses(n.endpoint().get());
        if (!was.equals(is)) {
          addresses.add(new AddressChange(n.name(), was, is));
        }
      }
    }
    addresses.sort(Comparator.comparing(AddressChange::endpoint));
    Map<String, Flow> opened = new TreeMap<>();
    Map<String, Flow> closed = new TreeMap<>();
    if (base != null && head != null) {
      TreeSet<PortSpec> ports = new TreeSet<>(base.defaultPorts());
      ports.addAll(head.defaultPorts());
      for (PortSpec port : ports) {
        for (Node a : head.nodes()) {
          Node a0 = before.get(a.name());
          if (a0 == null) {
            continue;
          }
          for (Node b : head.nodes()) {
            Node b0 = before.get(b.name());
            if (b0 == null || a.name().equals(b.name())) {
              continue;
            }
            boolean was = base.allowed(a0, b0, port);
            boolean is = head.allowed(a, b, port);
            if (was == is) {
              continue;
            }
            Verdict v = head.explain(a, b, port);
            String[] why = cause(v, base.explain(a0, b0, port), fileName, moved(a0, a).or(() -> moved(b0, b)));
            String from = groupsAfter.get(a.name());
            String to = groupsAfter.get(b.name());
            String key = from + "\u0000" + to + "\u0000" + why[1] + "\u0000"
                + port.protocol().ordinal() + "\u0000" + String.format("%05d", port.range().first());
            Map<String, Flow> into = is ? opened : closed;
            Flow f = into.get(key);
            into.put(key, f == null
                ? new Flow(from, to, List.of(port.toString()), 1, why[0], why[1], why[2])
                : new Flow(f.from(), f.to(), f.ports(), f.pairs() + 1, f.reason(), f.location(), f.source()));
          }
        }
      }
    }
    return new ReachabilityDelta(mergePorts(opened.values()), mergePorts(closed.values()),
        added, removed, addresses);
  }

  /** Rows that differ only in their port become one row (keys sort rows by groups, then ports). */
  private static List<Flow> mergePorts(java.util.Collection<Flow> rows) {
    Map<List<Object>, Flow> merged = new LinkedHashMap<>();
    for (Flow f : rows) {
      List<Object> key = List.of(f.from(), f.to(), f.pairs(), f.reason(), f.location());
      Flow m = merged.get(key);
      if (m == null) {
        merged.put(key, f);
      } else {
        List<String> ports = new ArrayList<>(m.ports());
        ports.addAll(f.ports());
        merged.put(key, new Flow(m.from(), m.to(), ports, m.pairs(), m.reason(), m.location(), m.source()));
      }
    }
    return new ArrayList<>(merged.values());
  }

  /**
   * The attachment (in the new version) that moved an endpoint to a network it was not on, else
   * the endpoint itself when it left a network: where a path that appeared or vanished comes from.
   */
  private static Optional<Span> moved(Node before, Node after) {
    if (!before.isEndpoint() || !after.isEndpoint()) {
      return Optional.empty();
    }
    List<String> was = before.endpoint().get().attachments().stream().map(Attachment::network).toList();
    List<Attachment> now = after.endpoint().get().attachments();
    for (Attachment at : now) {
      if (!was.contains(at.network())) {
        return Optional.of(at.span());
      }
    }
    List<String> is = now.stream().map(Attachment::network).toList();
    return is.containsAll(was) ? Optional.empty() : Optional.of(after.endpoint().get().span());
  }

  /**
   * {reason, location, source line}: the deciding rule, else the isolating policy, else the path
   * with {@code moved} (an attachment that changed) as its location. When the deciding rule
   * decided {@code was} (the verdict before) too, a step of the verdict whose source line {@code
   * was} did not have is the change (an egress rule added beside the ingress rule that already
   * admitted the flow): that step is the cause.
   */
  private static String[] cause(Verdict v, Verdict was, Function<String, String> fileName, Optional<Span> moved) {
    Optional<Span> where = v.deciding().map(r -> r.span());
    if (where.isPresent()) {
      Set<String> before = new HashSet<>();
      was.steps().forEach(s -> s.where().ifPresent(w -> before.add(sourceLine(w))));
      if (before.contains(sourceLine(where.get()))) {
        for (Verdict.Step s : v.steps()) {
          if (s.where().isPresent() && !before.contains(sourceLine(s.where().get()))) {
            return at(s.text(), s.where().get(), fileName);
          }
        }
      }
    }
    String reason = null;
    for (Verdict.Step s : v.steps()) {
      if (where.isPresent() && s.where().equals(where)) {
        reason = s.text();
      }
    }
    if (where.isEmpty()) {
      for (Verdict.Step s : v.steps()) {
        if (s.where().isPresent()) {
          where = s.where();
          reason = s.text();
        }
      }
    }
    if (reason == null) {
      reason = v.steps().isEmpty() ? "" : v.steps().get(0).text();
      if (where.isEmpty() && v.deciding().isEmpty()) {
        where = moved;
      }
    }
    if (where.isEmpty()) {
      return new String[] {reason, "", ""};
    }
    return at(reason, where.get(), fileName);
  }

  private static String[] at(String reason, Span s, Function<String, String> fileName) {
    return new String[] {reason, fileName.apply(s.file().path()) + ":" + s.line(), sourceLine(s)};
  }

  /** The line of the source {@code s} starts on, trimmed. */
  private static String sourceLine(Span s) {
    return s.file().lineText(s.line()).strip();
  }

  private static Map<String, Node> byName(Reachability m) {
    Map<String, Node> out = new LinkedHashMap<>();
    if (m != null) {
      m.nodes().forEach(n -> out.put(n.name(), n));
    }
    return out;
  }

  /** Each node's group label: "api ×2" for replicas, "app=web ×3" for others with equal labels. */
  static Map<String, String> groups(Reachability m) {
    Map<String, List<Node>> byKey = new LinkedHashMap<>();
    if (m == null) {
      return new HashMap<>();
    }
    for (Node n : m.nodes()) {
      byKey.computeIfAbsent(key(n), k -> new ArrayList<>()).add(n);
    }
    Map<String, String> out = new HashMap<>();
    for (List<Node> members : byKey.values()) {
      String label;
      Node first = members.get(0);
      if (members.size() == 1) {
        label = first.name();
      } else {
        Endpoint e = first.endpoint().get();
        String ns = e.namespace().isEmpty() ? "" : e.namespace() + "/";
        List<String> replicaOf = members.stream()
            .map(x -> x.endpoint().get().replicaOf().orElse("")).distinct().toList();
        String base = replicaOf.size() == 1 && !replicaOf.get(0).isEmpty()
            ? replicaOf.get(0) : labels(e);
        label = (base.startsWith(ns) ? base : ns + base) + " ×" + members.size();
      }
      members.forEach(x -> out.put(x.name(), label));
    }
    return out;
  }

  private static String key(Node n) {
    if (!n.isEndpoint()) {
      return "node:" + n.name();
    }
    Endpoint e = n.endpoint().get();
    if (e.labels().isEmpty()) {
      return "name:" + e.namespace() + "/" + e.replicaOf().orElse(e.name());
    }
    return "labels:" + e.namespace() + "/" + e.mode() + "/" + e.host() + "/" + labels(e);
  }

  private static String labels(Endpoint e) {
    return new TreeMap<>(e.labels()).entrySet().stream()
        .map(x -> x.getKey() + "=" + x.getValue()).collect(Collectors.joining(" "));
  }

  private static String addresses(Endpoint e) {
    List<String> parts = new ArrayList<>();
    for (Attachment a : e.attachments()) {
      parts.add(a.network() + " " + a.addresses().stream().map(Object::toString)
          .collect(Collectors.joining(" ")));
    }
    return String.join(", ", parts);
  }
}
