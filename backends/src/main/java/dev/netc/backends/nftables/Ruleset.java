package dev.netc.backends.nftables;

import java.util.List;
import java.util.Optional;

/**
 * The nftables table of one namespace, as data: sets and maps, then chains. {@link NftFile}
 * prints it; a runner may also compare it, or update set elements, without text.
 *
 * @param namespace the namespace the table lives in ({@code ""}: the real host namespace)
 */
public record Ruleset(String namespace, String family, String table, String comment, List<NftSet> sets,
    List<Chain> chains) {
  public Ruleset {
    sets = List.copyOf(sets);
    chains = List.copyOf(chains);
  }

  public Optional<NftSet> set(String name) {
    return sets.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public Optional<Chain> chain(String name) {
    return chains.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** The number of rules, over every chain. */
  public int ruleCount() {
    return chains.stream().mapToInt(c -> c.rules().size()).sum();
  }

  /** The number of set and map elements, over every set. */
  public int elementCount() {
    return sets.stream().mapToInt(s -> s.elements().size()).sum();
  }
}
