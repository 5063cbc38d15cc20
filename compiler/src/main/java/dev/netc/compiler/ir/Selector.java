package dev.netc.compiler.ir;

import java.util.List;
import java.util.Map;

/** A label selector: every requirement must hold; no requirement selects everything. */
public record Selector(List<Requirement> requirements) {
  public static final Selector ALL = new Selector(List.of());

  public Selector {
    requirements = List.copyOf(requirements);
  }

  public boolean matches(Map<String, String> labels) {
    for (Requirement r : requirements) {
      if (!r.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  public boolean selectsAll() {
    return requirements.isEmpty();
  }
}
