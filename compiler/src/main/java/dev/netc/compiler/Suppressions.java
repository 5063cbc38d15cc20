package dev.netc.compiler;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Severity;
import dev.netc.compiler.parse.Comment;
import dev.netc.compiler.parse.ParsedFile;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code # netc:ignore CODE[,CODE...] "reason"} comments. A comment after code on a line
 * suppresses that line; a comment on a line of its own suppresses the next statement, and the
 * whole block when that statement opens one. Only warnings and notes can be suppressed, always
 * with a reason, which stays visible in JSON output.
 */
final class Suppressions {
  private static final Pattern MARK = Pattern.compile("#\\s*netc:ignore\\b(.*)");
  private static final Pattern BODY =
      Pattern.compile("\\s*([A-Za-z0-9]+(?:\\s*,\\s*[A-Za-z0-9]+)*)\\s*(?:\"([^\"]*)\")?\\s*");

  private Suppressions() {}

  private record Suppression(List<Code> codes, String reason, SourceFile file, int fromLine,
      int toLine, Span comment, boolean[] used) {
    boolean covers(Diagnostic d) {
      if (d.span().file() != file || !codes.contains(d.code())) {
        return false;
      }
      int line = d.span().line();
      return line >= fromLine && line <= toLine;
    }
  }

  static List<Diagnostic> apply(List<ParsedFile> files, List<Diagnostic> in, Set<Code> disabled) {
    List<Diagnostic> problems = new ArrayList<>();
    List<Suppression> all = new ArrayList<>();
    for (ParsedFile f : files) {
      for (Comment c : f.comments()) {
        parse(f, c, problems).ifPresent(all::add);
      }
    }
    List<Diagnostic> out = new ArrayList<>();
    for (Diagnostic d : in) {
      Diagnostic result = d;
      if (d.severity() != Severity.ERROR) {
        for (Suppression s : all) {
          if (s.covers(d)) {
            s.used()[0] = true;
            result = d.suppressedBecause(s.reason());
            break;
          }
        }
      }
      out.add(result);
    }
    for (Suppression s : all) {
      if (!s.used()[0] && !s.codes().stream().allMatch(disabled::contains)) {
        out.add(Diagnostic.of(Code.NETC112, s.comment(), "this suppression of "
                + String.join(", ", s.codes().stream().map(c -> "`" + c.name() + "`").toList())
                + " matches no diagnostic")
            .withHint("remove it: the problem it silenced is gone"));
      }
    }
    problems.stream().filter(p -> !disabled.contains(p.code())).forEach(out::add);
    return out;
  }

  private static Optional<Suppression> parse(ParsedFile f, Comment c, List<Diagnostic> problems) {
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
    SourceFile src = f.source();
    int line = c.span().line();
    if (c.trailing()) {
      return Optional.of(new Suppression(codes, reason, src, line, line, c.span(), new boolean[1]));
    }
    int next = line + 1;
    while (next <= src.lineCount()) {
      String t = src.lineText(next).strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        break;
      }
      next++;
    }
    int end = next;
    for (Span block : blocks(f)) {
      if (block.line() == next) {
        end = Math.max(end, block.endLine());
      }
    }
    return Optional.of(new Suppression(codes, reason, src, next, end, c.span(), new boolean[1]));
  }

  /** The spans of every declaration and nested block of a file. */
  private static List<Span> blocks(ParsedFile f) {
    List<Span> out = new ArrayList<>();
    for (Decl d : f.decls()) {
      collect(d, out);
    }
    return out;
  }

  private static void collect(Decl d, List<Span> out) {
    out.add(d.span());
    if (d instanceof Decl.Namespace n) {
      n.members().forEach(m -> collect(m, out));
    } else if (d instanceof Decl.Container c) {
      c.attaches().forEach(a -> out.add(a.span()));
      c.members().forEach(m -> collect(m, out));
    }
  }
}
