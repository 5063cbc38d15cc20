package dev.netc.backends.nftables;

import java.util.List;
import java.util.Optional;

/**
 * A chain of the table: a base chain hooked into the kernel, or a regular one that base chains
 * jump to.
 */
public record Chain(String name, Optional<Hook> hook, List<Rule> rules, String comment) {
  public Chain {
    if (!name.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException("bad chain name " + name);
    }
    rules = List.copyOf(rules);
    Comments.check(comment);
  }

  /** Where a base chain is hooked: {@code type filter hook forward priority filter; policy accept;}. */
  public record Hook(String type, String hook, String priority, String policy) {
    public String render() {
      return "type " + type + " hook " + hook + " priority " + priority + "; policy " + policy + ";";
    }
  }
}
