package dev.netc.compiler.ir;

import java.util.List;
import java.util.Map;

/** One condition of a label selector, with Kubernetes' operators. */
public record Requirement(String key, Operator operator, List<String> values) {

  /** Kubernetes label selector operators. */
  public enum Operator {
    EQUALS,
    NOT_EQUALS,
    IN,
    NOT_IN,
    EXISTS,
    DOES_NOT_EXIST
  }

  public Requirement {
    values = List.copyOf(values);
  }

  public boolean matches(Map<String, String> labels) {
    String v = labels.get(key);
    return switch (operator) {
      case EQUALS -> values.get(0).equals(v);
      case NOT_EQUALS -> !values.get(0).equals(v);
      case IN -> v != null && values.contains(v);
      case NOT_IN -> v == null || !values.contains(v);
      case EXISTS -> v != null;
      case DOES_NOT_EXIST -> v == null;
    };
  }
}
