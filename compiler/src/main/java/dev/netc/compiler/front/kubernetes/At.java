package dev.netc.compiler.front.kubernetes;

import dev.netc.compiler.source.Span;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * A YAML node of a Kubernetes object together with the field path it was found at ({@code
 * spec.ports[0].targetPort}) and the place diagnostics about it point to: the key of a mapping
 * entry, or the item itself in a list. Messages name fields by their path, as {@code kubectl
 * explain} does.
 */
record At(Node node, String path, Span where) {

  /** The path of a field of this one. */
  String child(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The path of the {@code i}-th item of this list. */
  String item(int i) {
    return path + "[" + i + "]";
  }
}
