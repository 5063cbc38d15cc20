package dev.netc.runner.probe;

import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.model.Matrix;
import dev.netc.compiler.model.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The matrix a probe measured: a verdict for every (from, to, port) of its nodes, in the order
 * of {@code netc matrix} (rows, then columns, then ports).
 *
 * @param nodes the model's nodes the sandbox holds, in the model's order
 * @param connections how many connections were attempted
 * @param millis how long the probe took, listeners included
 */
public record ProbeResult(List<Node> nodes, List<PortSpec> ports, List<Cell> cells, int connections, long millis) {
  public ProbeResult {
    nodes = List.copyOf(nodes);
    ports = List.copyOf(ports);
    cells = List.copyOf(cells);
  }

  /**
   * One measured verdict, in each address family.
   *
   * @param admittedIn the families in which some connection from {@code from} reached a listener
   *     of {@code to} on the port (a connection to an address of that family)
   * @param details how, per family: the destination that got through ({@code via 10.20.0.3:3000}),
   *     or what became of the connections to {@code to}'s own addresses of the family ({@code
   *     10.20.0.5:5432 timed out}), or {@code not probed}
   * @param knownDifference a cell where the kernel cannot do what the model says (the host on a
   *     port published on every host address, or from off a host of several on its underlay
   *     address, or on a service's node port: docs/kernel-plan.md#known-differences); verify
   *     does not compare it
   */
  public record Cell(Node from, Node to, PortSpec port, Set<IpAddress.Family> admittedIn,
      Map<IpAddress.Family, String> details, boolean knownDifference) {
    public Cell {
      admittedIn = admittedIn.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(admittedIn));
      details = details.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(details));
    }

    /** Whether some connection, of either family, got through. */
    public boolean allowed() {
      return !admittedIn.isEmpty();
    }

    /** Whether some connection of family {@code f} got through. */
    public boolean allowed(IpAddress.Family f) {
      return admittedIn.contains(f);
    }

    /**
     * How, of the whole cell: the first family's way through when one got through, else what
     * became of the connections of both.
     */
    public String detail() {
      for (IpAddress.Family f : IpAddress.Family.values()) {
        if (admittedIn.contains(f)) {
          return details.get(f);
        }
      }
      List<String> parts = new ArrayList<>();
      details.values().stream().filter(d -> !d.equals(NOT_PROBED)).forEach(parts::add);
      return parts.isEmpty() ? NOT_PROBED : String.join(", ", parts);
    }

    /** How, in family {@code f}. */
    public String detail(IpAddress.Family f) {
      return details.getOrDefault(f, NOT_PROBED);
    }

    /**
     * This cell measured once more ({@code again}, of the same from, to and port): a family that
     * got through in either measurement got through (only a denial is measured again).
     */
    public Cell mergedWith(Cell again) {
      Set<IpAddress.Family> admitted = EnumSet.noneOf(IpAddress.Family.class);
      admitted.addAll(admittedIn);
      admitted.addAll(again.admittedIn);
      Map<IpAddress.Family, String> merged = new EnumMap<>(IpAddress.Family.class);
      merged.putAll(details);
      for (IpAddress.Family f : again.admittedIn) {
        if (!admittedIn.contains(f)) {
          merged.put(f, again.detail(f));
        }
      }
      return new Cell(from, to, port, admitted, merged, knownDifference);
    }
  }

  /** What a cell's detail says when no connection of a family went to the node's own addresses. */
  public static final String NOT_PROBED = "not probed";

  /** The cell of (from, to, port): the i-th node, j-th node and p-th port. */
  public Cell cell(int from, int to, int port) {
    return cells.get((from * nodes.size() + to) * ports.size() + port);
  }

  /** The cells as the model's matrix cells, for the matrix's text, JSON and CSV. */
  public List<Matrix.Cell> matrix() {
    return cells.stream().map(c -> new Matrix.Cell(c.from(), c.to(), c.port(), c.allowed())).toList();
  }

  /** The same, of the connections of family {@code f} alone. */
  public List<Matrix.Cell> matrix(IpAddress.Family f) {
    return cells.stream().map(c -> new Matrix.Cell(c.from(), c.to(), c.port(), c.allowed(f))).toList();
  }
}
