package dev.netc.compiler.model;

import dev.netc.compiler.ir.PortSpec;
import java.util.ArrayList;
import java.util.List;

/** The reachability matrix: a verdict for every (from, to, port), rows in node order. */
public final class Matrix {
  private Matrix() {}

  /** One cell of the matrix. */
  public record Cell(Node from, Node to, PortSpec port, boolean allowed) {}

  public static List<Cell> compute(Reachability model, List<PortSpec> ports) {
    List<Node> nodes = model.nodes();
    List<Cell> out = new ArrayList<>(nodes.size() * nodes.size() * ports.size());
    for (Node from : nodes) {
      for (Node to : nodes) {
        for (PortSpec p : ports) {
          out.add(new Cell(from, to, p, model.allowed(from, to, p)));
        }
      }
    }
    return out;
  }
}
