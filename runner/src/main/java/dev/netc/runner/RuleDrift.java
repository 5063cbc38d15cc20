package dev.netc.runner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the rules by which a table's chains differ from those apply loaded: two listings by
 * {@code nft -s -t list ruleset} (stateless, terse: no counters, no set elements), the live
 * table's and that of the file apply loaded, loaded for it into a namespace of its own, so that
 * both are in nft's own words, compared chain by chain: {@code rules edited since apply: chain
 * forward: `ip saddr 10.9.0.1 accept` added}. Plan and diff use it once the rules' digest ({@link TableRules})
 * says the rules changed.
 */
final class RuleDrift {
  /** The most chains, and rules of each kind in a chain, one description names. */
  static final int NAMED = 3;
  private static final Pattern TABLE = Pattern.compile("table (\\S+) (\\S+) \\{");
  private static final Pattern CHAIN = Pattern.compile("chain (\\S+) \\{");

  private RuleDrift() {}

  /**
   * The chains of the tables named {@code table} in {@code listing}, by {@code FAMILY CHAIN}:
   * each its lines (its hook line, its rules), without white space at either end.
   */
  static Map<String, List<String>> chains(String listing, String table) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    String family = null;
    List<String> chain = null;
    int depth = 0;
    for (String raw : listing.lines().toList()) {
      String line = raw.strip();
      if (line.isEmpty()) {
        continue;
      }
      if (line.endsWith("{")) {
        depth++;
        Matcher t = TABLE.matcher(line);
        Matcher c = CHAIN.matcher(line);
        if (depth == 1) {
          family = t.matches() && t.group(2).equals(table) ? t.group(1) : null;
        } else if (depth == 2 && family != null && c.matches()) {
          chain = new ArrayList<>();
          out.put(family + " " + c.group(1), chain);
        }
      } else if (line.equals("}")) {
        depth--;
        if (depth <= 1) {
          chain = null;
        }
      } else if (chain != null && depth == 2) {
        chain.add(line);
      }
    }
    return out;
  }

  /**
   * How the chains {@code now} differ from {@code applied} (both by {@link #chains}): {@code chain
   * forward: `A` added, `B` deleted}, {@code chain forward flushed (12 rules)}, {@code chain extra
   * added}, {@code rules of chain forward reordered}; empty when they do not.
   */
  static Optional<String> describe(Map<String, List<String>> applied, Map<String, List<String>> now) {
    Set<String> names = new LinkedHashSet<>(applied.keySet());
    names.addAll(now.keySet());
    List<String> parts = new ArrayList<>();
    for (String name : names) {
      List<String> was = applied.get(name);
      List<String> is = now.get(name);
      String chain = "chain " + (name.startsWith("inet ") ? name.substring(5) : name.substring(name.indexOf(' ') + 1)
          + " (" + name.substring(0, name.indexOf(' ')) + ")");
      if (was == null) {
        parts.add(chain + " added");
      } else if (is == null) {
        parts.add(chain + " deleted");
      } else if (!was.equals(is)) {
        List<String> added = minus(is, was);
        List<String> deleted = minus(was, is);
        long rules = was.stream().filter(l -> !l.startsWith("type ")).count(); // not the hook line of a base chain
        if (added.isEmpty() && deleted.size() == rules && rules > 1) {
          parts.add(chain + " flushed (" + rules + " rules)");
          continue;
        }
        List<String> says = new ArrayList<>();
        if (!added.isEmpty()) {
          says.add(some(added) + " added");
        }
        if (!deleted.isEmpty()) {
          says.add(some(deleted) + " deleted");
        }
        parts.add(says.isEmpty() ? "rules of " + chain + " reordered" : chain + ": " + String.join(", ", says));
      }
    }
    if (parts.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(String.join(", ", parts.subList(0, Math.min(NAMED, parts.size())))
        + (parts.size() > NAMED ? " and " + (parts.size() - NAMED) + " more chains" : ""));
  }

  /** The lines of {@code a} that {@code b} lacks, each as often as {@code a} has it more. */
  private static List<String> minus(List<String> a, List<String> b) {
    Map<String, Integer> left = new LinkedHashMap<>();
    b.forEach(x -> left.merge(x, 1, Integer::sum));
    List<String> out = new ArrayList<>();
    for (String x : a) {
      if (left.getOrDefault(x, 0) > 0) {
        left.merge(x, -1, Integer::sum);
      } else {
        out.add(x);
      }
    }
    return out;
  }

  /** {@code `A`}, {@code `A` and `B`}, {@code `A`, `B`, `C` and 2 more} ({@link ElementDrift#some}). */
  private static String some(List<String> rules) {
    return ElementDrift.some(rules.stream().map(r -> "`" + r + "`").toList());
  }

  /**
   * {@code text} (a table file as the backends print it) without the element blocks of its sets
   * and maps ({@link TableDelta#withoutElements}): the rules alone are compared, and a table of
   * 100,000 elements loads in milliseconds without them.
   */
  static String withoutElements(String text) {
    return TableDelta.withoutElements(text);
  }
}
