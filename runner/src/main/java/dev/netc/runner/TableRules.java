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
 * The witness that a table still has the rules and set elements apply loaded: the rules' number,
 * and, when read over netlink, a SHA-256 of the rules themselves (chains, expressions, comments;
 * see {@code NftDump}), so that a rule edited by hand is seen even when the number stays, a
 * SHA-256 of its chains' shape (name, hook, priority, policy, type), so that a policy changed by
 * hand is seen, and the number of set elements with a digest of them ({@code NftDump.Elements}),
 * in all and by set, so that an element added or deleted by hand is seen, and in which set.
 * Recorded after each load as {@code rules N}, {@code rules N sha256=HEX} or {@code rules N
 * sha256=HEX chains=HEX elements M/HEX sets FAMILY:NAME=M/HEX ...}, where a set of more than
 * {@link LiveReader#MAX_SET_ELEMENTS} elements is {@code FAMILY:NAME=?}: not read, and left out of
 * the totals. A part is compared only when both sides have it: a record of an older netc (no
 * {@code chains=}, no {@code elements}) is no drift.
 */
public record TableRules(int count, Optional<String> sha256, Optional<String> chains, Optional<Elements> elements) {
  private static final Pattern TEXT = Pattern.compile("(\\d{1,9})(?: sha256=([0-9a-f]{64}))?(?: chains=([0-9a-f]{64}))?"
      + "(?: elements (\\d{1,10})/([0-9a-f]{16})((?: sets)(?: [A-Za-z0-9_.:-]{1,300}=(?:\\d{1,10}/[0-9a-f]{16}|\\?))+)?)?");
  private static final Pattern SET = Pattern.compile("([A-Za-z0-9_.:-]{1,300})=(?:(\\d{1,10})/([0-9a-f]{16})|\\?)");
  /** The most sets a difference names. */
  private static final int NAMED = 3;

  /**
   * The set and map elements of a table: their number and their digest, and the same of each set
   * by {@code FAMILY:NAME} (empty when unknown). A set not read whole (more than {@link
   * LiveReader#MAX_SET_ELEMENTS}) has no digest ({@code ""}) and is left out of the totals.
   */
  public record Elements(int count, String digest, Map<String, SetElements> sets) {
    public Elements {
      sets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sets));
    }

    public Elements(int count, String digest) {
      this(count, digest, Map.of());
    }

    /** Whether every set was read whole. */
    public boolean complete() {
      return sets.values().stream().allMatch(SetElements::whole);
    }
  }

  /** The elements of one set or map: their number and digest ({@code ""}: not read whole). */
  public record SetElements(int count, String digest) {
    public boolean whole() {
      return !digest.isEmpty();
    }
  }

  public TableRules(int count, Optional<String> sha256) {
    this(count, sha256, Optional.empty(), Optional.empty());
  }

  public TableRules(int count, Optional<String> sha256, Optional<Elements> elements) {
    this(count, sha256, Optional.empty(), elements);
  }

  /** These rules and chains with {@code elements}. */
  public TableRules withElements(Optional<Elements> elements) {
    return new TableRules(count, sha256, chains, elements);
  }

  /** {@code N}, {@code N sha256=HEX} or {@code N sha256=HEX chains=HEX elements M/HEX sets ...}. */
  public String text() {
    return count + sha256.map(h -> " sha256=" + h).orElse("") + chains.map(h -> " chains=" + h).orElse("")
        + elements.filter(e -> e.complete() || !setsText(e).isEmpty())
            .map(e -> " elements " + e.count() + "/" + e.digest() + setsText(e)).orElse("");
  }

  private static String setsText(Elements e) {
    if (e.sets().isEmpty() || !e.sets().keySet().stream().allMatch(k -> SET.matcher(k + "=0/0000000000000000").matches())) {
      return ""; // a name the record cannot hold: the totals only
    }
    StringBuilder b = new StringBuilder(" sets");
    e.sets().forEach((k, v) -> b.append(' ').append(k).append('=').append(v.whole() ? v.count() + "/" + v.digest() : "?"));
    return b.toString();
  }

  /** A witness from its {@link #text}; empty when it is not one. */
  public static Optional<TableRules> parse(String text) {
    Matcher m = TEXT.matcher(text.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    Map<String, SetElements> sets = new LinkedHashMap<>();
    if (m.group(6) != null) {
      Matcher s = SET.matcher(m.group(6));
      while (s.find()) {
        sets.put(s.group(1), s.group(2) == null ? new SetElements(0, "") : new SetElements(Integer.parseInt(s.group(2)), s.group(3)));
      }
    }
    Optional<Elements> elements = m.group(4) == null ? Optional.empty()
        : Optional.of(new Elements(Integer.parseInt(m.group(4)), m.group(5), sets));
    return Optional.of(new TableRules(Integer.parseInt(m.group(1)), Optional.ofNullable(m.group(2)),
        Optional.ofNullable(m.group(3)), elements));
  }

  /**
   * Whether the rules {@code now} differ from these: in number, or by digest where both have one,
   * or the chains' shape where both have it.
   */
  public boolean otherRules(TableRules now) {
    return now.count != count || sha256.isPresent() && now.sha256.isPresent() && !sha256.equals(now.sha256)
        || otherChains(now);
  }

  /** Whether the chains' shape {@code now} differs from this one, where both sides have it. */
  private boolean otherChains(TableRules now) {
    return chains.isPresent() && now.chains.isPresent() && !chains.equals(now.chains);
  }

  /** How the elements of set {@code set} ({@code FAMILY:NAME}) differ in {@code now}: {@code 5 elements, applied with 4}, {@code elements edited since apply}. */
  public String elementsDifference(String set, TableRules now) {
    return elementsDifference(elements.get().sets().get(set), now.elements.get().sets().get(set));
  }

  private static String elementsDifference(SetElements a, SetElements b) {
    return a.count() != b.count() ? b.count() + " elements, applied with " + a.count() : "elements edited since apply";
  }

  /**
   * The sets ({@code FAMILY:NAME}) whose elements alone differ in {@code now}: empty unless the
   * rules are the same and the same sets are there on both sides; a set not read whole on
   * either side is not compared.
   */
  public List<String> setsWithOtherElements(TableRules now) {
    if (now.count != count || !sha256.equals(now.sha256) || otherChains(now)) {
      return List.of();
    }
    return setsWithOtherElementsBesideRules(now);
  }

  /** {@link #setsWithOtherElements}, whether the rules differ or not (they may differ besides). */
  public List<String> setsWithOtherElementsBesideRules(TableRules now) {
    if (elements.isEmpty() || now.elements.isEmpty() || !elements.get().sets().keySet().equals(now.elements.get().sets().keySet())) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, SetElements> e : elements.get().sets().entrySet()) {
      SetElements b = now.elements.get().sets().get(e.getKey());
      if (!e.getValue().equals(b)) {
        if (e.getValue().whole() && b.whole()) {
          out.add(e.getKey()); // a set too big to read is not compared
        }
      }
    }
    return out;
  }

  /**
   * How the rules and elements {@code now} differ from these, recorded after the load ({@code N
   * rules, applied with M}, {@code rules edited since apply}; {@code chains edited since apply}
   * when only a chain's hook, priority, policy or type changed; for the elements, by set when both
   * sides know the sets: {@code set allow_in4: 5 elements, applied with 4}, {@code set X:
   * elements edited since apply}, {@code set X added since apply}, {@code set X deleted since
   * apply}, else in all: {@code N set elements, applied with M}, {@code set elements edited since
   * apply}); empty when they do not (a digest is compared only when both sides have one, and a
   * set's elements only when both sides read it whole).
   */
  public Optional<String> differenceTo(TableRules now) {
    if (now.count != count) {
      return Optional.of(now.count + " rules, applied with " + count);
    }
    if (sha256.isPresent() && now.sha256.isPresent() && !sha256.equals(now.sha256)) {
      return Optional.of("rules edited since apply");
    }
    if (otherChains(now)) {
      return Optional.of("chains edited since apply");
    }
    if (elements.isEmpty() || now.elements.isEmpty()) {
      return Optional.empty();
    }
    Elements was = elements.get();
    Elements is = now.elements.get();
    if (is.count() == was.count() && is.digest().equals(was.digest()) && is.sets().keySet().equals(was.sets().keySet())) {
      return Optional.empty();
    }
    if (!was.sets().isEmpty() && !is.sets().isEmpty()) {
      List<String> sets = new ArrayList<>();
      Set<String> keys = new LinkedHashSet<>(was.sets().keySet());
      keys.addAll(is.sets().keySet());
      for (String k : keys) {
        SetElements a = was.sets().get(k);
        SetElements b = is.sets().get(k);
        String name = "set " + k.substring(k.indexOf(':') + 1);
        if (a == null) {
          sets.add(name + " added since apply");
        } else if (b == null) {
          sets.add(name + " deleted since apply");
        } else if (!a.whole() || !b.whole()) {
          continue; // too big to read: not compared
        } else if (!a.equals(b)) {
          sets.add(name + ": " + elementsDifference(a, b));
        }
      }
      return sets.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", sets.subList(0, Math.min(NAMED, sets.size())))
          + (sets.size() > NAMED ? " and " + (sets.size() - NAMED) + " more sets" : ""));
    }
    if (!was.complete() || !is.complete()) {
      return Optional.empty();
    }
    return Optional.of(is.count() != was.count() ? is.count() + " set elements, applied with " + was.count()
        : "set elements edited since apply");
  }
}
