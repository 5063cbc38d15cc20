package dev.netc.runner;

import dev.netc.runner.Runner.Target;
import dev.netc.runner.netlink.NftDump;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Names what was changed by hand in a table apply loaded, for {@code plan} and {@code diff}: the
 * set and map elements added or deleted ({@link ElementDrift}) and the rules edited ({@link
 * RuleDrift}), in nft's words, where {@link TableRules} only tells that the rules or a set's
 * elements differ from those recorded.
 */
final class TableDrift {
  /** The kernel's elements of one set ({@link LiveReader#setElements}: namespace, family, table, set). */
  interface SetElements {
    Optional<List<NftDump.SetElement>> read(String ns, String family, String table, String set);
  }

  private final CommandExecutor exec;
  private final SetElements reader;

  TableDrift(CommandExecutor exec, LiveReader reader) {
    this(exec, reader::setElements);
  }

  /** {@code reader}: where a set's elements are read (a test's own). */
  TableDrift(CommandExecutor exec, SetElements reader) {
    this.exec = exec;
    this.reader = reader;
  }

  /**
   * {@code why} (how the table's rules and elements {@code now} differ from those recorded,
   * {@code was}), with the elements named when only elements differ: each such set's elements
   * read from the kernel and compared with the lines of the file apply loaded ({@link
   * ElementDrift}; a set that cannot be compared so, by its number of elements); {@code why}
   * itself when sets were added or deleted too, or the file apply loaded is not kept.
   */
  String named(Target t, Optional<String> applied, TableRules was, TableRules now, String why) {
    if (was.otherRules(now) && applied.isPresent() && t.host().table().isPresent()) {
      // the rules, and the elements edited beside them
      String rules = namedRules(t, applied.get(), why).orElse(why);
      List<String> sets = was.setsWithOtherElementsBesideRules(now);
      return sets.isEmpty() ? rules : rules + ", " + namedElements(t, applied.get(), was, now, sets);
    }
    List<String> sets = was.setsWithOtherElements(now);
    if (applied.isEmpty() || sets.isEmpty() || t.host().table().isEmpty()) {
      return why;
    }
    return namedElements(t, applied.get(), was, now, sets);
  }

  /** The elements of {@code sets} that differ, named ({@link ElementDrift}), three sets at most. */
  private String namedElements(Target t, String applied, TableRules was, TableRules now, List<String> sets) {
    String table = t.host().table().get().id().name(); // inet netc_shop
    String name = table.substring(table.indexOf(' ') + 1);
    List<String> parts = new ArrayList<>();
    for (String set : sets.subList(0, Math.min(ElementDrift.NAMED, sets.size()))) {
      String family = set.substring(0, set.indexOf(':'));
      String setName = set.substring(set.indexOf(':') + 1);
      // a set whose elements cannot be printed back (a typeof set): by its number of elements,
      // without reading its elements from the kernel first (up to MAX_SET_ELEMENTS, for nothing)
      Optional<TableDelta.PrintedSet> printed = TableDelta.printedSet(applied, new TableDelta.SetRef(family, name, setName))
          .filter(p -> ElementDrift.printable(p.type()));
      Optional<List<NftDump.SetElement>> live = printed.isEmpty() ? Optional.empty()
          : reader.read(t.hostNs(), family, name, setName);
      parts.add(live.flatMap(l -> ElementDrift.describe(setName, printed.get().type(), printed.get().elements(), l))
          .orElseGet(() -> "set " + setName + ": " + was.elementsDifference(set, now)));
    }
    return String.join(", ", parts) + (sets.size() > ElementDrift.NAMED ? " and " + (sets.size() - ElementDrift.NAMED) + " more sets" : "");
  }

  /**
   * {@code why}, followed by the rules by which the table's chains differ from those of the file
   * apply loaded ({@link RuleDrift}): the live ones listed by nft in the namespace, the loaded
   * ones by nft in a network namespace of its own ({@code unshare --net}), where the file is
   * loaded without its elements. Two processes, run only when the rules changed; empty when
   * either listing fails (no {@code unshare}, not root) or they do not differ.
   */
  private Optional<String> namedRules(Target t, String applied, String why) {
    String table = t.host().table().get().id().name(); // inet netc_shop
    String name = table.substring(table.indexOf(' ') + 1);
    CommandExecutor.Result live = exec.run(Sandbox.in(t.hostNs(), List.of("nft", "-s", "-t", "list", "ruleset")), "");
    if (!live.ok()) {
      return Optional.empty();
    }
    CommandExecutor.Result loaded = exec.run(List.of("unshare", "--net", "sh", "-c", "nft -f - && nft -s -t list ruleset"),
        RuleDrift.withoutElements(applied));
    if (!loaded.ok()) {
      return Optional.empty();
    }
    return RuleDrift.describe(RuleDrift.chains(loaded.out(), name), RuleDrift.chains(live.out(), name)).map(d -> why + ": " + d);
  }

}
