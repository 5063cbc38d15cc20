package dev.netc.compiler;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Severity;
import dev.netc.compiler.parse.Comment;
import dev.netc.compiler.parse.ParsedFile;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code # netc:ignore CODE[,CODE...] "reason"} comments. A comment after code on a line
 * suppresses that line; a comment on a line of its own suppresses the next statement, and the
 * whole block when that statement opens one ({@link SuppressionScope}). Only warnings and
 * notes can be suppressed, always with a reason, which stays visible in JSON output.
 */
final class Suppressions {
  private static final Pattern MARK = Pattern.compile("#\\s*netc:ignore\\b(.*)");
  private static final Pattern BODY =
      Pattern.compile("\\s*([A-Za-z0-9]+(?:\\s*,\\s*[A-Za-z0-9]+)*)\\s*(?:\"([^\"]*)\")?\\s*");

  private Suppressions() {}

  private record Suppression(List<Code> codes, String reason, SourceFile file, int fromLine,
      int toLine, Span comment, boolean[] used) {}

  /**
   * Marks the warnings and notes of {@code in} that a suppression matches; adds NETC109 for each
   * malformed suppression and, when {@code unusedTold}, NETC112 for each that matches nothing.
   */
  static List<Diagnostic> apply(List<ParsedFile> files, List<Diagnostic> in, Set<Code> disabled,
      boolean unusedTold) {
    List<Diagnostic> problems = new ArrayList<>();
    List<Suppression> all = new ArrayList<>();
    for (ParsedFile f : files) {
      SuppressionScope scope = new SuppressionScope(f);
      for (Comment c : f.comments()) {
        parse(f, c, scope, problems).ifPresent(all::add);
      }
    }
    Map<SourceFile, Sweep> sweeps = new HashMap<>();
    for (Suppression s : all) {
      sweeps.computeIfAbsent(s.file(), f -> new Sweep()).suppressions.add(s);
    }
    List<Diagnostic> out = new ArrayList<>();
    for (Diagnostic d : in) {
      Diagnostic result = d;
      Sweep sweep = sweeps.get(d.span().file());
      if (d.severity() != Severity.ERROR && sweep != null) {
        Suppression s = sweep.first(d);
        if (s != null) {
          s.used()[0] = true;
          result = d.suppressedBecause(s.reason());
        }
      }
      out.add(result);
    }
    for (Suppression s : all) {
      if (unusedTold && !s.used()[0] && !s.codes().stream().allMatch(disabled::contains)) {
        out.add(Diagnostic.of(Code.NETC112, s.comment(), "this suppression of "
                + String.join(", ", s.codes().stream().map(c -> "`" + c.name() + "`").toList())
                + " matches no diagnostic")
            .withHint("remove it: the problem it silenced is gone"));
      }
    }
    problems.stream().filter(p -> !disabled.contains(p.code())).forEach(out::add);
    return out;
  }

  private static Optional<Suppression> parse(ParsedFile f, Comment c, SuppressionScope scope,
      List<Diagnostic> problems) {
    Matcher m = MARK.matcher(c.text());
    if (!m.matches()) {
      return Optional.empty();
    }
    Matcher b = BODY.matcher(m.group(1));
    if (!b.matches()) {
      problems.add(Diagnostic.of(Code.NETC109, c.span(), "malformed suppression: expected codes"
              + " separated by `,` and then a reason in quotes after `netc:ignore`")
          .withHint("write `# netc:ignore NETC113 \"why this is fine\"`"));
      return Optional.empty();
    }
    List<Code> codes = new ArrayList<>();
    for (String name : b.group(1).split("\\s*,\\s*")) {
      Optional<Code> code = Code.parse(name);
      if (code.isEmpty()) {
        problems.add(Diagnostic.of(Code.NETC109, c.span(), "`" + name + "` is not a diagnostic code")
            .withHint("codes are listed in docs/diagnostics.md"));
        return Optional.empty();
      }
      if (code.get().severity() == Severity.ERROR) {
        problems.add(Diagnostic.of(Code.NETC109, c.span(), "`" + name
                + "` is an error, and errors cannot be suppressed")
            .withHint("fix the problem instead"));
        return Optional.empty();
      }
      codes.add(code.get());
    }
    String reason = b.group(2);
    if (reason == null || reason.isBlank()) {
      problems.add(Diagnostic.of(Code.NETC109, c.span(), "a suppression needs a reason")
          .withHint("say why in quotes: `# netc:ignore " + b.group(1).trim() + " \"why this is fine\"`"));
      return Optional.empty();
    }
    SuppressionScope.Lines lines = scope.of(c);
    return Optional.of(new Suppression(codes, reason, f.source(), lines.from(), lines.to(), c.span(),
        new boolean[1]));
  }

  /**
   * The suppressions of one file, in the order they are written (so by first line), swept over
   * the diagnostics in line order: each suppression enters the active list once and leaves it
   * once. Trying every suppression on every diagnostic was quadratic (4 s for 8,000 warnings and
   * 8,000 suppressions in one file). The diagnostics come sorted; if one goes back, the sweep
   * starts again, so the answer never depends on the order.
   */
  private static final class Sweep {
    final List<Suppression> suppressions = new ArrayList<>();
    private final List<Suppression> active = new ArrayList<>();
    private int next;
    private int lastLine;

    /** The first suppression, in written order, that covers {@code d}'s line and code; or null. */
    Suppression first(Diagnostic d) {
      int line = d.span().line();
      if (line < lastLine) {
        active.clear();
        next = 0;
      }
      lastLine = line;
      while (next < suppressions.size() && suppressions.get(next).fromLine() <= line) {
        active.add(suppressions.get(next++));
      }
      active.removeIf(s -> s.toLine() < line);
      for (Suppression s : active) {
        if (s.codes().contains(d.code())) {
          return s;
        }
      }
      return null;
    }
  }
}
