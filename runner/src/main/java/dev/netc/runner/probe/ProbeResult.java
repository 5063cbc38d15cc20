package dev.netc.runner.probe;

import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.model.Matrix;
import dev.netc.compiler.model.Node;
import java.util.List;

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
   * One measured verdict.
   *
   * @param allowed some connection from {@code from} reached a listener of {@code to} on the port
   * @param detail how: the destination that got through ({@code via 10.20.0.3:3000}), or what
   *     became of the connections to {@code to}'s own addresses ({@code 10.20.0.5:5432 timed out})
   * @param knownDifference a cell where the kernel cannot do what the model says (the host on a
   *     port published on every host address, or from off a host of several on its underlay
   *     address: docs/kernel-plan.md#known-differences); verify
   *     does not compare it
   */
  public record Cell(Node from, Node to, PortSpec port, boolean allowed, String detail, boolean knownDifference) {}

  /** The cell of (from, to, port): the i-th node, j-th node and p-th port. */
  public Cell cell(int from, int to, int port) {
    return cells.get((from * nodes.size() + to) * ports.size() + port);
  }

  /** The cells as the model's matrix cells, for the matrix's text, JSON and CSV. */
  public List<Matrix.Cell> matrix() {
    return cells.stream().map(c -> new Matrix.Cell(c.from(), c.to(), c.port(), c.allowed())).toList();
  }
}
