package dev.netc.runner;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The witness that a table still has the rules and set elements apply loaded: the rules' number,
 * and, when read over netlink, a SHA-256 of the rules themselves (chains, expressions, comments;
 * see {@code NftDump}), so that a rule edited by hand is seen even when the number stays, and the
 * number of set elements with a digest of them ({@code NftDump.Elements}), so that an element
 * added or deleted by hand is seen. Recorded after each load as {@code rules N}, {@code rules N
 * sha256=HEX} or {@code rules N sha256=HEX elements M/HEX} (the elements of a table of at most
 * {@link LiveReader#MAX_ELEMENTS}).
 */
public record TableRules(int count, Optional<String> sha256, Optional<Elements> elements) {
  private static final Pattern TEXT = Pattern.compile(
      "(\\d{1,9})(?: sha256=([0-9a-f]{64}))?(?: elements (\\d{1,10})/([0-9a-f]{16}))?");

  /**
   * The set and map elements of a table: their number and their digest; a read that stopped at
   * its limit ({@link LiveReader#MAX_ELEMENTS}) has no digest ({@code ""}) and the number read.
   */
  public record Elements(int count, String digest) {
    public boolean complete() {
      return !digest.isEmpty();
    }
  }

  public TableRules(int count, Optional<String> sha256) {
    this(count, sha256, Optional.empty());
  }

  /** {@code N}, {@code N sha256=HEX} or {@code N sha256=HEX elements M/HEX}. */
  public String text() {
    return count + sha256.map(h -> " sha256=" + h).orElse("")
        + elements.filter(Elements::complete).map(e -> " elements " + e.count() + "/" + e.digest()).orElse("");
  }

  /** A witness from its {@link #text}; empty when it is not one. */
  public static Optional<TableRules> parse(String text) {
    Matcher m = TEXT.matcher(text.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    Optional<Elements> elements = m.group(3) == null ? Optional.empty()
        : Optional.of(new Elements(Integer.parseInt(m.group(3)), m.group(4)));
    return Optional.of(new TableRules(Integer.parseInt(m.group(1)), Optional.ofNullable(m.group(2)), elements));
  }

  /**
   * How the rules and elements {@code now} differ from these, recorded after the load ({@code N
   * rules, applied with M}, {@code rules edited since apply}, {@code N set elements, applied with
   * M}, {@code set elements edited since apply}); empty when they do not (a digest is compared
   * only when both sides have one).
   */
  public Optional<String> differenceTo(TableRules now) {
    if (now.count != count) {
      return Optional.of(now.count + " rules, applied with " + count);
    }
    if (sha256.isPresent() && now.sha256.isPresent() && !sha256.equals(now.sha256)) {
      return Optional.of("rules edited since apply");
    }
    if (elements.isPresent() && now.elements.isPresent() && !elements.equals(now.elements)) {
      Elements was = elements.get();
      Elements is = now.elements.get();
      return Optional.of(!is.complete() ? "over " + LiveReader.MAX_ELEMENTS + " set elements, applied with " + was.count()
          : is.count() != was.count() ? is.count() + " set elements, applied with " + was.count()
          : "set elements edited since apply");
    }
    return Optional.empty();
  }
}
