package dev.netc.runner.probe;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netc.backends.Templates;
import dev.netc.backends.json.Json;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.model.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code netc verify} found: every cell where the kernel did not do what the model says.
 *
 * @param probe the measured matrix
 * @param compared how many cells were compared
 * @param skipped the cells not compared, counted by reason: known differences
 *     (docs/kernel-plan.md#known-differences), verdicts that depend on what is not realised yet
 * @param notes what may explain the differences other than the topology, one sentence each (the
 *     kernel's neighbour tables full while probing: {@link NeighbourTables}; a table that is not
 *     netc's with a base chain in a namespace the probes went through, or another topology's: {@link ForeignTables})
 */
public record Verification(String topology, String sandbox, ProbeResult probe, List<Difference> differences,
    int compared, Map<String, Integer> skipped, List<String> notes) {
  public Verification {
    differences = List.copyOf(differences);
    skipped = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
    notes = List.copyOf(notes);
  }

  /** Without notes. */
  public Verification(String topology, String sandbox, ProbeResult probe, List<Difference> differences,
      int compared, Map<String, Integer> skipped) {
    this(topology, sandbox, probe, differences, compared, skipped, List.of());
  }

  /** How many cells were not compared. */
  public int skippedCells() {
    return skipped.values().stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * One cell where model and kernel disagree.
   *
   * @param family the address family in which they disagree, when they agree on the cell as a
   *     whole (some connection gets through, or none) and not in one family; empty for the whole cell
   * @param detail what the kernel did ({@code via 10.20.0.5:5432}, {@code 10.20.0.5:5432 timed out}),
   *     in that family
   * @param why the model's reason (the model of that family's): its path and the rule that
   *     decided, with its source line
   */
  public record Difference(Node from, Node to, PortSpec port, Optional<IpAddress.Family> family, boolean model,
      boolean kernel, String detail, String why) {}

  public boolean equal() {
    return differences.isEmpty();
  }

  /** The summary line ({@code verify-summary.ftl}): what was compared, where, and what was not. */
  public String summary() {
    List<Map<String, Object>> skip = new ArrayList<>();
    skipped.forEach((why, n) -> skip.add(Map.of("count", n, "why", why)));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sandbox", sandbox);
    m.put("topology", topology);
    m.put("ports", probe.ports().size());
    m.put("connections", Long.toString(probe.connections()));
    m.put("seconds", String.format(java.util.Locale.ROOT, "%.1f", probe.millis() / 1000.0));
    m.put("compared", compared);
    m.put("differ", differences.size());
    m.put("skipped", skip);
    return Templates.render("verify-summary.ftl", m).strip();
  }

  /** One paragraph per difference, then the summary ({@code verify-text.ftl}). */
  public String text() {
    List<Map<String, Object>> items = new ArrayList<>();
    for (Difference d : differences) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("from", d.from().name());
      m.put("to", d.to().name());
      m.put("port", d.port().toString());
      m.put("family", d.family().map(IpAddress.Family::label).orElse(""));
      m.put("model", d.model() ? "admits" : "denies");
      m.put("kernel", d.kernel() ? "admits" : "denies");
      m.put("detail", d.detail());
      m.put("why", d.why());
      items.add(m);
    }
    return Templates.render("verify-text.ftl", Map.of("differences", items, "notes", notes, "summary", summary()));
  }

  /**
   * {@code {"differences": [{"from", "to", "port", "protocol", "family", "model", "kernel", "detail",
   * "why"}], "summary": {"cells", "compared", "skipped", "differ", "connections", "millis"}}},
   * and {@code "notes": ["..."]} after the differences when there are notes; {@code model} and
   * {@code kernel} are booleans: whether each admits the connection; {@code family} ({@code ipv4}
   * or {@code ipv6}) only on a difference in one family.
   */
  public String json() {
    ObjectNode root = Json.object();
    ArrayNode list = root.putArray("differences");
    for (Difference d : differences) {
      ObjectNode o = list.addObject();
      o.put("from", d.from().name());
      o.put("to", d.to().name());
      o.put("port", d.port().range().first());
      o.put("protocol", d.port().protocol().label());
      d.family().ifPresent(f -> o.put("family", f == IpAddress.Family.V4 ? "ipv4" : "ipv6"));
      o.put("model", d.model());
      o.put("kernel", d.kernel());
      o.put("detail", d.detail());
      o.put("why", d.why());
    }
    if (!notes.isEmpty()) {
      ArrayNode n = root.putArray("notes");
      notes.forEach(n::add);
    }
    ObjectNode sum = root.putObject("summary");
    sum.put("cells", probe.cells().size());
    sum.put("compared", compared);
    sum.put("skipped", skippedCells());
    sum.put("differ", differences.size());
    sum.put("connections", probe.connections());
    sum.put("millis", probe.millis());
    return Json.pretty(root);
  }
}
