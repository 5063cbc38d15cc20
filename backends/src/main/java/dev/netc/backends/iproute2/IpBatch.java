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
 */
public record IpBatch(Optional<String> namespace, String title, List<Line> lines) {
  public IpBatch {
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

  /** The arguments before {@code -batch}: {@code -n NS} or nothing. */
  public String globalOptions() {
    return namespace.map(ns -> "-n " + ns + " ").orElse("");
  }
}
