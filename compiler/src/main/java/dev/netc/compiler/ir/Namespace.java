package dev.netc.compiler.ir;

import dev.netc.compiler.source.Span;
import java.util.Map;

/**
 * A scope for endpoints, services and policies, as in Kubernetes. Top-level declarations live in
 * the unnamed namespace {@code ""}. Labels include {@code kubernetes.io/metadata.name}.
 */
public record Namespace(String name, Map<String, String> labels, Span span) {
  public Namespace {
    labels = Map.copyOf(labels);
  }
}
