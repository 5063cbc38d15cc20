package dev.netc.compiler.ir;

import java.util.Locale;

/** The direction of traffic a policy rule governs, seen from the selected endpoints. */
public enum Direction {
  INGRESS,
  EGRESS;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
