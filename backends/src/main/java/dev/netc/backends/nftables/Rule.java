package dev.netc.backends.nftables;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A rule: conditions, one statement, and a comment that says what it is for (every rule has
 * one; for the rules that look up policy sets, the elements' comments name each policy rule and
 * its {@code file:line}).
 */
public record Rule(List<Match> matches, Statement statement, String comment) {
  public Rule {
    matches = List.copyOf(matches);
    if (comment.isEmpty()) {
      throw new IllegalArgumentException("every rule says what it is for");
    }
    Comments.check(comment);
  }

  public static Rule of(Statement s, String comment, Match... matches) {
    return new Rule(List.of(matches), s, comment);
  }

  public String render() {
    return Stream.concat(matches.stream().map(Match::render), Stream.of(statement.render()))
        .collect(Collectors.joining(" ")) + " comment \"" + comment + "\"";
  }
}
