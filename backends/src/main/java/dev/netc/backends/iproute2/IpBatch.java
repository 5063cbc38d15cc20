package dev.netc.backends.iproute2;

import dev.netc.backends.plan.KernelNames;
import dev.netc.backends.plan.ObjectId;
import java.util.List;
import java.util.Optional;

/**
 * One {@code ip -batch} run: its lines (without the word {@code ip}) and the namespace its
 * global {@code -n NS} selects.
 *
 * @param namespace empty: no {@code -n} (the runner's own namespace, where {@code netns add}
 *     runs and the real host's objects are); else the namespace every line acts in
 * @param title what the batch does, for comments
 * @param tool {@code ip}, or {@code bridge} for forwarding entries ({@code bridge -batch} takes
 *     {@code bridge} sub-commands the same way)
 */
public record IpBatch(Optional<String> namespace, String title, List<Line> lines, String tool) {
  /** The tools a batch may run. */
  public static final List<String> TOOLS = List.of("ip", "bridge");

  public IpBatch(Optional<String> namespace, String title, List<Line> lines) {
    this(namespace, title, lines, "ip");
  }

  public IpBatch {
    if (!TOOLS.contains(tool)) {
      throw new IllegalArgumentException("bad batch tool " + tool);
    }
    namespace.ifPresent(ns -> {
      if (ns.isEmpty() || !KernelNames.validNetns(ns)) {
        throw new IllegalArgumentException("bad namespace " + ns);
      }
    });
    lines = List.copyOf(lines);
  }

  /**
   * One command of the batch and the object it creates or sets; a line may be preceded by a
   * comment ({@code comment} non-empty) that the script prints before it.
   */
  public record Line(String command, ObjectId object, String comment) {
    public Line {
      if (command.isEmpty() || command.contains("\n") || command.startsWith("#")) {
        throw new IllegalArgumentException("bad batch line `" + command + "`");
      }
    }
  }

  /** The whole command: {@code TOOL [-n NS] -batch -}. */
  public List<String> argv(boolean force) {
    List<String> out = new java.util.ArrayList<>(List.of(tool));
    if (force) {
      out.add("-force");
    }
    namespace.ifPresent(ns -> out.addAll(List.of("-n", ns)));
    out.addAll(List.of("-batch", "-"));
    return out;
  }

  /** The arguments before {@code -batch}: {@code -n NS} or nothing. */
  public String globalOptions() {
    return namespace.map(ns -> "-n " + ns + " ").orElse("");
  }
}
