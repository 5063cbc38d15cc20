package dev.netc.runner;

import dev.netc.backends.plan.ObjectId;

/**
 * One change a plan makes: create, update (in place), replace (delete, then create again: the
 * kernel cannot change the attribute in place) or delete the object {@code id}.
 */
public record Change(Action action, ObjectId id, String detail) {
  /** What is done to the object. */
  public enum Action {
    CREATE("+"),
    UPDATE("~"),
    REPLACE("-/+"),
    DELETE("-");

    public final String symbol;

    Action(String symbol) {
      this.symbol = symbol;
    }
  }

  /** {@code + link:t1:br-front}, with the detail in parentheses when there is one. */
  public String line() {
    return action.symbol + " " + id + (detail.isEmpty() ? "" : "  (" + detail + ")");
  }
}
