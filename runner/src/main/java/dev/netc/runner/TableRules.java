package dev.netc.runner;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The witness that a table still has the rules apply loaded: their number, and, when read over
 * netlink, a SHA-256 of the rules themselves (chains, expressions, comments; see {@code
 * NftDump}), so that a rule edited by hand is seen even when the number stays. Recorded after
 * each load as {@code rules N} or {@code rules N sha256=HEX}.
 */
public record TableRules(int count, Optional<String> sha256) {
  private static final Pattern TEXT = Pattern.compile("(\\d{1,9})(?: sha256=([0-9a-f]{64}))?");

  /** {@code N} or {@code N sha256=HEX}. */
  public String text() {
    return count + sha256.map(h -> " sha256=" + h).orElse("");
  }

  /** A witness from its {@link #text}; empty when it is not one. */
  public static Optional<TableRules> parse(String text) {
    Matcher m = TEXT.matcher(text.strip());
    return m.matches() ? Optional.of(new TableRules(Integer.parseInt(m.group(1)), Optional.ofNullable(m.group(2))))
        : Optional.empty();
  }

  /**
   * How the rules {@code now} differ from these, recorded after the load ({@code N rules,
   * applied with M}, {@code rules edited since apply}); empty when they do not (a digest is
   * compared only when both sides have one).
   */
  public Optional<String> differenceTo(TableRules now) {
    if (now.count != count) {
      return Optional.of(now.count + " rules, applied with " + count);
    }
    if (sha256.isPresent() && now.sha256.isPresent() && !sha256.equals(now.sha256)) {
      return Optional.of("rules edited since apply");
    }
    return Optional.empty();
  }
}
